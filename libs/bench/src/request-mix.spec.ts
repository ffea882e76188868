import { mixCycle, MixTally, perSecond } from './request-mix';

describe('mixCycle', () => {
  it('gives every kind its share of the cycle, interleaved rather than in runs', () => {
    const cycle = mixCycle([
      { kind: 'get', weight: 4 },
      { kind: 'list', weight: 1 },
      { kind: 'create', weight: 2 },
      { kind: 'patch', weight: 3 },
    ]);
    expect(cycle).toHaveLength(10);
    const count = (k: string) => cycle.filter((c) => c === k).length;
    expect([count('get'), count('list'), count('create'), count('patch')]).toEqual([4, 1, 2, 3]);
    expect(cycle.slice(0, 3)).not.toEqual(['get', 'get', 'get']);
  });

  it('refuses weights that cannot make a cycle', () => {
    expect(() => mixCycle([])).toThrow();
    expect(() => mixCycle([{ kind: 'get', weight: 0 }])).toThrow();
    expect(() => mixCycle([{ kind: 'get', weight: 1.5 }])).toThrow();
  });
});

describe('MixTally', () => {
  it('keeps latencies per kind and counts failures apart from them', () => {
    const t = new MixTally<'get' | 'create'>();
    for (let i = 1; i <= 100; i++) t.record('get', i, true);
    t.record('create', 5, true);
    t.record('create', 500, false);
    expect(t.total).toBe(101);
    expect(t.failed).toBe(1);
    const rows = t.rows(2, { target: 'gateway' });
    expect(rows.map((r) => r.kind)).toEqual(['get', 'create']);
    expect(rows[0]).toMatchObject({ target: 'gateway', requests: 100, failed: 0, 'req/s': 50 });
    expect(rows[0]['p50 ms']).toBeCloseTo(50, 0);
    expect(rows[0]['p99 ms']).toBeCloseTo(99, 0);
    expect(rows[1]).toMatchObject({ requests: 1, failed: 1 });
    expect(rows[1]['p50 ms']).toBeCloseTo(5, 1);
  });

  it('lists a kind that only failed, with zero latencies', () => {
    const t = new MixTally<'patch'>();
    t.record('patch', 3, false);
    expect(t.rows(1)).toEqual([expect.objectContaining({ kind: 'patch', requests: 0, failed: 1, 'p50 ms': 0 })]);
  });
});

describe('perSecond', () => {
  it('rounds rates from 100 up to whole numbers and keeps two significant digits below', () => {
    expect(perSecond(1473, 1)).toBe(1473);
    expect(perSecond(1, 2.5)).toBe(0.4);
    expect(perSecond(37, 1.01)).toBe(37);
    expect(perSecond(0, 1)).toBe(0);
  });
});
