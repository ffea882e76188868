import { createHash } from 'node:crypto';
import { vmPlacement } from '@openpacific/objects';

/** The snapshot's record of its VM as the hypervisor had it (the simulated snapshot's configuration). */
export const SNAPSHOT_RECORD_ANNOTATION = 'vmoperator.openpacific.io/snapshot-vm';
export const SNAPSHOT_FINALIZER = 'vmoperator.vmware.com/virtualmachinesnapshot';

export type PowerState = 'PoweredOn' | 'PoweredOff' | 'Suspended';

export interface SnapshotRecord {
  /** The VM's spec when the snapshot was taken (without `currentSnapshotName`). */
  spec: any;
  /** CPUs and memory the VM ran with, from its placement on the host. */
  hardware?: { cpus: number; memoryBytes: number };
  /** The VM's labels and its own annotations (not those the system keeps, see `systemAnnotation`); absent in older records. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Annotations the system keeps on a VM (placement, guest heartbeat, protected stamps): neither recorded nor reverted. */
export function systemAnnotation(key: string): boolean {
  return key.startsWith('vmoperator.openpacific.io/') || key.startsWith('vmoperator.vmware.com.protected/');
}

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** What a snapshot's state is computed from: its VM as the controller read it. */
export type SnapshotFacts = { vm: 'missing'; namespace: string; vmName: string } | { vm: 'notCreated' } | { vm: 'ok' };

/**
 * The power state a snapshot keeps: the VM's with its memory, powered off without it (a powered-on VM reverts to
 * powered off), and always suspended for a suspended VM, whose memory every snapshot includes.
 */
export function snapshotPowerState(vmPowerState: PowerState | undefined, memory: boolean): PowerState {
  if (vmPowerState === 'Suspended') return 'Suspended';
  return memory && vmPowerState === 'PoweredOn' ? 'PoweredOn' : 'PoweredOff';
}

export function recordOf(vm: any): SnapshotRecord {
  const spec = structuredClone(vm.spec ?? {});
  delete spec.currentSnapshotName;
  const placed = vmPlacement(vm);
  const annotations = Object.fromEntries(Object.entries(vm.metadata?.annotations ?? {}).filter(([k]) => !systemAnnotation(k))) as Record<string, string>;
  return { spec, ...(placed ? { hardware: { cpus: placed.cpus, memoryBytes: placed.memoryBytes } } : {}), labels: { ...(vm.metadata?.labels ?? {}) }, annotations };
}

const GI = 1024 ** 3;
const MI = 1024 ** 2;
function quantity(bytes: number): string {
  if (bytes > 0 && bytes % GI === 0) return `${bytes / GI}Gi`;
  if (bytes > 0 && bytes % MI === 0) return `${bytes / MI}Mi`;
  return String(bytes);
}

const parseBytes = (q: unknown): number => {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(String(q ?? ''));
  return m ? Number(m[1]) * 1024 ** ['', 'Ki', 'Mi', 'Gi', 'Ti'].indexOf(m[2] ?? '') : 0;
};

/** vSphere's MoRef style, stable for one snapshot: `snapshot-` and a number. */
export function snapshotUniqueID(uid: string): string {
  return `snapshot-${parseInt(createHash('sha256').update(uid).digest('hex').slice(0, 8), 16) % 100_000}`;
}

/** The status of a snapshot just taken of `vm`: its power state, quiescing, identity and the storage it holds. */
export function takenStatus(snap: any, vm: any, record: SnapshotRecord): any {
  const memory = snap.spec?.memory === true;
  const powerState = snapshotPowerState(vm.status?.powerState, memory);
  // The memory image (a suspended VM's too) and the VM's disks, as VM Operator sums a snapshot's request.
  const memoryBytes = memory || powerState === 'Suspended' ? (record.hardware?.memoryBytes ?? 0) : 0;
  const disks = (vm.status?.volumes ?? []).reduce((sum: number, v: any) => sum + parseBytes(v.limit), 0);
  const total = memoryBytes + disks;
  return {
    powerState,
    // Quiescing needs the guest's tools, which answer only in a running guest.
    ...(snap.spec?.quiesce && vm.status?.powerState === 'PoweredOn' ? { quiesced: true } : {}),
    uniqueID: snapshotUniqueID(snap.metadata.uid),
    storage: { used: String(total), requested: [{ storageClass: vm.spec?.storageClass ?? '', total: quantity(total) }] },
  };
}

const ok = (type: string): Condition => ({ type, status: 'True', reason: 'True', message: '' });
const not = (type: string, reason: string, message: string): Condition => ({ type, status: 'False', reason, message });

export function created(f: SnapshotFacts): Condition {
  if (f.vm === 'missing') {
    return not('VirtualMachineSnapshotCreated', 'VirtualMachineSnapshotCreationFailed', `failed to get VirtualMachine "${f.namespace}/${f.vmName}": virtualmachines.vmoperator.vmware.com "${f.vmName}" not found`);
  }
  if (f.vm === 'notCreated') return not('VirtualMachineSnapshotCreated', 'VirtualMachineSnapshotCreationInProgress', "VM hasn't been created and has no uniqueID");
  return ok('VirtualMachineSnapshotCreated');
}

/** No CSI volume snapshots to wait for on the simulated hypervisor: synced as soon as the snapshot exists. */
export function csiSynced(f: SnapshotFacts): Condition | undefined {
  return f.vm === 'ok' ? ok('VirtualMachineSnapshotCSISynced') : undefined;
}

export function ready(f: SnapshotFacts): Condition {
  if (f.vm !== 'ok') return not('VirtualMachineSnapshotReady', 'VirtualMachineSnapshotWaitingForCreation', "Snapshot is not ready because it doesn't have created condition");
  return ok('VirtualMachineSnapshotReady');
}

/** The conditions that apply, by type, keeping the transition time of those whose status did not change. */
export function snapshotConditions(f: SnapshotFacts, previous: Condition[] | undefined, now: string): Condition[] {
  const next = [csiSynced(f), created(f), ready(f)].filter((c): c is Condition => !!c);
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
}

export function isReady(snap: any): boolean {
  return (snap?.status?.conditions ?? []).some((c: any) => c.type === 'VirtualMachineSnapshotReady' && c.status === 'True');
}
