import { ExponentialBackoff } from './exponential-backoff';

describe('ExponentialBackoff', () => {
  it('starts at 5 ms and doubles on each failure of the same key', () => {
    const backoff = new ExponentialBackoff();
    expect([1, 2, 3, 4].map(() => backoff.next('a'))).toEqual([5, 10, 20, 40]);
  });

  it('never waits longer than the maximum delay', () => {
    const backoff = new ExponentialBackoff({ baseDelayMs: 1000, maxDelayMs: 3000 });
    expect([1, 2, 3, 4].map(() => backoff.next('a'))).toEqual([1000, 2000, 3000, 3000]);
    const defaults = new ExponentialBackoff();
    for (let i = 0; i < 200; i++) defaults.next('b');
    expect(defaults.next('b')).toBe(60_000);
  });

  it('tracks each key on its own and starts over after forget', () => {
    const backoff = new ExponentialBackoff();
    backoff.next('a');
    backoff.next('a');
    expect(backoff.next('b')).toBe(5);
    expect(backoff.retries('a')).toBe(2);
    backoff.forget('a');
    expect(backoff.retries('a')).toBe(0);
    expect(backoff.next('a')).toBe(5);
  });
});
