import { eventually } from '@openpacific/testing';
import { GuestApi, startGuestApi } from './guest-api.spec-support';
import { GuestNodeMonitor } from './guest-nodes';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as any;

describe("the monitor of a guest cluster's nodes", () => {
  let api: GuestApi;
  let monitor: GuestNodeMonitor;
  let changes = 0;

  beforeAll(async () => {
    api = await startGuestApi();
  }, 30_000);

  afterEach(() => monitor?.stop());
  afterAll(() => api?.stop());

  it("reads each node's conditions through the guest's API and says when one changes", async () => {
    api.silent = false;
    api.nodes.set('w-1', [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    monitor = new GuestNodeMonitor({ intervalMs: 50, timeoutMs: 1000, staleMs: 5000, logger: quiet, onChange: () => changes++ });
    monitor.track(new Map([['c1', api.access]]));
    await eventually(async () => expect(monitor.reachableNodes('c1')?.get('w-1')).toEqual({ name: 'w-1', ready: true, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] }));
    const before = changes;
    api.nodes.set('w-1', [
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'KernelDeadlock', status: 'True', lastTransitionTime: '2026-01-01T00:01:00Z' },
    ]);
    await eventually(async () => expect(monitor.reachableNodes('c1')?.get('w-1')?.conditions.map((c) => c.type)).toEqual(['Ready', 'KernelDeadlock']));
    expect(changes).toBe(before + 1);
  });

  it('counts a guest that stopped answering as unreachable once it has been silent for staleMs, and reachable again when it answers', async () => {
    api.silent = false;
    api.nodes.set('w-1', [{ type: 'Ready', status: 'True' }]);
    monitor = new GuestNodeMonitor({ intervalMs: 50, timeoutMs: 200, staleMs: 600, logger: quiet, onChange: () => undefined });
    monitor.track(new Map([['c1', api.access]]));
    await eventually(async () => expect(monitor.reachableNodes('c1')?.has('w-1')).toBe(true));
    api.silent = true;
    const silentAt = Date.now();
    await eventually(async () => expect(monitor.reachableNodes('c1')).toBeUndefined(), { timeoutMs: 5000 });
    expect(Date.now() - silentAt).toBeGreaterThanOrEqual(400);
    // What was last seen is kept (a machine keeps its node), but is not offered as the guest's state now.
    expect(monitor.nodes('c1')?.has('w-1')).toBe(true);
    api.silent = false;
    await eventually(async () => expect(monitor.reachableNodes('c1')?.has('w-1')).toBe(true), { timeoutMs: 5000 });
  });

  it('never counts a guest whose API refuses it as reachable', async () => {
    api.silent = false;
    monitor = new GuestNodeMonitor({ intervalMs: 50, timeoutMs: 200, staleMs: 600, logger: quiet, onChange: () => undefined });
    monitor.track(new Map([['c1', { ...api.access, token: 'wrong' }]]));
    await new Promise((r) => setTimeout(r, 300));
    expect(monitor.reachableNodes('c1')).toBeUndefined();
    expect(monitor.nodes('c1')).toBeUndefined();
  });
});
