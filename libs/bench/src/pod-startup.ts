import { randomUUID } from 'node:crypto';
import { ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import { EventStore } from '@openpacific/event-store';
import type { TestCluster } from '@openpacific/testing';
import { Pool } from 'pg';
import { watchApi } from './api-watch';
import { Latencies } from './histogram';
import { BenchClient } from './https-client';

export interface PodRunResult {
  pods: number;
  /** create → the watch delivers it Running, per pod. */
  latencies: Latencies;
  /**
   * The same time in stages: create sent → acknowledged; acknowledged → binding written; binding written →
   * Running written; Running written → the watch delivers it. Write times are the log's `created_at` (the start
   * of the writing transaction), on the same clock as the bench.
   */
  stages: { acked: Latencies; bound: Latencies; running: Latencies; delivered: Latencies };
  /** From the first create sent to the last pod seen Running. */
  wallMs: number;
  /** How long sending every create took. */
  createMs: number;
  /** Pods that were not Running when the run gave up. */
  missing: number;
  /** Creates answered 503 and sent again. */
  retries: number;
}

/**
 * How the creates are sent: all at once through `concurrency` connections, or open-loop at `ratePerSecond`.
 * `direct` appends them to the event store as the gateway would, `concurrency` pods per transaction, to take
 * the gateway out of the measurement of everything after the create.
 */
export type Arrival = { kind: 'burst'; concurrency: number; direct?: boolean } | { kind: 'rate'; ratePerSecond: number };

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
  const ackedAt = new Map<string, number>();
  const seenAt = new Map<string, number>();
  const latencies = new Latencies();
  const stages = { acked: new Latencies(), bound: new Latencies(), running: new Latencies(), delivered: new Latencies() };
  let running = 0;
  let lastRunningAt = 0;
  let allRunning: () => void = () => undefined;
  const done = new Promise<void>((r) => (allRunning = r));
  // Only the events that show a pod Running are parsed: each pod's others (added, bound, …) are most of a burst's stream.
  const watch = await watchApi(cluster.server, cluster.caCertPem, cluster.token, `/api/v1/namespaces/${namespace}/pods`, (_type, object) => {
    const name = object?.metadata?.name;
    const at = Date.now();
    if (object?.status?.phase !== 'Running' || !sentAt.has(name)) return;
    latencies.record(at - (sentAt.get(name) as number));
    seenAt.set(name, at);
    sentAt.delete(name);
    lastRunningAt = at;
    if (++running === count) allRunning();
  }, '"phase":"Running"');
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, arrival.kind === 'burst' ? arrival.concurrency : 200);
  const names = Array.from({ length: count }, (_, i) => `p-${i}`);
  let retries = 0;
  const acked = (name: string) => {
    const at = Date.now();
    ackedAt.set(name, at);
    stages.acked.record(at - (sentAt.get(name) ?? at));
  };
  const create = async (name: string) => {
    sentAt.set(name, Date.now());
    // A 503 (admission did not answer in time on a saturated machine) is retried as a client would; the latency
    // still counts from the first attempt.
    for (let attempt = 1; ; attempt++) {
      const res = await client.call('POST', `/api/v1/namespaces/${namespace}/pods`, pod(namespace, name));
      if (res.status === 201) return acked(name);
      if (res.status !== 503 || attempt >= 5) throw new Error(`create ${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
      retries++;
      await sleep(100 * attempt);
    }
  };
  const started = Date.now();
  // A long run shows it is alive: created and Running so far, every 10 s, on stderr (the table goes to stdout).
  const progress = setInterval(() => console.error(`${namespace}: ${ackedAt.size} created, ${running} Running after ${Math.round((Date.now() - started) / 1000)} s`), 10_000);
  try {
    if (arrival.kind === 'burst' && arrival.direct) {
      await appendPods(cluster, namespace, names, arrival.concurrency, (name) => sentAt.set(name, Date.now()), acked);
    } else if (arrival.kind === 'burst') {
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
    await recordWrittenStages(cluster, namespace, ackedAt, seenAt, stages);
    return { pods: count, latencies, stages, wallMs: (lastRunningAt || Date.now()) - started, createMs, missing: count - running, retries };
  } finally {
    clearInterval(progress);
    watch.close();
    client.close();
  }
}

/**
 * Appends the pods' created events straight to the cluster's event store, `perTransaction` at a time, shaped as
 * the gateway stores a pod (defaulted by a dry-run create through the API): the scheduler, the hosts and the
 * watch see them exactly as they see pods created through the API.
 */
async function appendPods(cluster: TestCluster, namespace: string, names: string[], perTransaction: number, sent: (name: string) => void, acked: (name: string) => void): Promise<void> {
  const res = await cluster.request('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All`, { body: pod(namespace, 'dry-run') });
  if (res.status !== 201) throw new Error(`dry-run create: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  const template = res.json();
  delete template.metadata.resourceVersion;
  const pool = new Pool({ connectionString: cluster.databaseUrl, max: 2 });
  const store = new EventStore(pool);
  const metadata = { actor: 'system:admin', source: 'bench' };
  try {
    for (let i = 0; i < names.length; i += perTransaction) {
      const batch = names.slice(i, i + perTransaction);
      for (const name of batch) sent(name);
      await store.appendBatch(batch.map((name) => {
        const object = { ...template, metadata: { ...template.metadata, name, uid: randomUUID(), creationTimestamp: rfc3339() } };
        return { streamId: objectStreamId('pods', namespace, name), events: [{ type: ObjectEventTypes.created, data: { resource: 'pods', object }, metadata }], expectedVersion: 'no_stream' as const };
      }));
      for (const name of batch) acked(name);
    }
  } finally {
    await pool.end();
  }
}

/** Splits each Running pod's time after its create was acknowledged by the log's record of its binding and its Running status. */
async function recordWrittenStages(cluster: TestCluster, namespace: string, ackedAt: Map<string, number>, seenAt: Map<string, number>, stages: PodRunResult['stages']): Promise<void> {
  const pool = new Pool({ connectionString: cluster.databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT split_part(stream_id, '/', 3) AS name,
              extract(epoch FROM min(created_at) FILTER (WHERE data->'object'->'spec'->>'nodeName' IS NOT NULL)) * 1000 AS bound,
              extract(epoch FROM min(created_at) FILTER (WHERE data->'object'->'status'->>'phase' = 'Running')) * 1000 AS running
       FROM events WHERE stream_id LIKE $1 GROUP BY stream_id`,
      [`pods/${namespace}/%`],
    );
    // The watch can deliver before the create's response arrives, and a transaction's start can precede it: no time in such a stage.
    const since = (later: number, earlier: number) => Math.max(0, later - earlier);
    for (const r of rows) {
      const acked = ackedAt.get(r.name);
      const seen = seenAt.get(r.name);
      if (acked === undefined || seen === undefined || r.bound === null || r.running === null) continue;
      stages.bound.record(since(Number(r.bound), acked));
      stages.running.record(since(Number(r.running), Number(r.bound)));
      stages.delivered.record(since(seen, Number(r.running)));
    }
  } finally {
    await pool.end();
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
    ...stageColumns('create→acked', result.stages.acked),
    ...stageColumns('acked→bound', result.stages.bound),
    ...stageColumns('bound→Running written', result.stages.running),
    ...stageColumns('→watch', result.stages.delivered),
    ...(result.missing ? { 'not Running': result.missing } : {}),
    ...(result.retries ? { 'create retries (503)': result.retries } : {}),
  };
}

function stageColumns(stage: string, latencies: Latencies): Record<string, number> {
  const s = latencies.summary();
  return { [`${stage} p50 (ms)`]: s.p50, [`${stage} p99 (ms)`]: s.p99 };
}
