import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HostFenceRecord } from '@openpacific/contracts';
import { EventStore, migrate, RecordedEvent, resourceVersionOf } from '@openpacific/event-store';
import { createTestDatabase, TestDatabase } from './database';
import { checkInvariants, findDoubleRuns, findGaps, formatInvariantReport, readLogPages } from './invariants';
import { runInvariantsCli } from './invariants-cli';

const HOSTS = 'hosts.infrastructure.openpacific.io';
const SCHEDULER = { actor: 'system:serviceaccount:openpacific:scheduler', source: 'scheduler' };
const node = (host: string) => ({ actor: `system:node:${host}`, source: 'spherelet-agent' });
const iso = (ms: number) => new Date(ms).toISOString();

/** Writes one pod's life into the log the way the gateway, scheduler and agents do. */
class PodScript {
  readonly uid = randomUUID();
  private version = 0;
  private object: any;

  constructor(
    private readonly store: EventStore,
    readonly name: string,
  ) {
    this.object = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: this.uid, creationTimestamp: new Date().toISOString(), generation: 1 },
      spec: { restartPolicy: 'Always', containers: [{ name: 'main', image: 'busybox' }] },
      status: { phase: 'Pending' },
    };
  }

  get streamId(): string {
    return `pods/default/${this.name}`;
  }

  created(requestId?: string): Promise<RecordedEvent> {
    return this.write('ResourceCreated', this.object, { actor: 'admin', source: 'api-gateway', requestId });
  }

  bound(host: string, epoch: number): Promise<RecordedEvent> {
    const metadata = { ...this.object.metadata, annotations: { 'infrastructure.openpacific.io/host-epoch': String(epoch) } };
    return this.write('PodBound', { ...this.object, metadata, spec: { ...this.object.spec, nodeName: host } }, SCHEDULER);
  }

  status(host: string, phase: string): Promise<RecordedEvent> {
    const containerStatuses = [{ name: 'main', ready: phase === 'Running', state: phase === 'Running' ? { running: {} } : { waiting: {} } }];
    return this.write('ResourceStatusUpdated', { ...this.object, status: { phase, containerStatuses } }, node(host));
  }

  unbound(host: string, epoch: number): Promise<RecordedEvent> {
    const { nodeName: _, ...spec } = this.object.spec;
    const object = { ...this.object, spec, status: { phase: 'Pending' } };
    return this.write('PodUnbound', object, SCHEDULER, { reason: 'HostNotReady', host, epoch });
  }

  async deleted(): Promise<RecordedEvent> {
    const metadata = { ...this.object.metadata, deletionTimestamp: new Date().toISOString() };
    await this.write('ResourceDeletionStarted', { ...this.object, metadata }, { actor: 'admin', source: 'api-gateway' });
    return this.write('ResourceDeleted', this.object, node('host-1'));
  }

  private async write(type: string, object: any, metadata: any, extra: object = {}): Promise<RecordedEvent> {
    const { events } = await this.store.append(this.streamId, [{ type, data: { resource: 'pods', object, ...extra }, metadata }], {
      expectedVersion: this.version === 0 ? 'no_stream' : this.version,
    });
    this.object = object;
    this.version = events[0].streamVersion;
    return events[0];
  }
}

async function hostRegistered(store: EventStore, host: string, epoch: number, fence?: HostFenceRecord): Promise<void> {
  const object = {
    apiVersion: 'infrastructure.openpacific.io/v1alpha1',
    kind: 'Host',
    metadata: { name: host, uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1 },
    status: { epoch },
  };
  await store.append(`${HOSTS}/${host}`, [{ type: 'HostRegistered', data: { resource: HOSTS, object, ...(fence ? { fence } : {}) }, metadata: node(host) }]);
}

