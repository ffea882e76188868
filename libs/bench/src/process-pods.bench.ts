import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from '@openpacific/testing';
import { watchApi } from './api-watch';
import { parseCrxSteps, podStartSteps } from './crx-step-log';
import { Latencies } from './histogram';
import { BenchClient } from './https-client';
import type { BenchContext } from './scenario';

const NS = 'bench-proc';
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

/**
 * Process pods on an idle cluster: 3 real hosts (the `process` crx driver: each container a real
 * process tree), pods created one at a time, each create→Running from just before its POST to the
 * watch event showing it Running. Beside it the runtime's own share, from the crx-runtime's
 * `crx step timed` log lines: sandbox + container create + container start.
 */
export async function processPodsBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const count = Number(process.env.BENCH_PROCESS_PODS ?? (ctx.smoke ? 3 : 30));
  const cluster = await startCluster({ label: 'benchproc' });
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, 1);
  try {
    await cluster.hostsReady(3);
    const ns = await client.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    if (ns.status !== 201) throw new Error(`namespace: HTTP ${ns.status} ${ns.body}`);
    const running = new Map<string, () => void>();
    const watch = await watchApi(cluster.server, cluster.caCertPem, cluster.token, `/api/v1/namespaces/${NS}/pods`, (_type, o) => {
      if (o?.status?.phase === 'Running') running.get(o.metadata.name)?.();
    });
    const createToRunning = new Latencies();
    try {
      /** One pod, from its POST to the watch showing it Running; a first unmeasured pod warms image and code paths. */
      const runOne = async (name: string) => {
        const seen = new Promise<void>((r, rej) => {
          running.set(name, r);
          setTimeout(() => rej(new Error(`${name} not Running after 30 s`)), 30_000).unref();
        });
        const t = performance.now();
        const res = await client.call('POST', `/api/v1/namespaces/${NS}/pods`, pod(name));
        if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${res.body}`);
        await seen;
        return performance.now() - t;
      };
      await runOne('warm-up');
      const names = Array.from({ length: count }, (_, i) => `p-${i}`);
      for (const name of names) createToRunning.record(await runOne(name));
    } finally {
      watch.close();
    }
    const logs = join(cluster.dataDir, 'logs');
    const steps = parseCrxSteps(
      readdirSync(logs)
        .filter((f) => f.endsWith('.crx-runtime.log'))
        .map((f) => readFileSync(join(logs, f), 'utf8'))
        .join('\n'),
    );
    const runtime = { sandbox: new Latencies(), create: new Latencies(), start: new Latencies(), total: new Latencies(), span: new Latencies() };
    for (let i = 0; i < count; i++) {
      const s = podStartSteps(steps, `${NS}/p-${i}`);
      if (!s) continue;
      runtime.sandbox.record(s.sandboxMs);
      runtime.create.record(s.createMs);
      runtime.start.record(s.startMs);
      runtime.total.record(s.totalMs);
      runtime.span.record(s.spanMs);
    }
    const row = (what: string, l: Latencies) => ({ measure: what, ...l.summary() });
    return [
      row('create→Running (watch)', createToRunning),
      row('runtime: sandbox + container create + start', runtime.total),
      row('runtime: runPodSandbox', runtime.sandbox),
      row('runtime: createContainer', runtime.create),
      row('runtime: startContainer', runtime.start),
      row('runtime: sandbox start → container started (incl. agent turns)', runtime.span),
    ];
  } finally {
    client.close();
    await cluster.stop();
  }
}
