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
