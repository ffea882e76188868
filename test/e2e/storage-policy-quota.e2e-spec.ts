import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson } from './support/kubectl-json';

/**
 * Storage policy quotas as a newer Supervisor keeps them (docs/governance.md, "Storage policy quotas"), with the real
 * kubectl: a StoragePolicyQuota associates the classes of its policy with the namespace and limits what claims and VMs
 * of them take; the claims' and VMs' StoragePolicyUsages and the quota's status follow what is created and deleted.
 */
const NS = 'spq-e2e';
const POLICY = 'e2e-policy-gold';
const VMOP = 'vmoperator.vmware.com/v1alpha3';
const CNS = 'cns.vmware.com/v1alpha1';

const storageClass = (name: string) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'openpacific.io/datastore', parameters: { storagePolicyID: POLICY }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
const claim = (name: string, storageClassName: string, storage: string) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage } } },
});
const vm = (name: string) => ({ apiVersion: VMOP, kind: 'VirtualMachine', metadata: { name, namespace: NS }, spec: { className: 'small', imageName: 'vmi-spq', storageClass: 'spq-gold', powerState: 'PoweredOn' } });
const spq = { apiVersion: CNS, kind: 'StoragePolicyQuota', metadata: { name: 'gold', namespace: NS }, spec: { storagePolicyId: POLICY, limit: '30Gi' } };
const usage = (reserved: string, used: string) => ({ reserved, used });
const PREFIX = `Error from server (Forbidden): error when creating "STDIN": `;

