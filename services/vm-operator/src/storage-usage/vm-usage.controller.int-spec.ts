import { randomUUID } from 'node:crypto';
import { natsNames, ObjectEventTypes, objectStreamId, STORAGE_POLICY_QUOTAS_RESOURCE, STORAGE_POLICY_USAGES_RESOURCE } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { VmUsageController } from './vm-usage.controller';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const NS = 'team-a';
const VMS = 'virtualmachines.vmoperator.vmware.com';

describe('the VMs\' StoragePolicyUsage controller', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let feed: SharedFollower;
  let controller: VmUsageController;

  async function latest(resource: string, ns: string | undefined, name: string): Promise<{ object: any; version: number }> {
    const events = await store.readStream(objectStreamId(resource, ns, name));
    const last = events[events.length - 1];
    return { object: last?.type === ObjectEventTypes.deleted ? undefined : (last?.data as any)?.object, version: last?.streamVersion ?? 0 };
  }

  async function put(resource: string, obj: any, type?: string): Promise<void> {
    const { namespace, name } = obj.metadata;
    const prev = await latest(resource, namespace, name);
    const object = prev.object ? { ...obj, metadata: { ...prev.object.metadata, ...obj.metadata } } : { ...obj, metadata: { uid: randomUUID(), creationTimestamp: new Date().toISOString(), ...obj.metadata } };
    await store.append(objectStreamId(resource, namespace, name), [{ type: type ?? (prev.object ? ObjectEventTypes.updated : ObjectEventTypes.created), data: { resource, object }, metadata: META }], { expectedVersion: prev.version });
  }

  const usage = async (name: string) => (await latest(STORAGE_POLICY_USAGES_RESOURCE, NS, name)).object;
  const sc = (name: string, storagePolicyID: string) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'p', parameters: { storagePolicyID } });
  const vm = (name: string, storageClass: string, imageName = 'vmi-1') => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name, namespace: NS }, spec: { className: 'small', imageName, storageClass } });

  beforeAll(async () => {
    db = await createTestDatabase('vm_usage');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'vm-usage-test' });
    store = new EventStore(db.pool);
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vmusage')), logger: quiet });
    controller = new VmUsageController({ store, feed, logger: quiet });
    await put('storageclasses.storage.k8s.io', sc('gold', 'policy-gold'));
    await put('storageclasses.storage.k8s.io', sc('gold-2', 'policy-gold'));
    await put('storageclasses.storage.k8s.io', sc('silver', 'policy-silver'));
    await put('virtualmachineimages.vmoperator.vmware.com', { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineImage', metadata: { name: 'vmi-1', namespace: NS }, spec: {}, status: { name: 'ubuntu', disks: [{ capacity: '20Gi', size: '2Gi' }] } });
    await put('clustervirtualmachineimages.vmoperator.vmware.com', { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'ClusterVirtualMachineImage', metadata: { name: 'photon' }, spec: {}, status: { disks: [{ capacity: '8Gi' }] } });
    await put(VMS, vm('web-1', 'gold'));
    await put(VMS, vm('web-2', 'gold', 'photon'));
    await put(VMS, vm('db-1', 'silver'));
    await feed.start();
    controller.start();
  }, 30_000);

  afterAll(async () => {
    controller?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('makes nothing in a namespace without a StoragePolicyQuota', async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(await usage('gold-vm-usage')).toBeUndefined();
  });

  it('makes, per class of a quota\'s policy, the VMs\' usage owned by the quota, their disks reserved until created, used after, gone when deleted', async () => {
    await put(STORAGE_POLICY_QUOTAS_RESOURCE, { apiVersion: 'cns.vmware.com/v1alpha1', kind: 'StoragePolicyQuota', metadata: { name: 'gold', namespace: NS }, spec: { storagePolicyId: 'policy-gold', limit: '100Gi' } });
    await eventually(async () => {
      const gold = await usage('gold-vm-usage');
      expect(gold.spec).toEqual({ storagePolicyId: 'policy-gold', storageClassName: 'gold', resourceApiGroup: 'vmoperator.vmware.com', resourceKind: 'VirtualMachine', resourceExtensionName: 'vmware-system-vmop-webhook-service' });
      expect(gold.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'cns.vmware.com/v1alpha1', kind: 'StoragePolicyQuota', name: 'gold', controller: true, blockOwnerDeletion: true })]);
      expect(gold.status).toEqual({ quotaUsage: { reserved: '28Gi', used: '0' } });
      expect((await usage('gold-2-vm-usage')).status).toEqual({ quotaUsage: { reserved: '0', used: '0' } });
    }, { timeoutMs: 10_000 });
    expect(await usage('silver-vm-usage')).toBeUndefined();

    const created = { conditions: [{ type: 'VirtualMachineCreated', status: 'True', reason: 'True', message: '', lastTransitionTime: new Date().toISOString() }] };
    await put(VMS, { ...(await latest(VMS, NS, 'web-1')).object, status: created }, ObjectEventTypes.statusUpdated);
    await eventually(async () => expect((await usage('gold-vm-usage')).status.quotaUsage).toEqual({ reserved: '8Gi', used: '20Gi' }), { timeoutMs: 10_000 });

    await put(VMS, { ...(await latest(VMS, NS, 'web-2')).object, metadata: { name: 'web-2', namespace: NS, deletionTimestamp: new Date().toISOString() } }, ObjectEventTypes.deletionStarted);
    await put(VMS, (await latest(VMS, NS, 'web-1')).object, ObjectEventTypes.deleted);
    await eventually(async () => expect((await usage('gold-vm-usage')).status.quotaUsage).toEqual({ reserved: '0', used: '0' }), { timeoutMs: 10_000 });
  });
});
