import type { AppendResult, EventStore, StreamAppend } from '@openpacific/event-store';

export interface WriteGateOptions {
  /** Transactions of the whole fleet in flight at once. */
  limit: number;
  /** Streams one shared transaction carries at most. */
  maxStreams: number;
}

interface Waiting {
  items: StreamAppend[];
  resolve: (results: AppendResult[]) => void;
  reject: (err: unknown) => void;
}

/**
 * The fleet's writes to the store: at most `limit` transactions at once, and the batches that queue meanwhile
 * share the next transaction (up to `maxStreams` streams). A hundred hosts reconciling eight pods each would
 * otherwise queue 800 appends on the process's pool of ten connections, where waiting past the pool's connect
 * timeout (5 s) fails a reconcile that only had to wait; and each pod's status in a transaction of its own
 * costs a commit (BEGIN, COMMIT, a WAL flush) per pod where a burst needs one per few hundred.
 *
 * Each caller's batch stays all or nothing: when a shared transaction fails (one pod changed under its
 * writer), every batch in it is written again on its own, so each caller gets its own result or error.
 */
export function gatedStore(store: EventStore, opts: WriteGateOptions): EventStore {
  let active = 0;
  const queue: Waiting[] = [];

  const writeAlone = (w: Waiting) => store.appendBatch(w.items).then(w.resolve, w.reject);
  const writeShared = async (group: Waiting[]): Promise<void> => {
    if (group.length === 1) return writeAlone(group[0]);
    let results: AppendResult[];
    try {
      results = await store.appendBatch(group.flatMap((w) => w.items));
    } catch {
      for (const w of group) await writeAlone(w);
      return;
    }
    let at = 0;
    for (const w of group) {
      w.resolve(results.slice(at, at + w.items.length));
      at += w.items.length;
    }
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
