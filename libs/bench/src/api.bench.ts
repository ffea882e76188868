import { join } from 'node:path';
import { startCluster } from '@openpacific/testing';
import { startBareServer } from './bare-server';
import { BenchClient, BenchResponse } from './https-client';
import { clusterCpu, cpuUsed, processesCpu } from './process-cpu';
import { mixCycle, MixTally } from './request-mix';
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

/** Runs `clients` loops for `ms`, each sending `send(kind)` in the mix's order from its own offset; returns the elapsed seconds. */
async function drive(clients: number, ms: number, cycle: string[], send: (kind: string, client: number, i: number) => Promise<BenchResponse>, tally?: MixTally<string>) {
  const started = process.hrtime.bigint();
  const deadline = Date.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const kind = cycle[(c + i) % cycle.length];
        const t = process.hrtime.bigint();
        const res = await send(kind, c, i).catch(() => ({ status: 0, body: '' }));
        tally?.record(kind, Number(process.hrtime.bigint() - t) / 1e6, res.status >= 200 && res.status < 300);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * API: 50 concurrent keep-alive HTTPS clients with the admin token send a fixed mix of single GET,
 * LIST (a namespace of 100 ConfigMaps), create and merge-patch (ConfigMaps) to the real gateway;
 * then the same client code drives a bare node:https server with the same certificate: the ceiling.
 */
export async function apiBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const seeded = ctx.smoke ? 10 : 100;
  const warmMs = Math.min(1000, Math.round(ctx.durationMs / 3));
  // One sim host: the scenario never schedules anything, and the others would only take CPU.
  const cluster = await startCluster({
    label: 'benchapi', hostCount: 1,
    env: { CRX_DRIVER: 'sim', POD_NETWORK: 'loopback', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
  });
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, CLIENTS);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const ns of [READ_NS, WRITE_NS]) await client.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const base = `/api/v1/namespaces/${READ_NS}/configmaps`;
    for (let i = 0; i < seeded; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, seeded - i) }, (_, j) => client.call('POST', base, configMap(`cm-${i + j}`, READ_NS))));
    }
    let created = 0;
    const send = (kind: string, c: number, i: number): Promise<BenchResponse> => {
      const name = `cm-${(c * 7 + i) % seeded}`;
      switch (kind) {
        case 'get':
          return client.call('GET', `${base}/${name}`);
        case 'list':
          return client.call('GET', base);
        case 'create':
          return client.call('POST', `/api/v1/namespaces/${WRITE_NS}/configmaps`, configMap(`w-${created++}`, WRITE_NS));
        default:
          return client.call('PATCH', `${base}/${name}`, { data: { n: `${c}-${i}` } }, 'application/merge-patch+json');
      }
    };
    await drive(CLIENTS, warmMs, MIX, send);
    const tally = new MixTally<string>();
    // Profiling aid: with BENCH_SIGNAL_GATEWAY=1 the gateway gets SIGUSR2 as the measured cell starts and ends,
    // for a preloaded profiler to start and stop on (without one, SIGUSR2 would end the gateway).
    const signal = () => process.env.BENCH_SIGNAL_GATEWAY === '1' && cluster.killService('api-gateway', 'SIGUSR2');
    const readCpu = () => clusterCpu(cluster);
    signal();
    const cpuBefore = await readCpu();
    const seconds = await drive(CLIENTS, ctx.durationMs, MIX, send, tally);
    const cpu = perRequest(cpuBefore, await readCpu(), tally.total);
    signal();
    rows.push(...tally.rows(seconds, { target: 'gateway' }), { target: 'gateway', kind: 'all', requests: tally.total, 'req/s': Math.round(tally.total / seconds) });
    // Where the CPU of a request goes, process by process (is the client, or the rest of the cluster, a bottleneck?).
    rows.push(...Object.entries(cpu).map(([process, ms]) => ({ target: 'gateway: CPU per request', kind: process, 'CPU ms/req': ms })));

    const pki = join(cluster.dataDir, 'pki');
    const bare = await startBareServer(join(pki, 'serving.crt'), join(pki, 'serving.key'));
    const bareClient = new BenchClient(bare.server, cluster.caCertPem, cluster.token, CLIENTS);
    try {
      const sendBare = () => bareClient.call('GET', '/');
      await drive(CLIENTS, warmMs, ['get'], sendBare);
      const bareTally = new MixTally<string>();
      const readBareCpu = () => processesCpu({ 'bare server': bare.pid });
      const bareCpuBefore = readBareCpu();
      const bareSeconds = await drive(CLIENTS, ctx.durationMs, ['get'], sendBare, bareTally);
      const bareCpu = perRequest(bareCpuBefore, readBareCpu(), bareTally.total);
      rows.push(...bareTally.rows(bareSeconds, { target: 'bare node:https' }));
      rows.push(...Object.entries(bareCpu).map(([process, ms]) => ({ target: 'bare: CPU per request', kind: process, 'CPU ms/req': ms })));
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
