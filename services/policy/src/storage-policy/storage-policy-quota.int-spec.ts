import { randomUUID } from 'node:crypto';
import { AdmissionRequest, AdmissionResponse, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore } from '@openpacific/event-store';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, eventually, testNatsUrl, TestDatabase, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { Pool } from 'pg';
import { configSchema, PolicyConfig } from '../policy.config';
import { PolicyModule } from '../policy.module';

const NS = 'team-spq';
const SPQ = 'storagepolicyquotas.cns.vmware.com';
const SPU = 'storagepolicyusages.cns.vmware.com';
const codec = JSONCodec<unknown>();
const metadata = { actor: 'admin', source: 'test' };
const PVC = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
const VM = { group: 'vmoperator.vmware.com', version: 'v1alpha5', resource: 'virtualmachines' };

/** StoragePolicyQuota admission and usage over NATS against two policy replicas, objects written to the log as the gateway writes them. */
describe('StoragePolicyQuota across policy replicas', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let nc: NatsConnection;
  const replicas: RunningService<PolicyConfig>[] = [];
  const prefix = uniqueNatsPrefix('spq');
  /** The claims the race admitted, written to the log. */
  let admitted: any[] = [];

  const write = (resource: string, object: any, type: string = ObjectEventTypes.created) => {
    object.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return store.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [{ type, data: { resource, object }, metadata }]);
  };
  const latest = async (resource: string, name: string) => (await store.readStream(objectStreamId(resource, NS, name))).at(-1)?.data as any;
  const claim = (name: string, storageClassName: string, storage: string) => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS, uid: randomUUID() }, spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  const admit = async (object: any, resource = PVC, kind = 'PersistentVolumeClaim', oldObject?: any): Promise<AdmissionResponse> => {
    const request: AdmissionRequest = {
      uid: randomUUID(), operation: oldObject ? 'UPDATE' : 'CREATE', user: { username: 'admin', groups: ['system:masters'] },
      resource, kind, namespace: NS, name: object.metadata.name, object, ...(oldObject ? { oldObject } : {}), dryRun: false,
    };
    const reply = await nc.request(`${prefix}.policy.admission`, codec.encode(request), { timeout: 15_000 });
    return codec.decode(reply.data) as AdmissionResponse;
  };

  beforeAll(async () => {
    db = await createTestDatabase('policy_spq');
    pool = new Pool({ connectionString: db.url });
    store = new EventStore(pool);
    nc = await connect({ servers: testNatsUrl });
    for (let i = 0; i < 2; i++) {
      replicas.push(await startService<PolicyConfig>({ name: 'policy', configSchema, module: () => PolicyModule }, { DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn' }));
    }
    const sc = (name: string, storagePolicyID: string) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, uid: randomUUID() }, provisioner: 'openpacific.io/datastore', parameters: { storagePolicyID } });
    await write('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: randomUUID() } });
    await write('storageclasses.storage.k8s.io', sc('gold', 'policy-gold'));
    await write('storageclasses.storage.k8s.io', sc('gold-late', 'policy-gold'));
    await write('storageclasses.storage.k8s.io', sc('silver', 'policy-silver'));
    // A quota without any storage class key: only the StoragePolicyQuota associates gold with the namespace.
    await write('resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: NS, uid: randomUUID() }, spec: { hard: { pods: '10' } } });
    await write('virtualmachineclasses.vmoperator.vmware.com', { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS, uid: randomUUID() }, spec: { hardware: { cpus: 1, memory: '1Gi' } } });
    await write('virtualmachineimages.vmoperator.vmware.com', { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineImage', metadata: { name: 'vmi-big', namespace: NS, uid: randomUUID() }, spec: {}, status: { disks: [{ capacity: '4Gi', size: '1Gi' }] } });
    await write(SPQ, { apiVersion: 'cns.vmware.com/v1alpha1', kind: 'StoragePolicyQuota', metadata: { name: 'gold', namespace: NS, uid: randomUUID() }, spec: { storagePolicyId: 'policy-gold', limit: '10Gi' } });
    // Both replicas must know the quota before the race: a 20Gi claim is refused by both.
    await eventually(async () => {
      const verdicts = await Promise.all(Array.from({ length: 10 }, () => admit({ ...claim('probe', 'gold', '20Gi') })));
      expect(verdicts.every((v) => !v.allowed)).toBe(true);
    }, { timeoutMs: 10_000 });
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await nc?.close();
    await pool?.end();
    await db?.drop();
  });

  it('associates a class with the namespace by its storage policy, and refuses a class of no quota', async () => {
    expect((await admit(claim('other', 'silver', '1Gi'))).status?.message).toBe('persistentvolumeclaims "other" is forbidden: Storage policy is not associated with the namespace "team-spq": StorageClass "silver"');
    expect((await admit(claim('probe', 'gold-late', '20Gi'))).status?.message).toBe(
      'persistentvolumeclaims "probe" is forbidden: exceeded quota: gold (StoragePolicyQuota of storage policy "policy-gold"), requested: requests.storage=20Gi, used: requests.storage=0, limited: requests.storage=10Gi',
    );
  });

  it('admits exactly what fits the limit across the classes of the policy when 30 claims race on two replicas', async () => {
    const claims = Array.from({ length: 30 }, (_, i) => claim(`c-${i}`, i % 2 ? 'gold' : 'gold-late', '1Gi'));
    const verdicts = await Promise.all(claims.map((c) => admit(c)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(10);
    const refused = verdicts.find((v) => !v.allowed)!;
    expect(refused.status).toMatchObject({ code: 403, reason: 'Forbidden', message: expect.stringMatching(/exceeded quota: gold .*requested: requests\.storage=1Gi, used: requests\.storage=10Gi, limited: requests\.storage=10Gi$/) });
    // The admitted claims are written; their reservations give way to the objects, which count the same.
    admitted = claims.filter((_, i) => verdicts[i].allowed);
    for (const c of admitted) await write('persistentvolumeclaims', c);
    expect((await admit(claim('one-more', 'gold', '1Gi'))).allowed).toBe(false);
  }, 60_000);

  it('keeps the claims\' usages and the quota\'s status, and refuses a VM whose disks do not fit', async () => {
    const gi = (n: number) => (n ? `${n}Gi` : '0');
    const ofClass = (sc: string) => admitted.filter((c) => c.spec.storageClassName === sc).length;
    const [gold, late] = [ofClass('gold'), ofClass('gold-late')];
    const usage = (sc: string, reserved: number) => ({ storageClassName: sc, scQuotaUsage: { reserved: gi(reserved), used: '0' } });
    await eventually(async () => {
      const spu = await latest(SPU, 'gold-pvc-usage');
      expect(spu.object.spec).toEqual({ storagePolicyId: 'policy-gold', storageClassName: 'gold', resourceKind: 'PersistentVolumeClaim', resourceExtensionName: 'volume.cns.vsphere.vmware.com' });
      expect(spu.object.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'StoragePolicyQuota', name: 'gold', controller: true })]);
      expect(spu.object.status.quotaUsage).toEqual({ reserved: gi(gold), used: '0' });
      expect((await latest(SPU, 'gold-late-pvc-usage')).object.status.quotaUsage).toEqual({ reserved: gi(late), used: '0' });
      expect((await latest(SPQ, 'gold')).object.status).toEqual({
        total: [usage('gold', gold), usage('gold-late', late)],
        extensions: [{ extensionName: 'volume.cns.vsphere.vmware.com', extensionQuotaUsage: [usage('gold', gold), usage('gold-late', late)] }],
      });
    }, { timeoutMs: 15_000 });

    // A bound claim uses its capacity; deleted claims free theirs, and a VM's image disks then fit.
    const [first, ...rest] = admitted;
    const sc = first.spec.storageClassName;
    await write('persistentvolumeclaims', { ...(await latest('persistentvolumeclaims', first.metadata.name)).object, status: { phase: 'Bound', capacity: { storage: '1Gi' } } }, ObjectEventTypes.statusUpdated);
    await eventually(async () => expect((await latest(SPU, `${sc}-pvc-usage`)).object.status.quotaUsage).toEqual({ reserved: gi(ofClass(sc) - 1), used: '1Gi' }), { timeoutMs: 15_000 });
    const vm = (name: string) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name, namespace: NS, uid: randomUUID() }, spec: { className: 'small', imageName: 'vmi-big', storageClass: 'gold' } });
    expect((await admit(vm('vm-1'), VM, 'VirtualMachine')).status?.message).toMatch(/^virtualmachines\.vmoperator\.vmware\.com "vm-1" is forbidden: exceeded quota: gold .*requested: requests\.storage=4Gi, used: requests\.storage=10Gi/);
    for (const c of rest.slice(0, 4)) await write('persistentvolumeclaims', (await latest('persistentvolumeclaims', c.metadata.name)).object, ObjectEventTypes.deleted);
    admitted = [first, ...rest.slice(4)];
    await eventually(async () => expect((await admit(vm('vm-2'), VM, 'VirtualMachine')).allowed).toBe(true), { timeoutMs: 15_000 });
    // 6Gi of claims and the VM's 4Gi reserved: nothing more fits.
    expect((await admit(claim('last', 'gold', '1Gi'))).status?.message).toMatch(/used: requests\.storage=10Gi, limited: requests\.storage=10Gi$/);
  }, 60_000);

  it('charges a claim\'s growth only', async () => {
    // The claim as the gateway hands it over: at the resourceVersion the update is based on.
    const c = { ...(await latest('persistentvolumeclaims', admitted[0].metadata.name)).object };
    c.metadata = { ...c.metadata, resourceVersion: '4711' };
    const grown = { ...c, spec: { ...c.spec, resources: { requests: { storage: '100Gi' } } } };
    expect((await admit(grown, PVC, 'PersistentVolumeClaim', c)).status?.message).toMatch(/requested: requests\.storage=99Gi, used: requests\.storage=10Gi, limited/);
  });
});
