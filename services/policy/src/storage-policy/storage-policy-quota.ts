/**
 * A StoragePolicyQuota's `spec.limit`, enforced as the Supervisor's storage quota service enforces it: across every
 * StorageClass of the quota's storage policy, what the namespace's claims and VMs reserve and use, plus what a new
 * claim asks (or a claim's growth) or a new VM's own disks, must stay within the limit. Pure functions.
 */
import { bytesIn, claimStorageClass, PVCS_RESOURCE, STORAGE_CLASSES_RESOURCE, storagePolicyIdOf, vmDiskBytes, type ObjectLookup } from '@openpacific/contracts';
import { parseQuantity } from '@openpacific/kube-api';
import { formatAmount } from '../quota/quota-usage';

/** What a write asks of a storage policy: bytes of one class of it. */
export interface StorageAsk {
  storageClass: string;
  policyId: string;
  bytes: number;
}

const bytesOf = (q: unknown) => bytesIn(q, parseQuantity);

/**
 * What a claim's create (its request) or update (its growth), or a VM's create (its image's disks), asks of the
 * storage policy of its class; undefined when it asks nothing or its class names no policy. A VM's claims count as
 * claims, when they are created; a VM's class and image are immutable, so its updates ask nothing.
 */
export function storageAsk(resource: string, operation: string, obj: any, old: any, objects: ObjectLookup): StorageAsk | undefined {
  let storageClass: string | undefined;
  let bytes = 0;
  if (resource === PVCS_RESOURCE) {
    storageClass = claimStorageClass(obj);
    const after = bytesOf(obj?.spec?.resources?.requests?.storage);
    bytes = operation === 'UPDATE' ? after - bytesOf(old?.spec?.resources?.requests?.storage) : after;
  } else if (operation === 'CREATE') {
    storageClass = obj?.spec?.storageClass;
    bytes = vmDiskBytes(obj, objects, parseQuantity);
  }
  if (!storageClass || bytes <= 0) return undefined;
  const policyId = storagePolicyIdOf(objects.get(STORAGE_CLASSES_RESOURCE, undefined, storageClass));
  return policyId ? { storageClass, policyId, bytes } : undefined;
}

/** The quota's limit in bytes, undefined when it sets none (or one that is no quantity). */
export function limitOf(spq: any): number | undefined {
  const q = spq?.spec?.limit;
  return (typeof q === 'string' || typeof q === 'number') && parseQuantity(q) !== undefined ? bytesOf(q) : undefined;
}

const size = (n: number) => `requests.storage=${formatAmount('requests.storage', n)}`;

/**
 * The refusal of one quota, undefined when the ask fits. Worded as kube-apiserver words a ResourceQuota's
 * (the storage quota service's own words are not public): `exceeded quota: gold (StoragePolicyQuota of storage
 * policy "p"), requested: requests.storage=5Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi`.
 */
export function storagePolicyQuotaExceeded(spq: any, used: number, ask: StorageAsk): string | undefined {
  const limit = limitOf(spq);
  if (limit === undefined || used + ask.bytes <= limit) return undefined;
  return `exceeded quota: ${spq.metadata.name} (StoragePolicyQuota of storage policy "${ask.policyId}"), requested: ${size(ask.bytes)}, used: ${size(used)}, limited: ${size(limit)}`;
}
