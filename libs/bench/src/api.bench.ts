import { join } from 'node:path';
import { startCluster } from '@openpacific/testing';
import { startBareServer } from './bare-server';
import { BenchClient, BenchResponse } from './https-client';
import { drive, pacedShares } from './load-drive';
import { clusterCpu, cpuUsed, processesCpu, settle } from './process-cpu';
import { Profiling } from './profiles';
import { mixCycle, MixTally, perSecond } from './request-mix';
import type { BenchContext } from './scenario';

const CLIENTS = 50;
/** LIST and GET read this namespace; creates go elsewhere so the LIST stays the same size all run. */
const READ_NS = 'bench-api';
const WRITE_NS = 'bench-api-writes';
type Kind = 'get' | 'list' | 'create' | 'patch';
/** Reads outnumber writes, as on a real API server; LIST is the expensive rarity. */
const MIX = mixCycle<Kind>([
  { kind: 'get', weight: 4 },
  { kind: 'list', weight: 1 },
  { kind: 'create', weight: 2 },
  { kind: 'patch', weight: 3 },
]);

/** CPU ms per request of each process between two readings (`cpuUsed`), the biggest first, a process under 0.05 ms left out. */
function perRequest(before: Record<string, number>, after: Record<string, number>, requests: number): Record<string, number> {
  const ms = Object.entries(cpuUsed(before, after)).map(([name, s]) => [name, (s * 1000) / Math.max(1, requests)] as const);
  const shown = ms.filter(([, v]) => v >= 0.05).sort((x, y) => y[1] - x[1]);
  return Object.fromEntries(shown.map(([n, v]) => [n, Math.round(v * 100) / 100]));
}

const configMap = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { key: 'value', n: name } });

/**
 * API: 50 concurrent keep-alive HTTPS clients with the admin token send a fixed mix of single GET,
 * LIST (a namespace of 100 ConfigMaps), create and merge-patch (ConfigMaps) to the real gateway;
 * then the same client code drives a bare node:https server with the same certificate: the ceiling.
 * Between the two, paced cells: the same clients and mix at set shares of the saturated rate (`pacedShares`),
 * open loop, for the latency at a load below saturation (as Kubernetes' API SLO is measured), not of a queue of 50.
 * Each paced cell starts once the services are quiet (`settle`: the cell before left followers catching up) and
 * reports every process's CPU per request. Last, the bare server paced at the first cell's rate: the floor for
 * latency and CPU per request at that load on this machine.
 */
