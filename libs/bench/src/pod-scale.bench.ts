import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { ClusterState } from '@openpacific/contracts';
import { startCluster, TestCluster } from '@openpacific/testing';
import { createNamespace, podRunRow, runPods } from './pod-startup';
import { clusterCpu, cpuColumns, cpuPerItem, databaseTransactions, eventsSince, logTip, settle } from './process-cpu';
import { clusterPids, rssMb } from './process-rss';
import { benchNodeOptions, Profiling } from './profiles';
import { machine, readResults, ResultsFile, writeResults } from './results';
import type { BenchContext, BenchResult } from './scenario';
import { COLORS, lineChartSvg, stackedBarChartSvg, tickLabel } from './svg-chart';

/** Connections the burst creates through (BENCH_BURST_CONCURRENCY, default 50): a busy client, not a thundering herd of handshakes. */
const BURST_CONCURRENCY = Number(process.env.BENCH_BURST_CONCURRENCY ?? 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real cluster (every service, Postgres, NATS, the HTTPS gateway) whose only hosts are `hosts` simulated
 * ones in one process (SIM_FLEET_HOSTS; zero start delay, pods on loopback), each taking up to `podsPerHost`.
 * A 30 s host grace period (scheduler and fleet alike): on a shared 2-core machine (load 20–30 from other
 * clusters) the scheduler lost its leader lock and heartbeats went unanswered for up to 19 s, so every host of a
 * 10 s grace lost its lease and its pods were failed over: that measures the machine, not the pods. For the
 * same reason the scheduler checks its leader lock every 5 s (its check then times out after 10 s, not 1 s): a
 * lone scheduler that steps down at load 27 because Postgres took over a second to answer `SELECT 1` replays the
 * whole log when it is elected again, and binds nothing meanwhile.
 * Passes every 5 s without a change (changes still wake a host at once): 100 hosts × 100 pods re-derived
 * every second was the fleet's main idle cost.
 */
async function fleetCluster(label: string, hosts: number, podsPerHost: number, env: Record<string, string> = benchNodeOptions()): Promise<TestCluster> {
  // The harness gives a cluster 60 s to start; at load 30 from other clusters that is sometimes not enough.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startFleetCluster(label, hosts, podsPerHost, env);
    } catch (err) {
      if (attempt >= 3) throw err;
      console.error(`cluster did not start (attempt ${attempt}): ${(err as Error).message.split('\n')[0]}; starting it again`);
    }
  }
}

