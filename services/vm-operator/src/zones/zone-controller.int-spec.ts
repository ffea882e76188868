import { randomUUID } from 'node:crypto';
import { AVAILABILITY_ZONES_RESOURCE, HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, OFFERED_ZONES_ANNOTATION, ZONES_RESOURCE } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ZoneController } from './zone-controller';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const ZONE = 'topology.kubernetes.io/zone';

describe('the zone controller', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let feed: SharedFollower;
  let controller: ZoneController;

  async function latest(resource: string, ns: string | undefined, name: string): Promise<{ object: any; version: number; types: string[] }> {
    const events = await store.readStream(objectStreamId(resource, ns, name));
    const last = events[events.length - 1];
    return { object: last?.type === ObjectEventTypes.deleted ? undefined : (last?.data as any)?.object, version: last?.streamVersion ?? 0, types: events.map((e) => e.type) };
  }

  async function put(resource: string, obj: any): Promise<void> {
    const { namespace, name } = obj.metadata;
    const prev = await latest(resource, namespace, name);
    const object = prev.object
      ? { ...obj, metadata: { ...prev.object.metadata, ...obj.metadata } }
      : { ...obj, metadata: { uid: randomUUID(), creationTimestamp: new Date().toISOString(), ...obj.metadata } };
    await store.append(objectStreamId(resource, namespace, name), [{ type: prev.object ? ObjectEventTypes.updated : ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: prev.version });
  }

  async function remove(resource: string, ns: string | undefined, name: string): Promise<void> {
    const prev = await latest(resource, ns, name);
    await store.append(objectStreamId(resource, ns, name), [{ type: ObjectEventTypes.deleted, data: { resource, object: prev.object }, metadata: META }], { expectedVersion: prev.version });
  }

  const host = (name: string, zone?: string) => ({ apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { [ZONE]: zone } : {}) } }, spec: {} });
  const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  const names = async (resource: string, ns?: string): Promise<string[]> => {
    const { rows } = await db.pool.query<{ stream_id: string }>('SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE $1', [`${objectStreamId(resource, ns, '')}%`]);
    const live: string[] = [];
    for (const { stream_id } of rows) {
      const name = stream_id.slice(objectStreamId(resource, ns, '').length);
      if ((await latest(resource, ns, name)).object) live.push(name);
    }
    return live.sort();
  };

  beforeAll(async () => {
    db = await createTestDatabase('zones');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'zone-controller-test' });
    store = new EventStore(db.pool);
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('zones')), logger: quiet });
    controller = new ZoneController({ store, feed, logger: quiet });
    await put('namespaces', namespace('plain'));
    await put(HOSTS_RESOURCE, host('host-0'));
    await feed.start();
    controller.start();
  }, 30_000);

  afterAll(async () => {
    controller?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('makes nothing while no host is in a zone', async () => {
    await new Promise((r) => setTimeout(r, 700));
    expect(await names(AVAILABILITY_ZONES_RESOURCE)).toEqual([]);
    expect(await names(ZONES_RESOURCE, 'plain')).toEqual([]);
    expect((await latest('namespaces', undefined, 'plain')).types).toEqual([ObjectEventTypes.created]);
  });

  it('makes an AvailabilityZone per zone of the hosts, and a Zone of each in every namespace but the system ones', async () => {
    await put(HOSTS_RESOURCE, host('host-1', 'zone-a'));
    await put(HOSTS_RESOURCE, host('host-2', 'zone-b'));
    await put(HOSTS_RESOURCE, host('host-3', 'zone-b'));
    await put('namespaces', namespace('kube-system'));
    await eventually(async () => {
      expect(await names(AVAILABILITY_ZONES_RESOURCE)).toEqual(['zone-a', 'zone-b']);
      expect(await names(ZONES_RESOURCE, 'plain')).toEqual(['zone-a', 'zone-b']);
    }, { timeoutMs: 10_000 });
    const az = (await latest(AVAILABILITY_ZONES_RESOURCE, undefined, 'zone-b')).object;
    const ns = (await latest('namespaces', undefined, 'plain')).object;
    await eventually(async () => {
      expect((await latest(AVAILABILITY_ZONES_RESOURCE, undefined, 'zone-b')).object.spec).toEqual({
        clusterComputeResourceMoIDs: ['host-2', 'host-3'],
        namespaces: { plain: { folderMoId: ns.metadata.uid, poolMoIDs: [`${ns.metadata.uid}/zone-b`] } },
      });
    }, { timeoutMs: 10_000 });
    expect(az.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'vm-operator' });
    const zone = (await latest(ZONES_RESOURCE, 'plain', 'zone-b')).object;
    expect(zone.spec).toEqual({
      availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name: 'zone-b' },
      namespace: { clusterMoIDs: ['host-2', 'host-3'], folderMoID: ns.metadata.uid, poolMoIDs: [`${ns.metadata.uid}/zone-b`] },
    });
    expect(ns.metadata.annotations[OFFERED_ZONES_ANNOTATION]).toBe('zone-a,zone-b');
    expect(await names(ZONES_RESOURCE, 'kube-system')).toEqual([]);
  }, 20_000);

  it('does not make again a Zone an admin deleted, and gives a new namespace every zone', async () => {
    await remove(ZONES_RESOURCE, 'plain', 'zone-a');
    await put('namespaces', namespace('fresh'));
    await eventually(async () => expect(await names(ZONES_RESOURCE, 'fresh')).toEqual(['zone-a', 'zone-b']), { timeoutMs: 10_000 });
    // Passes ran after the deletion (the new namespace's Zones were made since): zone-a was not made again.
    await new Promise((r) => setTimeout(r, 700));
    expect(await names(ZONES_RESOURCE, 'plain')).toEqual(['zone-b']);
    await eventually(async () => expect(Object.keys((await latest(AVAILABILITY_ZONES_RESOURCE, undefined, 'zone-a')).object.spec.namespaces)).toEqual(['fresh']), { timeoutMs: 10_000 });
  }, 20_000);

  it('follows hosts: a host joining a zone is listed, a zone no host is in any more goes with its Zones, and comes back offered afresh', async () => {
    await put(HOSTS_RESOURCE, host('host-4', 'zone-a'));
    await eventually(async () => expect((await latest(ZONES_RESOURCE, 'fresh', 'zone-a')).object.spec.namespace.clusterMoIDs).toEqual(['host-1', 'host-4']), { timeoutMs: 10_000 });
    await remove(HOSTS_RESOURCE, undefined, 'host-1');
    await put(HOSTS_RESOURCE, host('host-4'));
    await eventually(async () => {
      expect(await names(AVAILABILITY_ZONES_RESOURCE)).toEqual(['zone-b']);
      expect(await names(ZONES_RESOURCE, 'fresh')).toEqual(['zone-b']);
      expect((await latest('namespaces', undefined, 'plain')).object.metadata.annotations[OFFERED_ZONES_ANNOTATION]).toBe('zone-b');
    }, { timeoutMs: 10_000 });
    await put(HOSTS_RESOURCE, host('host-4', 'zone-a'));
    await eventually(async () => {
      expect(await names(ZONES_RESOURCE, 'plain')).toEqual(['zone-a', 'zone-b']);
      expect(await names(ZONES_RESOURCE, 'fresh')).toEqual(['zone-a', 'zone-b']);
    }, { timeoutMs: 10_000 });
  }, 30_000);

  it('offers an AvailabilityZone an admin made, and never deletes it', async () => {
    await put(AVAILABILITY_ZONES_RESOURCE, { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', kind: 'AvailabilityZone', metadata: { name: 'zone-x' }, spec: {} });
    await eventually(async () => expect(await names(ZONES_RESOURCE, 'plain')).toEqual(['zone-a', 'zone-b', 'zone-x']), { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 700));
    expect((await latest(AVAILABILITY_ZONES_RESOURCE, undefined, 'zone-x')).object.spec).toEqual({});
  }, 20_000);
});
