import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { eventStoreBench } from './event-store.bench';
import { guestClusterBench } from './guest-cluster.bench';

/** `npm run bench [-- <scenario>]`: prints a table per scenario and writes JSON under bench-results/. */
const scenarios: Record<string, (durationMs: number) => Promise<Record<string, unknown>[]>> = {
  'event-store': eventStoreBench,
  'guest-cluster': guestClusterBench,
};

async function main(): Promise<void> {
  const wanted = process.argv[2] ?? 'all';
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3000);
  const names = wanted === 'all' ? Object.keys(scenarios) : [wanted];
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const outDir = resolve(__dirname, '..', '..', '..', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const run = scenarios[name];
    if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    const rows = await run(durationMs);
    console.log(`\n${name} (${machine.cpus} cores, ${machine.cpuModel}, ${durationMs} ms per cell)`);
    console.table(rows);
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ scenario: name, at: new Date().toISOString(), machine, durationMs, rows }, null, 2) + '\n');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
