/**
 * What a vSphere Namespace lets its workloads use, as the Supervisor does: the VM classes bound to it
 * (VirtualMachineClass objects in it), the images published to it (VirtualMachineImage in it, or any
 * ClusterVirtualMachineImage) and the storage policies assigned to it (a ResourceQuota entry
 * `<class>.storageclass.storage.k8s.io/requests.storage`, or a StoragePolicyQuota of the class's
 * `storagePolicyID`). Pure functions over a lookup of objects.
 */
import { STORAGE_CLASSES_RESOURCE, STORAGE_POLICY_QUOTAS_RESOURCE, storagePolicyIdOf, type ObjectLookup } from '@openpacific/contracts';
import type { ReadModel } from '@openpacific/objects';
import { STORAGE_CLASS_SUFFIX } from '../quota/quota-usage';

export type Objects = ObjectLookup;

/** The objects of a read model, as the pure rules read them. */
export function modelObjects(model: ReadModel): Objects {
  return { get: (r, n, name) => model.get(r, n, name)?.object, list: (r, n) => model.list(r, n).map((s) => s.object) };
}

export const R = {
  classes: 'virtualmachineclasses.vmoperator.vmware.com',
  images: 'virtualmachineimages.vmoperator.vmware.com',
  clusterImages: 'clustervirtualmachineimages.vmoperator.vmware.com',
  quotas: 'resourcequotas',
  storagePolicyQuotas: STORAGE_POLICY_QUOTAS_RESOURCE,
  storageClasses: STORAGE_CLASSES_RESOURCE,
} as const;

export const STORAGE_NOT_ASSOCIATED = 'Storage policy is not associated with the namespace';

/** The VM's class, if it is not one of the namespace's. */
export function vmClassProblem(vm: any, ns: string, objects: Objects): string | undefined {
  const name = vm?.spec?.className;
  if (!name) return undefined;
  return objects.get(R.classes, ns, name) ? undefined : `VirtualMachineClass "${name}" is not associated with the namespace "${ns}"`;
}

/** The VM's image, if none of that name (or display name) is published to the namespace. */
export function vmImageProblem(vm: any, ns: string, objects: Objects): string | undefined {
  const ref = vm?.spec?.image?.name ?? vm?.spec?.imageName;
  if (!ref) return undefined;
  const kind = vm?.spec?.image?.kind;
  const places: [string, string | undefined][] = [];
  if (kind !== 'ClusterVirtualMachineImage') places.push([R.images, ns]);
  if (kind !== 'VirtualMachineImage') places.push([R.clusterImages, undefined]);
  for (const [resource, namespace] of places) {
    if (objects.get(resource, namespace, ref) || objects.list(resource, namespace).some((i) => i?.status?.name === ref)) return undefined;
  }
  const what = kind ?? 'VirtualMachineImage or ClusterVirtualMachineImage';
  return `${what} "${ref}" is not published to the namespace "${ns}"`;
}

/** Every storage class a VM, claim or TKC names (`storageClass`, `storageClassName`, `defaultClass`, `classes`), in order. */
export function storageClassesOf(kind: string, obj: any): string[] {
  const found = new Set<string>();
  if (kind === 'PersistentVolumeClaim') {
    const sc = obj?.spec?.storageClassName ?? obj?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
    if (sc) found.add(sc);
    return [...found];
  }
  const walk = (v: any, key?: string) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key === 'classes' ? 'storageClass' : undefined);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    } else if (typeof v === 'string' && v && (key === 'storageClass' || key === 'defaultClass')) {
      found.add(v);
    }
  };
  walk(obj?.spec);
  return [...found];
}

/**
 * The storage classes not associated with the namespace, as VM Operator's `IsStorageClassInNamespace` decides:
 * a ResourceQuota key `<class>.storageclass.storage.k8s.io/...`, or a StoragePolicyQuota whose
 * `spec.storagePolicyId` is the class's `parameters.storagePolicyID`. A namespace with neither a ResourceQuota nor
 * a StoragePolicyQuota is unrestricted (as a fresh local cluster): the rule applies once it has one.
 */
export function unassociatedStorageClasses(classes: string[], ns: string, objects: Objects): string[] {
  const quotas = objects.list(R.quotas, ns);
  const policies = new Set(objects.list(R.storagePolicyQuotas, ns).map((q) => q?.spec?.storagePolicyId).filter(Boolean));
  if (quotas.length === 0 && policies.size === 0) return [];
  const associated = new Set<string>();
  for (const q of quotas) {
    for (const key of Object.keys(q?.spec?.hard ?? {})) {
      const at = key.indexOf(STORAGE_CLASS_SUFFIX);
      if (at > 0) associated.add(key.slice(0, at));
    }
  }
  const ofPolicy = (c: string) => {
    const policy = storagePolicyIdOf(objects.get(R.storageClasses, undefined, c));
    return policy !== undefined && policies.has(policy);
  };
  return classes.filter((c) => !associated.has(c) && !ofPolicy(c));
}
