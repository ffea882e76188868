import { randomUUID } from 'node:crypto';
import {
  CLUSTER_CONTENT_LIBRARIES_RESOURCE,
  CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE,
  CONTENT_LIBRARIES_RESOURCE,
  CONTENT_LIBRARY_ITEMS_RESOURCE,
  natsNames,
  ObjectEventTypes,
  objectStreamId,
} from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { PUBLISH_REQUESTS_RESOURCE } from '../publish/publish-request-controller';
import { publishedIds } from '../publish/publish-request.status';
import { R } from '../vms/vm-resources';
import { LibraryItemController } from './library-item-controller';
import { SYSTEM_LIBRARY_NAME } from './library-items';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const NS = 'team-a';
const REGISTRY = 'imageregistry.vmware.com/v1alpha1';

describe('the content library item controller', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let feed: SharedFollower;
  let controller: LibraryItemController;

  async function latest(resource: string, ns: string | undefined, name: string): Promise<{ object: any; version: number; type?: string }> {
    const events = await store.readStream(objectStreamId(resource, ns, name));
    const last = events[events.length - 1];
    return { object: last?.type === ObjectEventTypes.deleted ? undefined : (last?.data as any)?.object, version: last?.streamVersion ?? 0, type: last?.type };
  }

  async function put(resource: string, ns: string | undefined, obj: any): Promise<any> {
    const prev = await latest(resource, ns, obj.metadata.name);
    const object = prev.object
      ? { ...obj, metadata: { ...prev.object.metadata, ...obj.metadata }, status: obj.status ?? prev.object.status }
      : { ...obj, metadata: { ...(ns ? { namespace: ns } : {}), uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1, ...obj.metadata } };
    await store.append(objectStreamId(resource, ns, obj.metadata.name), [{ type: prev.object ? ObjectEventTypes.updated : ObjectEventTypes.created, data: { resource, object }, metadata: META }], {
      expectedVersion: prev.version,
    });
    return object;
  }

  async function remove(resource: string, ns: string | undefined, name: string): Promise<void> {
    const prev = await latest(resource, ns, name);
    await store.append(objectStreamId(resource, ns, name), [{ type: ObjectEventTypes.deleted, data: { resource, object: prev.object }, metadata: META }], { expectedVersion: prev.version });
  }

  const image = (name: string, spec: any, status: any = {}) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineImage', metadata: { name }, spec, status });
  const clusterImage = (name: string, spec: any = {}) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'ClusterVirtualMachineImage', metadata: { name }, spec, status: { name } });
  const itemRef = (name: string, kind = 'ContentLibraryItem') => ({ providerRef: { apiVersion: REGISTRY, kind, name } });
  const item = (name: string) => latest(CONTENT_LIBRARY_ITEMS_RESOURCE, NS, name).then((l) => l.object);
  const clusterItem = (name: string) => latest(CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE, undefined, name).then((l) => l.object);

  beforeAll(async () => {
    db = await createTestDatabase('clitems');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'library-item-controller-test' });
    store = new EventStore(db.pool);
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('clitems')), logger: quiet });
    controller = new LibraryItemController({ store, feed, logger: quiet });
    await feed.start();
    controller.start();
  }, 30_000);

  afterAll(async () => {
    controller?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('provides a ClusterContentLibrary, and gives a cluster image without a providerRef an item in it, keeping its name', async () => {
    const made = await put(R.clusterImages, undefined, clusterImage('ubuntu-22.04'));
    await eventually(async () => expect((await latest(R.clusterImages, undefined, 'ubuntu-22.04')).object.spec.providerRef).toMatchObject({ kind: 'ClusterContentLibraryItem', name: expect.stringMatching(/^clitem-[0-9a-f]{17}$/) }));
    const img = (await latest(R.clusterImages, undefined, 'ubuntu-22.04')).object;
    expect(img.metadata.uid).toBe(made.metadata.uid);
    const library = (await latest(CLUSTER_CONTENT_LIBRARIES_RESOURCE, undefined, SYSTEM_LIBRARY_NAME)).object;
    expect(library.status).toMatchObject({ type: 'Local', conditions: [{ type: 'Ready', status: 'True' }] });
    await eventually(async () => {
      const it = await clusterItem(img.spec.providerRef.name);
      expect(it).toMatchObject({ kind: 'ClusterContentLibraryItem', spec: { uuid: expect.any(String) }, status: { name: 'ubuntu-22.04', type: 'OVF', cached: true, contentLibraryRef: { kind: 'ClusterContentLibrary', name: SYSTEM_LIBRARY_NAME } } });
      expect(it.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ClusterContentLibrary', uid: library.metadata.uid })]);
      const owned = (await latest(R.clusterImages, undefined, 'ubuntu-22.04')).object;
      expect(owned.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ClusterContentLibraryItem', name: it.metadata.name, uid: it.metadata.uid, controller: true })]);
    });
  });

  it("makes a published image's item in the request's library, with its description, and owns the image by it", async () => {
    const lib = await put(CONTENT_LIBRARIES_RESOURCE, NS, { apiVersion: REGISTRY, kind: 'ContentLibrary', metadata: { name: 'team-lib' }, spec: { uuid: randomUUID(), writable: true } });
    const req = await put(PUBLISH_REQUESTS_RESOURCE, NS, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachinePublishRequest', metadata: { name: 'web-1' }, spec: {} });
    const ids = publishedIds(req.metadata.uid, 'team-lib', 'web-golden');
    await put(PUBLISH_REQUESTS_RESOURCE, NS, { ...req, status: { imageName: ids.imageName, targetRef: { item: { name: 'web-golden', description: 'configured web server' }, location: { name: 'team-lib', kind: 'ContentLibrary' } } } });
    await put(R.images, NS, image(ids.imageName, itemRef(ids.itemName), { name: 'web-golden', providerItemID: ids.itemID, providerContentVersion: '1', disks: [{ capacity: '10Gi', size: '2Gi' }], conditions: [{ type: 'Ready', status: 'True' }] }));
    await eventually(async () => {
      const it = await item(ids.itemName);
      expect(it).toMatchObject({
        spec: { uuid: ids.itemID },
        status: { name: 'web-golden', description: 'configured web server', contentLibraryRef: { kind: 'ContentLibrary', name: 'team-lib' }, contentVersion: '1', type: 'OVF', cached: true, sizeInBytes: String(2 * 1024 ** 3), fileInfo: [{ name: 'disk-0.vmdk', sizeInBytes: '2Gi' }] },
      });
      expect(it.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
      expect(it.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ContentLibrary', name: 'team-lib', uid: lib.metadata.uid, controller: true })]);
      expect((await latest(R.images, NS, ids.imageName)).object.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ContentLibraryItem', uid: it.metadata.uid })]);
    });
  });

  it("follows the image's readiness, and deletes the item once its image is gone", async () => {
    await put(R.images, NS, image('vmi-web', itemRef('clitem-web'), { name: 'web', conditions: [{ type: 'Ready', status: 'False', reason: 'ProviderNotReady', message: 'syncing' }] }));
    await eventually(async () => expect((await item('clitem-web'))?.status?.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'ProviderNotReady' })]));
    const unowned = await item('clitem-web');
    expect(unowned.metadata.ownerReferences).toBeUndefined();
    expect(unowned.status.contentLibraryRef).toBeUndefined();
    await put(R.images, NS, { ...image('vmi-web', itemRef('clitem-web')), status: { name: 'web', conditions: [{ type: 'Ready', status: 'True' }] } });
    await eventually(async () => expect((await item('clitem-web')).status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    await remove(R.images, NS, 'vmi-web');
    await eventually(async () => expect((await latest(CONTENT_LIBRARY_ITEMS_RESOURCE, NS, 'clitem-web')).type).toBe(ObjectEventTypes.deleted));
  });

  it('releases the image from an item it no longer names before deleting that item', async () => {
    await put(R.images, NS, image('vmi-moved', itemRef('clitem-old'), { name: 'moved' }));
    await eventually(async () => expect((await latest(R.images, NS, 'vmi-moved')).object.metadata.ownerReferences?.[0]?.name).toBe('clitem-old'));
    const current = (await latest(R.images, NS, 'vmi-moved')).object;
    await put(R.images, NS, { ...current, spec: itemRef('clitem-new') });
    await eventually(async () => {
      expect((await latest(CONTENT_LIBRARY_ITEMS_RESOURCE, NS, 'clitem-old')).type).toBe(ObjectEventTypes.deleted);
      expect((await latest(R.images, NS, 'vmi-moved')).object.metadata.ownerReferences).toEqual([expect.objectContaining({ name: 'clitem-new' })]);
    });
  });

  it('leaves alone an item it did not make, and the image that names it', async () => {
    const mine = await put(CONTENT_LIBRARY_ITEMS_RESOURCE, NS, { apiVersion: REGISTRY, kind: 'ContentLibraryItem', metadata: { name: 'clitem-hand' }, spec: { uuid: randomUUID() }, status: { name: 'by hand' } });
    await put(R.images, NS, image('vmi-hand', itemRef('clitem-hand'), { name: 'hand' }));
    await put(R.clusterImages, undefined, clusterImage('photon-5'));
    // The controller has seen the image once the cluster image written after it has its providerRef.
    await eventually(async () => expect((await latest(R.clusterImages, undefined, 'photon-5')).object.spec.providerRef).toBeDefined());
    const photonItem = (await latest(R.clusterImages, undefined, 'photon-5')).object.spec.providerRef.name;
    await eventually(async () => expect(await clusterItem(photonItem)).toBeDefined());
    const after = await latest(CONTENT_LIBRARY_ITEMS_RESOURCE, NS, 'clitem-hand');
    expect(after.version).toBe(1);
    expect(after.object.metadata.uid).toBe(mine.metadata.uid);
    expect((await latest(R.images, NS, 'vmi-hand')).object.metadata.ownerReferences).toBeUndefined();
    await remove(R.images, NS, 'vmi-hand');
    await remove(R.clusterImages, undefined, 'photon-5');
    // Deleting the cluster image deletes its item; the hand-made item stays as it was.
    await eventually(async () => expect((await latest(CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE, undefined, photonItem)).type).toBe(ObjectEventTypes.deleted));
    expect((await latest(CONTENT_LIBRARY_ITEMS_RESOURCE, NS, 'clitem-hand')).version).toBe(1);
  });
});
