import { CoalescedSignal } from './coalesced-signal';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a coalesced signal', () => {
  it('fires at once after a quiet period', () => {
    let fired = 0;
    const s = new CoalescedSignal(() => fired++, 20);
    s.signal();
    expect(fired).toBe(1);
    s.close();
  });

  it('collapses a burst into the first fire and one trailing fire, and never leaves the last call unannounced', async () => {
    let fired = 0;
    const s = new CoalescedSignal(() => fired++, 20);
    for (let i = 0; i < 50; i++) s.signal();
    expect(fired).toBe(1);
    await sleep(40);
    expect(fired).toBe(2);
    // Quiet again: nothing more, and the next call goes out immediately.
    await sleep(30);
    expect(fired).toBe(2);
    s.signal();
    expect(fired).toBe(3);
    s.close();
  });

  it('keeps firing at most once per window under a steady stream of calls', async () => {
    let fired = 0;
    const s = new CoalescedSignal(() => fired++, 20);
    const started = Date.now();
    while (Date.now() - started < 200) {
      s.signal();
      await sleep(1);
    }
    await sleep(40);
    // 200 ms of calls at a 20 ms window: about 10 fires (plus the trailing one), far fewer than the calls.
    expect(fired).toBeGreaterThanOrEqual(5);
    expect(fired).toBeLessThanOrEqual(13);
    s.close();
  });

  it('sends a pending trailing signal on close and ignores calls after it', () => {
    let fired = 0;
    const s = new CoalescedSignal(() => fired++, 1000);
    s.signal();
    s.signal();
    s.close();
    expect(fired).toBe(2);
    s.signal();
    expect(fired).toBe(2);
  });

  it('names in each fire what the calls it stands for named, and nothing once any of them named nothing', async () => {
    const fires: Array<string[] | undefined> = [];
    const s = new CoalescedSignal<string>((what) => fires.push(what && [...what].sort()), 20);
    s.signal(['pods']);
    s.signal(['configmaps']);
    s.signal(['pods', 'secrets']);
    await sleep(40);
    expect(fires).toEqual([['pods'], ['configmaps', 'pods', 'secrets']]);
    await sleep(30);
    s.signal(['pods']);
    s.signal(['hosts']);
    s.signal();
    s.signal(['secrets']);
    s.close();
    expect(fires).toEqual([['pods'], ['configmaps', 'pods', 'secrets'], ['pods'], undefined]);
  });
});
