import { fieldRequired, StatusCause } from '@openpacific/kube-api';
import { VMSNAPSHOT_VM_NAME_LABEL } from '@openpacific/contracts';
import type { KindStrategy } from './kind-strategies';
import { deepEqual } from './object-rules';

/** As VM Operator's mutating webhook: on create, the snapshot is labelled with its VM's name. */
export function defaultVirtualMachineSnapshot(snap: any): any {
  const vmName = snap.spec?.vmName;
  const labels = snap.metadata.labels ?? {};
  if (vmName && labels[VMSNAPSHOT_VM_NAME_LABEL] === undefined) snap.metadata.labels = { ...labels, [VMSNAPSHOT_VM_NAME_LABEL]: vmName };
  return snap;
}

/** The label, when set, must name the snapshot's VM: it is how VM Operator finds a VM's snapshots. */
function vmNameLabelMismatch(snap: any): StatusCause[] {
  const label = snap.metadata?.labels?.[VMSNAPSHOT_VM_NAME_LABEL];
  const vmName = snap.spec?.vmName ?? '';
  if (label === undefined || label === vmName) return [];
  return [{ field: `metadata.labels[${VMSNAPSHOT_VM_NAME_LABEL}]`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(label)}: must match spec.vmName ${JSON.stringify(vmName)}` }];
}

/** The validating webhook on create: a snapshot names its VM. A VM that does not exist is the controller's to report. */
export function validateVirtualMachineSnapshotCreate(snap: any): StatusCause[] {
  if (!snap.spec?.vmName) return [fieldRequired('spec.vmName', 'vmName must be provided')];
  return vmNameLabelMismatch(snap);
}

/** The validating webhook on update: only the description may change. */
export function validateVirtualMachineSnapshotUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['memory', 'quiesce', 'vmName'] as const) {
    const value = next.spec?.[field];
    if (!deepEqual(old.spec?.[field], value)) causes.push({ field: `spec.${field}`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value ?? null)}: field is immutable` });
  }
  return [...causes, ...vmNameLabelMismatch(next)];
}

export const vmSnapshotKindStrategies: Record<string, KindStrategy> = {
  'vmoperator.vmware.com/VirtualMachineSnapshot': {
    defaults: defaultVirtualMachineSnapshot,
    validateCreate: validateVirtualMachineSnapshotCreate,
    validateUpdate: validateVirtualMachineSnapshotUpdate,
  },
};
