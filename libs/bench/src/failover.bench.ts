import { request } from 'node:https';
import { startCluster, TestCluster } from '@openpacific/testing';
import { Latencies } from './histogram';
import type { BenchContext } from './scenario';

const NS = 'bench-failover';
const VICTIM = 'host-1';
const OTHERS = ['host-2', 'host-3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A restartable busybox pod with small requests, so 100 of them fit on one host and on the survivors. */
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: {
    restartPolicy: 'Always',
    containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '5m', memory: '8Mi' } } }],
  },
});

/**
 * A watch on the API (`?watch=true` from a resourceVersion), read line by line: every event goes to
 * `onEvent` as the client receives it, which is the moment the bench's latencies end.
 */
function watchPods(cluster: TestCluster, resourceVersion: string, onEvent: (type: string, obj: any) => void): { close(): void } {
  const url = new URL(`/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${resourceVersion}`, cluster.server);
  const req = request(url, { method: 'GET', ca: cluster.caCertPem, headers: { authorization: `Bearer ${cluster.token}`, accept: 'application/json' } }, (res) => {
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) {
          const ev = JSON.parse(line);
          onEvent(ev.type, ev.object);
        }
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { close: () => req.destroy() };
}

/** Polls `check` every 100 ms until it holds; throws after `timeoutMs` with `what`. */
async function until(what: string | (() => string), timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${typeof what === 'string' ? what : what()} not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function kubectlOk(cluster: TestCluster, args: string[]): Promise<void> {
  const r = await cluster.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
}

/**
 * Failover: three real process hosts (crx process driver, no reboot of a killed host), N busybox pods all on
 * host-1 (the other two cordoned while they are placed, uncordoned before the kill), then host-1's whole
 * process group is SIGKILLed. Measured from the kill: when the API shows the node NotReady, and per pod
 * when a watch on the API delivers it Running on another host; p50/p90/p99 over the pods, and how long
 * until the last one. Split at the first watch event showing a pod bound to a survivor: the scheduler's part
 * before it, the survivor agents' and runtimes' part (bound→Running) after. Nothing here is tuned: the scheduler's HOST_GRACE_MS (3 s) is most of it.
 */
export async function failoverBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const count = Number(process.env.BENCH_FAILOVER_PODS ?? (ctx.smoke ? 5 : 100));
  const cluster = await startCluster({ label: 'benchfailover', hostCount: 3, env: { HOST_REBOOT_DELAY_MS: '0', POD_NETWORK: 'loopback' } });
  const t0 = Date.now();
  const phase = (what: string) => process.env.BENCH_TRACE && console.log(`failover: ${what} at ${Date.now() - t0} ms`);
  try {
    await cluster.hostsReady(3, 120_000);
    phase('hosts ready');
    await kubectlOk(cluster, ['create', 'namespace', NS]);
    for (const h of OTHERS) await kubectlOk(cluster, ['cordon', h]);
    const names = Array.from({ length: count }, (_, i) => `p-${i}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(
        names.slice(i, i + 10).map(async (n) => {
          const r = await cluster.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod(n) });
          if (r.status !== 201) throw new Error(`create ${n}: ${r.status} ${r.body}`);
        }),
      );
    }
    let listed: any;
    let placed = 0;
    await until(() => `${count} pods Running on ${VICTIM} (${placed} are)`, 300_000, async () => {
      listed = (await cluster.request('GET', `/api/v1/namespaces/${NS}/pods`)).json();
      placed = listed.items.filter((p: any) => p.status?.phase === 'Running' && p.spec.nodeName === VICTIM).length;
      return placed === count;
    });
    phase('pods running on victim');
    for (const h of OTHERS) await kubectlOk(cluster, ['uncordon', h]);

    const running = new Map<string, number>();
    /** When each pod was first seen bound to a survivor: the scheduler's part ends there, the agent's begins. */
    const bound = new Map<string, number>();
    let killedAt = 0;
    let notReadyMs = 0;
    const watch = watchPods(cluster, listed.metadata.resourceVersion, (type, p) => {
      if (!killedAt || type === 'DELETED' || running.has(p.metadata.name)) return;
      if (!p.spec?.nodeName || p.spec.nodeName === VICTIM) return;
      if (!bound.has(p.metadata.name)) bound.set(p.metadata.name, performance.now() - killedAt);
      if (p.status?.phase === 'Running') running.set(p.metadata.name, performance.now() - killedAt);
    });
    try {
      await sleep(500); // the watch is established and the uncordons are in every read model
      killedAt = performance.now();
      cluster.killHost(VICTIM);
      await until(`${VICTIM} NotReady`, 60_000, async () => {
        const node = (await cluster.request('GET', `/api/v1/nodes/${VICTIM}`)).json();
        const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
        if (ready?.status === 'True') return false;
        notReadyMs = performance.now() - killedAt;
        return true;
      });
      await until(() => `${count} pods Running elsewhere (${running.size} are)`, 120_000, () => running.size === count);
    } finally {
      watch.close();
    }
    phase('failed over');
    const latencies = new Latencies();
    for (const ms of running.values()) latencies.record(ms);
    const s = latencies.summary();
    const bindings = new Latencies();
    for (const ms of bound.values()) bindings.record(ms);
    const starts = new Latencies();
    for (const [name, ms] of running) starts.record(ms - (bound.get(name) ?? ms));
    return [
      {
        pods: count,
        'NotReady (ms)': Math.round(notReadyMs),
        'all Running (ms)': Math.round(Math.max(...running.values())),
        'p50 (ms)': s.p50,
        'p90 (ms)': s.p90,
        'p99 (ms)': s.p99,
        'pods/s': Math.round((count / (Math.max(...running.values()) / 1000)) * 10) / 10,
        'bound elsewhere p50 (ms)': bindings.summary().p50,
        'last bound (ms)': Math.round(Math.max(...bound.values())),
        'bound→Running p50 (ms)': starts.summary().p50,
        'bound→Running p99 (ms)': starts.summary().p99,
      },
    ];
  } finally {
    await cluster.stop();
  }
}
