import { randomUUID } from 'node:crypto';
import { natsNames, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, eventually, HeldBackStore, LogHold, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ClusterController, MACHINES_PER_PASS } from './cluster-controller';
import { CR, LABELS } from './objects';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as any;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('the cluster controller scaling a MachineSet', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: HeldBackStore;
  let controller: ClusterController;

  beforeAll(async () => {
    db = await createTestDatabase('clustercontroller');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'cluster-controller-test' });
    // Counts the Machines the controller creates, and can hold the log back from the first of them.
    store = new HeldBackStore(db.pool, (item) => item.streamId.startsWith(`${CR.machines}/`) && item.events.some((e) => e.type === ObjectEventTypes.created));
    controller = new ClusterController({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('cc')), logger: quiet, databaseUrl: db.url, natsUrl: testNatsUrl });
    await controller.start();
  }, 30_000);

  afterAll(async () => {
    // A failed assertion may leave the transaction open; the controller's stop would wait for it.
    await store?.hold?.release();
    await controller?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('makes each missing Machine once while its creates are not yet back from the log', async () => {
    store.hold = new LogHold(db.pool);
    const template = { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', metadata: { name: 'pool-small', namespace: 'default', uid: randomUUID(), creationTimestamp: now() }, spec: { template: { spec: { className: 'small', imageName: 'img', storageClass: 'sc' } } } };
    await store.append(objectStreamId(CR.vsphereMachineTemplates, 'default', 'pool-small'), [{ type: ObjectEventTypes.created, data: { resource: CR.vsphereMachineTemplates, object: template }, metadata: META }], { expectedVersion: 'no_stream' });
    const ms = {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet',
      metadata: { name: 'pool-0123456789', namespace: 'default', uid: randomUUID(), creationTimestamp: now(), labels: { [LABELS.deployment]: 'pool' } },
      spec: { clusterName: 'c1', replicas: 3, template: { metadata: {}, spec: { clusterName: 'c1', version: 'v1.29', bootstrap: {}, infrastructureRef: { apiVersion: template.apiVersion, kind: template.kind, name: 'pool-small' } } } },
    };
    await store.append(objectStreamId(CR.mss, 'default', ms.metadata.name), [{ type: ObjectEventTypes.created, data: { resource: CR.mss, object: ms }, metadata: META }], { expectedVersion: 'no_stream' });
    await eventually(async () => expect(store.hold?.holding).toBe(true), 10_000);
    // The controller's periodic pass (every 3 s) runs while its three creates are held back.
    await new Promise((r) => setTimeout(r, 3500));
    expect(store.attempts).toHaveLength(3);
    await store.hold!.release();
    // Once the log has them, the set has its three and makes no more, nor deletes any.
    await new Promise((r) => setTimeout(r, 1000));
    expect(store.attempts).toHaveLength(3);
    const machines = (await store.readAll({ limit: 10_000 })).filter((e) => e.streamId.startsWith(`${CR.machines}/`));
    expect(machines.filter((e) => e.type === ObjectEventTypes.deleted)).toHaveLength(0);
    expect(new Set(machines.filter((e) => e.type === ObjectEventTypes.created).map((e) => e.streamId)).size).toBe(3);
  }, 30_000);

  it('reconciles every other object while one cannot be (a MachineHealthCheck without a spec threw in every pass)', async () => {
    const broken = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name: 'no-spec', namespace: 'other', uid: randomUUID(), creationTimestamp: now() } };
    await store.append(objectStreamId(CR.mhcs, 'other', 'no-spec'), [{ type: ObjectEventTypes.created, data: { resource: CR.mhcs, object: broken }, metadata: META }], { expectedVersion: 'no_stream' });
    const ms = {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet',
      metadata: { name: 'after-0123456789', namespace: 'default', uid: randomUUID(), creationTimestamp: now(), labels: { [LABELS.deployment]: 'after' } },
      spec: { clusterName: 'c1', replicas: 1, template: { metadata: {}, spec: { clusterName: 'c1', version: 'v1.29', bootstrap: {}, infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'pool-small' } } } },
    };
    await store.append(objectStreamId(CR.mss, 'default', ms.metadata.name), [{ type: ObjectEventTypes.created, data: { resource: CR.mss, object: ms }, metadata: META }], { expectedVersion: 'no_stream' });
    await eventually(async () => expect(store.attempts.some((streamId) => streamId.includes('/after-'))).toBe(true), 10_000);
  }, 20_000);

  it(`keeps at most ${MACHINES_PER_PASS} Machines on their way to the log, however many a set asks for (2^31 ran it out of memory)`, async () => {
    store.attempts.length = 0;
    store.hold = new LogHold(db.pool);
    const ms = {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet',
      metadata: { name: 'huge-0123456789', namespace: 'default', uid: randomUUID(), creationTimestamp: now(), labels: { [LABELS.deployment]: 'huge' } },
      spec: { clusterName: 'c1', replicas: 2 ** 31 - 1, template: { metadata: {}, spec: { clusterName: 'c1', version: 'v1.29', bootstrap: {}, infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'pool-small' } } } },
    };
    await store.append(objectStreamId(CR.mss, 'default', ms.metadata.name), [{ type: ObjectEventTypes.created, data: { resource: CR.mss, object: ms }, metadata: META }], { expectedVersion: 'no_stream' });
    await eventually(async () => expect(store.hold?.holding).toBe(true), 10_000);
    // A periodic pass runs while the first pass's creates are held back: it makes none again, and none past the cap.
    await new Promise((r) => setTimeout(r, 3500));
    // Distinct Machines: a write that fails is tried again under the same name, or (its expectation dropped) replaced
    // by a new one, so a loaded machine may see a few more than the cap; without it the pass would make 2^31 - 1.
    const hugeMachines = () => new Set(store.attempts.filter((streamId) => streamId.includes('/huge-'))).size;
    expect(hugeMachines()).toBeGreaterThan(0);
    expect(hugeMachines()).toBeLessThan(2 * MACHINES_PER_PASS);
    await store.hold!.release();
    // The next passes go on, a batch at a time.
    await eventually(async () => expect(hugeMachines()).toBeGreaterThan(MACHINES_PER_PASS), 15_000);
  }, 40_000);
});