async function startFleetCluster(label: string, hosts: number, podsPerHost: number, env: Record<string, string>): Promise<TestCluster> {
  const cluster = await startCluster({
    label, hostCount: 0,
    env: {
      SIM_FLEET_HOSTS: String(hosts), POD_NETWORK: 'loopback', HOST_PODS: String(podsPerHost), HOST_GRACE_MS: '30000', POD_RESYNC_MS: '5000', LEADER_CHECK_INTERVAL_MS: '5000',
      ...env },
  });
  try {
    await cluster.hostsReady(hosts, 180_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Room for the biggest run on the fewest hosts, and then some (the scheduler must never be the limit by capacity). */
const roomFor = (pods: number, hosts: number) => Math.ceil((pods / hosts) * 1.5) + 10;

/**
 * `burst`: 10,000 pods onto 100 sim hosts at once; pods/s to all Running and create→Running percentiles.
 * BENCH_DIRECT=1 appends the pods to the event store (BURST_CONCURRENCY per transaction) instead of creating
 * them through the gateway: everything after the create, measured without the gateway's ceiling.
 * BENCH_WARMUP_PODS=N first runs an unmeasured burst of N pods in another namespace (they stay, and the hosts
 * have room for them): the services' code is compiled by then, as a cluster's is after its first minutes, and the
 * measured burst runs on a cluster that already holds N pods.
 * BENCH_PROFILE=<dir> profiles every service over the measured burst and leaves profiles and flame graphs there
 * (profiles.ts); the figures of a profiled run are dearer than an unprofiled one's.
 */
export async function burstBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const hosts = ctx.smoke ? 5 : Number(process.env.BENCH_HOSTS ?? 100);
  const pods = ctx.smoke ? 50 : Number(process.env.BENCH_PODS ?? 10_000);
  const warmup = ctx.smoke ? 0 : Number(process.env.BENCH_WARMUP_PODS ?? 0);
  const profiling = new Profiling('burst');
  const cluster = await fleetCluster('benchburst', hosts, roomFor(pods + warmup, hosts), profiling.clusterEnv());
  try {
    await createNamespace(cluster, 'burst');
    const direct = process.env.BENCH_DIRECT === '1';
    if (warmup > 0) {
      await createNamespace(cluster, 'warmup');
      const w = await runPods(cluster, 'warmup', warmup, { kind: 'burst', concurrency: BURST_CONCURRENCY, direct }, 600_000);
      console.error(`warm-up: ${warmup} pods, ${Math.round((w.pods - w.missing) / (w.wallMs / 1000))} pods/s`);
    }
    // CPU of every process from the first create to the last pod Running, per pod: on two full cores that, more
    // than the wall clock, is what a change moves by a measurable amount.
    await settle(cluster);
    const tip = await logTip(cluster);
    const before = await clusterCpu(cluster);
    profiling.start(cluster);
    const result = await runPods(cluster, 'burst', pods, { kind: 'burst', concurrency: BURST_CONCURRENCY, direct }, ctx.smoke ? 30_000 : 600_000);
    const cpu = cpuPerItem(before, await clusterCpu(cluster), pods, 'pod');
    await profiling.finish(cluster, 'pods');
    // What the burst appended, per pod: every follower of the log reads these again.
    const events = await eventsSince(cluster, tip, pods, 'pod');
    return [{ hosts, concurrency: BURST_CONCURRENCY, creates: direct ? 'event store' : 'API', ...podRunRow(result), ...cpu, ...events }];
  } finally {
    await cluster.stop();
  }
}

/** `steady`: 20 pods/s, open loop, for 2 minutes onto 100 sim hosts; create→Running percentiles. */
export async function steadyBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const hosts = ctx.smoke ? 5 : 100;
  const rate = 20;
  const seconds = ctx.smoke ? 5 : Number(process.env.BENCH_STEADY_SECONDS ?? 120);
  const cluster = await fleetCluster('benchsteady', hosts, roomFor(rate * seconds, hosts));
  try {
    await createNamespace(cluster, 'steady');
    const result = await runPods(cluster, 'steady', rate * seconds, { kind: 'rate', ratePerSecond: rate }, 60_000);
    return [{ hosts, 'rate (pods/s)': rate, 'seconds': seconds, ...podRunRow(result) }];
  } finally {
    await cluster.stop();
  }
}

function rssNow(cluster: TestCluster): Record<string, number> {
  const state = JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8')) as ClusterState;
  return rssMb(clusterPids(state));
}

/** `memory`: RSS of every service process at 0 pods and after the burst, and the growth per 1,000 pods. */
export async function memoryBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const hosts = ctx.smoke ? 5 : 100;
  const pods = ctx.smoke ? 50 : Number(process.env.BENCH_PODS ?? 10_000);
  const cluster = await fleetCluster('benchmemory', hosts, roomFor(pods, hosts));
  try {
    // Settle: start-up allocations and the first passes are done before the baseline.
    await sleep(ctx.smoke ? 1000 : 10_000);
    const before = rssNow(cluster);
    await createNamespace(cluster, 'memory');
    // BENCH_DIRECT=1 as for `burst`: the same objects in every read model, created in a fraction of the time.
    const direct = process.env.BENCH_DIRECT === '1';
    const result = await runPods(cluster, 'memory', pods, { kind: 'burst', concurrency: BURST_CONCURRENCY, direct }, ctx.smoke ? 30_000 : 600_000);
    await sleep(ctx.smoke ? 1000 : 10_000);
    const after = rssNow(cluster);
    const rows = Object.keys(before).map((name) => ({
      process: name,
      'RSS at 0 pods (MiB)': before[name],
      [`RSS at ${pods} pods (MiB)`]: after[name],
      'growth per 1,000 pods (MiB)': +(((after[name] - before[name]) * 1000) / pods).toFixed(1),
    }));
    const sum = (r: Record<string, number>) => +Object.values(r).reduce((a, b) => a + b, 0).toFixed(1);
    rows.push({ process: 'all', 'RSS at 0 pods (MiB)': sum(before), [`RSS at ${pods} pods (MiB)`]: sum(after), 'growth per 1,000 pods (MiB)': +(((sum(after) - sum(before)) * 1000) / pods).toFixed(1) });
    return [...rows, { process: `(${hosts} sim hosts; ${pods - result.missing} of ${pods} pods Running; creates through ${direct ? 'the event store' : 'the API'})` }];
  } finally {
    await cluster.stop();
  }
}

