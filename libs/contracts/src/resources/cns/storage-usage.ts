/**
 * What counts against a storage policy in a namespace, as the Supervisor's owners of each kind report it in their
 * StoragePolicyUsage objects: pure functions over a lookup of objects, shared by the policy service (which
 * enforces a StoragePolicyQuota's limit and reports claims) and the vm-operator (which reports VMs).
 */
import { STORAGE_CLASSES_RESOURCE } from '../storage/storage-class.resource';
import { claimStorageClass, PVCS_RESOURCE } from '../storage/persistent-volume-claim.resource';
import { VIRTUAL_MACHINES_RESOURCE } from '../vmoperator';
import { QuotaUsageBytes, storagePolicyIdOf } from './common';

export interface ObjectLookup {
  get(resource: string, namespace: string | undefined, name: string): any | undefined;
  list(resource: string, namespace?: string): any[];
}

/** Bytes of a quantity (`20Gi` -> 21474836480), undefined when it is none: the caller's parser (kube-api's parseQuantity). */
export type BytesOf = (q: string | number) => number | undefined;

export const VM_IMAGES_RESOURCE = 'virtualmachineimages.vmoperator.vmware.com';
export const CLUSTER_VM_IMAGES_RESOURCE = 'clustervirtualmachineimages.vmoperator.vmware.com';

const NONE: QuotaUsageBytes = { reserved: 0, used: 0 };
/** A quantity field in whole bytes; 0 when it is absent or no quantity. */
export function bytesIn(q: unknown, bytes: BytesOf): number {
  return typeof q === 'string' || typeof q === 'number' ? Math.max(0, Math.ceil(bytes(q) ?? 0)) : 0;
}

/**
 * The image a VM is deployed from: `spec.image` (kind and name, as VM Operator's webhook writes it), else
 * `spec.imageName`, a VirtualMachineImage of the namespace first, then a ClusterVirtualMachineImage, by object name
 * and then by display name (`status.name`).
 */
export function imageOfVm(vm: any, lookup: ObjectLookup): any | undefined {
  const ref = vm?.spec?.image?.name ?? vm?.spec?.imageName;
  if (!ref) return undefined;
  const kind = vm?.spec?.image?.kind;
  const places: [string, string | undefined][] = [];
  if (kind !== 'ClusterVirtualMachineImage') places.push([VM_IMAGES_RESOURCE, vm.metadata?.namespace]);
  if (kind !== 'VirtualMachineImage') places.push([CLUSTER_VM_IMAGES_RESOURCE, undefined]);
  for (const [resource, namespace] of places) {
    const found = lookup.get(resource, namespace, ref) ?? lookup.list(resource, namespace).find((i) => i?.status?.name === ref);
    if (found) return found;
  }
  return undefined;
}

/**
 * The bytes of a VM's own disks (not its claims, which count as claims): its image's disks at their provisioned
 * size, `status.disks[].capacity` (VM Operator's image disk `limit`), which the VM's boot disk is cloned at.
 */
export function vmDiskBytes(vm: any, lookup: ObjectLookup, bytes: BytesOf): number {
  const disks = imageOfVm(vm, lookup)?.status?.disks;
  return Array.isArray(disks) ? disks.reduce((sum: number, d: any) => sum + bytesIn(d?.capacity, bytes), 0) : 0;
}

/** VM Operator's `VirtualMachineCreated` condition is True: the VM exists on a host. */
export function vmCreated(vm: any): boolean {
  return (vm?.status?.conditions ?? []).some((c: any) => c?.type === 'VirtualMachineCreated' && c?.status === 'True');
}

/**
 * A VM's share of its class's VM usage, as VM Operator's StoragePolicyUsage controller counts it: its disks as
 * `reserved` until it is created, as `used` after; nothing once it is being deleted.
 */
export function vmUsage(vm: any, lookup: ObjectLookup, bytes: BytesOf): QuotaUsageBytes {
  if (vm?.metadata?.deletionTimestamp) return NONE;
  const disks = vmDiskBytes(vm, lookup, bytes);
  return vmCreated(vm) ? { reserved: 0, used: disks } : { reserved: disks, used: 0 };
}

/**
 * A claim's share of its class's claim usage, as the CSI driver counts it: a claim not bound yet reserves its
 * request; a bound one uses its capacity and reserves what an expansion asks beyond it. A claim being deleted
 * reserves nothing, and uses its volume's capacity while it is still bound.
 */
export function claimUsage(pvc: any, bytes: BytesOf): QuotaUsageBytes {
  const request = bytesIn(pvc?.spec?.resources?.requests?.storage, bytes);
  const deleting = !!pvc?.metadata?.deletionTimestamp;
  if (pvc?.status?.phase !== 'Bound') return deleting ? NONE : { reserved: request, used: 0 };
  const capacity = bytesIn(pvc?.status?.capacity?.storage ?? pvc?.spec?.resources?.requests?.storage, bytes);
  return { reserved: deleting ? 0 : Math.max(0, request - capacity), used: capacity };
}

export function addQuotaUsage(a: QuotaUsageBytes, b: QuotaUsageBytes): QuotaUsageBytes {
  return { reserved: a.reserved + b.reserved, used: a.used + b.used };
}

/** The StorageClasses of a storage policy (their `parameters.storagePolicyID`), by name. */
export function storageClassesOfPolicy(policyId: string, lookup: ObjectLookup): string[] {
  return lookup.list(STORAGE_CLASSES_RESOURCE).filter((sc) => storagePolicyIdOf(sc) === policyId).map((sc) => sc.metadata.name).sort();
}

/** What the VMs of one storage class use in a namespace (VM Operator's `<class>-vm-usage`). */
export function vmUsageOfClass(namespace: string, storageClass: string, lookup: ObjectLookup, bytes: BytesOf): QuotaUsageBytes {
  return lookup.list(VIRTUAL_MACHINES_RESOURCE, namespace).filter((vm) => vm?.spec?.storageClass === storageClass).reduce((sum, vm) => addQuotaUsage(sum, vmUsage(vm, lookup, bytes)), NONE);
}

/** What the claims of one storage class use in a namespace (the CSI driver's `<class>-pvc-usage`). */
export function claimUsageOfClass(namespace: string, storageClass: string, lookup: ObjectLookup, bytes: BytesOf): QuotaUsageBytes {
  return lookup.list(PVCS_RESOURCE, namespace).filter((pvc) => claimStorageClass(pvc) === storageClass).reduce((sum, pvc) => addQuotaUsage(sum, claimUsage(pvc, bytes)), NONE);
}

/** Everything that counts against a storage policy's quota in a namespace: reserved plus used, of claims and VMs of its classes. */
export function policyUsageBytes(namespace: string, policyId: string, lookup: ObjectLookup, bytes: BytesOf): number {
  let total = 0;
  for (const sc of storageClassesOfPolicy(policyId, lookup)) {
    for (const u of [vmUsageOfClass(namespace, sc, lookup, bytes), claimUsageOfClass(namespace, sc, lookup, bytes)]) total += u.reserved + u.used;
  }
  return total;
}
