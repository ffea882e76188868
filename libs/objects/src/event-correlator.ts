import { ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { type AppendResult, type EventStore, type StreamAppend, VersionConflictError } from '@openpacific/event-store';

/** How many Events a correlator remembers, as client-go's recorder (its LRU of 4,096). */
const REMEMBERED = 4096;

/**
 * An Event this recorder wrote: what a repeat keeps of it (the rest is the repeat's own, the same by its key). Kept
 * small, as a sim fleet carries a recorder per host and each remembers up to 4,096.
 */
interface Recorded {
  streamId: string;
  /** The Event's stream version after this recorder's last write of it. */
  version: number;
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string };
  firstTimestamp: string;
  count: number;
}

/** An item of a call, with the new Event it writes (if it is one) and that Event's key (sameEventKey). */
interface Said {
  item: StreamAppend;
  event?: any;
  key?: string;
}

/** A new core v1 Event as objectEvent makes it: created at version 1 of an `events/…` stream. */
function newEvent(item: StreamAppend): any | undefined {
  if (item.expectedVersion !== 'no_stream' || item.events.length !== 1 || !item.streamId.startsWith('events/')) return undefined;
  const [event] = item.events;
  const data = event.data as { resource?: string; object?: any };
  return event.type === ObjectEventTypes.created && data?.resource === 'events' ? data.object : undefined;
}

/** What makes two Events the same one said again (client-go's getEventKey): the source, the object and its part, type, reason and message. */
function sameEventKey(e: any): string {
  const o = e.involvedObject ?? {};
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, o.fieldPath, e.type, e.reason, e.message].join('\u0000');
}

/**
 * Writes a recorder's Events as client-go's EventCorrelator does: an Event said again about the same object (same
 * source, object, part, type, reason and message) is not a new Event but the one written before, its `count` one up
 * and its `lastTimestamp` now, so that `kubectl describe` shows `Started 4s (x3 over 21s)` once instead of three
 * lines (a crash-looping container says Pulled, Created, Started and BackOff again on every restart). The new Events
 * are written in one batch with whatever else the caller writes (a pod's status), as before; each repeat is then an
 * update of its Event at the version this recorder wrote, on its own, so that an Event deleted or changed meanwhile
 * (a conflict) fails nothing else and is written afresh. Like client-go's, the memory is this process's: a
 * restarted recorder starts new Events.
 */
export class EventCorrelator {
  private readonly recorded = new Map<string, Recorded>();

  constructor(
    private readonly store: EventStore,
    private readonly remembered = REMEMBERED,
  ) {}

  /**
   * `store.appendBatch(items)`, with each new Event in `items` that repeats one written before made an update of
   * that one. Returns the batch's results for the other items, in their order, and undefined in the repeats' places.
   */
  async appendBatch(items: StreamAppend[], now = new Date()): Promise<Array<AppendResult | undefined>> {
    const batch: Said[] = [];
    const places: number[] = [];
    const repeats: Said[] = [];
    const inBatch = new Set<string>();
    items.forEach((item, i) => {
      const event = newEvent(item);
      const said: Said = { item, event, key: event && sameEventKey(event) };
      // Said before, or earlier in this same call: counted on that one once it is written.
      if (said.key !== undefined && (this.recorded.has(said.key) || inBatch.has(said.key))) repeats.push(said);
      else {
        if (said.key !== undefined) inBatch.add(said.key);
        batch.push(said);
        places.push(i);
      }
    });
    const results: Array<AppendResult | undefined> = new Array(items.length);
    if (batch.length > 0) {
      const written = await this.store.appendBatch(batch.map((b) => b.item));
      batch.forEach((said, k) => {
        results[places[k]] = written[k];
        this.remember(said, written[k].streamVersion);
      });
    }
    for (const repeat of repeats) await this.again(repeat, now);
    return results;
  }

  /**
   * One repeat: its Event counted up at the version written last; a conflict forgets it and writes the new one
   * instead (as does a repeat whose Event was forgotten meanwhile, the oldest of more than `remembered`).
   */
  private async again(said: Said, now: Date): Promise<void> {
    const key = said.key!;
    const earlier = this.recorded.get(key);
    if (earlier) {
      const count = earlier.count + 1;
      const object = { ...said.event, metadata: { ...said.event.metadata, ...earlier.metadata }, firstTimestamp: earlier.firstTimestamp, lastTimestamp: rfc3339(now), count };
      const metadata = said.item.events[0].metadata;
      try {
        const written = await this.store.append(earlier.streamId, [{ type: ObjectEventTypes.updated, data: { resource: 'events', object }, metadata }], { expectedVersion: earlier.version });
        this.recorded.delete(key);
        this.recorded.set(key, { ...earlier, version: written.streamVersion, count });
        return;
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        this.recorded.delete(key);
      }
    }
    const [written] = await this.store.appendBatch([said.item]);
    this.remember(said, written.streamVersion);
  }

  private remember(said: Said, version: number): void {
    const { event, key, item } = said;
    if (key === undefined) return;
    this.recorded.delete(key);
    const { name, namespace, uid, creationTimestamp } = event.metadata;
    this.recorded.set(key, { streamId: item.streamId, version, metadata: { name, namespace, uid, creationTimestamp }, firstTimestamp: event.firstTimestamp, count: event.count ?? 1 });
    // A Map iterates in insertion order, and a written key is inserted anew: the first is the least recently written.
    if (this.recorded.size > this.remembered) this.recorded.delete(this.recorded.keys().next().value as string);
  }
}
