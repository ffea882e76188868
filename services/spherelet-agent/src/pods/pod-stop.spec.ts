import { PodStop, StopDeadline } from './pod-stop';

/** Lets the promise callbacks due run (fake timers leave setImmediate alone). */
const settle = () => new Promise((r) => setImmediate(r));

/**
 * A runtime's stop as the process driver runs one: it ends `graceSeconds` after it was asked, or as soon as a later
 * stop (a shorter one sent beside it) has ended the pod's processes.
 */
function runtime() {
  const asked: { seconds: number; at: number }[] = [];
  let killedAt = Infinity;
  const ended: (() => void)[] = [];
  const stopSandbox = (seconds: number) => {
    asked.push({ seconds, at: Date.now() });
    const at = Date.now() + seconds * 1000;
    return new Promise<void>((resolve) => {
      const end = () => {
        killedAt = Math.min(killedAt, Date.now());
        for (const other of ended.splice(0)) other();
        resolve();
      };
      ended.push(end);
      setTimeout(end, at - Date.now());
    });
  };
  return { asked, stopSandbox, killedAt: () => killedAt };
}

describe('a deleted pod\'s stop, shortened as kubelet shortens it', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  it('sends the stop with the whole grace period when no hook ran, and again with a shorter one asked meanwhile, which ends the pod by then', async () => {
    const start = Date.now();
    const rt = runtime();
    const stop = new PodStop(300, rt.stopSandbox);
    let done = false;
    void stop.run(async () => undefined).then(() => (done = true));
    await settle();
    expect(rt.asked).toEqual([{ seconds: 300, at: start }]);
    jest.advanceTimersByTime(10_000);
    stop.shorten(5);
    expect(rt.asked[1]).toEqual({ seconds: 5, at: start + 10_000 });
    jest.advanceTimersByTime(4_999);
    await settle();
    expect(done).toBe(false);
    jest.advanceTimersByTime(1);
    await settle();
    expect(done).toBe(true);
    expect(rt.killedAt()).toBe(start + 15_000);
  });

  it('ignores a longer grace period, and one whose stop would not end sooner for the 2 s it keeps', async () => {
    const rt = runtime();
    const stop = new PodStop(30, rt.stopSandbox);
    void stop.run(async () => undefined);
    await settle();
    stop.shorten(60);
    jest.advanceTimersByTime(28_500);
    // 1.5 s left of the stop under way: a grace period of 1 s would still give the stop signal 2 s.
    stop.shorten(1);
    expect(rt.asked.map((a) => a.seconds)).toEqual([30]);
    stop.shorten(10);
    expect(rt.asked.map((a) => a.seconds)).toEqual([30]);
  });

  it('ends the wait for a preStop hook at the shortened deadline, then gives the stop signal at least 2 s', async () => {
    const start = Date.now();
    const rt = runtime();
    const stop = new PodStop(300, rt.stopSandbox);
    let hook: boolean | undefined | 'running' = 'running';
    // A hook that would run for 60 s.
    const run = stop.run(async (deadline) => {
      hook = await deadline.within(new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 60_000)));
    });
    jest.advanceTimersByTime(2_000);
    stop.shorten(3);
    jest.advanceTimersByTime(2_999);
    await settle();
    expect(hook).toBe('running');
    jest.advanceTimersByTime(1);
    await settle();
    expect(hook).toBeUndefined();
    expect(rt.asked).toEqual([{ seconds: 2, at: start + 5_000 }]);
    jest.advanceTimersByTime(2_000);
    await run;
    expect(rt.killedAt()).toBe(start + 7_000);
  });

  it('gives the stop what is left after the hooks, counting their time in whole seconds as kubelet does', async () => {
    const rt = runtime();
    const stop = new PodStop(30, rt.stopSandbox);
    void stop.run(async () => {
      await new Promise((r) => setTimeout(r, 2_500));
    });
    jest.advanceTimersByTime(2_500);
    await settle();
    expect(rt.asked.map((a) => a.seconds)).toEqual([28]);
  });

  it('answers the first error of its stops once all have ended', async () => {
    let calls = 0;
    const stop = new PodStop(300, async (seconds) => {
      calls++;
      if (seconds === 300) throw new Error('the runtime went away');
      await new Promise((r) => setTimeout(r, seconds * 1000));
    });
    let outcome: unknown;
    void stop.run(async () => undefined).catch((err) => (outcome = err));
    await settle();
    expect(outcome).toEqual(new Error('the runtime went away'));
    // Over: nothing more is asked of the runtime.
    stop.shorten(5);
    expect(calls).toBe(1);
  });
});

describe('a stop deadline', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  it('answers work that ends in time, and undefined for work the deadline overtakes', async () => {
    const deadline = new StopDeadline(10);
    expect(await deadline.within(Promise.resolve('done'))).toBe('done');
    const slow = deadline.within(new Promise((r) => setTimeout(() => r('late'), 20_000)));
    jest.advanceTimersByTime(10_000);
    expect(await slow).toBeUndefined();
    expect(deadline.secondsLeft()).toBe(0);
  });

  it('is only brought forward', () => {
    const deadline = new StopDeadline(10);
    expect(deadline.shorten(20)).toBe(false);
    expect(deadline.secondsLeft()).toBe(10);
    expect(deadline.shorten(4)).toBe(true);
    expect(deadline.secondsLeft()).toBe(4);
  });
});
