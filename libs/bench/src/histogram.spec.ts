import { Latencies } from './histogram';

describe('Latencies', () => {
  it('reports percentiles in milliseconds within the histogram\'s precision', () => {
    const l = new Latencies();
    for (let i = 1; i <= 1000; i++) l.record(i / 10); // 0.1 .. 100 ms
    const s = l.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p90).toBeCloseTo(90, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.max).toBeCloseTo(100, 0);
  });

  it('is all zeros without samples', () => {
    expect(new Latencies().summary()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });
});
