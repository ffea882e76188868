import { randomUUID } from 'node:crypto';
import { HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, OFFERED_ZONES_ANNOTATION, ZONES_RESOURCE } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower, VM_PLACEMENT_ANNOTATION } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { PodScheduler } from '../pods/pod-scheduler';
import { VMS } from './vm-workloads';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const ZONE = 'topology.kubernetes.io/zone';

describe('the scheduler placing VMs in zones', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let log: SharedFollower;
  let scheduler: PodScheduler;

  async function create(resource: string, object: any): Promise<void> {
    const { namespace, name } = object.metadata;
    await store.append(objectStreamId(resource, namespace, name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
  }
  async function latest(resource: string, ns: string | undefined, name: string): Promise<{ object: any; version: number }> {
    const events = await store.readStream(objectStreamId(resource, ns, name));
    return { object: (events[events.length - 1]?.data as any)?.object, version: events[events.length - 1]?.streamVersion ?? 0 };
  }

  const host = (name: string, zone?: string) => ({
    apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, uid: randomUUID(), creationTimestamp: now(), labels: { 'kubernetes.io/hostname': name, ...(zone ? { [ZONE]: zone } : {}) } }, spec: {},
    status: { epoch: 1, allocatable: { cpu: '4', memory: '8Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True', reason: 'HostReady', message: '', lastTransitionTime: now() }] },
  });
  const namespace = (name: string, offered?: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: randomUUID(), creationTimestamp: now(), ...(offered ? { annotations: { [OFFERED_ZONES_ANNOTATION]: offered } } : {}) }, status: { phase: 'Active' } });
  const zone = (ns: string, name: string) => ({ apiVersion: 'topology.tanzu.vmware.com/v1alpha1', kind: 'Zone', metadata: { name, namespace: ns, uid: randomUUID(), creationTimestamp: now() }, spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name } } });
  /** A VM as the vm-operator leaves it for the scheduler: resolved (the placement annotation), on no host yet. */
  const vm = (ns: string, name: string, labels: Record<string, string> = {}, cpus = 1) => ({
    apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine',
    metadata: {
      name, namespace: ns, uid: randomUUID(), creationTimestamp: now(), labels,
      annotations: { [VM_PLACEMENT_ANNOTATION]: JSON.stringify({ className: 'small', cpus, memoryBytes: 2 ** 30, requests: { cpuMillis: 100, memoryBytes: 2 ** 20 }, image: { kind: 'VirtualMachineImage', name: 'img' }, ports: [], ip: '10.0.0.5' }) },
    },
    spec: { className: 'small', imageName: 'img', powerState: 'PoweredOn' },
    status: {},
  });
  const placed = (ns: string, name: string) => eventually(async () => {
    const object = (await latest(VMS, ns, name)).object;
    expect(object.status.nodeName).toBeDefined();
    return object;
  }, { timeoutMs: 10_000 });

  beforeAll(async () => {
    db = await createTestDatabase('vmzones');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'vm-zones-test' });
    store = new EventStore(db.pool);
    for (const [name, z] of [['host-a', 'zone-a'], ['host-b', 'zone-b'], ['host-c', 'zone-c'], ['host-n', undefined]]) await create(HOSTS_RESOURCE, host(name!, z));
    await create('namespaces', namespace('plain'));
    await create('namespaces', namespace('zoned', 'zone-a,zone-b,zone-c'));
    await create(ZONES_RESOURCE, zone('zoned', 'zone-a'));
    await create(ZONES_RESOURCE, zone('zoned', 'zone-b'));
    const deps = { store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vz')), logger: quiet };
    log = new SharedFollower(deps);
    scheduler = new PodScheduler({ ...deps, log }, { batchSize: 2000, chunkPods: 250, maxInFlight: 2, resyncMs: 200 });
    await log.start();
    scheduler.start();
  }, 30_000);

  afterAll(async () => {
    await scheduler?.stop();
    await log?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('places the VMs of a namespace with Zones on their hosts only, labelling each with its host’s zone', async () => {
    for (let i = 0; i < 6; i++) await create(VMS, vm('zoned', `web-${i}`));
    for (let i = 0; i < 6; i++) {
      const object = await placed('zoned', `web-${i}`);
      expect(['host-a', 'host-b']).toContain(object.status.nodeName);
      const expected = object.status.nodeName === 'host-a' ? 'zone-a' : 'zone-b';
      expect([object.metadata.labels[ZONE], object.status.zone]).toEqual([expected, expected]);
    }
  }, 30_000);

  it('places a VM labelled with a zone in that zone', async () => {
    await create(VMS, vm('zoned', 'pinned', { [ZONE]: 'zone-b', app: 'db' }));
    const object = await placed('zoned', 'pinned');
    expect([object.status.nodeName, object.status.zone, object.metadata.labels]).toEqual(['host-b', 'zone-b', { [ZONE]: 'zone-b', app: 'db' }]);
  }, 20_000);

  it('leaves a VM that fits no host of its zones unplaced, saying so, and places it when a Zone lets it', async () => {
    await create(VMS, vm('zoned', 'big', {}, 6));
    await create(HOSTS_RESOURCE, { ...host('host-big'), status: { ...host('host-big').status, allocatable: { cpu: '8', memory: '16Gi', pods: '10' } }, metadata: { ...host('host-big').metadata, labels: { 'kubernetes.io/hostname': 'host-big', [ZONE]: 'zone-c' } } });
    await eventually(async () => {
      const object = (await latest(VMS, 'zoned', 'big')).object;
      expect(object.status.conditions).toEqual([expect.objectContaining({
        type: 'VirtualMachineConditionPlacementReady', status: 'False',
        message: '0/5 hosts are available: 2 Insufficient cpu, 3 host(s) were not in a zone of namespace "zoned" (zone-a, zone-b).',
      })]);
    }, { timeoutMs: 10_000 });
    await create(ZONES_RESOURCE, zone('zoned', 'zone-c'));
    const object = await placed('zoned', 'big');
    expect([object.status.nodeName, object.status.zone]).toEqual(['host-big', 'zone-c']);
  }, 30_000);

  it('places the VMs of a namespace never offered a zone on any host, writing no zone', async () => {
    const hosts = new Set<string>();
    for (let i = 0; i < 8; i++) await create(VMS, vm('plain', `free-${i}`));
    for (let i = 0; i < 8; i++) {
      const object = await placed('plain', `free-${i}`);
      hosts.add(object.status.nodeName);
      expect([object.metadata.labels, object.status.zone]).toEqual([{}, undefined]);
    }
    expect(hosts.has('host-n')).toBe(true);
  }, 30_000);
});
