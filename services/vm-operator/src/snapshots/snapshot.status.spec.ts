import { VM_PLACEMENT_ANNOTATION } from '@openpacific/objects';
import { revertedVm, revertProblem } from './snapshot-revert';
import { recordOf, SNAPSHOT_RECORD_ANNOTATION, snapshotConditions, snapshotPowerState, takenStatus } from './snapshot.status';

const placement = { className: 'small', cpus: 2, memoryBytes: 2 * 1024 ** 3, requests: { cpuMillis: 0, memoryBytes: 0 }, image: { kind: 'VirtualMachineImage', name: 'vmi-web' }, ports: [22], ip: '10.0.0.2' };
const vm = (over: any = {}) => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'vm-uid', generation: 3, annotations: { [VM_PLACEMENT_ANNOTATION]: JSON.stringify(placement) } },
  spec: { className: 'small', storageClass: 'gold', powerState: 'PoweredOn', biosUUID: 'b-1', ...over.spec },
  status: { powerState: 'PoweredOn', uniqueID: 'vm-42', conditions: [{ type: 'Ready', status: 'True' }], ...over.status },
});
const snapOf = (v: any, spec: any = {}) => {
  const snap: any = { metadata: { name: 'snap-1', namespace: 'ns', uid: 's-uid', annotations: { [SNAPSHOT_RECORD_ANNOTATION]: JSON.stringify(recordOf(v)) } }, spec: { vmName: 'web', ...spec } };
  snap.status = { ...takenStatus(snap, v, recordOf(v)), conditions: snapshotConditions({ vm: 'ok' }, undefined, 't0') };
  return snap;
};

describe('VirtualMachineSnapshot state', () => {
  it('keeps a running VM powered on only with its memory, and a suspended VM suspended', () => {
    expect(snapshotPowerState('PoweredOn', true)).toBe('PoweredOn');
    expect(snapshotPowerState('PoweredOn', false)).toBe('PoweredOff');
    expect(snapshotPowerState('Suspended', false)).toBe('Suspended');
    expect(snapshotPowerState('PoweredOff', true)).toBe('PoweredOff');
  });

  it('records the VM’s spec and the hardware it was placed with, and the memory it holds', () => {
    const v = vm({ spec: { currentSnapshotName: 'old' } });
    expect(recordOf(v)).toEqual({ spec: { className: 'small', storageClass: 'gold', powerState: 'PoweredOn', biosUUID: 'b-1' }, hardware: { cpus: 2, memoryBytes: 2 * 1024 ** 3 }, labels: {}, annotations: {} });
    const status = takenStatus({ metadata: { uid: 's' }, spec: { memory: true, quiesce: { timeout: '10m' } } }, v, recordOf(v));
    expect(status).toMatchObject({ powerState: 'PoweredOn', quiesced: true, uniqueID: expect.stringMatching(/^snapshot-\d+$/), storage: { used: String(2 * 1024 ** 3), requested: [{ storageClass: 'gold', total: '2Gi' }] } });
    expect(takenStatus({ metadata: { uid: 's' }, spec: {} }, v, recordOf(v))).toMatchObject({ powerState: 'PoweredOff', storage: { used: '0' } });
  });

  it('is Ready with VM Operator’s three conditions once taken, and says why not for a missing VM', () => {
    expect(snapshotConditions({ vm: 'ok' }, undefined, 't1').map((c) => `${c.type}=${c.status}`)).toEqual(['VirtualMachineSnapshotCSISynced=True', 'VirtualMachineSnapshotCreated=True', 'VirtualMachineSnapshotReady=True']);
    const missing = snapshotConditions({ vm: 'missing', namespace: 'ns', vmName: 'ghost' }, undefined, 't1');
    expect(missing).toEqual([
      { type: 'VirtualMachineSnapshotCreated', status: 'False', reason: 'VirtualMachineSnapshotCreationFailed', message: 'failed to get VirtualMachine "ns/ghost": virtualmachines.vmoperator.vmware.com "ghost" not found', lastTransitionTime: 't1' },
      { type: 'VirtualMachineSnapshotReady', status: 'False', reason: 'VirtualMachineSnapshotWaitingForCreation', message: "Snapshot is not ready because it doesn't have created condition", lastTransitionTime: 't1' },
    ]);
    expect(snapshotConditions({ vm: 'notCreated' }, missing, 't2')[0]).toMatchObject({ reason: 'VirtualMachineSnapshotCreationInProgress', lastTransitionTime: 't1' });
  });
});