export async function apiBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const seeded = ctx.smoke ? 10 : 100;
  const warmMs = Math.min(1000, Math.round(ctx.durationMs / 3));
  const shares = pacedShares();
  // One sim host: the scenario never schedules anything, and the others would only take CPU.
  const profiling = new Profiling('api');
  const cluster = await startCluster({ label: 'benchapi', hostCount: 1, env: { CRX_DRIVER: 'sim', POD_NETWORK: 'loopback', ...profiling.clusterEnv() } });
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, CLIENTS);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const ns of [READ_NS, WRITE_NS]) await client.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const base = `/api/v1/namespaces/${READ_NS}/configmaps`;
    for (let i = 0; i < seeded; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, seeded - i) }, (_, j) => client.call('POST', base, configMap(`cm-${i + j}`, READ_NS))));
    }
    let created = 0;
    const itemPaths = Array.from({ length: seeded }, (_, i) => `${base}/cm-${i}`);
    const createPath = `/api/v1/namespaces/${WRITE_NS}/configmaps`;
    const send = (kind: string, c: number, i: number): Promise<BenchResponse> => {
      const item = itemPaths[(c * 7 + i) % seeded];
      switch (kind) {
        case 'get':
          return client.call('GET', item);
        case 'list':
          return client.call('GET', base);
        case 'create':
          return client.call('POST', createPath, configMap(`w-${created++}`, WRITE_NS));
        default:
          return client.call('PATCH', item, { data: { n: `${c}-${i}` } }, 'application/merge-patch+json');
      }
    };
    await settle(cluster);
    await drive(CLIENTS, warmMs, MIX, send);
    const tally = new MixTally<string>();
    // Each measured cell is a window of its own for BENCH_PROFILE (profiles.ts; off unless asked for).
    const readCpu = () => clusterCpu(cluster);
    profiling.start(cluster);
    const cpuBefore = await readCpu();
    const { seconds } = await drive(CLIENTS, ctx.durationMs, MIX, send, tally);
    const cpu = perRequest(cpuBefore, await readCpu(), tally.total);
    await profiling.finish(cluster, 'saturated');
    const saturated = tally.total / seconds;
    const pacedRates: Array<{ share: number; rate: number }> = [];
    rows.push(...tally.rows(seconds, { target: 'gateway' }), { target: 'gateway', kind: 'all', requests: tally.total, 'req/s': Math.round(saturated) });
    // Where the CPU of a request goes, process by process (is the client, or the rest of the cluster, a bottleneck?).
    rows.push(...Object.entries(cpu).map(([process, ms]) => ({ target: 'gateway: CPU per request', kind: process, 'CPU ms/req': ms })));

    for (const share of shares) {
      if (!(saturated > 0)) throw new Error('no request of the saturated cell succeeded: nothing to pace from');
      const rate = (saturated * share) / 100;
      pacedRates.push({ share, rate });
      const paced = new MixTally<string>();
      // Each cell measures its own load: the services first finish what the cell before left them (followers catching up).
      const settledMs = await settle(cluster);
      profiling.start(cluster);
      const pacedCpuBefore = await readCpu();
      const cell = await drive(CLIENTS, ctx.durationMs, MIX, send, paced, rate);
      const pacedCpuAfter = await readCpu();
      await profiling.finish(cluster, `paced-${share}`);
      const pacedCpu = cpuUsed(pacedCpuBefore, pacedCpuAfter);
      const columns = { target: 'gateway, paced', 'share of saturated': `${share} %`, 'scheduled req/s': Math.round(rate) };
      rows.push(...paced.rows(cell.seconds, columns), {
        ...columns, kind: 'all', scheduled: cell.scheduled, requests: paced.total, failed: paced.failed,
        // Due in the cell but never sent: the clients fell a whole cell behind (the gateway slower than the schedule).
        'not sent': cell.scheduled - cell.sent,
        'req/s': perSecond(paced.total, cell.seconds),
        // Every process's CPU per answered request: below saturation, idle work (polls, heartbeats) weighs more per request.
        'CPU ms/req': +(Object.values(pacedCpu).reduce((a, b) => a + b, 0) * 1000 / Math.max(1, paced.total)).toFixed(2),
        'settled (ms)': settledMs,
      });
      rows.push(...Object.entries(perRequest(pacedCpuBefore, pacedCpuAfter, paced.total)).map(([process, ms]) => ({ ...columns, target: 'gateway, paced: CPU per request', kind: process, 'CPU ms/req': ms })));
    }

    const pki = join(cluster.dataDir, 'pki');
    const bare = await startBareServer(join(pki, 'serving.crt'), join(pki, 'serving.key'));
    const bareClient = new BenchClient(bare.server, cluster.caCertPem, cluster.token, CLIENTS);
    try {
      const sendBare = () => bareClient.call('GET', '/');
      await drive(CLIENTS, warmMs, ['get'], sendBare);
      const bareTally = new MixTally<string>();
      const readBareCpu = () => processesCpu({ 'bare server': bare.pid });
      const bareCpuBefore = readBareCpu();
      const { seconds: bareSeconds } = await drive(CLIENTS, ctx.durationMs, ['get'], sendBare, bareTally);
      const bareCpu = perRequest(bareCpuBefore, readBareCpu(), bareTally.total);
      rows.push(...bareTally.rows(bareSeconds, { target: 'bare node:https' }));
      rows.push(...Object.entries(bareCpu).map(([process, ms]) => ({ target: 'bare: CPU per request', kind: process, 'CPU ms/req': ms })));
      // The ceiling at the first paced cell's rate: what an answer costs, in latency and CPU, on this machine at
      // that load with no work behind it (a process woken for each request pays more per request than a busy one).
      if (pacedRates.length > 0) {
        const { share, rate } = pacedRates[0];
        const pacedBare = new MixTally<string>();
        const before = readBareCpu();
        const cell = await drive(CLIENTS, ctx.durationMs, ['get'], sendBare, pacedBare, rate);
        const cpu = perRequest(before, readBareCpu(), pacedBare.total);
        const columns = { target: 'bare node:https, paced', 'share of saturated': `${share} %`, 'scheduled req/s': Math.round(rate) };
        rows.push(...pacedBare.rows(cell.seconds, columns));
        rows.push(...Object.entries(cpu).map(([process, ms]) => ({ ...columns, target: 'bare, paced: CPU per request', kind: process, 'CPU ms/req': ms })));
      }
    } finally {
      bareClient.close();
      await bare.close();
    }
  } finally {
    client.close();
    await cluster.stop();
  }
  return rows;
}