/** host-1 runs the pod, goes dark, the pod is unbound and started on host-2; host-1 reports its fence later. */
async function failover(store: EventStore, fenceFor: (t: { unbound: number; running2: number }) => Partial<HostFenceRecord> | undefined) {
  const pod = new PodScript(store, 'web');
  await pod.created();
  await pod.bound('host-1', 1);
  await pod.status('host-1', 'Running');
  const unbound = (await pod.unbound('host-1', 1)).createdAt.getTime();
  await pod.bound('host-2', 1);
  const running2 = (await pod.status('host-2', 'Running')).createdAt.getTime();
  const fence = fenceFor({ unbound, running2 });
  if (fence) await hostRegistered(store, 'host-1', 2, { epoch: 1, leaseExpiredAt: iso(unbound), pods: [pod.uid], ...fence });
  return { pod, unbound, running2 };
}

describe('the invariant checker', () => {
  let db: TestDatabase;
  let store: EventStore;

  // The log is append-only, so every scenario gets an empty database of its own.
  beforeEach(async () => {
    db = await createTestDatabase('invariants');
    await migrate(db.pool);
    store = new EventStore(db.pool);
  });
  afterEach(() => db.drop());

  it('passes a clean pod lifecycle', async () => {
    const pod = new PodScript(store, 'clean');
    await pod.created('req-1');
    await pod.bound('host-1', 1);
    await pod.status('host-1', 'Running');
    await pod.deleted();
    const report = await checkInvariants(db.pool);
    expect(report).toMatchObject({ events: 5, streams: 1, pods: 1, ok: true, doubleRuns: [], boundedWindows: [] });
    expect(formatInvariantReport(report)).toMatch(/^invariants hold: 5 events, 1 streams, 1 pods$/);
  });

  it('passes a failover in which the pod never ran on both hosts', async () => {
    await failover(store, () => undefined);
    const report = await checkInvariants(db.pool);
    expect(report.ok).toBe(true);
    expect(report.doubleRuns).toEqual([]);
  });

  it('states an overlap as a bounded window when the old host was frozen and stopped within 1 s of waking', async () => {
    const { running2 } = await failover(store, ({ unbound, running2 }) => ({
      unresponsiveFrom: iso(unbound - 5000),
      unresponsiveUntil: iso(running2 + 100),
      stoppedAt: iso(running2 + 400),
    }));
    // The fence times made up here lie ahead of the clock; check as if from a minute later.
    const report = await checkInvariants(db.pool, { now: new Date(running2 + 60_000) });
    expect(report.ok).toBe(true);
    expect(report.boundedWindows).toEqual([
      expect.objectContaining({ pod: 'default/web', hosts: ['host-1', 'host-2'], from: iso(running2), to: iso(running2 + 400), ms: 400 }),
    ]);
    expect(report.boundedWindows[0].excuse).toMatch(/host-1 epoch 1: lease expired at .*unresponsive.*300 ms after it could act/);
    expect(formatInvariantReport(report)).toContain('bounded window (allowed): pod default/web');
  });

  it('reports a double run when the old host stopped its containers 3 s after it woke', async () => {
    const { running2 } = await failover(store, ({ unbound, running2 }) => ({
      unresponsiveFrom: iso(unbound - 5000),
      unresponsiveUntil: iso(running2 + 100),
      stoppedAt: iso(running2 + 3100),
    }));
    const later = new Date(running2 + 60_000);
    const report = await checkInvariants(db.pool, { now: later });
    expect(report.ok).toBe(false);
    expect(report.boundedWindows).toEqual([]);
    expect(report.doubleRuns).toEqual([
      { pod: 'default/web', uid: expect.any(String), hosts: ['host-1', 'host-2'], from: iso(running2), to: iso(running2 + 3100), ms: 3100 },
    ]);
    expect(formatInvariantReport(report)).toMatch(/VIOLATED[\s\S]*double run: pod default\/web .* for 3100 ms/);
    expect((await checkInvariants(db.pool, { slackMs: 5000, now: later })).ok).toBe(true);
  });

  it('reports an acknowledged write that is not in the log as lost', async () => {
    const pod = new PodScript(store, 'acked');
    const created = await pod.created();
    const kept = { streamId: pod.streamId, resourceVersion: resourceVersionOf(created) };
    const missing = { streamId: pod.streamId, resourceVersion: '999000000000001', requestId: 'req-lost' };
    const elsewhere = { streamId: 'pods/default/other', resourceVersion: resourceVersionOf(created) };
    const report = await checkInvariants(db.pool, { acknowledged: [kept, missing, elsewhere] });
    expect(report.lost).toEqual([missing, elsewhere]);
    expect(report.ok).toBe(false);
    expect(formatInvariantReport(report)).toContain('lost acknowledged write: pods/default/acked resourceVersion 999000000000001 (request req-lost)');
  });

  it('reports one request that created two objects', async () => {
    await new PodScript(store, 'a').created('req-twice');
    await new PodScript(store, 'b').created('req-twice');
    await new PodScript(store, 'c').created('req-once');
    const report = await checkInvariants(db.pool);
    expect(report.duplicated).toEqual([{ requestId: 'req-twice', streamIds: ['pods/default/a', 'pods/default/b'], count: 2 }]);
    expect(report.ok).toBe(false);
  });

  it('reports a read model that holds an older version than the log, and accepts deleted as absent', async () => {
    const stale = new PodScript(store, 'stale');
    const old = await stale.created();
    const latest = await stale.bound('host-1', 1);
    const gone = new PodScript(store, 'gone');
    await gone.created();
    await gone.deleted();
    const held: Record<string, string> = { [stale.streamId]: resourceVersionOf(old) };
    const readModel = async (streamId: string) => (held[streamId] ? { resourceVersion: held[streamId] } : undefined);
    const report = await checkInvariants(db.pool, { readModel });
    expect(report.readModelBehind).toEqual([{ streamId: stale.streamId, expected: resourceVersionOf(latest), found: resourceVersionOf(old) }]);
    expect(report.ok).toBe(false);
    held[stale.streamId] = resourceVersionOf(latest);
    expect((await checkInvariants(db.pool, { readModel })).ok).toBe(true);
  });

  it('reads the log page by page without skipping or repeating events', async () => {
    const pod = new PodScript(store, 'paged');
    await pod.created();
    for (let i = 0; i < 3; i++) await pod.status('host-1', i % 2 ? 'Pending' : 'Running');
    const sizes: number[] = [];
    const versions: number[] = [];
    for await (const page of readLogPages(db.pool, 2)) {
      sizes.push(page.length);
      versions.push(...page.map((e) => e.streamVersion));
    }
    expect(sizes).toEqual([2, 2]);
    expect(versions).toEqual([1, 2, 3, 4]);
  });

  it('reports objects off their kinds\' schemas only when asked, and the command asks unless --no-schemas', async () => {
    const pod = new PodScript(store, 'shaped');
    await pod.created();
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', uid: randomUUID(), creationTimestamp: iso(Date.now()) }, data: { replicas: 3 }, spec: {} };
    await store.append('configmaps/default/settings', [{ type: 'ResourceCreated', data: { resource: 'configmaps', object: cm }, metadata: SCHEDULER }]);
    const unasked = await checkInvariants(db.pool);
    expect(unasked).toMatchObject({ ok: true, schemaViolations: [] });
    expect(unasked.objectsChecked).toBeUndefined();
    const report = await checkInvariants(db.pool, { schemas: true });
    expect(report).toMatchObject({ ok: false, objectsChecked: 2 });
    expect(report.schemaViolations).toEqual([expect.objectContaining({ kind: 'ConfigMap', namespace: 'default', name: 'settings', writer: SCHEDULER.actor, unknownFields: ['spec'] })]);
    expect(formatInvariantReport(report)).toContain(
      `  off schema: ConfigMap default/settings written by ${SCHEDULER.actor} (scheduler) in ResourceCreated at ${report.schemaViolations[0].resourceVersion}: ` +
        'unknown field "spec"; data.replicas: Invalid value: "number": data.replicas in body must be of type string: "number"',
    );
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runInvariantsCli(['--database-url', db.url], {}, io)).toBe(1);
    expect(await runInvariantsCli(['--database-url', db.url, '--no-schemas'], {}, io)).toBe(0);
    expect(lines[0]).toMatch(/^invariants VIOLATED: 2 events, 2 streams, 1 pods, 2 objects checked against their schemas\n {2}off schema: ConfigMap default\/settings/);
  });

  it('runs as a command: exit 0 on a clean log, 1 on a violation, 2 without a database', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const pod = new PodScript(store, 'cli');
    await pod.created('req-cli');
    const dataDir = mkdtempSync(join(tmpdir(), 'invariants-'));
    try {
      writeFileSync(join(dataDir, 'cluster.json'), JSON.stringify({ databaseUrl: db.url }));
      expect(await runInvariantsCli([], { DATA_DIR: dataDir }, io)).toBe(0);
      await new PodScript(store, 'cli-2').created('req-cli');
      expect(await runInvariantsCli(['--database-url', db.url], {}, io)).toBe(1);
      expect(await runInvariantsCli([], { DATA_DIR: join(dataDir, 'none') }, io)).toBe(2);
      expect(await runInvariantsCli(['--bogus'], { DATABASE_URL: db.url }, io)).toBe(2);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(lines.join('\n')).toMatch(/invariants hold[\s\S]*request req-cli created 2 objects[\s\S]*no database[\s\S]*unknown argument: --bogus/);
  });
});