describe('reverting a VM to a snapshot', () => {
  it('restores the recorded spec and the snapshot’s power state, clears the request and makes the snapshot current', () => {
    const snap = snapOf(vm(), { memory: false });
    const changed = vm({ spec: { className: 'large', powerState: 'PoweredOff', currentSnapshotName: 'snap-1', nextRestartTime: '2025-01-01T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'VirtualMachineSnapshotRevertSucceeded', status: 'False' }] } });
    expect(revertProblem(changed, snap)).toBeUndefined();
    const next = revertedVm(changed, snap);
    expect(next.spec).toEqual({ className: 'small', storageClass: 'gold', powerState: 'PoweredOff', biosUUID: 'b-1', nextRestartTime: '2025-01-01T00:00:00Z' });
    expect(next.metadata.generation).toBe(4);
    expect(next.status.currentSnapshot).toEqual({ type: 'Managed', name: 'snap-1' });
    expect(next.status.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
    expect(revertedVm(changed, snapOf(vm(), { memory: true })).spec.powerState).toBe('PoweredOn');
  });

  it('restores the recorded labels and the VM’s own annotations, keeping the system’s as they are now', () => {
    const taken: any = vm();
    taken.metadata.labels = { tier: 'web', release: 'v1' };
    taken.metadata.annotations = { ...taken.metadata.annotations, owner: 'team-a', 'vmoperator.openpacific.io/guest-heartbeat': 'green' };
    const snap = snapOf(taken);
    const record = JSON.parse(snap.metadata.annotations[SNAPSHOT_RECORD_ANNOTATION]);
    expect(record.annotations).toEqual({ owner: 'team-a' });
    const later: any = vm({ spec: { currentSnapshotName: 'snap-1' } });
    later.metadata.labels = { tier: 'web', release: 'v2', extra: 'x' };
    later.metadata.annotations = { ...later.metadata.annotations, note: 'added later', 'vmoperator.openpacific.io/guest-heartbeat': 'red' };
    const next = revertedVm(later, snap);
    expect(next.metadata.labels).toEqual({ tier: 'web', release: 'v1' });
    expect(next.metadata.annotations).toEqual({ owner: 'team-a', [VM_PLACEMENT_ANNOTATION]: later.metadata.annotations[VM_PLACEMENT_ANNOTATION], 'vmoperator.openpacific.io/guest-heartbeat': 'red' });
    // A record from before labels were recorded leaves the metadata alone.
    const old = snapOf(vm());
    const oldRecord = JSON.parse(old.metadata.annotations[SNAPSHOT_RECORD_ANNOTATION]);
    delete oldRecord.labels;
    delete oldRecord.annotations;
    old.metadata.annotations[SNAPSHOT_RECORD_ANNOTATION] = JSON.stringify(oldRecord);
    expect(revertedVm(later, old).metadata.labels).toEqual(later.metadata.labels);
  });

  it('refuses a missing snapshot, another VM’s, and one not ready yet, with VM Operator’s reasons', () => {
    const asking = vm({ spec: { currentSnapshotName: 'snap-1' } });
    expect(revertProblem(asking, undefined)).toEqual({ reason: 'VirtualMachineSnapshotRevertFailed', message: 'failed to get snapshot object "snap-1": virtualmachinesnapshots.vmoperator.vmware.com "snap-1" not found' });
    expect(revertProblem(asking, snapOf(vm(), { vmName: 'other' }))?.message).toBe('failed to find vSphere snapshot "snap-1": virtual machine "web" has no snapshot by that name');
    const pending = { ...snapOf(vm()), status: { conditions: [] } };
    expect(revertProblem(asking, pending)).toEqual({ reason: 'VirtualMachineSnapshotRevertSkipped', message: 'skipping revert for not-ready snapshot "snap-1"' });
  });
});
