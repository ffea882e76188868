import { isReady, SNAPSHOT_RECORD_ANNOTATION, SnapshotRecord, systemAnnotation } from './snapshot.status';
import { managed } from './snapshot-tree';

export const REVERT_CONDITION = 'VirtualMachineSnapshotRevertSucceeded';

export interface RevertProblem {
  reason: string;
  message: string;
}

/** Why `vm` cannot revert to `snap` (its `spec.currentSnapshotName`), as VM Operator's revert reports it, if it cannot. */
export function revertProblem(vm: any, snap: any | undefined): RevertProblem | undefined {
  const name = vm.spec.currentSnapshotName;
  if (!snap || snap.metadata.deletionTimestamp) {
    return { reason: 'VirtualMachineSnapshotRevertFailed', message: `failed to get snapshot object "${name}": virtualmachinesnapshots.vmoperator.vmware.com "${name}" not found` };
  }
  if (!isReady(snap) && snap.spec?.vmName === vm.metadata.name) {
    return { reason: 'VirtualMachineSnapshotRevertSkipped', message: `skipping revert for not-ready snapshot "${name}"` };
  }
  // A snapshot of another VM is not in this VM's snapshot tree on the hypervisor.
  if (snap.spec?.vmName !== vm.metadata.name || !snap.metadata.annotations?.[SNAPSHOT_RECORD_ANNOTATION]) {
    return { reason: 'VirtualMachineSnapshotRevertFailed', message: `failed to find vSphere snapshot "${name}": virtual machine "${vm.metadata.name}" has no snapshot by that name` };
  }
  return undefined;
}

/**
 * The VM reverted to `snap`: its spec is the one the snapshot recorded, powered as the snapshot was (on only for a
 * memory snapshot of a running VM), its labels and own annotations as recorded, `currentSnapshotName` cleared, and the snapshot its current one. What the
 * revert must not undo stays: identities set since, and the restart already done (an older `nextRestartTime`
 * would restart the VM again).
 */
export function revertedVm(vm: any, snap: any): any {
  const record: SnapshotRecord = JSON.parse(snap.metadata.annotations[SNAPSHOT_RECORD_ANNOTATION]);
  const spec: any = { ...structuredClone(record.spec), powerState: snap.status.powerState };
  delete spec.currentSnapshotName;
  for (const field of ['biosUUID', 'instanceUUID', 'nextRestartTime'] as const) {
    if (vm.spec[field] !== undefined) spec[field] = vm.spec[field];
    else delete spec[field];
  }
  const next = structuredClone(vm);
  delete next.metadata.resourceVersion;
  next.metadata.generation = (vm.metadata.generation ?? 1) + 1;
  next.spec = spec;
  // Labels and the VM's own annotations as recorded (VM Operator restores them too); the system's stay as they are.
  if (record.labels) {
    next.metadata.labels = { ...record.labels };
    if (Object.keys(next.metadata.labels).length === 0) delete next.metadata.labels;
  }
  if (record.annotations) {
    const kept = Object.entries(vm.metadata.annotations ?? {}).filter(([k]) => systemAnnotation(k));
    next.metadata.annotations = { ...record.annotations, ...Object.fromEntries(kept) };
    if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
  }
  next.status = {
    ...next.status,
    currentSnapshot: managed(snap.metadata.name),
    conditions: (next.status?.conditions ?? []).filter((c: any) => c.type !== REVERT_CONDITION),
  };
  return next;
}
