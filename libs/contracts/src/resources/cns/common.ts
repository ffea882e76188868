/**
 * Storage policy quotas of a newer Supervisor (vSphere 8 U2 and later), `cns.vmware.com/v1alpha1`: a namespace's
 * StoragePolicyQuota per storage policy (`spec.storagePolicyId`, `spec.limit`), and one StoragePolicyUsage per
 * storage class of that policy and kind of storage object, where the owner of that kind reports what it uses. Names
 * and extension names as VM Operator (`pkg/util/kube/spq`) and the vSphere CSI driver (its syncer) give them.
 */
export const CNS_GROUP = 'cns.vmware.com';
export const CNS_API_VERSION = `${CNS_GROUP}/v1alpha1`;

/** Where the two kinds live in the log and the read models. */
export const STORAGE_POLICY_QUOTAS_RESOURCE = `storagepolicyquotas.${CNS_GROUP}`;
export const STORAGE_POLICY_USAGES_RESOURCE = `storagepolicyusages.${CNS_GROUP}`;

/** The StorageClass parameter naming its vSphere storage policy (VM Operator's `StoragePolicyIDParameter`). */
export const STORAGE_POLICY_ID_PARAMETER = 'storagePolicyID';

/** VM Operator's extension for VirtualMachines (immutable upstream for backward compatibility: no `vm` prefix). */
export const VM_USAGE_EXTENSION = 'vmware-system-vmop-webhook-service';
/** The vSphere CSI driver's extension for PersistentVolumeClaims. */
export const PVC_USAGE_EXTENSION = 'volume.cns.vsphere.vmware.com';

/** VM Operator's StoragePolicyUsage of a storage class's VirtualMachines: `<class>-vm-usage`. */
export function vmUsageName(storageClass: string): string {
  return `${storageClass}-vm-usage`;
}

/** The CSI driver's StoragePolicyUsage of a storage class's claims: `<class>-pvc-usage`. */
export function pvcUsageName(storageClass: string): string {
  return `${storageClass}-pvc-usage`;
}

/** The storage policy a StorageClass stands for (`parameters.storagePolicyID`), undefined when it names none. */
export function storagePolicyIdOf(storageClass: any): string | undefined {
  const id = storageClass?.parameters?.[STORAGE_POLICY_ID_PARAMETER];
  return typeof id === 'string' && id ? id : undefined;
}

/** What one StoragePolicyUsage (or one kind of them) reports, in bytes. */
export interface QuotaUsageBytes {
  reserved: number;
  used: number;
}

/** A StoragePolicyUsage as its owner keeps it: spec by the real owner's rules, owned by the StoragePolicyQuota. */
export function newStoragePolicyUsage(
  spq: any,
  storageClass: string,
  usage: { name: string; kind: string; apiGroup?: string; extension: string },
  meta: { uid: string; creationTimestamp: string },
): any {
  return {
    apiVersion: CNS_API_VERSION,
    kind: 'StoragePolicyUsage',
    metadata: {
      name: usage.name,
      namespace: spq.metadata.namespace,
      uid: meta.uid,
      creationTimestamp: meta.creationTimestamp,
      generation: 1,
      ownerReferences: [{ apiVersion: CNS_API_VERSION, kind: 'StoragePolicyQuota', name: spq.metadata.name, uid: spq.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      storagePolicyId: spq.spec.storagePolicyId,
      storageClassName: storageClass,
      ...(usage.apiGroup ? { resourceApiGroup: usage.apiGroup } : {}),
      resourceKind: usage.kind,
      resourceExtensionName: usage.extension,
    },
  };
}
