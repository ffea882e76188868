import { randomUUID } from 'node:crypto';
import { HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, VirtualMachineEventTypes } from '@openpacific/contracts';
import { migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower, VM_PLACEMENT_ANNOTATION } from '@openpacific/objects';
import { createTestDatabase, eventually, HeldBackStore, LogHold, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { PodScheduler } from '../pods/pod-scheduler';
import { VMS } from './vm-workloads';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('the scheduler placing VMs', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: HeldBackStore;
  let log: SharedFollower;
  let scheduler: PodScheduler;

  async function create(resource: string, object: any): Promise<void> {
    const { namespace, name } = object.metadata;
    await store.append(objectStreamId(resource, namespace, name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
  }

  const host = (name: string, labels: Record<string, string> = {}) => ({
    apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, uid: randomUUID(), creationTimestamp: now(), labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: {},
    status: { epoch: 2, allocatable: { cpu: '4', memory: '8Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True', reason: 'HostReady', message: '', lastTransitionTime: now() }] },
  });
  /** A VM as the vm-operator leaves it for the scheduler: resolved (the placement annotation), on no host yet. */
  const vm = (name: string, labels: Record<string, string> = {}, affinity?: any) => ({
    apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine',
    metadata: {
      name, namespace: 'default', uid: randomUUID(), creationTimestamp: now(), labels,
      annotations: { [VM_PLACEMENT_ANNOTATION]: JSON.stringify({ className: 'small', cpus: 1, memoryBytes: 2 ** 30, requests: { cpuMillis: 1000, memoryBytes: 2 ** 30 }, image: { kind: 'VirtualMachineImage', name: 'img' }, ports: [], ip: '10.0.0.5' }) },
    },
    spec: { className: 'small', imageName: 'img', powerState: 'PoweredOn', ...(affinity ? { groupName: 'g', affinity } : {}) },
    status: {},
  });
  const vmObject = async (name: string) => {
    const events = await store.readStream(objectStreamId(VMS, 'default', name));
    return (events[events.length - 1]?.data as any)?.object;
  };

  beforeAll(async () => {
    db = await createTestDatabase('vmplacement');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'vm-placement-test' });
    // Counts the VM placements the scheduler writes, and can hold the log back from the first of them.
    store = new HeldBackStore(db.pool, (item) => item.events.some((e) => e.type === VirtualMachineEventTypes.placed));
    await create(HOSTS_RESOURCE, host('host-a'));
    const deps = { store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vp')), logger: quiet };
    log = new SharedFollower(deps);
    // Passes every 100 ms whatever the log says: one is sure to run while the placement is held back.
    scheduler = new PodScheduler({ ...deps, log }, { batchSize: 2000, chunkPods: 250, maxInFlight: 2, resyncMs: 100 });
    await log.start();
    scheduler.start();
  }, 30_000);

  afterAll(async () => {
    // A failed assertion may leave the transaction open; the controller's stop would wait for it.
    await store?.hold?.release();
    await scheduler?.stop();
    await log?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('places a VM once when passes run before the log brings its placement back', async () => {
    store.hold = new LogHold(db.pool);
    await create(VMS, vm('vm-1'));
    await eventually(async () => expect(store.hold?.holding).toBe(true), 10_000);
    // Several passes run while the placement is committed but not yet read back.
    await new Promise((r) => setTimeout(r, 800));
    await store.hold!.release();
    const streamId = objectStreamId(VMS, 'default', 'vm-1');
    await eventually(async () => {
      const events = await store.readStream(streamId);
      expect(events.map((e) => e.type)).toEqual([ObjectEventTypes.created, VirtualMachineEventTypes.placed]);
      expect((events[1].data as any).object.status.nodeName).toBe('host-a');
    }, 10_000);
    // A second attempt would have been refused by the stream's version; it must not have been made at all.
    await new Promise((r) => setTimeout(r, 300));
    expect(store.attempts.filter((s) => s === streamId)).toHaveLength(1);
  }, 30_000);

  describe('with spec.affinity', () => {
    const selecting = (app: string, topologyKey: string) => [{ labelSelector: { matchLabels: { app } }, topologyKey }];

    it('puts VMs with required anti-affinity per host on different hosts, and leaves one that fits nowhere pending, saying why', async () => {
      await create(HOSTS_RESOURCE, host('host-b'));
      const apart = { vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: selecting('spread', 'kubernetes.io/hostname') } };
      await create(VMS, vm('spread-1', { app: 'spread' }, apart));
      await create(VMS, vm('spread-2', { app: 'spread' }, apart));
      const hosts = await eventually(async () => {
        const placed = [(await vmObject('spread-1')).status.nodeName, (await vmObject('spread-2')).status.nodeName];
        expect(placed.every(Boolean)).toBe(true);
        return placed;
      }, 10_000);
      expect(new Set(hosts)).toEqual(new Set(['host-a', 'host-b']));

      await create(VMS, vm('spread-3', { app: 'spread' }, apart));
      await eventually(async () => {
        const object = await vmObject('spread-3');
        expect(object.status.conditions).toEqual([expect.objectContaining({
          type: 'VirtualMachineConditionPlacementReady', status: 'False', message: "0/2 hosts are available: 2 host(s) didn't match VM anti-affinity rules.",
        })]);
      }, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await vmObject('spread-3')).status.nodeName).toBeUndefined();
    }, 30_000);

    it('puts a VM with required zonal affinity where its peer runs', async () => {
      await create(HOSTS_RESOURCE, host('host-c', { 'topology.kubernetes.io/zone': 'zone-c' }));
      await create(HOSTS_RESOURCE, host('host-d', { 'topology.kubernetes.io/zone': 'zone-d' }));
      // The peer runs on host-c (placed before): one host per zone, so the zone of the peer is its host.
      await create(VMS, { ...vm('peer', { app: 'peer' }), status: { nodeName: 'host-c' } });
      const together = { vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: selecting('peer', 'topology.kubernetes.io/zone') } };
      await create(VMS, vm('near-peer', {}, together));
      await eventually(async () => expect((await vmObject('near-peer')).status.nodeName).toBe('host-c'), 10_000);
      // Nothing of that label runs anywhere: the VM waits, and its condition says why.
      await create(VMS, vm('near-nobody', {}, { vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: selecting('nobody', 'topology.kubernetes.io/zone') } }));
      await eventually(async () => {
        expect((await vmObject('near-nobody')).status.conditions[0].message).toBe("0/4 hosts are available: 4 host(s) didn't match VM affinity rules.");
      }, 10_000);
    }, 30_000);
  });
});
