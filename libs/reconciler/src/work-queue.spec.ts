import { eventually } from '@openpacific/testing';
import { WorkQueue } from './work-queue';

describe('WorkQueue', () => {
  let queue: WorkQueue<string>;
  beforeEach(() => (queue = new WorkQueue<string>()));
  afterEach(() => queue.shutDown());

  it('holds a key once however often it is added before being taken', async () => {
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.len()).toBe(0);
  });

  it('does not hand out a held key again until it is done, then hands it out once more if it was added meanwhile', async () => {
    queue.add('a');
    const held = await queue.get();
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0);

    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await new Promise((r) => setImmediate(r));
    expect(second).toBeUndefined();

    queue.done(held!);
    await eventually(() => expect(second).toBe('a'));
    queue.done('a');
    expect(queue.len()).toBe(0);
  });

  it('does not re-queue a key that was done without being added again', async () => {
    queue.add('a');
    queue.done((await queue.get())!);
    expect(queue.len()).toBe(0);
  });

  it('wakes a waiting get when a key is added', async () => {
    const next = queue.get();
    queue.add('late');
    await expect(next).resolves.toBe('late');
  });

  it('adds a key after the given delay, keeping only the earliest of repeated delayed adds', async () => {
    queue.addAfter('a', 200);
    queue.addAfter('a', 30);
    queue.addAfter('a', 100);
    expect(queue.len()).toBe(0);
    await eventually(() => expect(queue.len()).toBe(1), { intervalMs: 5 });
    queue.done((await queue.get())!);
    await new Promise((r) => setTimeout(r, 250));
    expect(queue.len()).toBe(0);
  });

  it('backs off a rate-limited key exponentially until it is forgotten', async () => {
    expect(queue.addRateLimited('a')).toBe(5);
    expect(queue.addRateLimited('a')).toBe(10);
    expect(queue.addRateLimited('a')).toBe(20);
    expect(queue.numRequeues('a')).toBe(3);
    await eventually(() => expect(queue.len()).toBe(1), { intervalMs: 5 });
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    expect(queue.addRateLimited('a')).toBe(5);
  });

  it('uses the configured backoff bounds', () => {
    const custom = new WorkQueue<string>({ baseDelayMs: 50, maxDelayMs: 120 });
    expect([1, 2, 3].map(() => custom.addRateLimited('a'))).toEqual([50, 100, 120]);
    custom.shutDown();
  });

  it('stops handing out keys and releases waiting gets once shut down', async () => {
    const waiting = queue.get();
    queue.addAfter('delayed', 10);
    queue.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    queue.add('a');
    expect(queue.len()).toBe(0);
    await expect(queue.get()).resolves.toBeUndefined();
  });
});