/** The curve's cells: pods × hosts (BENCH_CURVE_PODS, BENCH_CURVE_HOSTS: comma-separated), smallest bursts first. */
export function curveCells(ctx: BenchContext, env: NodeJS.ProcessEnv = process.env): Array<{ hosts: number; pods: number }> {
  const list = (name: string, fallback: string) => {
    const values = (env[name] ?? fallback).split(',').map((v) => Number(v.trim()));
    if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`${name} must be positive integers separated by commas, not "${env[name]}"`);
    return values;
  };
  // Smoke: one cell. Each cell starts a cluster (24–36 s at load 25–30), and the smoke test has 180 s per scenario.
  const hostCounts = ctx.smoke ? [3] : list('BENCH_CURVE_HOSTS', '10,50,100');
  const podCounts = ctx.smoke ? [20] : list('BENCH_CURVE_PODS', '1000,2000,5000,10000');
  // Pods outer: a run stopped midway has the small end of every host count's line, not one whole line.
  return podCounts.flatMap((pods) => hostCounts.map((hosts) => ({ hosts, pods })));
}

/**
 * One cell on a cluster of its own (its own database, dropped at the end): nothing of an earlier cell in any read
 * model or in the log, and no minutes spent deleting the previous cell's pods. The load average is recorded beside
 * the figures, and each process's CPU seconds from the first create to the last pod Running, and its CPU per second
 * idle (BENCH_CURVE_IDLE_MS, 10 s, with no pods) just before.
 * Ctrl-C or SIGTERM during a cell, even while its cluster is still starting, stops that cluster before the process
 * exits (a cluster runs in its own process group and would outlive the bench); a second one exits at once.
 */
