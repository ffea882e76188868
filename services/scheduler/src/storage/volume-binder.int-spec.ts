import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStorageClass, natsNames, ObjectEventTypes, objectStreamId, PVCS_RESOURCE, PVS_RESOURCE, STORAGE_CLASSES_RESOURCE, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { SharedFollower } from '@openpacific/objects';
import { INSUFFICIENT_CAPACITY, VolumeBinder } from './volume-binder';

const GI = 2 ** 30;
const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

describe('the volume binder', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let binder: VolumeBinder;
  let log: SharedFollower;
  let datastore: string;

  beforeAll(async () => {
    db = await createTestDatabase('volumebinder');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'volume-binder-test' });
    store = new EventStore(db.pool);
    datastore = join(mkdtempSync(join(tmpdir(), 'op-datastore-')), 'datastore');
    const deps = { store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vb')), logger: quiet };
    log = new SharedFollower(deps);
    binder = new VolumeBinder({ ...deps, log }, { datastoreDir: datastore, datastoreCapacityBytes: 3 * GI, resyncMs: 500 });
    await log.start();
    binder.start();
    await create(STORAGE_CLASSES_RESOURCE, defaultStorageClass());
    await create(STORAGE_CLASSES_RESOURCE, { ...defaultStorageClass(), metadata: { name: 'keep' }, reclaimPolicy: 'Retain' });
  }, 30_000);

  afterAll(async () => {
    binder?.stop();
    await log?.stop();
    await nc?.close();
    await db?.drop();
    rmSync(join(datastore, '..'), { recursive: true, force: true });
  });

  async function create(resource: string, obj: any): Promise<any> {
    const object = { ...obj, metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1 } };
    await store.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
    return object;
  }

  /** The object as its stream last left it (undefined once deleted), with the stream's version. */
  async function latest(resource: string, namespace: string | undefined, name: string): Promise<{ object?: any; version: number }> {
    const events = await store.readStream(objectStreamId(resource, namespace, name));
    const last = events[events.length - 1];
    return { object: last && last.type !== ObjectEventTypes.deleted ? last.data.object : undefined, version: last?.streamVersion ?? 0 };
  }

  async function deleteClaim(name: string): Promise<void> {
    const { object, version } = await latest(PVCS_RESOURCE, 'team-a', name);
    await store.append(objectStreamId(PVCS_RESOURCE, 'team-a', name), [{ type: ObjectEventTypes.deleted, data: { resource: PVCS_RESOURCE, object }, metadata: META }], { expectedVersion: version });
  }

  const claim = (name: string, storage: string, storageClassName?: string) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'team-a' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, volumeMode: 'Filesystem', ...(storageClassName ? { storageClassName } : {}) },
    status: { phase: 'Pending' },
  });

  async function boundClaim(name: string): Promise<{ claim: any; pv: any }> {
    return eventually(async () => {
      const { object } = await latest(PVCS_RESOURCE, 'team-a', name);
      expect(object.status.phase).toBe('Bound');
      const { object: pv } = await latest(PVS_RESOURCE, undefined, object.spec.volumeName);
      return { claim: object, pv };
    });
  }

  it('provisions a directory of the datastore for a claim of the default class, binds both, and deletes both with the claim', async () => {
    const made = await create(PVCS_RESOURCE, claim('data', '1Gi'));
    const { claim: bound, pv } = await boundClaim('data');
    expect(bound.spec).toMatchObject({ volumeName: `pvc-${made.metadata.uid}`, storageClassName: 'vsan-default-storage-policy' });
    expect(bound.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    expect(pv.spec).toMatchObject({ capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: join(datastore, pv.metadata.name) } });
    expect(pv.spec.claimRef).toMatchObject({ namespace: 'team-a', name: 'data', uid: made.metadata.uid });
    expect(pv.status.phase).toBe('Bound');
    expect(existsSync(pv.spec.hostPath.path)).toBe(true);

    await deleteClaim('data');
    await eventually(async () => expect((await latest(PVS_RESOURCE, undefined, pv.metadata.name)).object).toBeUndefined());
    expect(existsSync(pv.spec.hostPath.path)).toBe(false);
  });

  it('keeps a claim being deleted while a pod or VM uses it (pvc-protection), then deletes it and its volume', async () => {
    const made = await create(PVCS_RESOURCE, { ...claim('used', '1Gi'), metadata: { name: 'used', namespace: 'team-a', finalizers: ['kubernetes.io/pvc-protection'] } });
    const { claim: bound, pv } = await boundClaim('used');
    const pod = await create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'team-a' },
      spec: { nodeName: 'esx-01', containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'used' } }] },
    });
    const vm = await create(VIRTUAL_MACHINES_RESOURCE, {
      apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'db', namespace: 'team-a' },
      spec: { className: 'small', imageName: 'photon', volumes: [{ name: 'disk', persistentVolumeClaim: { claimName: 'used' } }] },
    });
    // Deleted through the API: the finalizer keeps it, with a deletion timestamp.
    const { version } = await latest(PVCS_RESOURCE, 'team-a', 'used');
    const deleting = { ...bound, metadata: { ...bound.metadata, deletionTimestamp: new Date().toISOString() } };
    await store.append(objectStreamId(PVCS_RESOURCE, 'team-a', 'used'), [{ type: ObjectEventTypes.updated, data: { resource: PVCS_RESOURCE, object: deleting }, metadata: META }], { expectedVersion: version });
    const remove = async (resource: string, namespace: string, name: string) => {
      const last = await latest(resource, namespace, name);
      await store.append(objectStreamId(resource, namespace, name), [{ type: ObjectEventTypes.deleted, data: { resource, object: last.object }, metadata: META }], { expectedVersion: last.version });
    };
    await remove('pods', 'team-a', pod.metadata.name);
    await new Promise((r) => setTimeout(r, 1000));
    // The VM still has the disk attached.
    expect((await latest(PVCS_RESOURCE, 'team-a', 'used')).object?.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(existsSync(pv.spec.hostPath.path)).toBe(true);
    await remove(VIRTUAL_MACHINES_RESOURCE, 'team-a', vm.metadata.name);
    await eventually(async () => expect((await latest(PVCS_RESOURCE, 'team-a', 'used')).object).toBeUndefined());
    await eventually(async () => expect((await latest(PVS_RESOURCE, undefined, pv.metadata.name)).object).toBeUndefined());
    expect(existsSync(pv.spec.hostPath.path)).toBe(false);
    expect(made.metadata.uid).toBe(bound.metadata.uid);
  });

  it('gives a provisioned volume pv-protection, and lets a volume being deleted go only once no claim is bound to it', async () => {
    await create(PVCS_RESOURCE, claim('held', '1Gi', 'keep'));
    const { pv } = await boundClaim('held');
    expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    const { version } = await latest(PVS_RESOURCE, undefined, pv.metadata.name);
    await store.append(objectStreamId(PVS_RESOURCE, undefined, pv.metadata.name), [{ type: ObjectEventTypes.updated, data: { resource: PVS_RESOURCE, object: { ...pv, metadata: { ...pv.metadata, deletionTimestamp: new Date().toISOString() } } }, metadata: META }], { expectedVersion: version });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await latest(PVS_RESOURCE, undefined, pv.metadata.name)).object?.status.phase).toBe('Bound');
    // Its claim goes: Retain releases it, and, being deleted, it goes (its data stays, as Retain says).
    await deleteClaim('held');
    await eventually(async () => expect((await latest(PVS_RESOURCE, undefined, pv.metadata.name)).object).toBeUndefined());
    expect(existsSync(pv.spec.hostPath.path)).toBe(true);
  });

  it('releases a Retain volume when its claim goes, keeping the data', async () => {
    await create(PVCS_RESOURCE, claim('keepme', '1Gi', 'keep'));
    const { pv } = await boundClaim('keepme');
    writeFileSync(join(pv.spec.hostPath.path, 'note.txt'), 'hello');

    await deleteClaim('keepme');
    await eventually(async () => expect((await latest(PVS_RESOURCE, undefined, pv.metadata.name)).object.status.phase).toBe('Released'));
    expect(readFileSync(join(pv.spec.hostPath.path, 'note.txt'), 'utf8')).toBe('hello');
  });

  it('leaves a claim that does not fit the datastore Pending with a ProvisioningFailed event, once', async () => {
    // 1Gi of the 3Gi is held by the released volume above.
    await create(PVCS_RESOURCE, claim('huge', '3Gi'));
    const failures = async () => {
      const streams = await store.listStreams('events/team-a/huge.');
      const events = await Promise.all(streams.map(async (s) => (await store.readStream(s.streamId))[0].data.object));
      return events.filter((e) => e.reason === 'ProvisioningFailed');
    };
    await eventually(async () => expect(await failures()).toEqual([expect.objectContaining({ type: 'Warning', message: INSUFFICIENT_CAPACITY })]));
    await new Promise((r) => setTimeout(r, 1200)); // two resyncs: still one event
    expect(await failures()).toHaveLength(1);
    expect((await latest(PVCS_RESOURCE, 'team-a', 'huge')).object.status.phase).toBe('Pending');
  });

  it('binds a claim to a fitting volume the administrator created, the smallest that fits', async () => {
    const pv = (name: string, storage: string) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'manual', hostPath: { path: `/srv/${name}` } },
      status: { phase: 'Pending' },
    });
    await create(PVS_RESOURCE, pv('manual-big', '5Gi'));
    await create(PVS_RESOURCE, pv('manual-small', '2Gi'));
    await eventually(async () => expect((await latest(PVS_RESOURCE, undefined, 'manual-small')).object.status.phase).toBe('Available'));
    await create(PVCS_RESOURCE, claim('static', '1Gi', 'manual'));
    const { claim: bound, pv: taken } = await boundClaim('static');
    expect(bound.spec.volumeName).toBe('manual-small');
    expect(bound.status.capacity).toEqual({ storage: '2Gi' });
    expect(taken.spec.claimRef).toMatchObject({ name: 'static', namespace: 'team-a' });
    expect((await latest(PVS_RESOURCE, undefined, 'manual-big')).object.status.phase).toBe('Available');
  });
});
