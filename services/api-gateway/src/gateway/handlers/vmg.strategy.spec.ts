import { KubeApiError } from '@openpacific/kube-api';
import { mutateVirtualMachineGroup, validateVirtualMachineGroup } from './vmg.strategy';

const STAMP = 'vmoperator.vmware.com.protected/last-updated-power-state-time';
const APPLY = 'vmoperator.vmware.com.protected/apply-power-state-time';
const group = (spec: any, annotations?: Record<string, string>) => ({ metadata: { name: 'app', namespace: 'ns', ...(annotations ? { annotations } : {}) }, spec });
const vm = (name: string, kind?: string) => ({ name, ...(kind ? { kind } : {}) });

describe('VirtualMachineGroup validation', () => {
  it('refuses a member listed twice across the boot order, by kind and name', () => {
    const g = group({ bootOrder: [{ members: [vm('db'), vm('web')] }, { members: [vm('db', 'VirtualMachine'), vm('db', 'VirtualMachineGroup')] }] });
    expect(validateVirtualMachineGroup(g)).toEqual([{ field: 'spec.bootOrder[1].members[0]', reason: 'FieldValueDuplicate', message: 'Duplicate value: "VirtualMachine/db"' }]);
  });

  it('refuses a group that is its own member or its own parent', () => {
    const g = group({ groupName: 'app', bootOrder: [{ members: [vm('app', 'VirtualMachineGroup'), vm('app')] }] });
    expect(validateVirtualMachineGroup(g)).toEqual([
      { field: 'spec.bootOrder[0].members[0]', reason: 'FieldValueInvalid', message: 'Invalid value: "VirtualMachineGroup/app": group cannot have itself as a member or group name' },
      { field: 'spec.groupName', reason: 'FieldValueInvalid', message: 'Invalid value: "app": group cannot have itself as a member or group name' },
    ]);
  });

  it('refuses clearing a power state once set, and a stamp that is not a time', () => {
    expect(validateVirtualMachineGroup(group({}), group({ powerState: 'PoweredOn' }))).toEqual([
      { field: 'spec.powerState', reason: 'FieldValueForbidden', message: "Forbidden: cannot set powerState to empty once it's been set" },
    ]);
    expect(validateVirtualMachineGroup(group({}, { [STAMP]: 'yesterday' }))).toEqual([
      { field: `metadata.annotations[${STAMP}]`, reason: 'FieldValueInvalid', message: 'Invalid value: "yesterday": time must be in RFC3339Nano format' },
    ]);
    expect(validateVirtualMachineGroup(group({ powerState: 'PoweredOff' }, { [STAMP]: '2026-01-02T03:04:05.123456789Z' }), group({ powerState: 'PoweredOn' }))).toEqual([]);
  });
});

describe('VirtualMachineGroup mutation', () => {
  it('stamps a new or changed power state, and not an unchanged one', () => {
    const created = mutateVirtualMachineGroup(undefined, group({ powerState: 'PoweredOff' }));
    expect(Date.parse(created.metadata.annotations[STAMP])).not.toBeNaN();
    expect(mutateVirtualMachineGroup(undefined, group({})).metadata.annotations).toBeUndefined();
    const same = mutateVirtualMachineGroup(group({ powerState: 'PoweredOn' }, { [STAMP]: 'x' }), group({ powerState: 'PoweredOn' }, { [STAMP]: 'x' }));
    expect(same.metadata.annotations[STAMP]).toBe('x');
  });

  it('stamps a power state changed within the second of the previous stamp at the start of the next second', () => {
    const at = Date.parse('2026-01-02T03:04:05.800Z');
    const old = group({ powerState: 'PoweredOff' }, { [STAMP]: '2026-01-02T03:04:05.3Z' });
    expect(mutateVirtualMachineGroup(old, group({ powerState: 'PoweredOn' }, { [STAMP]: '2026-01-02T03:04:05.3Z' }), at).metadata.annotations[STAMP]).toBe('2026-01-02T03:04:06Z');
    const later = group({ powerState: 'PoweredOff' }, { [STAMP]: '2026-01-02T03:04:04.9Z' });
    expect(mutateVirtualMachineGroup(later, group({ powerState: 'PoweredOn' }), at).metadata.annotations[STAMP]).toBe('2026-01-02T03:04:05.8Z');
    const forced = mutateVirtualMachineGroup(old, group({ powerState: 'PoweredOff', nextForcePowerStateSyncTime: 'now' }), at);
    expect(forced.spec.nextForcePowerStateSyncTime).toBe('2026-01-02T03:04:06Z');
  });

  it('turns nextForcePowerStateSyncTime "now" into the time and stamps it; keeps a cleared one; refuses anything else', () => {
    const forced = mutateVirtualMachineGroup(group({ powerState: 'PoweredOn' }), group({ powerState: 'PoweredOn', nextForcePowerStateSyncTime: 'NOW' }));
    expect(forced.spec.nextForcePowerStateSyncTime).toBe(forced.metadata.annotations[STAMP]);
    const kept = mutateVirtualMachineGroup(group({ nextForcePowerStateSyncTime: '2026-01-01T00:00:00Z' }), group({}));
    expect(kept.spec.nextForcePowerStateSyncTime).toBe('2026-01-01T00:00:00Z');
    let refusal: KubeApiError | undefined;
    try {
      mutateVirtualMachineGroup(group({}), group({ nextForcePowerStateSyncTime: 'tomorrow' }));
    } catch (err) {
      refusal = err as KubeApiError;
    }
    expect(refusal?.status).toMatchObject({ code: 422, reason: 'Invalid', details: { causes: [{ field: 'spec.nextForcePowerStateSyncTime', message: 'Invalid value: "tomorrow": may only be set to "now"' }] } });
  });

  it("drops a parent's apply time when the power state is set on the group itself, and keeps one the parent writes", () => {
    const direct = mutateVirtualMachineGroup(group({ powerState: 'PoweredOff' }, { [APPLY]: 't1' }), group({ powerState: 'PoweredOn' }, { [APPLY]: 't1' }));
    expect(direct.metadata.annotations[APPLY]).toBeUndefined();
    const fromParent = mutateVirtualMachineGroup(group({ powerState: 'PoweredOff' }, { [APPLY]: 't1' }), group({ powerState: 'PoweredOn' }, { [APPLY]: 't2' }));
    expect(fromParent.metadata.annotations[APPLY]).toBe('t2');
  });
});
