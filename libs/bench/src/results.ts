import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchResult } from './scenario';

/** Where `npm run bench` writes: bench-results/ at the repository's root (the same from src/ and dist/). */
export const defaultResultsDir = resolve(__dirname, '..', '..', '..', 'bench-results');

/** What `bench-results/<scenario>.json` holds. */
export interface ResultsFile {
  scenario: string;
  at: string;
  machine: { cpus: number; cpuModel?: string; memoryGiB: number; node: string; loadAverage?: number[] };
  durationMs: number;
  smoke: boolean;
  rows: Record<string, unknown>[];
}

export function machine(): ResultsFile['machine'] {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg().map((l) => +l.toFixed(2)) };
}

/** Writes `<name>.json` and the result's charts into `dir`: at the end of a scenario, or after each cell of a long one. */
export function writeResults(dir: string, name: string, result: BenchResult, run: { durationMs: number; smoke: boolean }): void {
  const file: ResultsFile = { scenario: name, at: new Date().toISOString(), machine: machine(), durationMs: run.durationMs, smoke: run.smoke, rows: result.rows };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(file, null, 2) + '\n');
  for (const [chart, svg] of Object.entries(result.charts ?? {})) writeFileSync(join(dir, chart), svg);
}

/** A scenario's last results in `dir`, if any (a partial run's, to resume or to draw). */
export function readResults(dir: string, name: string): ResultsFile | undefined {
  const path = join(dir, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ResultsFile) : undefined;
}
