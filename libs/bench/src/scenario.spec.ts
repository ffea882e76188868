import { cellMs } from './scenario';

describe('the time per measured cell', () => {
  it('is BENCH_DURATION_MS when set, for every scenario and the smoke run alike', () => {
    expect(cellMs('api', false, { BENCH_DURATION_MS: '4500' })).toBe(4500);
    expect(cellMs('burst', true, { BENCH_DURATION_MS: '4500' })).toBe(4500);
  });

  it('gives the API bench 10 s cells (its p99s need samples) and the others 3 s', () => {
    expect(cellMs('api', false, {})).toBe(10_000);
    expect(cellMs('event-store', false, {})).toBe(3000);
  });

  it('is 300 ms in the smoke run', () => {
    expect(cellMs('api', true, {})).toBe(300);
  });
});
