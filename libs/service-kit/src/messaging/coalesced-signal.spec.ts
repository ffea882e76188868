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

  it('keeps firing at most once per window under a steady stream of calls', () => {
    // Fake timers: the count must not depend on how promptly a loaded machine runs real ones.
    jest.useFakeTimers();
    try {
      let fired = 0;
      const s = new CoalescedSignal(() => fired++, 20);
      // A call every millisecond for 200 ms: the first fires at once, then one trailing fire as each
      // 20 ms window closes (at 20, 40, … 200 ms; the last announces the call made at 199 ms).
      for (let t = 0; t < 200; t++) {
        s.signal();
        jest.advanceTimersByTime(1);
      }
      expect(fired).toBe(11);
      // Nothing was pending when the last window opened: no more fires, on time or on close.
      jest.advanceTimersByTime(40);
      expect(fired).toBe(11);
      s.close();
      expect(fired).toBe(11);
    } finally {
      jest.useRealTimers();
    }
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
