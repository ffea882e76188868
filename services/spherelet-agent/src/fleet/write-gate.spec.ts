import { AppendResult, EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { gatedStore } from './write-gate';

const event = () => ({ type: 'Updated', data: {}, metadata: { actor: 'test', source: 'test' } });
const item = (streamId: string): StreamAppend => ({ streamId, events: [event()], expectedVersion: 1 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A store that records each transaction's streams and checks versions as the real one does: every stream is
 * at version 1 unless `versions` says otherwise; a transaction with an item expecting another version fails whole.
 */
function recordingStore(versions: Record<string, number> = {}, delayMs = 5) {
  const transactions: string[][] = [];
  let running = 0;
  let most = 0;
  const store = {
    appendBatch: async (items: StreamAppend[]) => {
      transactions.push(items.map((i) => i.streamId));
      most = Math.max(most, ++running);
      await sleep(delayMs);
      running--;
      const at = (id: string) => versions[id] ?? 1;
      const bad = items.find((i) => typeof i.expectedVersion === 'number' && i.expectedVersion !== at(i.streamId));
      if (bad) throw new VersionConflictError(bad.streamId, bad.expectedVersion ?? 'any', at(bad.streamId));
      return items.map((i) => {
        versions[i.streamId] = at(i.streamId) + i.events.length;
        return { streamVersion: versions[i.streamId], events: [{ streamId: i.streamId }] } as unknown as AppendResult;
      });
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

  it('takes the batch a conflict names out of a shared transaction and writes the rest together again, so only its caller sees the error', async () => {
    const rec = recordingStore({ bad: 3 });
    const gated = gatedStore(rec.store, { limit: 1, maxStreams: 100 });
    const outcomes = await Promise.allSettled([gated.appendBatch([item('a')]), gated.appendBatch([item('bad'), item('b')]), gated.append('c', [event()], { expectedVersion: 1 })]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect((outcomes[2] as PromiseFulfilledResult<AppendResult>).value.events[0].streamId).toBe('c');
    // The conflict told the gate where 'bad' is: its batch is refused without writing it alone.
    expect(rec.transactions).toEqual([['a', 'bad', 'b', 'c'], ['a', 'c']]);
  });

  it('costs a burst with one stale write two transactions, not one per batch', async () => {
    const rec = recordingStore({ s7: 3 });
    const gated = gatedStore(rec.store, { limit: 1, maxStreams: 1000 });
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => gated.appendBatch([item(`s${i}`)])));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(outcomes[7].status).toBe('rejected');
    expect(rec.transactions.map((t) => t.length)).toEqual([100, 99]);
  });

  it('refuses without a round trip a write expecting a version below one its stream is known to have reached', async () => {
    const rec = recordingStore({ bad: 3 });
    const gated = gatedStore(rec.store, { limit: 1, maxStreams: 100 });
    // Written at version 1 → 2 through the gate; a conflict tells the gate 'bad' is at 3.
    await gated.appendBatch([item('ok')]);
    await expect(gated.appendBatch([item('bad')])).rejects.toThrow(VersionConflictError);
    const seen = rec.transactions.length;
    const outcomes = await Promise.allSettled([gated.appendBatch([item('ok')]), gated.appendBatch([item('bad')]), gated.appendBatch([item('fresh')]), gated.append('bad', [event()], { expectedVersion: 3 })]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ streamId: 'ok', actualVersion: 2 });
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ streamId: 'bad', actualVersion: 3 });
    // Only the fresh ones reach the store, together.
    expect(rec.transactions.slice(seen)).toEqual([['fresh', 'bad']]);
  });

  it('writes each batch alone when a shared transaction fails for another reason than a version', async () => {
    const rec = recordingStore();
    let failed = false;
    const flaky = Object.assign(Object.create(rec.store), {
      appendBatch: (items: StreamAppend[]) => {
        if (failed) return rec.store.appendBatch(items);
        failed = true;
        return Promise.reject(new Error('connection terminated'));
      },
    }) as EventStore;
    const gated = gatedStore(flaky, { limit: 1, maxStreams: 100 });
    const outcomes = await Promise.allSettled([gated.appendBatch([item('a')]), gated.appendBatch([item('b'), item('c')])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(rec.transactions).toEqual([['a'], ['b', 'c']]);
  });

  it('gives a batch bigger than a transaction one of its own, and frees its slot when it fails', async () => {
    const rec = recordingStore({ x1: 3 });
    const gated = gatedStore(rec.store, { limit: 1, maxStreams: 2 });
    await expect(gated.appendBatch([item('x1'), item('x2'), item('x3')])).rejects.toThrow(VersionConflictError);
    await expect(gated.appendBatch([item('y')])).resolves.toHaveLength(1);
  });
});
