import { LruMap } from './lru-map';

/** client-go's defaults (tools/record/events_cache.go): 25 Events about an object at once, then one per five minutes. */
const SPAM_BURST = 25;
const SPAM_REFILL_PER_MS = 1 / 300_000;

/** Who says an Event about what (client-go's getSpamKey): the source and the involved object, not the part of it. */
export function sourceObjectKey(e: any): string {
  const o = e.involvedObject ?? {};
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion].join('\u0000');
}

/** A token bucket: the tokens left when last taken from. */
interface Bucket {
  tokens: number;
  at: number;
}

/**
 * client-go's EventSourceObjectSpamFilter: a token bucket per source and object, full (25) at its first Event and
 * refilled by one every five minutes; an Event that finds it empty is not written. It keeps an object that is always
 * unhealthy (a probe failing every second) from writing an Event a second for ever.
 */
export class EventSpamFilter {
  private readonly buckets: LruMap<Bucket>;

  constructor(remembered: number) {
    this.buckets = new LruMap(remembered);
  }

  /** Whether to drop an Event said at `now` (ms) by the source about the object of `objectKey` (sourceObjectKey). */
  skip(objectKey: string, now: number): boolean {
    const bucket = this.buckets.get(objectKey) ?? { tokens: SPAM_BURST, at: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + Math.max(0, now - bucket.at) * SPAM_REFILL_PER_MS);
    bucket.at = now;
    const skip = bucket.tokens < 1;
    if (!skip) bucket.tokens -= 1;
    this.buckets.set(objectKey, bucket);
    return skip;
  }
}
