import { ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { type AppendResult, type EventStore, GroupCommit, type NewEvent, type StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { EventAggregator } from './event-aggregator';
import { EventSpamFilter, sourceObjectKey } from './event-spam-filter';
import { LruMap } from './lru-map';

/** How many Events, objects and reasons a correlator remembers, as client-go's recorder (its LRUs of 4,096). */
const REMEMBERED = 4096;

/** Where this recorder wrote an Event: its stream, the version after its last write, and what a repeat keeps of it. */
interface Written {
  streamId: string;
  version: number;
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string };
}

/**
 * An Event as this recorder last saw it said (client-go's eventLog): counted even when the spam filter kept it from
 * being written, so that the next one written carries the whole count. Kept small, as a sim fleet carries a recorder
 * per host and each remembers up to 4,096.
 */
interface Observed {
  count: number;
  firstTimestamp: string;
  written?: Written;
}

/** What one call writes of an Event: its last saying (`latest`), as a new Event in `item`'s stream or an update of `written`. */
interface Write {
  key: string;
  item: StreamAppend;
  latest: any;
  written?: Written;
}

/** A new core v1 Event as objectEvent makes it: created at version 1 of an `events/…` stream. */
function newEvent(item: StreamAppend): any | undefined {
  if (item.expectedVersion !== 'no_stream' || item.events.length !== 1 || !item.streamId.startsWith('events/')) return undefined;
  const [event] = item.events;
  const data = event.data as { resource?: string; object?: any };
  return event.type === ObjectEventTypes.created && data?.resource === 'events' ? data.object : undefined;
}

/**
 * Writes a recorder's Events as client-go's EventCorrelator does, in its order:
 * - the aggregator: the tenth different message of one object and reason within ten minutes is said as `(combined
 *   from similar events): …`, and so is each one after, on one Event of that reason (event-aggregator.ts);
 * - counting: an Event said again (same source, object, part, type, reason and message) is not a new Event but the
 *   one written before, its `count` one up, its `lastTimestamp` now, so that `kubectl describe` shows `Unhealthy 2s
 *   (x7 over 60s)` once instead of seven lines;
 * - the spam filter: 25 Events per source and object at once, then one per five minutes (event-spam-filter.ts). One
 *   it holds back still counts, and the next one written carries the count.
 * The new Events are written in one batch with whatever else the caller writes (a pod's status), as before; the
 * repeats are updates of their Events at the version this recorder wrote, apart from that batch, so that an Event
 * deleted or changed meanwhile (a conflict) fails nothing else, and is written afresh with its count. Updates of
 * concurrent calls go together (GroupCommit): one statement for the repeats of a host's pass. Like client-go's, the
 * memory is this process's: a restarted recorder starts new Events.
 */
export class EventCorrelator {
  private readonly observed: LruMap<Observed>;
  private readonly aggregator: EventAggregator;
  private readonly spam: EventSpamFilter;
  private readonly updates: GroupCommit;

  constructor(
    private readonly store: EventStore,
    remembered = REMEMBERED,
  ) {
    this.observed = new LruMap(remembered);
    this.aggregator = new EventAggregator(remembered);
    this.spam = new EventSpamFilter(remembered);
    this.updates = new GroupCommit(store, { maxInFlight: 2 });
  }

  /**
   * `store.appendBatch(items)`, each new Event in `items` correlated first: one said before made an update of that
   * one, one the spam filter holds back left out, one said twice in the call written once with both counted. Returns
   * the batch's results for the items it wrote, in their places, and undefined in the others'.
   */
  async appendBatch(items: StreamAppend[], now = new Date()): Promise<Array<AppendResult | undefined>> {
    const at = now.getTime();
    const writes = new Map<string, Write>();
    const batch: Array<{ place: number; item: StreamAppend; write?: Write }> = [];
    const counted: string[] = [];
    items.forEach((item, place) => {
      const event = newEvent(item);
      if (!event) return void batch.push({ place, item });
      const objectKey = sourceObjectKey(event);
      const reasonKey = `${objectKey}\u0000${event.type}\u0000${event.reason}`;
      const combined = this.aggregator.aggregate(reasonKey, event.message, at);
      // client-go's getEventKey, or the reason's key for a combined Event (counted up whatever its message).
      const key = combined === undefined ? `e\u0000${reasonKey}\u0000${event.involvedObject?.fieldPath}\u0000${event.message}` : `c\u0000${reasonKey}`;
      const observed: Observed = this.observed.get(key) ?? { count: 0, firstTimestamp: event.firstTimestamp };
      observed.count++;
      this.observed.set(key, observed);
      counted.push(key);
      if (this.spam.skip(objectKey, at)) return;
      const latest = observed.count === 1 && combined === undefined ? event : { ...event, message: combined ?? event.message, firstTimestamp: observed.firstTimestamp, lastTimestamp: rfc3339(now), count: observed.count };
      const write = writes.get(key);
      if (write) return void (write.latest = latest);
      const next: Write = { key, item, latest, written: observed.written };
      writes.set(key, next);
      if (!next.written) batch.push({ place, item, write: next });
    });
    const results: Array<AppendResult | undefined> = new Array(items.length);
    if (batch.length > 0) {
      let written: AppendResult[];
      try {
        written = await this.store.appendBatch(batch.map((b) => (b.write ? this.created(b.write) : b.item)));
      } catch (err) {
        // Nothing of the call was written (a pod's status conflicted): its caller says it all again on its retry,
        // which is to count once, not twice.
        this.uncount(counted);
        throw err;
      }
      batch.forEach((b, k) => {
        results[b.place] = written[k];
        if (b.write) this.wrote(b.write, written[k].streamVersion);
      });
    }
    await Promise.all([...writes.values()].filter((w) => w.written).map((w) => this.update(w)));
    return results;
  }

  /** Takes back the counting of `keys` (one per saying), for a call that wrote nothing. */
  private uncount(keys: string[]): void {
    for (const key of keys) {
      const observed = this.observed.get(key);
      if (!observed) continue;
      observed.count--;
      if (observed.count <= 0) this.observed.delete(key);
    }
  }

  /** The write of a new Event in its item's stream, with its latest count and message. */
  private created(write: Write): StreamAppend {
    const [event] = write.item.events;
    const own = (event.data as { object: any }).object;
    if (write.latest === own) return write.item;
    return { ...write.item, events: [{ ...event, data: { ...(event.data as object), object: { ...write.latest, metadata: own.metadata } } }] };
  }

  /** One repeat: its Event counted up at the version written last; a conflict writes it as a new Event, with its count. */
  private async update(write: Write): Promise<void> {
    const { streamId, version, metadata } = write.written!;
    const object = { ...write.latest, metadata: { ...write.latest.metadata, ...metadata } };
    const event: NewEvent = { type: ObjectEventTypes.updated, data: { resource: 'events', object }, metadata: write.item.events[0].metadata };
    try {
      const recorded = await this.updates.append(streamId, event, version);
      this.wrote(write, recorded.streamVersion, write.written);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const [created] = await this.store.appendBatch([this.created(write)]);
      this.wrote(write, created.streamVersion);
    }
  }

  /** Remembers where the Event of `write` is now: `before`'s stream at `version`, or its own new one. */
  private wrote(write: Write, version: number, before?: Written): void {
    const observed = this.observed.get(write.key);
    if (!observed) return;
    if (before) observed.written = { ...before, version };
    else {
      const { name, namespace, uid, creationTimestamp } = (write.item.events[0].data as { object: any }).object.metadata;
      observed.written = { streamId: write.item.streamId, version, metadata: { name, namespace, uid, creationTimestamp } };
    }
  }
}
