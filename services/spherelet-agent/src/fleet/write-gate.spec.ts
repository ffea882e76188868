import { AppendResult, EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { gatedStore } from './write-gate';

const item = (streamId: string): StreamAppend => ({ streamId, events: [], expectedVersion: 1 });
const result = (streamId: string) => ({ streamVersion: 2, events: [{ streamId }] }) as unknown as AppendResult;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store that records each transaction's streams and fails those naming a stream in `conflicts`. */
function recordingStore(conflicts = new Set<string>(), delayMs = 5) {
  const transactions: string[][] = [];
  let running = 0;
  let most = 0;
  const store = {
    appendBatch: async (items: StreamAppend[]) => {
      transactions.push(items.map((i) => i.streamId));
      most = Math.max(most, ++running);
      await sleep(delayMs);
      running--;
      const bad = items.find((i) => conflicts.has(i.streamId));
      if (bad) throw new VersionConflictError(bad.streamId, 1, 3);
      return items.map((i) => result(i.streamId));
    },
    readStream: async (id: string) => [id],
  } as unknown as EventStore;
  return { store, transactions, most: () => most };
}

describe('the fleet write gate', () => {
  it('lets at most `limit` transactions run at once, and the batches that wait share them', async () => {
    const rec = recordingStore();
    const gated = gatedStore(rec.store, { limit: 2, maxStreams: 4 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gated.appendBatch([item(`s${i}a`), item(`s${i}b`)])));
    expect(results.map((r) => r.map((x) => x.events[0].streamId))).toEqual(Array.from({ length: 10 }, (_, i) => [`s${i}a`, `s${i}b`]));
    expect(rec.most()).toBe(2);
    expect(rec.transactions).toHaveLength(5);
    expect(rec.transactions.every((t) => t.length <= 4)).toBe(true);
    expect(await gated.readStream('x')).toEqual(['x']);
  });

  it('writes each batch alone when a shared transaction fails, so only the conflicting caller sees the error', async () => {
    const rec = recordingStore(new Set(['bad']));
    const gated = gatedStore(rec.store, { limit: 1, maxStreams: 100 });
    const outcomes = await Promise.allSettled([gated.appendBatch([item('a')]), gated.appendBatch([item('bad'), item('b')]), gated.append('c', [], { expectedVersion: 1 })]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect((outcomes[2] as PromiseFulfilledResult<AppendResult>).value.events[0].streamId).toBe('c');
    expect(rec.transactions).toEqual([['a', 'bad', 'b', 'c'], ['a'], ['bad', 'b'], ['c']]);
  });

  it('gives a batch bigger than a transaction one of its own, and frees its slot when it fails', async () => {
    const rec = recordingStore(new Set(['x1']));
    const gated = gatedStore(rec.store, { limit: 1, maxStreams: 2 });
    await expect(gated.appendBatch([item('x1'), item('x2'), item('x3')])).rejects.toThrow(VersionConflictError);
    await expect(gated.appendBatch([item('y')])).resolves.toHaveLength(1);
  });
});
