import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, PodEventTypes } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { HOST_EPOCH_ANNOTATION, ObjectFold, objectOfStream, SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { VolumeBinder } from '../storage/volume-binder';
import { PodScheduler } from './pod-scheduler';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('the pod scheduler on a follower shared with the volume binder', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let log: SharedFollower;
  let scheduler: PodScheduler;
  let binder: VolumeBinder;
  let datastore: string;

  async function create(resource: string, object: any): Promise<void> {
    const { namespace, name } = object.metadata;
    await store.append(objectStreamId(resource, namespace, name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
  }

  const host = (name: string, pods: number) => ({
    apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, uid: randomUUID(), creationTimestamp: now(), labels: { 'kubernetes.io/hostname': name } }, spec: {},
    status: { epoch: 3, allocatable: { cpu: '4', memory: '8Gi', pods: String(pods) }, conditions: [{ type: 'Ready', status: 'True', reason: 'HostReady', message: '', lastTransitionTime: now() }] },
  });
  const pod = (name: string, owner?: string) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: now(), ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    status: { phase: 'Pending' },
  });

  /** Each pod's last PodBound, by pod name. */
  async function bindings(): Promise<Map<string, any>> {
    const out = new Map<string, any>();
    const fold = new ObjectFold();
    for (const e of await store.readAll({ limit: 10_000 })) {
      const object = fold.apply(e);
      if (e.type === PodEventTypes.bound) out.set(object.metadata.name, object);
    }
    return out;
  }

  async function currentPod(name: string): Promise<any> {
    return objectOfStream(await store.readStream(objectStreamId('pods', 'default', name)));
  }

  /** Appends `type` to the pod's stream with the pod as `edit` leaves it, at its current version. */
  async function changePod(name: string, type: string, edit: (pod: any) => any): Promise<void> {
    const streamId = objectStreamId('pods', 'default', name);
    const events = await store.readStream(streamId);
    const object = edit(objectOfStream(events));
    await store.append(streamId, [{ type, data: { resource: 'pods', object }, metadata: META }], { expectedVersion: events.length });
  }

  beforeAll(async () => {
    db = await createTestDatabase('podscheduler');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'pod-scheduler-test' });
    store = new EventStore(db.pool);
    datastore = join(mkdtempSync(join(tmpdir(), 'op-datastore-')), 'datastore');
    await create(HOSTS_RESOURCE, host('host-a', 4));
    await create(HOSTS_RESOURCE, host('host-b', 4));
    // Pending before the scheduler starts: found by the replay.
    await create('pods', pod('early'));
    const deps = { store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('ps')), logger: quiet };
    log = new SharedFollower(deps);
    scheduler = new PodScheduler({ ...deps, log });
    binder = new VolumeBinder({ ...deps, log }, { datastoreDir: datastore, resyncMs: 500 });
    await log.start();
    scheduler.start();
    binder.start();
  }, 30_000);

  afterAll(async () => {
    await scheduler?.stop();
    binder?.stop();
    await log?.stop();
    await nc?.close();
    await db?.drop();
    rmSync(join(datastore, '..'), { recursive: true, force: true });
  });

  it('binds the pods pending at start and those created after, each once, spreading one owner\'s pods', async () => {
    for (const name of ['rs-1', 'rs-2']) await create('pods', pod(name, 'owner-1'));
    await create('pods', pod('late'));
    await eventually(async () => expect([...(await bindings()).keys()].sort()).toEqual(['early', 'late', 'rs-1', 'rs-2']), 15_000);
    const bound = await bindings();
    expect(new Set([bound.get('rs-1').spec.nodeName, bound.get('rs-2').spec.nodeName]).size).toBe(2);
    expect(bound.get('early').metadata.annotations[HOST_EPOCH_ANNOTATION]).toBe('3');
    const events = (await store.readAll({ limit: 10_000 })).filter((e) => e.type === ObjectEventTypes.created && (e.data as any).resource === 'events');
    const scheduled = events.map((e) => (e.data as any).object).filter((o) => o.reason === 'Scheduled');
    expect(scheduled.map((o) => o.involvedObject.name).sort()).toEqual(['early', 'late', 'rs-1', 'rs-2']);
    expect(new Set(scheduled.map((o) => o.metadata.name)).size).toBe(4);
  }, 30_000);

  it('reports a pod that fits nowhere once, and binds it when room appears', async () => {
    // 8 slots, 4 taken: four more fill them, the fifth waits.
    for (let i = 0; i < 5; i++) await create('pods', pod(`fill-${i}`));
    await eventually(async () => expect((await bindings()).size).toBe(8), 15_000);
    // The fifth pod's verdict may come in a later pass than the eighth binding.
    const waiting = await eventually(async () => {
      const statuses = (await store.readAll({ limit: 10_000 })).filter((e) => e.type === ObjectEventTypes.statusUpdated && (e.data as any).resource === 'pods');
      const found = statuses.map((e) => (e.data as any).object).find((o) => o.status.conditions?.some((c: any) => c.reason === 'Unschedulable'));
      expect(found).toBeDefined();
      return found;
    });
    expect(waiting.status.conditions.find((c: any) => c.type === 'PodScheduled').message).toBe('0/2 hosts are available: 2 Too many pods. preemption: 0/2 hosts are available: 2 No preemption victims found for incoming pod..');
    await create(HOSTS_RESOURCE, host('host-c', 4));
    await eventually(async () => expect((await bindings()).get(waiting.metadata.name)?.spec.nodeName).toBe('host-c'), 15_000);
  }, 40_000);

  it('gives a host its room back when a pod on it is deleted or finishes, and counts nothing for a binding it lost', async () => {
    // host-c's last three slots go; then every host is full.
    for (let i = 0; i < 3; i++) await create('pods', pod(`c-${i}`));
    await eventually(async () => expect((await bindings()).size).toBe(12), 15_000);
    const onHost = (name: string) => [...bindings_].filter(([, p]) => p.spec.nodeName === name).map(([n]) => n).sort();
    let bindings_ = await bindings();
    const [gone, done] = [onHost('host-a')[0], onHost('host-b')[0]];
    await changePod(gone, ObjectEventTypes.deleted, (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: now() } }));
    await changePod(done, ObjectEventTypes.statusUpdated, (p) => ({ ...p, status: { ...p.status, phase: 'Succeeded' } }));
    for (let i = 0; i < 3; i++) await create('pods', pod(`again-${i}`));
    await eventually(async () => {
      bindings_ = await bindings();
      const placed = ['again-0', 'again-1', 'again-2'].filter((n) => bindings_.has(n));
      expect(placed).toHaveLength(2);
      expect(placed.map((n) => bindings_.get(n).spec.nodeName).sort()).toEqual(['host-a', 'host-b']);
    }, 15_000);
    // The third waits: nothing was counted twice or lost on the way.
    const left = ['again-0', 'again-1', 'again-2'].find((n) => !bindings_.has(n))!;
    await eventually(async () => expect((await currentPod(left)).status.conditions?.find((c: any) => c.type === 'PodScheduled')?.message).toBe('0/3 hosts are available: 3 Too many pods. preemption: 0/3 hosts are available: 3 No preemption victims found for incoming pod..'), 15_000);
  }, 40_000);
});
