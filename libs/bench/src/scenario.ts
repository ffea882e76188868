/** What every scenario gets: the time per measured cell, and whether this is CI's smoke run (tiny sizes). */
export interface BenchContext {
  durationMs: number;
  /** BENCH_SMOKE=1: run every step at a size that finishes in seconds, so the code cannot rot; numbers mean nothing. */
  smoke: boolean;
  /**
   * Where `npm run bench` writes results. A long scenario (burst-curve) writes what it has there after each cell,
   * so that a run stopped midway still leaves its data. Absent in the smoke test, which writes nothing.
   */
  outDir?: string;
}

/** A scenario's rows, one table; `charts` (SVG files written beside the JSON) are optional. */
export interface BenchResult {
  rows: Record<string, unknown>[];
  /** File name → SVG text, written under bench-results/ and copied to docs/images/ by the author when recorded. */
  charts?: Record<string, string>;
}

export type Scenario = (ctx: BenchContext) => Promise<BenchResult | Record<string, unknown>[]>;

const CELL_MS: Record<string, number> = { api: 10_000 };

/**
 * The time per measured cell: BENCH_DURATION_MS, else the scenario's own default. The API bench's cells default to
 * 10 s: a p99 needs samples, and at a quarter of a slow machine's saturated rate a 3 s cell holds about 150 creates
 * (its p99 is then the second slowest one, and moved by tens of ms between runs of the same build).
 */
export function cellMs(scenario: string, smoke: boolean, env: NodeJS.ProcessEnv = process.env): number {
  if (env.BENCH_DURATION_MS) return Number(env.BENCH_DURATION_MS);
  if (smoke) return 300;
  return CELL_MS[scenario] ?? 3000;
}
