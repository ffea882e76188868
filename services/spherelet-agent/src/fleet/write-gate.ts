import { AppendResult, EventStore, ExpectedVersion, StreamAppend, VersionConflictError } from '@openpacific/event-store';

export interface WriteGateOptions {
  /** Transactions of the whole fleet in flight at once. */
  limit: number;
  /** Streams one shared transaction carries at most. */
  maxStreams: number;
  /** Streams whose last known version the gate remembers (the newest); default 50,000. */
  remember?: number;
}

interface Waiting {
  items: StreamAppend[];
  resolve: (results: AppendResult[]) => void;
  reject: (err: unknown) => void;
}

/** The version `expected` requires a stream to be at when the item is applied, or undefined for 'any'. */
function requiredVersion(expected: ExpectedVersion | undefined): number | undefined {
  if (expected === undefined || expected === 'any') return undefined;
  // As the store reads it: a positive number is an exact version, anything else means no stream yet.
  return typeof expected === 'number' && expected > 0 ? expected : 0;
}

/**
 * The versions streams are known to have reached, from this gate's own results and conflicts. Versions
 * only grow, so an item expecting a lower one is bound to fail: it is refused here, without a round trip
 * and without failing the shared transaction of everyone else. A worker whose read model lags its own
 * writes (a resync, or a retry, before the follower brought the status it wrote) asks exactly that.
 */
class KnownVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  saw(streamId: string, version: number): void {
    if ((this.versions.get(streamId) ?? 0) >= version) return;
    // Re-inserted, so that the map's order is the order of last change and the oldest go first.
    this.versions.delete(streamId);
    this.versions.set(streamId, version);
    if (this.versions.size > this.capacity) {
      for (const key of this.versions.keys()) {
        this.versions.delete(key);
        if (this.versions.size <= this.capacity * 0.9) break;
      }
    }
  }

  /** The conflict the store would raise for the first item of `items` that expects less than its stream reached. */
  stale(items: StreamAppend[]): VersionConflictError | undefined {
    for (const item of items) {
      if (item.events.length === 0) continue;
      const required = requiredVersion(item.expectedVersion);
      const known = this.versions.get(item.streamId);
      if (required !== undefined && known !== undefined && known > required) return new VersionConflictError(item.streamId, item.expectedVersion ?? 'any', known);
    }
    return undefined;
  }
}

/**
 * The fleet's writes to the store: at most `limit` transactions at once, and the batches that queue meanwhile
 * share the next transaction (up to `maxStreams` streams). A hundred hosts reconciling eight pods each would
 * otherwise queue 800 appends on the process's pool of ten connections, where waiting past the pool's connect
 * timeout (5 s) fails a reconcile that only had to wait; and each pod's status in a transaction of its own
 * costs a commit (BEGIN, COMMIT, a WAL flush) per pod where a burst needs one per few hundred.
 *
 * Each caller's batch stays all or nothing, with its own result or error. A version conflict in a shared
 * transaction takes out only the batches naming the stream it names (refused when the conflict shows them
 * stale, else written alone for a verdict of their own) and the rest are written together again: writing every
 * batch of a failed transaction alone, one after the other, held a hundred pods' Running for up to 16 s behind
 * one stale write (the burst's p99).
 */
export function gatedStore(store: EventStore, opts: WriteGateOptions): EventStore {
  let active = 0;
  const queue: Waiting[] = [];
  const known = new KnownVersions(opts.remember ?? 50_000);

  const settle = (w: Waiting, results: AppendResult[]) => {
    w.items.forEach((item, i) => item.events.length > 0 && known.saw(item.streamId, results[i].streamVersion));
    w.resolve(results);
  };
  const fail = (w: Waiting, err: unknown) => {
    if (err instanceof VersionConflictError) known.saw(err.streamId, err.actualVersion);
    w.reject(err);
  };
  const writeAlone = (w: Waiting) => store.appendBatch(w.items).then((r) => settle(w, r), (err) => fail(w, err));
  /** Refuses the batches known to be stale; returns the rest. */
  const fresh = (group: Waiting[]): Waiting[] =>
    group.filter((w) => {
      const conflict = known.stale(w.items);
      if (conflict) fail(w, conflict);
      return !conflict;
    });
  const writeShared = async (group: Waiting[]): Promise<void> => {
    let pending = fresh(group);
    const alone: Waiting[] = [];
    while (pending.length > 1) {
      try {
        const results = await store.appendBatch(pending.flatMap((w) => w.items));
        let at = 0;
        for (const w of pending) {
          settle(w, results.slice(at, at + w.items.length));
          at += w.items.length;
        }
        pending = [];
      } catch (err) {
        const named = err instanceof VersionConflictError ? err.streamId : undefined;
        const culprits = pending.filter((w) => w.items.some((i) => i.streamId === named));
        // Not a conflict pinned on a batch (the connection failed, say): each batch alone, as it would be ungated.
        if (culprits.length === 0) {
          alone.push(...pending);
          pending = [];
          break;
        }
        if (err instanceof VersionConflictError) known.saw(err.streamId, err.actualVersion);
        // The innocent go first; the batches naming the stream get their own verdicts after them.
        alone.push(...culprits);
        pending = fresh(pending.filter((w) => !culprits.includes(w)));
      }
    }
    for (const w of fresh([...pending, ...alone])) await writeAlone(w);
  };
  /** The next transaction's batches: the oldest first, as many as fit (one at least, however big). */
  const takeGroup = (): Waiting[] => {
    const group = [queue.shift() as Waiting];
    let streams = group[0].items.length;
    while (queue.length > 0 && streams + queue[0].items.length <= opts.maxStreams) {
      streams += queue[0].items.length;
      group.push(queue.shift() as Waiting);
    }
    return group;
  };
  const pump = (): void => {
    while (active < opts.limit && queue.length > 0) {
      active++;
      void writeShared(takeGroup()).finally(() => {
        active--;
        pump();
      });
    }
  };
  const appendBatch = (items: StreamAppend[]): Promise<AppendResult[]> =>
    new Promise((resolve, reject) => {
      queue.push({ items, resolve, reject });
      // Not at once: the other pods of this turn of the event loop join the same transaction.
      if (queue.length === 1) setImmediate(pump);
    });

  return Object.assign(Object.create(store) as EventStore, {
    appendBatch: (items: StreamAppend[], o?: Parameters<EventStore['appendBatch']>[1]) => (o?.client ? store.appendBatch(items, o) : appendBatch(items)),
    append: async (...[streamId, events, o]: Parameters<EventStore['append']>) => {
      if (o?.client) return store.append(streamId, events, o);
      const [result] = await appendBatch([{ streamId, events, expectedVersion: o?.expectedVersion ?? 'any' }]);
      return result;
    },
  });
}

