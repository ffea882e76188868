import { parseQuantity } from '@openpacific/kube-api';
import { vmUserData } from '@openpacific/objects';
import { DEFAULT_GUEST_PORTS, GUEST_PORTS_ANNOTATION, R } from './vm-resources';

/** Read access to the objects a VM refers to (the controller's read model). */
export interface Lookup {
  get(resource: string, namespace: string | undefined, name: string): any | undefined;
  list(resource: string, namespace?: string): any[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

const ok = (type: string): Condition => ({ type, status: 'True', reason: 'True', message: '' });
const not = (type: string, reason: string, message: string): Condition => ({ type, status: 'False', reason, message });

export interface ResolvedVm {
  conditions: Condition[];
  /** Present when every reference resolved: what the host needs to create the VM. */
  hardware?: { cpus: number; memoryBytes: number; className: string };
  image?: { kind: string; name: string; ports: number[] };
}

/** The class of the VM in its namespace, and its CPUs and memory. */
export function resolveClass(vm: any, lookup: Lookup): { condition: Condition; hardware?: ResolvedVm['hardware'] } {
  const name = vm.spec?.className;
  const type = 'VirtualMachineClassReady';
  if (!name) return { condition: not(type, 'NotFound', 'spec.className is not set') };
  const cls = lookup.get(R.classes, vm.metadata.namespace, name);
  if (!cls) return { condition: not(type, 'NotFound', `VirtualMachineClass "${name}" does not exist in namespace "${vm.metadata.namespace}"`) };
  const cpus = Number(cls.spec?.hardware?.cpus ?? 1);
  const memoryBytes = (cls.spec?.hardware?.memory !== undefined ? parseQuantity(String(cls.spec.hardware.memory)) : undefined) ?? 1024 ** 3;
  return { condition: ok(type), hardware: { cpus, memoryBytes, className: name } };
}

/**
 * The image by `spec.image` or `spec.imageName`: a VirtualMachineImage of the namespace first, then a
 * ClusterVirtualMachineImage, each by object name and then by display name (`status.name`).
 */
export function resolveImage(vm: any, lookup: Lookup): { condition: Condition; image?: ResolvedVm['image'] } {
  const type = 'VirtualMachineImageReady';
  const ref = vm.spec?.image?.name ?? vm.spec?.imageName;
  if (!ref) return { condition: not(type, 'NotFound', 'spec.imageName is not set') };
  const ns = vm.metadata.namespace;
  const kinds: [string, string, string | undefined][] = vm.spec?.image?.kind === 'ClusterVirtualMachineImage'
    ? [['ClusterVirtualMachineImage', R.clusterImages, undefined]]
    : vm.spec?.image?.kind === 'VirtualMachineImage'
      ? [['VirtualMachineImage', R.images, ns]]
      : [['VirtualMachineImage', R.images, ns], ['ClusterVirtualMachineImage', R.clusterImages, undefined]];
  for (const [kind, resource, namespace] of kinds) {
    const found = lookup.get(resource, namespace, ref) ?? lookup.list(resource, namespace).find((i) => i.status?.name === ref);
    if (found) return { condition: ok(type), image: { kind, name: found.metadata.name, ports: guestPorts(found) } };
  }
  return { condition: not(type, 'NotFound', `no VirtualMachineImage or ClusterVirtualMachineImage named "${ref}" is available in namespace "${ns}"`) };
}

function guestPorts(image: any): number[] {
  const raw = image.metadata?.annotations?.[GUEST_PORTS_ANNOTATION];
  if (!raw) return DEFAULT_GUEST_PORTS;
  const ports = String(raw).split(',').map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  return ports.length ? ports : DEFAULT_GUEST_PORTS;
}

/** The storage class exists, and every claim the VM attaches exists and is bound. */
export function resolveStorage(vm: any, lookup: Lookup): Condition {
  const type = 'VirtualMachineStorageReady';
  const sc = vm.spec?.storageClass;
  if (sc && !lookup.get(R.storageClasses, undefined, sc)) return not(type, 'NotFound', `StorageClass "${sc}" does not exist`);
  for (const v of vm.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const claim = lookup.get(R.claims, vm.metadata.namespace, claimName);
    if (!claim) return not(type, 'NotFound', `PersistentVolumeClaim "${claimName}" (volume ${v.name}) does not exist`);
    if (claim.status?.phase !== 'Bound') return not(type, 'NotBound', `PersistentVolumeClaim "${claimName}" (volume ${v.name}) is not bound yet`);
  }
  return ok(type);
}

/** Cloud-init data resolved from the spec and the Secrets it names; a missing one is a condition, not a crash. */
export function resolveBootstrap(vm: any, lookup: Lookup): Condition {
  const type = 'VirtualMachineBootstrapReady';
  const { problem } = vmUserData(vm, (ns, name) => lookup.get(R.secrets, ns, name));
  return problem ? not(type, problem.reason, problem.message) : ok(type);
}
