import { randomUUID } from 'node:crypto';
import { AdmissionRequest, AdmissionResponse, ObjectEventTypes, objectStreamId, PodEventTypes } from '@openpacific/contracts';
import { EventStore } from '@openpacific/event-store';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, eventually, testNatsUrl, TestDatabase, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { Pool } from 'pg';
import { configSchema, PolicyConfig } from '../policy.config';
import { PolicyModule } from '../policy.module';

const NS = 'team-q';
/** A namespace with a BestEffort-scoped quota. */
const SCOPED_NS = 'team-s';
const codec = JSONCodec<unknown>();
const metadata = { actor: 'admin', source: 'test' };

/** ResourceQuota over NATS against two policy replicas, with the objects written to the log as the gateway writes them. */
describe('ResourceQuota admission across policy replicas', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let nc: NatsConnection;
  const replicas: RunningService<PolicyConfig>[] = [];
  const prefix = uniqueNatsPrefix('quota');

  const create = (resource: string, object: any) => {
    object.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return store.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata }]);
  };
  const pod = (name: string, namespace = NS, resources?: any) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: randomUUID() }, spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] },
  });
  const admit = async (object: any, dryRun = false, resource = { group: '', version: 'v1', resource: 'pods' }, kind = 'Pod'): Promise<AdmissionResponse> => {
    const request: AdmissionRequest = {
      uid: randomUUID(), operation: 'CREATE', user: { username: 'admin', groups: ['system:masters'] },
      resource, kind, namespace: object.metadata.namespace, name: object.metadata.name, object, dryRun,
    };
    const reply = await nc.request(`${prefix}.policy.admission`, codec.encode(request), { timeout: 15_000 });
    return codec.decode(reply.data) as AdmissionResponse;
  };
  let admitted: string[] = [];
  const quota = async () => (await store.readStream(objectStreamId('resourcequotas', NS, 'pods'))).at(-1)?.data as any;

  beforeAll(async () => {
    db = await createTestDatabase('policy_quota');
    pool = new Pool({ connectionString: db.url });
    store = new EventStore(pool);
    nc = await connect({ servers: testNatsUrl });
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startService<PolicyConfig>(
          { name: 'policy', configSchema, module: () => PolicyModule },
          { DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn' },
        ),
      );
    }
    // The first replica migrated the database; the objects go to the log as the gateway writes them.
    await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: randomUUID() } });
    await create('resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: NS, uid: randomUUID() }, spec: { hard: { pods: '10' } } });
    // Both replicas must know the quota before the race starts (their read models follow the log).
    await create('resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-configmaps', namespace: NS, uid: randomUUID() }, spec: { hard: { 'count/configmaps': '0' } } });
    await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SCOPED_NS, uid: randomUUID() } });
    await create('resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'best-effort', namespace: SCOPED_NS, uid: randomUUID() }, spec: { hard: { pods: '3' }, scopes: ['BestEffort'] } });
    await create('resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-configmaps', namespace: SCOPED_NS, uid: randomUUID() }, spec: { hard: { 'count/configmaps': '0' } } });
    const probe = async (_: unknown, i: number) => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: i % 2 ? NS : SCOPED_NS, uid: randomUUID() } };
      return admit(cm, true, { group: '', version: 'v1', resource: 'configmaps' }, 'ConfigMap');
    };
    await eventually(async () => {
      const verdicts = await Promise.all(Array.from({ length: 20 }, probe));
      expect(verdicts.every((v) => !v.allowed)).toBe(true);
    }, { timeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await nc?.close();
    await pool?.end();
    await db?.drop();
  });

  it('admits exactly 10 of 50 concurrent pod creates against a quota of 10 pods, the others with kube\'s message', async () => {
    const pods = Array.from({ length: 50 }, (_, i) => pod(`p-${i}`));
    const verdicts = await Promise.all(pods.map((p) => admit(p)));
    const allowed = pods.filter((_, i) => verdicts[i].allowed);
    expect(allowed).toHaveLength(10);
    const refusals = verdicts.filter((v) => !v.allowed);
    expect(refusals).toHaveLength(40);
    for (const r of refusals) {
      expect(r.status).toMatchObject({ code: 403, reason: 'Forbidden' });
      expect(r.status?.message).toMatch(/^pods "p-\d+" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10$/);
    }

    // The admitted pods get written; then the quota's status shows them, and the limit still holds.
    for (const p of allowed) await create('pods', p);
    admitted = allowed.map((p) => p.metadata.name);
    await eventually(async () => expect((await quota()).object.status).toEqual({ hard: { pods: '10' }, used: { pods: '10' } }), { timeoutMs: 15_000 });
    expect((await admit(pod('late'))).allowed).toBe(false);
    // Admitting the same write again (the gateway retrying on a conflict) does not take a second slot.
    expect((await admit(allowed[0])).allowed).toBe(true);
  }, 60_000);

  it('frees the slot of a deleted pod', async () => {
    const name = admitted[0];
    const [last] = (await store.readStream(objectStreamId('pods', NS, name))).slice(-1);
    await store.append(objectStreamId('pods', NS, name), [{ type: ObjectEventTypes.deleted, data: last.data as any, metadata }], { expectedVersion: last.streamVersion });
    await eventually(async () => expect((await admit(pod('after-delete'))).allowed).toBe(true), { timeoutMs: 15_000 });
    expect((await admit(pod('one-too-many'))).allowed).toBe(false);
  }, 60_000);

  it('keeps counting a pod that is bound and running, and frees the slot of one that ended', async () => {
    const next = async (name: string, type: string, change: (object: any) => any) => {
      const [last] = (await store.readStream(objectStreamId('pods', NS, name))).slice(-1);
      const object = change(structuredClone((last.data as any).object));
      await store.append(objectStreamId('pods', NS, name), [{ type, data: { resource: 'pods', object }, metadata }], { expectedVersion: last.streamVersion });
    };
    const bind = (o: any) => ({ ...o, spec: { ...o.spec, nodeName: 'host-1' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } });
    const phase = (p: string) => (o: any) => ({ ...o, status: { ...o.status, phase: p } });
    await eventually(async () => expect((await quota()).object.status.used).toEqual({ pods: '9' }), { timeoutMs: 15_000 });
    const [running, ended] = [admitted[1], admitted[2]];
    for (const name of [running, ended]) {
      await next(name, PodEventTypes.bound, bind);
      await next(name, ObjectEventTypes.statusUpdated, phase('Running'));
    }
    await next(ended, ObjectEventTypes.statusUpdated, phase('Succeeded'));
    // Applied in log order: once the ended pod is off the count, the bindings and Running statuses before it were read.
    await eventually(async () => expect((await quota()).object.status.used).toEqual({ pods: '8' }), { timeoutMs: 15_000 });
  }, 60_000);

  it('a scoped quota is exact under concurrency for the pods it matches, and leaves the others alone', async () => {
    const bestEffort = Array.from({ length: 20 }, (_, i) => pod(`be-${i}`, SCOPED_NS));
    const burstable = Array.from({ length: 5 }, (_, i) => pod(`burstable-${i}`, SCOPED_NS, { requests: { cpu: '100m' } }));
    const verdicts = await Promise.all([...bestEffort, ...burstable].map((p) => admit(p)));
    // Concurrent best-effort creates see each other's reservations; the burstable ones neither count nor wait.
    expect(verdicts.slice(0, 20).filter((v) => v.allowed)).toHaveLength(3);
    expect(verdicts.slice(20).every((v) => v.allowed)).toBe(true);
    for (const v of verdicts.slice(0, 20).filter((r) => !r.allowed)) {
      expect(v.status?.message).toMatch(/^pods "be-\d+" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=3, limited: pods=3$/);
    }
  }, 60_000);
});
