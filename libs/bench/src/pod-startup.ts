import type { TestCluster } from '@openpacific/testing';
import { watchApi } from './api-watch';
import { Latencies } from './histogram';
import { BenchClient } from './https-client';

export interface PodRunResult {
  pods: number;
  /** create → the watch delivers it Running, per pod. */
  latencies: Latencies;
  /** From the first create sent to the last pod seen Running. */
  wallMs: number;
  /** How long sending every create took. */
  createMs: number;
  /** Pods that were not Running when the run gave up. */
  missing: number;
  /** Creates answered 503 and sent again. */
  retries: number;
}

/** How the creates are sent: all at once through `concurrency` connections, or open-loop at `ratePerSecond`. */
export type Arrival = { kind: 'burst'; concurrency: number } | { kind: 'rate'; ratePerSecond: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pod(namespace: string, name: string) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels: { bench: 'pod-scale' } },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
  };
}

/**
 * Creates `count` pods in `namespace` through the HTTPS API and times each from the moment its create was
 * sent to the moment a watch on the API (opened before the first create) delivers it Running — what a
 * client sees, through admission, the log, the scheduler, the host and back out of the gateway.
 */
export async function runPods(cluster: TestCluster, namespace: string, count: number, arrival: Arrival, timeoutMs: number): Promise<PodRunResult> {
  const sentAt = new Map<string, number>();
  const latencies = new Latencies();
  let running = 0;
  let lastRunningAt = 0;
  let allRunning: () => void = () => undefined;
  const done = new Promise<void>((r) => (allRunning = r));
  const watch = await watchApi(cluster.server, cluster.caCertPem, cluster.token, `/api/v1/namespaces/${namespace}/pods`, (_type, object) => {
    const name = object?.metadata?.name;
    const at = Date.now();
    if (object?.status?.phase !== 'Running' || !sentAt.has(name)) return;
    latencies.record(at - (sentAt.get(name) as number));
    sentAt.delete(name);
    lastRunningAt = at;
    if (++running === count) allRunning();
  });
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, arrival.kind === 'burst' ? arrival.concurrency : 200);
  const names = Array.from({ length: count }, (_, i) => `p-${i}`);
  let retries = 0;
  const create = async (name: string) => {
    sentAt.set(name, Date.now());
    // A 503 (admission did not answer in time on a saturated machine) is retried as a client would; the latency
    // still counts from the first attempt.
    for (let attempt = 1; ; attempt++) {
      const res = await client.call('POST', `/api/v1/namespaces/${namespace}/pods`, pod(namespace, name));
      if (res.status === 201) return;
      if (res.status !== 503 || attempt >= 5) throw new Error(`create ${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
      retries++;
      await sleep(100 * attempt);
    }
  };
  const started = Date.now();
  try {
    if (arrival.kind === 'burst') {
      let next = 0;
      await Promise.all(Array.from({ length: arrival.concurrency }, async () => {
        while (next < names.length) await create(names[next++]);
      }));
    } else {
      // Open loop: each create leaves at its own time whether or not earlier ones have finished (no coordinated omission).
      const pending: Promise<void>[] = [];
      for (let i = 0; i < names.length; i++) {
        const due = started + (i * 1000) / arrival.ratePerSecond;
        if (due > Date.now()) await sleep(due - Date.now());
        pending.push(create(names[i]));
      }
      await Promise.all(pending);
    }
    const createMs = Date.now() - started;
    await Promise.race([done, sleep(timeoutMs)]);
    return { pods: count, latencies, wallMs: (lastRunningAt || Date.now()) - started, createMs, missing: count - running, retries };
  } finally {
    watch.close();
    client.close();
  }
}

/** Creates a namespace for a run (the creates are counted from after it exists). */
export async function createNamespace(cluster: TestCluster, name: string): Promise<void> {
  const res = await cluster.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  if (res.status !== 201) throw new Error(`create namespace ${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
}

/** Deletes a run's pods and waits until they are gone, so the next cell starts from an empty cluster. */
export async function deletePods(cluster: TestCluster, namespace: string, timeoutMs: number): Promise<void> {
  await cluster.request('DELETE', `/api/v1/namespaces/${namespace}/pods?labelSelector=bench%3Dpod-scale`, { timeoutMs: 120_000 });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const list = (await cluster.request('GET', `/api/v1/namespaces/${namespace}/pods?limit=1`)).json();
    if ((list.items ?? []).length === 0) return;
    await sleep(1000);
  }
  throw new Error(`pods of ${namespace} not gone after ${timeoutMs} ms`);
}

/** A results row: throughput and create→Running percentiles, in ms. */
export function podRunRow(result: PodRunResult): Record<string, unknown> {
  const s = result.latencies.summary();
  return {
    pods: result.pods,
    'pods/s (all Running)': Math.round((result.pods - result.missing) / (result.wallMs / 1000)),
    'wall (s)': +(result.wallMs / 1000).toFixed(1),
    'creates sent (s)': +(result.createMs / 1000).toFixed(1),
    'p50 (ms)': s.p50, 'p90 (ms)': s.p90, 'p99 (ms)': s.p99, 'max (ms)': s.max,
    ...(result.missing ? { 'not Running': result.missing } : {}),
    ...(result.retries ? { 'create retries (503)': result.retries } : {}),
  };
}
