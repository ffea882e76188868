import { limitOf, storageAsk, storagePolicyQuotaExceeded } from './storage-policy-quota';
import { quotaUsageStatus, storagePolicyQuotaStatus } from './storage-policy-status';

const GI = 1024 ** 3;
function objects(list: Record<string, any[]>) {
  return {
    get: (r: string, ns: string | undefined, name: string) => (list[r] ?? []).find((o) => o.metadata.name === name && o.metadata.namespace === ns),
    list: (r: string, ns?: string) => (list[r] ?? []).filter((o) => ns === undefined || o.metadata.namespace === ns),
  };
}
const world = objects({
  'storageclasses.storage.k8s.io': [{ metadata: { name: 'gold' }, parameters: { storagePolicyID: 'policy-gold' } }, { metadata: { name: 'plain' }, parameters: {} }],
  'virtualmachineimages.vmoperator.vmware.com': [{ metadata: { name: 'vmi-1', namespace: 'team-a' }, status: { disks: [{ capacity: '20Gi', size: '2Gi' }] } }],
});
const pvc = (storageClassName: string, storage: string) => ({ metadata: { name: 'c', namespace: 'team-a' }, spec: { storageClassName, resources: { requests: { storage } } } });
const vm = { metadata: { name: 'vm', namespace: 'team-a' }, spec: { imageName: 'vmi-1', storageClass: 'gold' } };
const spq = (limit?: string) => ({ metadata: { name: 'gold-quota', namespace: 'team-a' }, spec: { storagePolicyId: 'policy-gold', ...(limit ? { limit } : {}) } });

describe('storage policy quota', () => {
  it('asks a claim\'s request on create, its growth on update, and a new VM\'s image disks, of its class\'s policy', () => {
    expect(storageAsk('persistentvolumeclaims', 'CREATE', pvc('gold', '5Gi'), undefined, world)).toEqual({ storageClass: 'gold', policyId: 'policy-gold', bytes: 5 * GI });
    expect(storageAsk('persistentvolumeclaims', 'UPDATE', pvc('gold', '8Gi'), pvc('gold', '5Gi'), world)).toEqual({ storageClass: 'gold', policyId: 'policy-gold', bytes: 3 * GI });
    expect(storageAsk('persistentvolumeclaims', 'UPDATE', pvc('gold', '5Gi'), pvc('gold', '5Gi'), world)).toBeUndefined();
    expect(storageAsk('virtualmachines.vmoperator.vmware.com', 'CREATE', vm, undefined, world)).toEqual({ storageClass: 'gold', policyId: 'policy-gold', bytes: 20 * GI });
    expect(storageAsk('virtualmachines.vmoperator.vmware.com', 'UPDATE', vm, vm, world)).toBeUndefined();
    expect(storageAsk('persistentvolumeclaims', 'CREATE', pvc('plain', '5Gi'), undefined, world)).toBeUndefined();
  });

  it('refuses what goes beyond the limit, in quota\'s words; a quota without a limit limits nothing', () => {
    const ask = { storageClass: 'gold', policyId: 'policy-gold', bytes: 5 * GI };
    expect(storagePolicyQuotaExceeded(spq('10Gi'), 5 * GI, ask)).toBeUndefined();
    expect(storagePolicyQuotaExceeded(spq('10Gi'), 8 * GI, ask)).toBe(
      'exceeded quota: gold-quota (StoragePolicyQuota of storage policy "policy-gold"), requested: requests.storage=5Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi',
    );
    expect(storagePolicyQuotaExceeded(spq(), 100 * GI, ask)).toBeUndefined();
    expect([limitOf(spq('1Ti')), limitOf(spq()), limitOf({ spec: { limit: 'lots' } })]).toEqual([1024 * GI, undefined, undefined]);
  });

  it('shows, in the quota\'s status, every usage of its policy per class and per extension', () => {
    const spu = (name: string, sc: string, extension: string, reserved: string, used: string, policy = 'policy-gold') => ({
      metadata: { name }, spec: { storagePolicyId: policy, storageClassName: sc, resourceExtensionName: extension }, status: { quotaUsage: { reserved, used } },
    });
    const status = storagePolicyQuotaStatus(spq('10Gi'), [
      spu('gold-pvc-usage', 'gold', 'volume.cns.vsphere.vmware.com', '1Gi', '4Gi'),
      spu('gold-vm-usage', 'gold', 'vmware-system-vmop-webhook-service', '20Gi', '0'),
      spu('gold2-pvc-usage', 'gold2', 'volume.cns.vsphere.vmware.com', '0', '512Mi'),
      spu('silver-pvc-usage', 'silver', 'volume.cns.vsphere.vmware.com', '0', '9Gi', 'policy-silver'),
    ]);
    expect(status).toEqual({
      total: [
        { storageClassName: 'gold', scQuotaUsage: { reserved: '21Gi', used: '4Gi' } },
        { storageClassName: 'gold2', scQuotaUsage: { reserved: '0', used: '512Mi' } },
      ],
      extensions: [
        { extensionName: 'vmware-system-vmop-webhook-service', extensionQuotaUsage: [{ storageClassName: 'gold', scQuotaUsage: { reserved: '20Gi', used: '0' } }] },
        {
          extensionName: 'volume.cns.vsphere.vmware.com',
          extensionQuotaUsage: [{ storageClassName: 'gold', scQuotaUsage: { reserved: '1Gi', used: '4Gi' } }, { storageClassName: 'gold2', scQuotaUsage: { reserved: '0', used: '512Mi' } }],
        },
      ],
    });
    expect(storagePolicyQuotaStatus(spq('10Gi'), [])).toEqual({});
    expect(quotaUsageStatus({ reserved: 0, used: 5 * GI })).toEqual({ reserved: '0', used: '5Gi' });
  });
});
