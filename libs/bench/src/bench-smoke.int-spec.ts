import { scenarios } from './scenarios';
import { insaneFigures } from './sane-figures';
import type { BenchResult } from './scenario';

/**
 * CI's smoke run of the benchmark suite: every scenario in the registry (so new ones join by being
 * registered) at smoke sizes, in this process. It checks that each completes and that its figures
 * could be real — never that they are fast: timings on shared CI machines mean nothing.
 * `BENCH_SMOKE_SCENARIOS=a,b` narrows the run while working on one scenario.
 */
const only = process.env.BENCH_SMOKE_SCENARIOS?.split(',').filter(Boolean);
const names = Object.keys(scenarios).filter((n) => !only || only.includes(n));

describe('benchmark suite, smoke sizes', () => {
  it('knows its scenarios', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(names)(
    '%s completes with sane figures',
    async (name) => {
      const started = Date.now();
      const result = await scenarios[name]({ durationMs: 300, smoke: true });
      const rows = Array.isArray(result) ? result : (result as BenchResult).rows;
      // The figures and the scenario's own wall time in CI's log: a slow smoke run is worth seeing.
      console.log(`${name}: ${Date.now() - started} ms\n${JSON.stringify(rows, null, 1)}`);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(Object.keys(row).length).toBeGreaterThan(0);
        expect({ row, problems: insaneFigures(row) }).toEqual({ row, problems: [] });
      }
      if (name === 'burst') {
        // What the burst appended per pod: at least its creation, its binding and a status, and the types add up.
        const byType = Object.entries(rows[0]).filter(([k]) => k.startsWith('events/pod: ')).map(([, v]) => v as number);
        expect(rows[0]['events/pod']).toBeGreaterThanOrEqual(3);
        expect(byType.reduce((a, b) => a + b, 0)).toBeCloseTo(rows[0]['events/pod'] as number, 1);
        expect(rows[0]).toEqual(expect.objectContaining({ 'events/pod: pods ResourceCreated': 1, 'events/pod: pods PodBound': 1 }));
        // The bodies' bytes: a pod's creation alone is over a kilobyte of JSON.
        expect(rows[0]['log bytes/pod']).toBeGreaterThan(1000);
      }
    },
    180_000,
  );
});
