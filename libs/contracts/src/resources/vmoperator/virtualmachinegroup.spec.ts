import { validateAgainstSchema } from '@openpacific/kube-api';
import { virtualMachineGroupResource as def } from './index';

const stored = {
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachineGroup',
  metadata: { name: 'app', namespace: 'team-a', uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { groupName: 'site', powerState: 'PoweredOn', powerOffMode: 'Hard', bootOrder: [{ members: [{ name: 'db', kind: 'VirtualMachine' }] }, { members: [{ name: 'tier', kind: 'VirtualMachineGroup' }], powerOnDelay: '30s' }] },
  status: {
    lastUpdatedPowerStateTime: '2025-01-01T00:00:31Z',
    members: [{ name: 'db', kind: 'VirtualMachine', uid: 'u-2', powerState: 'PoweredOn', conditions: [{ type: 'GroupLinked', status: 'True', reason: 'True', message: '', lastTransitionTime: '2025-01-01T00:00:01Z' }] }],
    conditions: [{ type: 'Ready', status: 'True', reason: 'True', message: '', lastTransitionTime: '2025-01-01T00:00:01Z' }],
  },
};

const causes = (obj: any) => validateAgainstSchema(def, 'v1alpha5', obj, 'Strict');

describe('VirtualMachineGroup contract', () => {
  it('is served at v1alpha5 only, as vmg', () => {
    expect(def.versions.map((v) => v.name)).toEqual(['v1alpha5']);
    expect(def.shortNames).toEqual(['vmg']);
    expect(causes(stored)).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses a member kind and a power state VM Operator does not have', () => {
    const bad = { ...stored, spec: { ...stored.spec, powerState: 'On', bootOrder: [{ members: [{ name: 'x', kind: 'Pod' }] }] } };
    expect(causes(bad).causes.map((c: any) => c.field)).toEqual(['spec.bootOrder[0].members[0].kind', 'spec.powerState']);
  });
});
