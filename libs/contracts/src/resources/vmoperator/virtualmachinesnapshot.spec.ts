import { validateAgainstSchema } from '@openpacific/kube-api';
import { virtualMachineResource, virtualMachineSnapshotResource as def } from './index';

const G = 'vmoperator.vmware.com';
const stored = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachineSnapshot',
  metadata: { name: 'snap-1', namespace: 'team-a', uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { vmName: 'web-1', memory: true, quiesce: { timeout: '10m' }, description: 'before the upgrade' },
  status: {
    powerState: 'PoweredOn',
    quiesced: true,
    uniqueID: 'snapshot-226',
    children: [{ type: 'Managed', name: 'snap-2' }],
    conditions: [{ type: 'VirtualMachineSnapshotReady', status: 'True', reason: 'True', message: '', lastTransitionTime: '2025-01-01T00:00:01Z' }],
    storage: { used: '12226581330', requested: [{ storageClass: 'gold', total: '25Gi' }] },
  },
};

const causes = (obj: any) => validateAgainstSchema(def, 'v1alpha5', obj, 'Strict');

describe('VirtualMachineSnapshot contract', () => {
  it('is served at v1alpha5 only, as vmsnapshot', () => {
    expect(def.versions.map((v) => v.name)).toEqual(['v1alpha5']);
    expect(def.shortNames).toEqual(['vmsnapshot']);
    expect(causes(stored)).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses a power state and a child reference type VM Operator does not have', () => {
    const bad = { ...stored, status: { ...stored.status, powerState: 'On', children: [{ type: 'Other', name: 'x' }] } };
    expect(causes(bad).causes.map((c: any) => c.field)).toEqual(['status.powerState', 'status.children[0].type']);
  });

  it('gives the VirtualMachine typed snapshot references in its status', () => {
    const vm = { apiVersion: `${G}/v1alpha5`, kind: 'VirtualMachine', metadata: { name: 'web-1', namespace: 'team-a' }, spec: { currentSnapshotName: 'snap-1' }, status: { currentSnapshot: { type: 'Managed', name: 'snap-2' }, rootSnapshots: [{ type: 'Managed', name: 'snap-1' }] } };
    expect(validateAgainstSchema(virtualMachineResource, 'v1alpha5', vm, 'Strict')).toMatchObject({ causes: [], unknownFields: [] });
  });
});
