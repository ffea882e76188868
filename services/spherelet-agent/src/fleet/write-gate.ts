import type { EventStore } from '@openpacific/event-store';

/**
 * Lets at most `limit` appends of the whole fleet reach the store at once; the rest wait their turn here.
 * A hundred hosts reconciling eight pods each would otherwise queue 800 appends on the process's pool of
 * ten connections, where waiting past the pool's connect timeout (5 s) fails a reconcile that only had to
 * wait, and its retry adds to the queue.
 */
export function gatedStore(store: EventStore, limit: number): EventStore {
  let active = 0;
  const queue: Array<() => void> = [];
  const run = async <T>(write: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await write();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
  return Object.assign(Object.create(store) as EventStore, {
    append: (...args: Parameters<EventStore['append']>) => run(() => store.append(...args)),
    appendBatch: (...args: Parameters<EventStore['appendBatch']>) => run(() => store.appendBatch(...args)),
  });
}
