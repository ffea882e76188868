import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redrawBurstCurve } from './pod-scale.bench';
import { defaultResultsDir, machine, writeResults } from './results';
import { cellMs } from './scenario';
import { scenarios } from './scenarios';

/**
 * `npm run bench [-- <scenario>]`: see scenarios.ts.
 * `node libs/bench/dist/main.js burst-curve-charts [name]` draws the burst-curve charts again from bench-results/burst-curve.json
 * (or `<name>.json`) alone, a partial run's too, into bench-results/ and docs/images/.
 */
async function main(): Promise<void> {
  const wanted = process.argv[2] ?? 'all';
  const outDir = defaultResultsDir;
  if (wanted === 'burst-curve-charts') {
    for (const file of redrawBurstCurve(outDir, join(outDir, '..', 'docs', 'images'), process.argv[3])) console.log(`wrote ${file}`);
    return;
  }
  const smoke = process.env.BENCH_SMOKE === '1';
  const names = wanted === 'all' ? Object.keys(scenarios) : [wanted];
  const { cpus, cpuModel } = machine();
  mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const run = scenarios[name];
    if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}, and burst-curve-charts`);
    const durationMs = cellMs(name, smoke);
    const result = await run({ durationMs, smoke, outDir });
    const { rows, charts } = Array.isArray(result) ? { rows: result, charts: undefined } : result;
    console.log(`\n${name} (${cpus} cores, ${cpuModel}, ${durationMs} ms per cell${smoke ? ', smoke sizes' : ''})`);
    console.table(rows);
    writeResults(outDir, name, { rows, charts }, { durationMs, smoke });
  }
}

// Done once every scenario has written its results: a client's keep-alive socket or a timer left open
// must not keep the command running (a burst run once sat idle for minutes after its table).
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