async function curveCell(ctx: BenchContext, hosts: number, pods: number): Promise<Record<string, unknown>> {
  const loadBefore = +loadavg()[0].toFixed(1);
  const startedAt = Date.now();
  const starting = fleetCluster(`benchcurve${hosts}x${pods}`, hosts, roomFor(pods, hosts));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`${signal}: stopping the cluster of ${pods} pods / ${hosts} hosts before exiting (again to exit at once)`);
    void starting.then((c) => c.stop(), () => undefined).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const cluster = await starting;
    try {
      const startSeconds = +((Date.now() - startedAt) / 1000).toFixed(1);
      await createNamespace(cluster, 'curve');
      // What the cluster costs with no pods (heartbeats, host checks, resyncs) grows with its hosts and with time:
      // measured first and reported beside the burst's CPU. (Subtracting it from the burst's CPU only works on a
      // quiet machine: under load a process gets less than its idle demand while the burst competes with it.)
      const idleMs = ctx.smoke ? 2000 : Number(process.env.BENCH_CURVE_IDLE_MS ?? 10_000);
      const [idleBefore, idleTxBefore] = [await clusterCpu(cluster), await databaseTransactions(cluster)];
      await sleep(idleMs);
      const idle = cpuColumns(idleBefore, await clusterCpu(cluster));
      const idleTx = (await databaseTransactions(cluster)) - idleTxBefore;
      const [cpuBefore, txBefore] = [await clusterCpu(cluster), await databaseTransactions(cluster)];
      // BENCH_DIRECT=1 as for `burst`: the pods appended to the event store, the curve of everything after the gateway.
      const direct = process.env.BENCH_DIRECT === '1';
      const result = await runPods(cluster, 'curve', pods, { kind: 'burst', concurrency: BURST_CONCURRENCY, direct }, ctx.smoke ? 30_000 : 600_000);
      const cpu = cpuColumns(cpuBefore, await clusterCpu(cluster));
      // Statistics reach pg_stat_database within about a second: the last transactions of the burst, once there.
      await sleep(ctx.smoke ? 0 : 1500);
      const tx = (await databaseTransactions(cluster)) - txBefore;
      // As a share of one core: `idle CPU %: scheduler`.
      const idleRates = Object.fromEntries(Object.entries(idle).map(([k, v]) => [k.replace('CPU s:', 'idle CPU %:'), +((v * 100) / (idleMs / 1000)).toFixed(1)]));
      return { hosts, creates: direct ? 'event store' : 'API', ...podRunRow(result), 'cluster start (s)': startSeconds, 'load before': loadBefore, 'load after': +loadavg()[0].toFixed(1),
        // Raw, not per pod: at 100 tx/s (10 hosts) to 250 tx/s (50 hosts) idle, the hosts' background is most of it.
        'Postgres tx in the burst': tx, 'idle Postgres tx/s': Math.round(idleTx / (idleMs / 1000)), ...cpu, ...idleRates };
    } finally {
      await cluster.stop();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const cellKey = (r: Record<string, unknown>) => `${r.hosts as number}/${r.pods as number}`;

/**
 * `burst-curve`: the burst at 1k, 2k, 5k, 10k pods × 10, 50, 100 hosts, each cell on a fresh cluster; a table and
 * charts of pods/s, create→Running p50/p99 and the time per stage against the burst's size.
 * Each cell's row is printed as it finishes, and the JSON and charts so far are written after every cell, so a run
 * stopped midway still leaves its data. A failed cell (its cluster did not start) is recorded and the run goes on.
 * BENCH_CURVE_RESUME=1 keeps the cells already in bench-results/burst-curve.json and runs only the others.
 */
export async function burstCurveBench(ctx: BenchContext): Promise<BenchResult> {
  const cells = curveCells(ctx);
  const rows: Record<string, unknown>[] = [];
  if (process.env.BENCH_CURVE_RESUME === '1' && ctx.outDir && !ctx.smoke) {
    const before = readResults(ctx.outDir, 'burst-curve');
    const wanted = new Set(cells.map(cellKey));
    const kept = (before && !before.smoke ? before.rows : []).filter((r) => !r.error && wanted.has(cellKey(r)));
    rows.push(...kept);
    console.error(`burst-curve: resuming; ${kept.length} of ${cells.length} cells kept from ${before?.at ?? 'nowhere'}`);
  }
  const done = new Set(rows.map(cellKey));
  for (const [i, { hosts, pods }] of cells.entries()) {
    if (done.has(`${hosts}/${pods}`)) continue;
    console.error(`burst-curve: cell ${i + 1} of ${cells.length}, ${pods} pods onto ${hosts} hosts (load ${loadavg()[0].toFixed(1)})`);
    try {
      rows.push(await curveCell(ctx, hosts, pods));
    } catch (err) {
      if (ctx.smoke) throw err;
      rows.push({ hosts, pods, error: (err as Error).message.split('\n')[0].slice(0, 300) });
    }
    const row = rows[rows.length - 1];
    console.log(`burst-curve ${pods} pods / ${hosts} hosts: ${row.error ? `failed: ${row.error as string}` : `${row['pods/s (all Running)'] as number} pods/s, p50 ${row['p50 (ms)'] as number} ms, p99 ${row['p99 (ms)'] as number} ms, wall ${row['wall (s)'] as number} s (load ${row['load before'] as number} → ${row['load after'] as number})`}`);
    console.log(JSON.stringify(row));
    if (ctx.outDir) writeResults(ctx.outDir, 'burst-curve', { rows: sortCells(rows), charts: burstCurveCharts(rows) }, ctx);
  }
  return { rows: sortCells(rows), charts: burstCurveCharts(rows) };
}

/** Rows by host count, then pods: the order of the table and of each line's points. */
function sortCells(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...rows].sort((a, b) => (a.hosts as number) - (b.hosts as number) || (a.pods as number) - (b.pods as number));
}

const STAGES: Array<[column: string, legend: string]> = [
  ['create→acked', 'create → acknowledged (gateway)'],
  ['acked→bound', 'acknowledged → bound (scheduler)'],
  ['bound→Running written', 'bound → Running written (hosts)'],
  ['→watch', 'Running written → watch (gateway)'],
];

/** The conditions under a chart's title: the machine and the load average over the cells. */
function conditions(rows: Record<string, unknown>[], m: ResultsFile['machine'], at: string, creates: string): string {
  const loads = rows.flatMap((r) => [r['load before'], r['load after']]).filter((l): l is number => typeof l === 'number');
  const load = loads.length ? `load average ${Math.min(...loads)}–${Math.max(...loads)}` : 'load not recorded';
  return `${m.cpus} cores ${m.cpuModel ?? ''}, Node ${m.node.replace(/^v/, '')}, ${load}, ${at.slice(0, 10)}; creates through the ${creates === 'API' ? 'API, 50 connections' : creates}`;
}

/**
 * The curve's charts from its rows alone (failed cells left out): pods/s and create→Running p50/p99 against the
 * burst's size, one line per host count; each cell's stages, stacked, at p50 and at p99; and its CPU per pod by process.
 */
