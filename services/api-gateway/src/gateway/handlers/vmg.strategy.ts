import { invalid, StatusCause } from '@openpacific/kube-api';
import { powerStateStamp, VMG_APPLY_POWER_STATE_ANNOTATION, VMG_LAST_UPDATED_POWER_STATE_ANNOTATION } from '@openpacific/contracts';
import type { KindStrategy } from './kind-strategies';

const SELF_REFERENCE = 'group cannot have itself as a member or group name';
/** RFC3339Nano, as Go's time.Parse takes it: a date, a time with optional fraction, and a zone. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * VM Operator's mutating webhook: `nextForcePowerStateSyncTime: now` (any case) becomes the time of the request, a
 * cleared value keeps the previous one, and anything else refuses the write; a new or changed power state, or a
 * forced sync, stamps the last-updated-power-state-time annotation the controller counts the boot order from (a
 * stamp in the second of the previous one moves to the next second: powerStateStamp). A power state set on the
 * group itself (not by its parent, which writes the apply-power-state-time with it) drops a parent's stale apply
 * time, so it applies now.
 */
export function mutateVirtualMachineGroup(old: any | undefined, next: any, at = Date.now()): any {
  const spec = (next.spec ??= {});
  const before = old?.spec?.nextForcePowerStateSyncTime ?? '';
  const now = powerStateStamp(old?.metadata?.annotations?.[VMG_LAST_UPDATED_POWER_STATE_ANNOTATION], at);
  let forced = false;
  if (!spec.nextForcePowerStateSyncTime) {
    if (before) spec.nextForcePowerStateSyncTime = before;
    else delete spec.nextForcePowerStateSyncTime;
  } else if (String(spec.nextForcePowerStateSyncTime).toLowerCase() === 'now') {
    spec.nextForcePowerStateSyncTime = now;
    forced = true;
  } else if (spec.nextForcePowerStateSyncTime !== before) {
    const value = JSON.stringify(spec.nextForcePowerStateSyncTime);
    throw invalid('VirtualMachineGroup', next.metadata?.name ?? '', 'vmoperator.vmware.com', [
      { field: 'spec.nextForcePowerStateSyncTime', reason: 'FieldValueInvalid', message: `Invalid value: ${value}: may only be set to "now"` },
    ]);
  }
  if (forced || (spec.powerState ?? '') !== (old?.spec?.powerState ?? '')) {
    const annotations = { ...(next.metadata.annotations ?? {}), [VMG_LAST_UPDATED_POWER_STATE_ANNOTATION]: now };
    if (annotations[VMG_APPLY_POWER_STATE_ANNOTATION] === old?.metadata?.annotations?.[VMG_APPLY_POWER_STATE_ANNOTATION]) delete annotations[VMG_APPLY_POWER_STATE_ANNOTATION];
    next.metadata.annotations = annotations;
  }
  return next;
}

/**
 * The validating webhook: a member appears once across the boot order (by kind and name), a group is neither its
 * own member nor its own parent, the power state once set cannot be cleared, and the last-updated time must parse.
 * Members that do not exist yet are allowed: the controller reports them.
 */
export function validateVirtualMachineGroup(group: any, old?: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = group.metadata?.name;
  const seen = new Set<string>();
  (group.spec?.bootOrder ?? []).forEach((entry: any, i: number) => {
    (entry?.members ?? []).forEach((m: any, j: number) => {
      const key = `${m.kind ?? 'VirtualMachine'}/${m.name}`;
      const field = `spec.bootOrder[${i}].members[${j}]`;
      if (seen.has(key)) causes.push({ field, reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(key)}` });
      seen.add(key);
      if (m.kind === 'VirtualMachineGroup' && m.name === name) causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(key)}: ${SELF_REFERENCE}` });
    });
  });
  if (group.spec?.groupName !== undefined && group.spec.groupName === name) {
    causes.push({ field: 'spec.groupName', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${SELF_REFERENCE}` });
  }
  const stamp = group.metadata?.annotations?.[VMG_LAST_UPDATED_POWER_STATE_ANNOTATION];
  if (stamp !== undefined && stamp !== '' && !RFC3339.test(stamp)) {
    causes.push({ field: `metadata.annotations[${VMG_LAST_UPDATED_POWER_STATE_ANNOTATION}]`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(stamp)}: time must be in RFC3339Nano format` });
  }
  if (old?.spec?.powerState && !group.spec?.powerState) {
    causes.push({ field: 'spec.powerState', reason: 'FieldValueForbidden', message: "Forbidden: cannot set powerState to empty once it's been set" });
  }
  return causes;
}

export const vmGroupKindStrategies: Record<string, KindStrategy> = {
  'vmoperator.vmware.com/VirtualMachineGroup': {
    defaults: (group) => mutateVirtualMachineGroup(undefined, group),
    prepareUpdate: (old, next) => mutateVirtualMachineGroup(old, next),
    validateCreate: (group) => validateVirtualMachineGroup(group),
    validateUpdate: (old, next) => validateVirtualMachineGroup(next, old),
  },
};
