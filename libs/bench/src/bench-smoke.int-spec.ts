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
    },
    180_000,
  );
});