export function burstCurveCharts(allRows: Record<string, unknown>[], m: ResultsFile['machine'] = machine(), at = new Date().toISOString()): Record<string, string> {
  const rows = sortCells(allRows.filter((r) => !r.error && typeof r['pods/s (all Running)'] === 'number'));
  const creates = [...new Set(rows.map((r) => (r.creates as string | undefined) ?? 'API'))].join(' and ');
  const note = conditions(rows, m, at, creates);
  const hostCounts = [...new Set(rows.map((r) => r.hosts as number))];
  const line = (hosts: number, column: string, scale = 1) =>
    rows.filter((r) => r.hosts === hosts).map((r) => [r.pods as number, +((r[column] as number) * scale).toFixed(3)] as [number, number]);
  const latency = hostCounts.flatMap((hosts, i) => [
    { name: `${hosts} hosts, p99`, color: COLORS[i % COLORS.length], points: line(hosts, 'p99 (ms)', 1 / 1000) },
    { name: `${hosts} hosts, p50`, color: COLORS[i % COLORS.length], dashed: true, points: line(hosts, 'p50 (ms)', 1 / 1000) },
  ]);
  const stages = (p: 'p50' | 'p99') => stackedBarChartSvg({
    title: p === 'p50' ? "Burst: where a median pod's time goes, each stage's p50" : "Burst: each stage's p99, stacked (their sum exceeds the total's p99)",
    note,
    categories: rows.map((r) => `${tickLabel(r.pods as number)} pods\n${r.hosts as number} hosts`),
    stacks: STAGES.map(([column, name]) => ({ name, values: rows.map((r) => +(((r[`${column} ${p} (ms)`] as number) ?? 0) / 1000).toFixed(3)) })),
    xLabel: 'pods in the burst / sim hosts',
    yLabel: `${p} per stage (s)`,
  });
  // CPU per pod of each process, stacked: a bar that grows with the burst or with the hosts is work that grows faster than the pods.
  const cpuNames = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k.startsWith('CPU s: '))))];
  const cpuTotal = (name: string) => rows.reduce((sum, r) => sum + ((r[name] as number) ?? 0), 0);
  cpuNames.sort((a, b) => cpuTotal(b) - cpuTotal(a));
  return {
    'burst-curve-cpu.svg': stackedBarChartSvg({
      title: 'Burst: CPU per pod of each process, first create → last Running', note,
      categories: rows.map((r) => `${tickLabel(r.pods as number)} pods\n${r.hosts as number} hosts`),
      stacks: cpuNames.map((name) => ({ name: name.slice('CPU s: '.length), values: rows.map((r) => +((((r[name] as number) ?? 0) * 1000) / (r.pods as number)).toFixed(3)) })),
      xLabel: 'pods in the burst / sim hosts',
      yLabel: 'CPU ms per pod',
    }),
    'burst-curve-throughput.svg': lineChartSvg({
      title: 'Burst: pods/s until all are Running', note, xLabel: 'pods in the burst', yLabel: 'pods/s (first create → last Running)',
      series: hostCounts.map((hosts) => ({ name: `${hosts} hosts`, points: line(hosts, 'pods/s (all Running)') })),
    }),
    'burst-curve-latency.svg': lineChartSvg({ title: 'Burst: create → Running, p99 (solid) and p50 (dashed)', note, xLabel: 'pods in the burst', yLabel: 'create → Running (s)', series: latency }),
    'burst-curve-stages-p50.svg': stages('p50'),
    'burst-curve-stages-p99.svg': stages('p99'),
  };
}

/**
 * `node libs/bench/dist/main.js burst-curve-charts [name]`: the charts again from `<name>.json` alone (a partial
 * run's too; `burst-curve` unless named, e.g. a kept copy `burst-curve-direct`), into the results folder and the
 * docs' images, each chart's file named after the JSON's. Returns the files written.
 */
export function redrawBurstCurve(resultsDir: string, imagesDir: string, name = 'burst-curve'): string[] {
  if (!/^burst-curve[\w-]*$/.test(name)) throw new Error(`burst-curve-charts draws burst-curve results (burst-curve, burst-curve-<kept copy>), not ${name}`);
  const file = readResults(resultsDir, name);
  if (!file) throw new Error(`${join(resultsDir, `${name}.json`)} is missing: run npm run bench -- burst-curve first`);
  const charts = burstCurveCharts(file.rows, file.machine, file.at);
  mkdirSync(imagesDir, { recursive: true });
  const written: string[] = [];
  for (const [chart, svg] of Object.entries(charts)) {
    const fileName = chart.replace(/^burst-curve/, name);
    for (const dir of [resultsDir, imagesDir]) {
      writeFileSync(join(dir, fileName), svg);
      written.push(join(dir, fileName));
    }
  }
  return written;
}
