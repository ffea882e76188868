import { LruMap } from './lru-map';

/** client-go's defaults: the tenth different message of one reason within ten minutes of the last is combined. */
const AGGREGATE_MAX_MESSAGES = 10;
const AGGREGATE_INTERVAL_MS = 600_000;

/** The messages lately said of one object with one type and reason. */
interface Similar {
  messages: Set<string>;
  at: number;
}

/**
 * client-go's EventAggregator: Events of one source and object with the same type and reason but different messages
 * (a probe whose output changes every time) are told one by one until ten different messages came within ten
 * minutes of each other; from then on each is said as `(combined from similar events): <message>`, counted up on
 * one Event of that reason instead of a new Event each.
 */
export class EventAggregator {
  private readonly similar: LruMap<Similar>;

  constructor(remembered: number) {
    this.similar = new LruMap(remembered);
  }

  /**
   * The combined message to say an Event said at `now` (ms) with, or undefined when it is said as it is. `reasonKey`
   * names the source, object, type and reason.
   */
  aggregate(reasonKey: string, message: string, now: number): string | undefined {
    let similar = this.similar.get(reasonKey);
    if (!similar || now - similar.at > AGGREGATE_INTERVAL_MS) similar = { messages: new Set(), at: now };
    similar.messages.add(message);
    similar.at = now;
    this.similar.set(reasonKey, similar);
    if (similar.messages.size < AGGREGATE_MAX_MESSAGES) return undefined;
    // As client-go's, the set stays one short of the limit, so that each new message after is combined too.
    similar.messages.delete(similar.messages.values().next().value as string);
    return `(combined from similar events): ${message}`;
  }
}
