import { parseQuantity, validateAgainstSchema, validateRules } from '@openpacific/kube-api';
import { resourceDefinitions } from '../index';
import {
  claimUsage, claimUsageOfClass, policyUsageBytes, pvcUsageName, storageClassesOfPolicy, storagePolicyIdOf, storagePolicyQuotaResource,
  storagePolicyUsageResource, vmDiskBytes, vmUsage, vmUsageName, vmUsageOfClass,
} from './index';

const GI = 1024 ** 3;
const spq = {
  apiVersion: 'cns.vmware.com/v1alpha1',
  kind: 'StoragePolicyQuota',
  metadata: { name: 'gold-quota', namespace: 'team-a', uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { storagePolicyId: 'policy-gold', limit: '10Gi' },
  status: {
    total: [{ storageClassName: 'gold', scQuotaUsage: { reserved: '0', used: '4Gi' } }],
    extensions: [{ extensionName: 'volume.cns.vsphere.vmware.com', extensionQuotaUsage: [{ storageClassName: 'gold', scQuotaUsage: { reserved: '0', used: '4Gi' } }] }],
  },
};
const spu = {
  apiVersion: 'cns.vmware.com/v1alpha1',
  kind: 'StoragePolicyUsage',
  metadata: { name: 'gold-vm-usage', namespace: 'team-a', uid: 'u-2', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { storagePolicyId: 'policy-gold', storageClassName: 'gold', resourceApiGroup: 'vmoperator.vmware.com', resourceKind: 'VirtualMachine', resourceExtensionName: 'vmware-system-vmop-webhook-service' },
  status: { quotaUsage: { reserved: '20Gi', used: 0 } },
};
const check = (def: any, obj: any) => validateAgainstSchema(def, 'v1alpha1', obj, 'Strict');
const bytes = (q: string | number) => parseQuantity(q);

function lookup(objects: Record<string, any[]>) {
  return {
    get: (r: string, ns: string | undefined, name: string) => (objects[r] ?? []).find((o) => o.metadata.name === name && o.metadata.namespace === ns),
    list: (r: string, ns?: string) => (objects[r] ?? []).filter((o) => ns === undefined || o.metadata.namespace === ns),
  };
}
const sc = (name: string, policy?: string) => ({ metadata: { name }, provisioner: 'p', parameters: policy ? { storagePolicyID: policy } : {} });
const image = { metadata: { name: 'vmi-1', namespace: 'team-a' }, status: { name: 'ubuntu', disks: [{ capacity: '20Gi', size: '2Gi' }, { capacity: '1Gi' }] } };
const created = { conditions: [{ type: 'VirtualMachineCreated', status: 'True' }] };
const vm = (name: string, storageClass: string, extra: any = {}) => ({ metadata: { name, namespace: 'team-a', ...extra.metadata }, spec: { imageName: 'ubuntu', storageClass }, status: extra.status });
const pvc = (name: string, storageClass: string, request: string, status?: any, metadata: any = {}) => ({ metadata: { name, namespace: 'team-a', ...metadata }, spec: { storageClassName: storageClass, resources: { requests: { storage: request } } }, status });

describe('cns.vmware.com contracts', () => {
  it('serves StoragePolicyQuota and StoragePolicyUsage per namespace, with status, no short names and no printer columns', () => {
    expect(resourceDefinitions).toEqual(expect.arrayContaining([storagePolicyQuotaResource, storagePolicyUsageResource]));
    for (const def of [storagePolicyQuotaResource, storagePolicyUsageResource]) {
      expect([def.group, def.scope, def.shortNames, def.subresources.status, def.versions.map((v) => v.name)]).toEqual(['cns.vmware.com', 'Namespaced', [], true, ['v1alpha1']]);
      expect(def.versions[0].printerColumns.map((c) => c.name)).toEqual(['Age']);
    }
  });

  it('takes the objects of the real CRDs', () => {
    expect(check(storagePolicyQuotaResource, spq)).toMatchObject({ causes: [], unknownFields: [] });
    expect(check(storagePolicyUsageResource, spu)).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses what the CRDs refuse: a missing policy, a limit that is no quantity, a too long class name, unknown fields', () => {
    const bad = check(storagePolicyQuotaResource, { ...spq, spec: { limit: 'lots' } });
    expect(bad.causes.map((c) => c.field)).toEqual(expect.arrayContaining(['spec.storagePolicyId', 'spec.limit']));
    const long = check(storagePolicyUsageResource, { ...spu, spec: { ...spu.spec, storageClassName: 'x'.repeat(65) } });
    expect(long.causes.map((c) => c.field)).toEqual(['spec.storageClassName']);
    expect(check(storagePolicyQuotaResource, { ...spq, spec: { ...spq.spec, hard: '1' } }).unknownFields).toEqual(['.spec.hard']);
  });

  it('keeps the CRDs\' immutable fields immutable, with their messages', () => {
    const v = (def: any) => def.versions[0].schema;
    expect(validateRules(v(storagePolicyQuotaResource), { ...spq, spec: { ...spq.spec, limit: '20Gi' } }, spq)).toEqual([]);
    expect(validateRules(v(storagePolicyQuotaResource), { ...spq, spec: { ...spq.spec, storagePolicyId: 'other' } }, spq)).toEqual([
      expect.objectContaining({ field: 'spec.storagePolicyId', message: expect.stringContaining('StoragePolicyId is immutable') }),
    ]);
    const changed = validateRules(v(storagePolicyUsageResource), { ...spu, spec: { ...spu.spec, resourceKind: 'X', storageClassName: 'silver' } }, spu);
    expect(changed.map((c: any) => c.message)).toEqual(expect.arrayContaining([expect.stringContaining('ResourceKind is immutable'), expect.stringContaining('StorageClassName is immutable')]));
  });

  it('names the usages as VM Operator and the CSI driver do, and reads a class\'s policy', () => {
    expect([vmUsageName('gold'), pvcUsageName('gold')]).toEqual(['gold-vm-usage', 'gold-pvc-usage']);
    expect([storagePolicyIdOf(sc('gold', 'policy-gold')), storagePolicyIdOf(sc('none'))]).toEqual(['policy-gold', undefined]);
  });

  it('counts a VM\'s image disks at their capacity: reserved until it is created, used after, nothing once it is being deleted', () => {
    const world = lookup({ 'virtualmachineimages.vmoperator.vmware.com': [image] });
    expect(vmDiskBytes(vm('a', 'gold'), world, bytes)).toBe(21 * GI);
    expect(vmUsage(vm('a', 'gold'), world, bytes)).toEqual({ reserved: 21 * GI, used: 0 });
    expect(vmUsage(vm('a', 'gold', { status: created }), world, bytes)).toEqual({ reserved: 0, used: 21 * GI });
    expect(vmUsage(vm('a', 'gold', { status: created, metadata: { deletionTimestamp: '2025-01-01T00:00:00Z' } }), world, bytes)).toEqual({ reserved: 0, used: 0 });
    expect(vmDiskBytes({ metadata: { namespace: 'team-a' }, spec: { imageName: 'missing' } }, world, bytes)).toBe(0);
  });

  it('counts a claim as the CSI driver: its request reserved until bound, its capacity used after, an expansion reserved', () => {
    expect(claimUsage(pvc('c', 'gold', '5Gi'), bytes)).toEqual({ reserved: 5 * GI, used: 0 });
    expect(claimUsage(pvc('c', 'gold', '5Gi', { phase: 'Bound', capacity: { storage: '5Gi' } }), bytes)).toEqual({ reserved: 0, used: 5 * GI });
    expect(claimUsage(pvc('c', 'gold', '8Gi', { phase: 'Bound', capacity: { storage: '5Gi' } }), bytes)).toEqual({ reserved: 3 * GI, used: 5 * GI });
    expect(claimUsage(pvc('c', 'gold', '5Gi', { phase: 'Pending' }, { deletionTimestamp: 'x' }), bytes)).toEqual({ reserved: 0, used: 0 });
  });

  it('adds up a policy\'s classes in a namespace, and nothing of other classes or namespaces', () => {
    const world = lookup({
      'storageclasses.storage.k8s.io': [sc('gold', 'policy-gold'), sc('gold-wffc', 'policy-gold'), sc('silver', 'policy-silver')],
      'virtualmachineimages.vmoperator.vmware.com': [image],
      'virtualmachines.vmoperator.vmware.com': [vm('a', 'gold', { status: created }), vm('b', 'gold-wffc'), vm('c', 'silver')],
      persistentvolumeclaims: [pvc('d1', 'gold', '5Gi', { phase: 'Bound', capacity: { storage: '5Gi' } }), pvc('d2', 'silver', '7Gi'), { ...pvc('d3', 'gold', '1Gi'), metadata: { name: 'd3', namespace: 'team-b' } }],
    });
    expect(storageClassesOfPolicy('policy-gold', world)).toEqual(['gold', 'gold-wffc']);
    expect(vmUsageOfClass('team-a', 'gold', world, bytes)).toEqual({ reserved: 0, used: 21 * GI });
    expect(claimUsageOfClass('team-a', 'gold', world, bytes)).toEqual({ reserved: 0, used: 5 * GI });
    expect(policyUsageBytes('team-a', 'policy-gold', world, bytes)).toBe((21 + 21 + 5) * GI);
    expect(policyUsageBytes('team-a', 'policy-silver', world, bytes)).toBe((21 + 7) * GI);
  });
});
