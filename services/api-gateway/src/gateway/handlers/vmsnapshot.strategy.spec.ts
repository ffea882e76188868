import { defaultVirtualMachineSnapshot, validateVirtualMachineSnapshotCreate, validateVirtualMachineSnapshotUpdate } from './vmsnapshot.strategy';
import { validateVirtualMachineCreate, validateVirtualMachineUpdate } from './vm.strategy';

const LABEL = 'snapshot.vmoperator.vmware.com/vm-name';
const snap = (spec: any, labels?: Record<string, string>) => ({ metadata: { name: 's1', namespace: 'ns', ...(labels ? { labels } : {}) }, spec });

describe('VirtualMachineSnapshot admission', () => {
  it('labels a new snapshot with its VM’s name, keeping a label already given', () => {
    expect(defaultVirtualMachineSnapshot(snap({ vmName: 'web' })).metadata.labels).toEqual({ [LABEL]: 'web' });
    expect(defaultVirtualMachineSnapshot(snap({ vmName: 'web' }, { [LABEL]: 'db', app: 'x' })).metadata.labels).toEqual({ [LABEL]: 'db', app: 'x' });
    expect(defaultVirtualMachineSnapshot(snap({})).metadata.labels).toBeUndefined();
  });

  it('requires vmName, and a vm-name label that matches it', () => {
    expect(validateVirtualMachineSnapshotCreate(snap({ memory: true }))).toEqual([{ field: 'spec.vmName', reason: 'FieldValueRequired', message: 'Required value: vmName must be provided' }]);
    expect(validateVirtualMachineSnapshotCreate(snap({ vmName: 'web' }, { [LABEL]: 'web' }))).toEqual([]);
    expect(validateVirtualMachineSnapshotCreate(snap({ vmName: 'web' }, { [LABEL]: 'db' }))).toEqual([
      { field: `metadata.labels[${LABEL}]`, reason: 'FieldValueInvalid', message: 'Invalid value: "db": must match spec.vmName "web"' },
    ]);
  });

  it('lets only the description change', () => {
    const old = snap({ vmName: 'web', memory: true, description: 'a' }, { [LABEL]: 'web' });
    expect(validateVirtualMachineSnapshotUpdate(old, snap({ vmName: 'web', memory: true, description: 'b' }, { [LABEL]: 'web' }))).toEqual([]);
    const changed = snap({ vmName: 'db', quiesce: { timeout: '10m' } }, { [LABEL]: 'web' });
    expect(validateVirtualMachineSnapshotUpdate(old, changed)).toEqual([
      { field: 'spec.memory', reason: 'FieldValueInvalid', message: 'Invalid value: null: field is immutable' },
      { field: 'spec.quiesce', reason: 'FieldValueInvalid', message: 'Invalid value: {"timeout":"10m"}: field is immutable' },
      { field: 'spec.vmName', reason: 'FieldValueInvalid', message: 'Invalid value: "db": field is immutable' },
      { field: `metadata.labels[${LABEL}]`, reason: 'FieldValueInvalid', message: 'Invalid value: "web": must match spec.vmName "db"' },
    ]);
  });
});

describe('VirtualMachine revert admission', () => {
  const vm = (currentSnapshotName?: string) => ({ metadata: { name: 'web' }, spec: { powerState: 'PoweredOn', ...(currentSnapshotName ? { currentSnapshotName } : {}) } });

  it('refuses a new VM that names a current snapshot', () => {
    expect(validateVirtualMachineCreate(vm('s1'))).toEqual([{ field: 'spec.currentSnapshotName', reason: 'FieldValueForbidden', message: 'Forbidden: creating VM with current snapshot is not allowed' }]);
  });

  it('refuses another revert while one is in progress, and allows starting or abandoning one', () => {
    expect(validateVirtualMachineUpdate(vm('s1'), vm('s2'))).toEqual([{ field: 'spec.currentSnapshotName', reason: 'FieldValueForbidden', message: 'Forbidden: a snapshot revert is already in progress' }]);
    expect(validateVirtualMachineUpdate(vm(), vm('s1'))).toEqual([]);
    expect(validateVirtualMachineUpdate(vm('s1'), vm())).toEqual([]);
  });
});