describe('gap detection', () => {
  const ev = (streamId: string, streamVersion: number) => ({ streamId, streamVersion });

  it('accepts versions 1, 2, 3 per stream, interleaved', () => {
    expect(findGaps([ev('a', 1), ev('b', 1), ev('a', 2), ev('b', 2), ev('a', 3)])).toEqual([]);
  });

  it('reports a skipped, a repeated and a missing first version', () => {
    expect(findGaps([ev('a', 1), ev('a', 3), ev('a', 4), ev('b', 2), ev('c', 1), ev('c', 1)])).toEqual([
      { streamId: 'a', expectedVersion: 2, foundVersion: 3 },
      { streamId: 'b', expectedVersion: 1, foundVersion: 2 },
      { streamId: 'c', expectedVersion: 2, foundVersion: 1 },
    ]);
  });
});

describe('double-run detection on given intervals', () => {
  const run = (host: string, start: number, end: number | null, epoch = 1) => ({ pod: 'default/p', uid: 'u1', host, epoch, start, end });
  const fence = (fields: Partial<HostFenceRecord>) => ({ host: 'host-1', fence: { epoch: 1, leaseExpiredAt: iso(1000), pods: ['u1'], ...fields } });

  it('ends open intervals at now and ignores overlaps within the slack', () => {
    expect(findDoubleRuns([run('host-1', 0, null), run('host-2', 500, 900)], [], { now: 10_000 })).toMatchObject([{ ms: 400 }]);
    expect(findDoubleRuns([run('host-1', 0, 1000), run('host-2', 900, null)], [], { now: 10_000, slackMs: 100 })).toEqual([]);
  });

  it('stretches a run to the fence stop time only for the fenced epoch', () => {
    const intervals = [run('host-1', 0, 1000), run('host-2', 1000, null)];
    expect(findDoubleRuns(intervals, [fence({ stoppedAt: iso(1500) })], { now: 9000 })).toMatchObject([{ ms: 500, excuse: expect.any(String) }]);
    expect(findDoubleRuns(intervals, [fence({ epoch: 2, stoppedAt: iso(5000) })], { now: 9000 })).toEqual([]);
    expect(findDoubleRuns(intervals, [fence({})], { now: 9000 })).toEqual([]);
  });

  it('does not excuse an overlap that began before the lease expired', () => {
    const intervals = [run('host-1', 0, 1000), run('host-2', 500, null)];
    const runs = findDoubleRuns(intervals, [fence({ stoppedAt: iso(1200) })], { now: 9000 });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ ms: 700 });
    expect(runs[0].excuse).toBeUndefined();
  });
});
