import type { VmConsoleReply } from '@openpacific/contracts';

/**
 * What the spherelet-agent needs from a hypervisor to run VirtualMachines on its host. A real one (ESXi,
 * KVM) could implement it; the `sim` driver runs every powered-on VM as a small guest process.
 */
export type VmPowerState = 'PoweredOn' | 'PoweredOff' | 'Suspended';
export type PowerOpMode = 'Hard' | 'Soft' | 'TrySoft';

export interface VmHardware {
  cpus: number;
  memoryBytes: number;
}

export interface VmCreateSpec extends VmHardware {
  /** The VirtualMachine's uid: the hypervisor's key for it. */
  uid: string;
  name: string;
  namespace: string;
  /** The host epoch that created it (fencing). */
  epoch: number;
  /** The guest's primary IPv4 address. */
  ip: string;
  /** TCP ports the guest listens on (from its image and bootstrap data). */
  ports: number[];
  /** Cloud-init user data handed to the guest, if any. */
  userData?: string;
  /** Identities the VM already has (it was created on another host before): kept. */
  biosUUID?: string;
  instanceUUID?: string;
}

export interface VmInfo extends VmHardware {
  uid: string;
  name: string;
  namespace: string;
  epoch: number;
  powerState: VmPowerState;
  /** vSphere-style identities, fixed at creation. */
  uniqueID: string;
  biosUUID: string;
  instanceUUID: string;
  ip: string;
  ports: number[];
  /** When the guest last powered on (ISO), and whether it answers its heartbeat now. */
  poweredOnAt?: string;
  guestHeartbeat: 'green' | 'red' | 'gray';
  /**
   * The `guestinfo.*` keys the guest has set (vSphere keeps them in the VM's extraConfig), while it is powered on
   * or suspended; a power-off drops them and the guest sets them again as it boots.
   */
  guestInfo?: Record<string, string>;
  /** The guest process (sim driver). */
  pid?: number;
}

export interface HypervisorDriver {
  readonly name: string;
  create(spec: VmCreateSpec): Promise<VmInfo>;
  powerOn(uid: string): Promise<VmInfo>;
  powerOff(uid: string, mode: PowerOpMode): Promise<VmInfo>;
  suspend(uid: string): Promise<VmInfo>;
  /** New CPUs and memory; the VM must be powered off. */
  reconfigure(uid: string, hardware: VmHardware): Promise<VmInfo>;
  destroy(uid: string): Promise<void>;
  /** Makes exactly these volumes (by name, a path on the datastore) the VM's attached disks. */
  attachDisks(uid: string, disks: { name: string; path: string }[]): Promise<string[]>;
  list(): Promise<VmInfo[]>;
  /** Current state, with a fresh guest heartbeat and the guestinfo keys the guest has set. */
  guestInfo(uid: string): Promise<VmInfo>;
  /** The VM's console text from `fromByte` (vm-console.ts), and its power state now. */
  readConsole(uid: string, fromByte: number): Promise<VmConsoleReply>;
}

/**
 * The environment variable that marks every process of a VM's guest (the guest itself, the programs a node
 * image starts and what those start in turn) with the VM's uid, so all of them can be found and killed.
 */
export const VM_UID_ENV = 'OPENPACIFIC_VM_UID';
