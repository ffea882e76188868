import { MAX_TIMER_MS, timerDelay } from './pass-loop';

describe('timerDelay', () => {
  it('is the wait until a due time, none for one past, and at most what a Node.js timer keeps', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    expect(timerDelay(now + 1500, now)).toBe(1500);
    expect(timerDelay(now - 10, now)).toBe(0);
    // A powerOnDelay of 1000h: a timer of 3.6e9 ms would fire after 1 ms, and the pass that set it again and again spun.
    expect(timerDelay(now + 1000 * 3600 * 1000, now)).toBe(MAX_TIMER_MS);
  });

  it('gives a delay Node.js keeps, with no TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    clearTimeout(setTimeout(() => undefined, timerDelay(Date.now() + 40 * 24 * 3600 * 1000)));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
