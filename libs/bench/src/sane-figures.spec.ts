import { insaneFigures } from './sane-figures';

describe('insaneFigures', () => {
  it('accepts finite, non-negative figures with ordered percentiles, in numbers or text', () => {
    expect(insaneFigures({ run: 'median', pods: 5, 'p50 (ms)': 1, 'p90 (ms)': 2, 'p99 (ms)': 2, 'pods/s': 1.3, 'append p50 ms': '0.50', 'append p99 ms': '0.90', ratio: '87 %' })).toEqual([]);
  });

  it('names negative or non-finite figures, throughputs of nothing and percentiles out of order', () => {
    expect(insaneFigures({ 'Ready (ms)': -1, x: Number.NaN, 'append tx/s': 0, 'p50 ms': 5, 'p99 ms': 4 })).toEqual([
      'Ready (ms) = -1',
      'x = NaN',
      'append tx/s = 0, a throughput of nothing',
      'p* ms: p99 4 < p50 5',
    ]);
  });

  it('accepts a growth below zero (a process may hold less after a burst), and nothing else below zero', () => {
    expect(insaneFigures({ process: 'policy', 'growth per 1,000 pods (MiB)': -2.5 })).toEqual([]);
    expect(insaneFigures({ process: 'policy', 'RSS at 0 pods (MiB)': -2.5 })).toEqual(['RSS at 0 pods (MiB) = -2.5']);
  });

  it('wants a paced cell to account for every request it scheduled', () => {
    const cell = { target: 'gateway, paced', 'share of saturated': '25 %', 'scheduled req/s': 368, kind: 'all', scheduled: 1104, 'req/s': 360 };
    expect(insaneFigures({ ...cell, requests: 1100, failed: 1, 'not sent': 3 })).toEqual([]);
    expect(insaneFigures({ ...cell, requests: 1100, failed: 1, 'not sent': 0 })).toEqual(['scheduled 1104 ≠ 1101 answered, failed or not sent']);
    expect(insaneFigures({ ...cell, 'scheduled req/s': 0, requests: 1104, failed: 0, 'not sent': 0 })).toEqual(['scheduled req/s = 0, a throughput of nothing']);
  });
});
