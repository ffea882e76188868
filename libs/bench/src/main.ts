import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { scenarios } from './scenarios';

/** `npm run bench [-- <scenario>]`: see scenarios.ts. */
async function main(): Promise<void> {
  const wanted = process.argv[2] ?? 'all';
  const smoke = process.env.BENCH_SMOKE === '1';
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? (smoke ? 300 : 3000));
  const names = wanted === 'all' ? Object.keys(scenarios) : [wanted];
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const outDir = resolve(__dirname, '..', '..', '..', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const run = scenarios[name];
    if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    const result = await run({ durationMs, smoke });
    const { rows, charts } = Array.isArray(result) ? { rows: result, charts: undefined } : result;
    console.log(`\n${name} (${machine.cpus} cores, ${machine.cpuModel}, ${durationMs} ms per cell${smoke ? ', smoke sizes' : ''})`);
    console.table(rows);
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ scenario: name, at: new Date().toISOString(), machine, durationMs, smoke, rows }, null, 2) + '\n');
    for (const [file, svg] of Object.entries(charts ?? {})) writeFileSync(join(outDir, file), svg);
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
