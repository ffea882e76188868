import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterState } from '@openpacific/contracts';
import { startCluster, TestCluster } from '@openpacific/testing';
import { createNamespace, deletePods, podRunRow, runPods } from './pod-startup';
import { clusterPids, rssMb } from './process-rss';
import type { BenchContext, BenchResult } from './scenario';
import { lineChartSvg } from './svg-chart';

/** Connections the burst creates through: a busy client, not a thundering herd of handshakes. */
const BURST_CONCURRENCY = 50;
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
async function fleetCluster(label: string, hosts: number, podsPerHost: number): Promise<TestCluster> {
  // The harness gives a cluster 60 s to start; at load 30 from other clusters that is sometimes not enough.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startFleetCluster(label, hosts, podsPerHost);
    } catch (err) {
      if (attempt >= 3) throw err;
      console.error(`cluster did not start (attempt ${attempt}): ${(err as Error).message.split('\n')[0]}; starting it again`);
    }
  }
}

async function startFleetCluster(label: string, hosts: number, podsPerHost: number): Promise<TestCluster> {
  const cluster = await startCluster({
    label, hostCount: 0,
    env: {
      SIM_FLEET_HOSTS: String(hosts), POD_NETWORK: 'loopback', HOST_PODS: String(podsPerHost), HOST_GRACE_MS: '30000', POD_RESYNC_MS: '5000', LEADER_CHECK_INTERVAL_MS: '5000',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
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
 */
export async function burstBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const hosts = ctx.smoke ? 5 : Number(process.env.BENCH_HOSTS ?? 100);
  const pods = ctx.smoke ? 50 : Number(process.env.BENCH_PODS ?? 10_000);
  const cluster = await fleetCluster('benchburst', hosts, roomFor(pods, hosts));
  try {
    await createNamespace(cluster, 'burst');
    const direct = process.env.BENCH_DIRECT === '1';
    const result = await runPods(cluster, 'burst', pods, { kind: 'burst', concurrency: BURST_CONCURRENCY, direct }, ctx.smoke ? 30_000 : 600_000);
    return [{ hosts, concurrency: BURST_CONCURRENCY, creates: direct ? 'event store' : 'API', ...podRunRow(result) }];
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

/** `burst-curve`: the burst at 1k…10k pods × 10, 50, 100 hosts; a table and charts of pods/s and p99 against pods. */
export async function burstCurveBench(ctx: BenchContext): Promise<BenchResult> {
  const hostCounts = ctx.smoke ? [3] : (process.env.BENCH_CURVE_HOSTS ?? '10,50,100').split(',').map(Number);
  const podCounts = ctx.smoke ? [10, 20] : (process.env.BENCH_CURVE_PODS ?? '1000,2000,5000,10000').split(',').map(Number);
  const rows: Record<string, unknown>[] = [];
  for (const hosts of hostCounts) {
    const cluster = await fleetCluster(`benchcurve${hosts}`, hosts, roomFor(Math.max(...podCounts), hosts));
    try {
      for (const pods of podCounts) {
        const ns = `curve-${pods}`;
        await createNamespace(cluster, ns);
        const result = await runPods(cluster, ns, pods, { kind: 'burst', concurrency: BURST_CONCURRENCY }, ctx.smoke ? 30_000 : 600_000);
        rows.push({ hosts, ...podRunRow(result) });
        console.log(JSON.stringify(rows[rows.length - 1]));
        await deletePods(cluster, ns, 600_000);
      }
    } finally {
      await cluster.stop();
    }
  }
  const series = (y: string) => hostCounts.map((hosts) => ({
    name: `${hosts} hosts`,
    points: rows.filter((r) => r.hosts === hosts).map((r) => [r.pods as number, r[y] as number] as [number, number]),
  }));
  return {
    rows,
    charts: {
      'burst-curve-throughput.svg': lineChartSvg({ title: 'Burst: pods/s to all Running', xLabel: 'pods in the burst', yLabel: 'pods/s', series: series('pods/s (all Running)') }),
      'burst-curve-p99.svg': lineChartSvg({ title: 'Burst: create → Running p99', xLabel: 'pods in the burst', yLabel: 'p99 (ms)', series: series('p99 (ms)') }),
    },
  };
}
