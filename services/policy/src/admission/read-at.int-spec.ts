import { randomUUID } from 'node:crypto';
import { AdmissionRequest, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, LogPosition } from '@openpacific/event-store';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, testNatsUrl, TestDatabase, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { Pool } from 'pg';
import { configSchema, PolicyConfig } from '../policy.config';
import { PolicyModule } from '../policy.module';

const codec = JSONCodec<any>();
const metadata = { actor: 'admin', source: 'test' };

/**
 * The gateway's read position (`readAt`) on an admission batch: LimitRanger and PodSecurity decide on the log
 * at least that far. The objects are appended without any wake-up (no NOTIFY, no NATS poke), as a write whose
 * wake-up was lost, so only waiting for the position (or the poll, a quarter of a second later) brings them in.
 */
describe('admission at the gateway\'s read position (real Postgres and NATS)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let quiet: EventStore;
  let nc: NatsConnection;
  let policy: RunningService<PolicyConfig>;
  const prefix = uniqueNatsPrefix('readat');

  beforeAll(async () => {
    db = await createTestDatabase('policy_readat');
    policy = await startService<PolicyConfig>(
      { name: 'policy', configSchema, module: () => PolicyModule },
      { DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn' },
    );
    pool = new Pool({ connectionString: db.url });
    quiet = new EventStore(pool, { notify: false });
    nc = await connect({ servers: testNatsUrl });
  }, 30_000);

  afterAll(async () => {
    await policy?.stop();
    await nc?.close();
    await pool?.end();
    await db?.drop();
  });

  const create = async (resource: string, object: any): Promise<LogPosition> => {
    object.metadata.uid ??= randomUUID();
    object.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const { events } = await quiet.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [
      { type: ObjectEventTypes.created, data: { resource, object }, metadata },
    ]);
    return events[0];
  };
  const limits = (ns: string) => ({
    apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: ns },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] },
  });
  const podRequest = (ns: string, name: string): AdmissionRequest => ({
    uid: randomUUID(), operation: 'CREATE', user: { username: 'admin', groups: ['system:masters'] },
    resource: { group: '', version: 'v1', resource: 'pods' }, kind: 'Pod', namespace: ns, name,
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, uid: randomUUID() }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    dryRun: false,
  });
  const ask = async (message: unknown) => codec.decode((await nc.request(`${prefix}.policy.admission`, codec.encode(message), { timeout: 10_000 })).data);
  const readAt = (p: LogPosition) => ({ transactionId: p.transactionId.toString(), position: p.position.toString() });

  it('applies a LimitRange written just before, when the batch names its position', async () => {
    // Several namespaces: a decision that did not wait would miss the LimitRange in most of them.
    for (const ns of ['ra-1', 'ra-2', 'ra-3', 'ra-4']) {
      const at = await create('limitranges', limits(ns));
      const answer = await ask({ batch: [podRequest(ns, 'web')], readAt: readAt(at) });
      expect(answer.batch[0]).toMatchObject({ allowed: true });
      expect(answer.batch[0].patchedObject.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    }
  });

  it('applies it to every review of a batch, and of batches asked at once, which share one wait for the position', async () => {
    const ns = 'ra-batch';
    const at = await create('limitranges', limits(ns));
    const batches = [0, 1, 2].map((b) => ({ batch: Array.from({ length: 20 }, (_, i) => podRequest(ns, `web-${b}-${i}`)), readAt: readAt(at) }));
    const answers = await Promise.all(batches.map(ask));
    for (const answer of answers) {
      expect(answer.batch).toHaveLength(20);
      for (const item of answer.batch) expect(item.patchedObject.spec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
    }
  });

  it('refuses by a namespace label written just before (PodSecurity), at the named position', async () => {
    const ns = 'ra-restricted';
    const at = await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    const answer = await ask({ batch: [podRequest(ns, 'web')], readAt: readAt(at) });
    expect(answer.batch[0]).toMatchObject({ allowed: false, status: { code: 403 } });
  });

  it('reads the log to its end without a position, or with a malformed one', async () => {
    for (const [ns, position] of [['ra-none', undefined], ['ra-bad', { transactionId: 'x', position: '-1' }]] as const) {
      await create('limitranges', limits(ns));
      const answer = await ask({ batch: [podRequest(ns, 'web')], ...(position ? { readAt: position } : {}) });
      expect(answer.batch[0].patchedObject.spec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
    }
  });

  it('still answers when the position is beyond the log (a follower that cannot get there), deciding on the log as it is', async () => {
    const ns = 'ra-beyond';
    const at = await create('limitranges', limits(ns));
    const answer = await ask({ batch: [podRequest(ns, 'web')], readAt: readAt({ transactionId: at.transactionId + 1_000_000n, position: at.position }) });
    expect(answer.batch[0].patchedObject.spec.containers[0].resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
  });
});
