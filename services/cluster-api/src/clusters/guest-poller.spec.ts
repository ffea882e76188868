import { eventually } from '@openpacific/testing';
import { GuestApi, startGuestApi } from './guest-api.spec-support';
import { GuestPoller } from './guest-poller';

const unanswered: string[] = [];
const logger = { debug: (msg: string, f: any) => unanswered.push(`${msg}: ${f.error}`), info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger } as any;
const nodeNames = (list: any): string[] => (list?.items ?? []).map((n: any) => n.metadata.name).sort();
const sameNames = (a: string[], b: string[]) => a.join() === b.join();
const listed = (api: GuestApi) => api.requests.filter((r) => r === 'GET /api/v1/nodes').length;

describe("the poller of a guest cluster's API", () => {
  let api: GuestApi;
  let poller: GuestPoller<string[]>;
  let changes = 0;
  const start = (staleMs = 5000) => (poller = new GuestPoller({ path: '/api/v1/nodes', read: nodeNames, same: sameNames, intervalMs: 50, timeoutMs: 1000, staleMs, logger, onChange: () => changes++ }));

  beforeAll(async () => {
    api = await startGuestApi();
  }, 30_000);

  beforeEach(() => {
    api.silent = false;
    api.nodes.clear();
    changes = 0;
    unanswered.length = 0;
  });
  afterEach(() => poller?.stop());
  afterAll(() => api?.stop());

  it('calls onChange on the first answer and when the answer changes, never while it stays the same', async () => {
    api.nodes.set('w-1', []);
    start().track(new Map([['c1', api.access]]));
    await eventually(async () => expect(poller.latest('c1')).toEqual(['w-1']));
    expect(changes).toBe(1);
    const seen = listed(api);
    await eventually(async () => expect(listed(api)).toBeGreaterThanOrEqual(seen + 3));
    expect(changes).toBe(1);
    api.nodes.set('w-2', []);
    await eventually(async () => expect(poller.latest('c1')).toEqual(['w-1', 'w-2']));
    expect(changes).toBe(2);
  });

  it('offers the last answer only while it is at most staleMs old, and keeps it as last seen', async () => {
    api.nodes.set('w-1', []);
    start(600).track(new Map([['c1', api.access]]));
    await eventually(async () => expect(poller.latest('c1')).toEqual(['w-1']));
    api.silent = true;
    expect(poller.latest('c1', Date.now() + 1000)).toBeUndefined();
    expect(poller.lastSeen('c1')).toEqual(['w-1']);
    await eventually(async () => expect(poller.latest('c1')).toBeUndefined(), { timeoutMs: 5000 });
    expect(poller.lastSeen('c1')).toEqual(['w-1']);
    api.silent = false;
    await eventually(async () => expect(poller.latest('c1')).toEqual(['w-1']), { timeoutMs: 5000 });
  });

  it('polls a cluster afresh when its token changes, and keeps polling one tracked again with the same server and token', async () => {
    api.nodes.set('w-1', []);
    start();
    poller.track(new Map([['c1', { ...api.access, token: 'wrong' }]]));
    await eventually(async () => expect(unanswered).toContain('guest cluster API did not answer: Unauthorized'));
    expect(poller.latest('c1')).toBeUndefined();
    expect(poller.lastSeen('c1')).toBeUndefined();
    poller.track(new Map([['c1', api.access]]));
    await eventually(async () => expect(poller.latest('c1')).toEqual(['w-1']));
    expect(poller.access('c1')).toBe(api.access);
    poller.track(new Map([['c1', { ...api.access }]]));
    expect(poller.access('c1')).toBe(api.access);
    expect(poller.lastSeen('c1')).toEqual(['w-1']);
  });

  it('forgets a cluster no longer tracked and stops polling it', async () => {
    api.nodes.set('w-1', []);
    start().track(new Map([['c1', api.access]]));
    await eventually(async () => expect(poller.latest('c1')).toEqual(['w-1']));
    poller.track(new Map());
    expect(poller.access('c1')).toBeUndefined();
    expect(poller.lastSeen('c1')).toBeUndefined();
    const seen = listed(api);
    // A second poller, of one node, tells the time: once it has asked three times, the first would have too.
    const witness = new GuestPoller({ path: '/api/v1/nodes/w-1', read: () => [], same: sameNames, intervalMs: 50, timeoutMs: 1000, staleMs: 5000, logger, onChange: () => undefined });
    witness.track(new Map([['c1', api.access]]));
    try {
      await eventually(async () => expect(api.requests.filter((r) => r === 'GET /api/v1/nodes/w-1').length).toBeGreaterThanOrEqual(3));
    } finally {
      witness.stop();
    }
    // At most the request already in flight when it was forgotten.
    expect(listed(api)).toBeLessThanOrEqual(seen + 1);
  });
});
