import { validateAgainstSchema } from '@openpacific/kube-api';
import { resourceDefinitions } from '../index';
import { virtualMachineGroupPublishRequestResource as def } from './index';

const complete = { type: 'Complete', status: 'True', reason: 'True', message: '', lastTransitionTime: '2025-01-01T00:00:09Z' };
const stored = {
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachineGroupPublishRequest',
  metadata: { name: 'app', namespace: 'team-a', uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { source: 'app', target: 'team-lib', virtualMachines: ['db-1', 'web-1'], ttlSecondsAfterFinished: 3600 },
  status: {
    source: 'app',
    target: 'team-lib',
    startTime: '2025-01-01T00:00:01Z',
    completionTime: '2025-01-01T00:00:09Z',
    images: [
      { source: 'db-1', publishRequestName: 'app-x7k2q', imageName: 'vmi-0123456789abcdef0', conditions: [complete] },
      { source: 'web-1', publishRequestName: 'app-9fj3w' },
    ],
    conditions: [complete],
  },
};

const causes = (obj: any) => validateAgainstSchema(def, 'v1alpha5', obj, 'Strict');

describe('VirtualMachineGroupPublishRequest contract', () => {
  it('is served at v1alpha5 only, as vmgpub, with a status subresource', () => {
    expect(resourceDefinitions).toContain(def);
    expect(def.versions.map((v) => [v.name, v.storage])).toEqual([['v1alpha5', true]]);
    expect([def.plural, def.scope, def.shortNames, def.subresources.status]).toEqual(['virtualmachinegrouppublishrequests', 'Namespaced', ['vmgpub'], true]);
    expect(causes(stored)).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses a negative TTL, and an image without its VM or its request', () => {
    const bad = { ...stored, spec: { ...stored.spec, ttlSecondsAfterFinished: -1 }, status: { ...stored.status, images: [{ imageName: 'vmi-1' }] } };
    expect(causes(bad).causes.map((c: any) => c.field).sort()).toEqual(['spec.ttlSecondsAfterFinished', 'status.images[0].publishRequestName', 'status.images[0].source']);
  });
});
