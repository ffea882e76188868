import type { EventStore } from '@openpacific/event-store';
import { gatedStore } from './write-gate';

describe('gatedStore', () => {
  it('lets at most `limit` appends run at once and passes everything else through', async () => {
    let running = 0;
    let most = 0;
    const store = {
      append: async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { ok: true };
      },
      readStream: async (id: string) => [id],
    } as unknown as EventStore;
    const gated = gatedStore(store, 3);
    const results = await Promise.all(Array.from({ length: 10 }, () => gated.append('s', [], {} as any)));
    expect(results).toHaveLength(10);
    expect(most).toBe(3);
    expect(await gated.readStream('x')).toEqual(['x']);
  });

  it('frees its slot when an append fails', async () => {
    const store = { append: async () => Promise.reject(new Error('conflict')) } as unknown as EventStore;
    const gated = gatedStore(store, 1);
    await expect(gated.append('s', [], {} as any)).rejects.toThrow('conflict');
    await expect(gated.append('s', [], {} as any)).rejects.toThrow('conflict');
  });
});
