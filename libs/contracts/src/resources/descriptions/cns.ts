import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

const CNS = 'cns.vmware.com';

/** QuotaUsageDetails, by path from it. */
const usageFields: FieldDescriptions = {
  reserved: 'Storage reserved for objects being provisioned: claims not bound yet (or being expanded), VMs not created yet.',
  used: 'Storage used by objects provisioned: bound claims\' capacity, created VMs\' disks.',
};

/** SCLevelQuotaStatus, by path from it. */
const classFields: FieldDescriptions = {
  storageClassName: 'The StorageClass (of the quota\'s storage policy).',
  scQuotaUsage: 'What the objects of that class reserve and use.',
  ...describedUnder('scQuotaUsage', usageFields),
};

export const cnsDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey(CNS, 'StoragePolicyQuota')]: {
    '': 'The storage a namespace may use of one vSphere storage policy, across every kind of object and every StorageClass of the policy. A StorageClass whose `parameters.storagePolicyID` is the quota\'s policy may be used in the namespace.',
    spec: 'The storage policy and its limit.',
    'spec.storagePolicyId': 'The storage policy\'s id (a StorageClass\'s `parameters.storagePolicyID`). Required; immutable.',
    'spec.limit': 'The most that claims and VMs of the policy\'s classes may reserve and use together in the namespace; no limit when unset. A claim or VM that would go beyond it is refused.',
    status: 'What the namespace uses of the policy, from its StoragePolicyUsages.',
    'status.total': 'Per StorageClass of the policy, what every kind of object reserves and uses.',
    ...describedUnder('status.total', classFields),
    'status.extensions': 'Per extension (the owner of one kind of object: VMs, claims), what its objects reserve and use per StorageClass.',
    'status.extensions.extensionName': 'The extension\'s name (`volume.cns.vsphere.vmware.com` for claims, `vmware-system-vmop-webhook-service` for VMs).',
    'status.extensions.extensionQuotaUsage': 'Per StorageClass, what the extension\'s objects reserve and use.',
    ...describedUnder('status.extensions.extensionQuotaUsage', classFields),
  },
  [descriptionKey(CNS, 'StoragePolicyUsage')]: {
    '': 'What one kind of object of one StorageClass reserves and uses in a namespace, kept by the owner of that kind for each StoragePolicyQuota: `<class>-vm-usage` (VMs), `<class>-pvc-usage` (claims).',
    spec: 'Which storage policy, class and kind of object. Every field is immutable.',
    'spec.storagePolicyId': 'The storage policy\'s id. Required.',
    'spec.storageClassName': 'The StorageClass of the policy. Required.',
    'spec.resourceApiGroup': 'The API group of the kind (`vmoperator.vmware.com`); unset for a core kind.',
    'spec.resourceKind': 'The kind of object counted (`VirtualMachine`, `PersistentVolumeClaim`). Required.',
    'spec.resourceExtensionName': 'The extension that owns the kind and reports its usage. Required.',
    status: 'What the objects reserve and use.',
    'status.quotaUsage': 'What the objects reserve and use.',
    ...describedUnder('status.quotaUsage', usageFields),
  },
};
