/**
 * What the vm-operator resolved for a VirtualMachine and hands on, as an annotation, to the scheduler
 * (requests to place it by) and to the host that runs it (hardware, image, address).
 */
export const VM_PLACEMENT_ANNOTATION = 'vmoperator.openpacific.io/placement';

export interface VmPlacement {
  className: string;
  cpus: number;
  memoryBytes: number;
  /** What counts against a host's capacity: the class's reservations (none for a best-effort class). */
  requests: { cpuMillis: number; memoryBytes: number };
  image: { kind: string; name: string };
  /** TCP ports the guest listens on. */
  ports: number[];
  /** The VM's address, from its namespace's pool. */
  ip: string;
  /** VMs of one VirtualMachineSetResourcePolicy are spread over hosts, */
  resourcePolicy?: string;
  /** and so, more strongly, are those of one of its cluster-module groups (annotation `vsphere-cluster-module-group`). */
  moduleGroup?: string;
}

/** Parsed annotations by the VM object they were read from (read models keep one object per version). */
const parsed = new WeakMap<object, { raw: string; placement: VmPlacement | undefined }>();

/**
 * The VM's placement annotation, parsed once per object and annotation text: the scheduler reads every placed
 * VM's on every pass. Callers read the result and never change it.
 */
export function vmPlacement(vm: any): VmPlacement | undefined {
  const raw = vm?.metadata?.annotations?.[VM_PLACEMENT_ANNOTATION];
  if (!raw || typeof raw !== 'string') return undefined;
  const known = parsed.get(vm);
  if (known?.raw === raw) return known.placement;
  let placement: VmPlacement | undefined;
  try {
    placement = JSON.parse(raw) as VmPlacement;
  } catch {
    placement = undefined;
  }
  parsed.set(vm, { raw, placement });
  return placement;
}

/** Cloud-init user data of a VM from its spec and the Secrets it names (undefined when it has none or it is missing). */
export function vmUserData(vm: any, secretOf: (namespace: string, name: string) => any | undefined): { userData?: string; problem?: { reason: string; message: string } } {
  const cloudInit = vm.spec?.bootstrap?.cloudInit;
  if (!cloudInit) return {};
  if (cloudInit.rawCloudConfig) {
    const { name, key = 'user-data' } = cloudInit.rawCloudConfig;
    const secret = secretOf(vm.metadata.namespace, name);
    if (!secret) return { problem: { reason: 'NotFound', message: `Secret "${name}" named by spec.bootstrap.cloudInit.rawCloudConfig does not exist` } };
    const value = secret.stringData?.[key] ?? (secret.data?.[key] !== undefined ? Buffer.from(secret.data[key], 'base64').toString('utf8') : undefined);
    if (value === undefined) return { problem: { reason: 'KeyNotFound', message: `Secret "${name}" has no key "${key}"` } };
    return { userData: value };
  }
  if (cloudInit.cloudConfig) return { userData: `#cloud-config\n${JSON.stringify(cloudInit.cloudConfig, null, 2)}\n` };
  return {};
}