describe('storage policy quotas', () => {
  let cluster: TestCluster;
  const create = (obj: any) => cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
  const getJson = (args: string[]) => kubectlJson(cluster, ['get', ...args]);
  const spu = async (name: string) => (await getJson(['storagepolicyusages', name, '-n', NS]));

  beforeAll(async () => {
    cluster = await startCluster({ label: 'spq', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    const setup = [
      storageClass('spq-gold'),
      storageClass('spq-gold-late'),
      // A quota without any storage class key: the namespace is restricted, and no class is associated by it.
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: NS }, spec: { hard: { pods: '10' } } },
      { apiVersion: VMOP, kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
      { apiVersion: VMOP, kind: 'VirtualMachineImage', metadata: { name: 'vmi-spq', namespace: NS }, spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-spq' } } },
    ];
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: setup }) })).stderr).toBe('');
    // The image's boot disk: what a VM of it takes of the policy.
    const patched = await cluster.kubectl(['patch', 'vmi', 'vmi-spq', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { name: 'spq', disks: [{ capacity: '20Gi', size: '2Gi' }] } })]);
    expect(patched.stderr).toBe('');
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves both kinds per namespace, without short names, as the CRDs declare them (NAME and AGE)', async () => {
    const resources = (await cluster.kubectl(['api-resources', '--api-group=cns.vmware.com', '-o', 'wide'])).stdout;
    expect(resources).toMatch(/^storagepolicyquotas\s+cns\.vmware\.com\/v1alpha1\s+true\s+StoragePolicyQuota\s/m);
    expect(resources).toMatch(/^storagepolicyusages\s+cns\.vmware\.com\/v1alpha1\s+true\s+StoragePolicyUsage\s/m);
    const explained = await cluster.kubectl(['explain', 'storagepolicyquotas.spec']);
    expect(explained.stdout).toMatch(/^\s+storagePolicyId\s+<string>/m);
  });

  it('associates a class with the namespace only once a StoragePolicyQuota of its policy exists', async () => {
    const refused = await create(claim('early', 'spq-gold', '1Gi'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(`${PREFIX}persistentvolumeclaims "early" is forbidden: Storage policy is not associated with the namespace "${NS}": StorageClass "spq-gold"`);

    expect((await create(spq)).stderr).toBe('');
    const table = (await cluster.kubectl(['get', 'storagepolicyquota', '-n', NS])).stdout;
    expect(table.split('\n')[0].split(/\s+/).filter(Boolean)).toEqual(['NAME', 'AGE']);
    expect(table).toMatch(/^gold\s+\S+$/m);
    const created = await create(claim('data-1', 'spq-gold', '5Gi'));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
  });

  it('refuses, through kubectl, a claim beyond the limit, and an immutable policy id', async () => {
    const big = await create(claim('big', 'spq-gold-late', '30Gi'));
    expect(big.code).not.toBe(0);
    expect(big.stderr.trim()).toBe(
      `${PREFIX}persistentvolumeclaims "big" is forbidden: exceeded quota: gold (StoragePolicyQuota of storage policy "${POLICY}"), requested: requests.storage=30Gi, used: requests.storage=5Gi, limited: requests.storage=30Gi`,
    );
    expect((await cluster.kubectl(['get', 'pvc', 'big', '-n', NS, '-o', 'name'])).stderr).toContain('NotFound');

    const moved = await cluster.kubectl(['patch', 'storagepolicyquota', 'gold', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { storagePolicyId: 'other' } })]);
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain('The StoragePolicyQuota "gold" is invalid: spec.storagePolicyId: Invalid value: "string": StoragePolicyId is immutable');
  });

  it('keeps the claims\' and the VMs\' usages and the quota\'s totals, refuses a VM whose disks do not fit, and follows deletions', async () => {
    await eventually(async () => {
      const pvcUsage = await spu('spq-gold-pvc-usage');
      expect(pvcUsage.spec).toEqual({ storagePolicyId: POLICY, storageClassName: 'spq-gold', resourceKind: 'PersistentVolumeClaim', resourceExtensionName: 'volume.cns.vsphere.vmware.com' });
      expect(pvcUsage.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: CNS, kind: 'StoragePolicyQuota', name: 'gold', controller: true })]);
      // Bound: its capacity is used, nothing reserved.
      expect(pvcUsage.status.quotaUsage).toEqual(usage('0', '5Gi'));
      expect((await spu('spq-gold-late-pvc-usage')).status.quotaUsage).toEqual(usage('0', '0'));
    }, { timeoutMs: 30_000 });

    expect((await create(vm('web-1'))).stderr).toBe('');
    await eventually(async () => {
      const vmUsage = await spu('spq-gold-vm-usage');
      expect(vmUsage.spec).toEqual({ storagePolicyId: POLICY, storageClassName: 'spq-gold', resourceApiGroup: 'vmoperator.vmware.com', resourceKind: 'VirtualMachine', resourceExtensionName: 'vmware-system-vmop-webhook-service' });
      // Created on a host: its image's 20Gi disk is used.
      expect(vmUsage.status.quotaUsage).toEqual(usage('0', '20Gi'));
      expect((await getJson(['storagepolicyquota', 'gold', '-n', NS])).status).toEqual({
        total: [{ storageClassName: 'spq-gold', scQuotaUsage: usage('0', '25Gi') }, { storageClassName: 'spq-gold-late', scQuotaUsage: usage('0', '0') }],
        extensions: [
          { extensionName: 'vmware-system-vmop-webhook-service', extensionQuotaUsage: [{ storageClassName: 'spq-gold', scQuotaUsage: usage('0', '20Gi') }, { storageClassName: 'spq-gold-late', scQuotaUsage: usage('0', '0') }] },
          { extensionName: 'volume.cns.vsphere.vmware.com', extensionQuotaUsage: [{ storageClassName: 'spq-gold', scQuotaUsage: usage('0', '5Gi') }, { storageClassName: 'spq-gold-late', scQuotaUsage: usage('0', '0') }] },
        ],
      });
    }, { timeoutMs: 60_000 });

    const second = await create(vm('web-2'));
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim()).toBe(
      `${PREFIX}virtualmachines.vmoperator.vmware.com "web-2" is forbidden: exceeded quota: gold (StoragePolicyQuota of storage policy "${POLICY}"), requested: requests.storage=20Gi, used: requests.storage=25Gi, limited: requests.storage=30Gi`,
    );

    expect((await cluster.kubectl(['delete', 'vm', 'web-1', '-n', NS, '--wait=false'])).code).toBe(0);
    expect((await cluster.kubectl(['delete', 'pvc', 'data-1', '-n', NS, '--wait=false'])).code).toBe(0);
    await eventually(async () => {
      expect((await spu('spq-gold-vm-usage')).status.quotaUsage).toEqual(usage('0', '0'));
      expect((await spu('spq-gold-pvc-usage')).status.quotaUsage).toEqual(usage('0', '0'));
      expect((await getJson(['storagepolicyquota', 'gold', '-n', NS])).status.total).toEqual([
        { storageClassName: 'spq-gold', scQuotaUsage: usage('0', '0') }, { storageClassName: 'spq-gold-late', scQuotaUsage: usage('0', '0') },
      ]);
    }, { timeoutMs: 60_000 });
    // The room is back: the VM that did not fit now does.
    expect((await create(vm('web-2'))).stderr).toBe('');
  }, 180_000);

  it('takes the usages away with the quota, and the class\'s association with them', async () => {
    expect((await cluster.kubectl(['delete', 'storagepolicyquota', 'gold', '-n', NS])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'storagepolicyusages', '-n', NS, '-o', 'name'])).stdout.trim()).toBe(''), { timeoutMs: 30_000 });
    const refused = await create(claim('late', 'spq-gold', '1Gi'));
    expect(refused.stderr).toContain('Storage policy is not associated with the namespace');
  }, 60_000);
});
