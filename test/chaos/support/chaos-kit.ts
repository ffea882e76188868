import { checkInvariants, formatInvariantReport, InvariantReport, TestCluster } from '@openpacific/testing';
import { Pool } from 'pg';

/** The whole suite with `npm run test:chaos` (CHAOS_FULL=1); CI runs each scenario at a smaller size. */
export const full = process.env.CHAOS_FULL === '1';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function podManifest(name: string, opts: { restartPolicy?: string; labels?: Record<string, string>; command?: string[] } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'chaos', ...opts.labels } },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'c', image: 'busybox', command: opts.command ?? ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '8Mi' } } }],
    },
  };
}

/** Creates pods through the API, a few at a time; returns what each create was acknowledged with. */
export async function createPods(cluster: TestCluster, names: string[], opts: Parameters<typeof podManifest>[1] = {}) {
  const acknowledged: { streamId: string; resourceVersion: string }[] = [];
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(
      names.slice(i, i + 10).map(async (name) => {
        const res = await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: podManifest(name, opts) });
        if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${res.body}`);
        acknowledged.push({ streamId: `pods/default/${name}`, resourceVersion: res.json().metadata.resourceVersion });
      }),
    );
  }
  return acknowledged;
}

export async function listPods(cluster: TestCluster, selector = 'app=chaos'): Promise<any[]> {
  const res = await cluster.request('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`);
  if (res.status !== 200) throw new Error(`listing pods: ${res.status}`);
  return res.json().items;
}

export const isRunning = (p: any) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c: any) => c.ready);

/** Polls until `done` holds (or the timeout passes); returns when it first held, in ms since `since`. */
export async function timeUntil(since: number, done: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 100): Promise<number> {
  for (;;) {
    if (await done().catch(() => false)) return Date.now() - since;
    if (Date.now() - since > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** One line a pod: where it is, its phase and why it is not Running — what a timed-out wait shows. */
export function describePods(pods: any[]): string {
  return pods
    .map((p) => {
      const waiting = (p.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? (c.ready ? 'ready' : 'not ready'));
      const conditions = (p.status?.conditions ?? []).filter((c: any) => c.status !== 'True').map((c: any) => `${c.type}=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`.trim());
      return `  ${p.metadata.name} on ${p.spec.nodeName ?? '(none)'}: ${p.status?.phase ?? '?'} ip=${p.status?.podIP ?? '-'} [${waiting.join(', ')}] ${conditions.join('; ')}`;
    })
    .join('\n');
}

/**
 * Waits until `count` pods of the selector are Running and ready; on timeout the error shows every pod and the
 * warnings the services logged, so a failure in CI says why.
 */
export async function podsRunning(cluster: TestCluster, count: number, timeoutMs: number, selector = 'app=chaos'): Promise<number> {
  const since = Date.now();
  try {
    return await timeUntil(since, async () => (await listPods(cluster, selector)).filter(isRunning).length === count, timeoutMs);
  } catch (err) {
    const pods = await listPods(cluster, selector).catch(() => []);
    const nodes = (await cluster.request('GET', '/api/v1/nodes').catch(() => undefined))?.json().items ?? [];
    const nodeLines = nodes.map((n: any) => `  ${n.metadata.name}: ${(n.status?.conditions ?? []).map((c: any) => `${c.type}=${c.status}`).join(' ')}`);
    throw new Error(
      `${(err as Error).message}: ${pods.filter(isRunning).length}/${count} pods Running\n${describePods(pods.filter((p) => !isRunning(p)))}\nhosts:\n${nodeLines.join('\n')}\n${cluster.logTails(20, /"level":"(warn|error)"/)}`,
    );
  }
}

/** Waits until `count` hosts are Ready, so a burst of pods is spread over all of them. */
export async function allHostsReady(cluster: TestCluster, count = 3): Promise<void> {
  await timeUntil(Date.now(), async () => {
    const nodes = (await cluster.request('GET', '/api/v1/nodes')).json().items;
    return nodes.filter((n: any) => n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === count;
  }, 30_000);
}

export async function hostReady(cluster: TestCluster, host: string): Promise<string | undefined> {
  const res = await cluster.request('GET', `/api/v1/nodes/${host}`);
  if (res.status !== 200) return undefined;
  return (res.json().status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
}

/** The invariant checker over the cluster's whole log, with the gateway's read model; prints the report. */
export async function invariants(cluster: TestCluster, acknowledged: { streamId: string; resourceVersion: string }[] = []): Promise<InvariantReport> {
  const pool = new Pool({ connectionString: cluster.databaseUrl, max: 2 });
  try {
    const report = await checkInvariants(pool, {
      acknowledged,
      readModel: async (streamId) => {
        const [resource, namespace, name] = streamId.split('/');
        if (resource !== 'pods') return undefined;
        const res = await cluster.request('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
        return res.status === 200 ? { resourceVersion: res.json().metadata.resourceVersion } : undefined;
      },
    });
    process.stdout.write(`${formatInvariantReport(report)}\n`);
    return report;
  } finally {
    await pool.end();
  }
}

export function report(title: string, figures: Record<string, number | string>): void {
  const lines = Object.entries(figures).map(([k, v]) => `  ${k}: ${typeof v === 'number' ? `${v} ms` : v}`);
  process.stdout.write(`\n[chaos] ${title}\n${lines.join('\n')}\n`);
}

/**
 * A steady stream of pod creates, as a client that retries would send them: each name is retried until it
 * is acknowledged (201) or found to exist already (409, an earlier attempt got through unheard). Records
 * every acknowledgement and every failed attempt with its status and how long it took to fail.
 */
export class CreateStream {
  readonly acknowledged: { streamId: string; resourceVersion: string }[] = [];
  readonly names: string[] = [];
  readonly failures: { status: number | string; ms: number }[] = [];
  private stopped = false;
  private done?: Promise<void>;

  constructor(
    private readonly cluster: TestCluster,
    private readonly opts: { prefix: string; intervalMs: number; servers?: string[]; timeoutMs?: number },
  ) {}

  start(): void {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const name = `${this.opts.prefix}-${i}`;
      const server = this.opts.servers?.[i % this.opts.servers.length];
      for (;;) {
        const started = Date.now();
        let status: number | string;
        try {
          const res = await this.cluster.request('POST', '/api/v1/namespaces/default/pods', { body: podManifest(name), server, timeoutMs: this.opts.timeoutMs ?? 10_000 });
          status = res.status;
          if (res.status === 201) this.acknowledged.push({ streamId: `pods/default/${name}`, resourceVersion: res.json().metadata.resourceVersion });
          if (res.status === 201 || res.status === 409) break;
        } catch (err) {
          status = (err as { code?: string }).code ?? (err as Error).message;
        }
        this.failures.push({ status, ms: Date.now() - started });
        await sleep(100);
      }
      this.names.push(name);
      await sleep(this.opts.intervalMs);
    }
  }
}

/** Streams with more than one ResourceCreated (an object created twice), straight from the log. */
export async function createdTwice(cluster: TestCluster): Promise<string[]> {
  const pool = new Pool({ connectionString: cluster.databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query("SELECT stream_id FROM events WHERE type = 'ResourceCreated' GROUP BY stream_id HAVING count(*) > 1");
    return rows.map((r) => r.stream_id);
  } finally {
    await pool.end();
  }
}
