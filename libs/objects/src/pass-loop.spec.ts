import { eventually } from '@openpacific/testing';
import { feedPassLoop, PassLoop } from './pass-loop';

describe('a pass loop', () => {
  it('never runs two passes at once and folds requests made during a pass into one more pass', async () => {
    let running = 0;
    let overlap = false;
    let passes = 0;
    let release!: () => void;
    const loop = new PassLoop(async () => {
      running++;
      if (running > 1) overlap = true;
      passes++;
      if (passes === 1) await new Promise<void>((r) => (release = r));
      running--;
    }, { debounceMs: 1, resyncMs: 60_000, onError: () => undefined });
    loop.start();
    await eventually(() => expect(passes).toBe(1));
    for (let i = 0; i < 10; i++) loop.schedule();
    release();
    await eventually(() => expect(passes).toBe(2));
    await new Promise((r) => setTimeout(r, 30));
    expect(passes).toBe(2);
    expect(overlap).toBe(false);
    loop.stop();
  });

  it('retries a failed pass and resyncs without any request', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const loop = new PassLoop(async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
    }, { debounceMs: 1, resyncMs: 30, onError: (e) => errors.push(e) });
    loop.start();
    await eventually(() => expect(calls).toBeGreaterThanOrEqual(3));
    expect(errors).toHaveLength(1);
    loop.stop();
  });

  it('runs a pass requested mid-pass after the debounce, and waits retryMs only after a failure', async () => {
    let passes = 0;
    let release!: () => void;
    const loop = new PassLoop(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((r) => (release = r));
      if (passes === 2) throw new Error('transient');
    }, { debounceMs: 1, resyncMs: 600_000, retryMs: 600_000, onError: () => undefined });
    loop.start();
    await eventually(() => expect(passes).toBe(1));
    loop.schedule();
    release();
    // Not after retryMs (ten minutes): the requested pass follows at once.
    await eventually(() => expect(passes).toBe(2));
    // The failed pass is retried after retryMs, not now.
    await new Promise((r) => setTimeout(r, 200));
    expect(passes).toBe(2);
    loop.stop();
  });
});

describe('feedPassLoop', () => {
  it('passes after a change the feed reports for its model, and logs a failed pass as the controller names it', async () => {
    let changed: () => void = () => undefined;
    const model = { follows: ['pods'], apply: () => true };
    const feed = { addModel: (m: unknown, onChange: () => void) => { expect(m).toBe(model); changed = onChange; } };
    const warnings: string[] = [];
    let passes = 0;
    const loop = feedPassLoop(feed, model, async () => {
      passes++;
      if (passes === 1) throw new Error('boom');
    }, { what: 'VM widget', logger: { warn: (msg) => warnings.push(msg) }, resyncMs: 60_000 });
    changed();
    await new Promise((r) => setTimeout(r, 400));
    expect(passes).toBe(2);
    expect(warnings).toEqual(['VM widget pass failed']);
    loop.stop();
  });
});
