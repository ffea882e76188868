import { validateAgainstSchema } from '@openpacific/kube-api';
import { virtualMachinePublishRequestResource as def } from './index';

const G = 'vmoperator.vmware.com';
const stored = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachinePublishRequest',
  metadata: { name: 'web-1', namespace: 'team-a', uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: {
    source: { name: 'web-1', apiVersion: `${G}/v1alpha5`, kind: 'VirtualMachine' },
    target: { item: { name: 'web-golden', description: 'd' }, location: { name: 'lib', apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibrary' } },
    ttlSecondsAfterFinished: 60,
    backoffLimit: 3,
  },
  status: {
    sourceRef: { name: 'web-1', kind: 'VirtualMachine' },
    targetRef: { item: { name: 'web-golden' }, location: { name: 'lib', kind: 'ContentLibrary' } },
    startTime: '2025-01-01T00:00:01Z',
    completionTime: '2025-01-01T00:00:02Z',
    attempts: 1,
    lastAttemptTime: '2025-01-01T00:00:01Z',
    imageName: 'vmi-0123456789abcdef0',
    ready: true,
    conditions: [{ type: 'Complete', status: 'True', reason: 'True', message: '', lastTransitionTime: '2025-01-01T00:00:02Z' }],
  },
};

const causes = (version: string, obj: any) => validateAgainstSchema(def, version, obj, 'Strict');

describe('VirtualMachinePublishRequest contract', () => {
  it('serves one shape at v1alpha2, v1alpha3 and v1alpha5, which only change apiVersion', () => {
    for (const v of ['v1alpha5', 'v1alpha3', 'v1alpha2']) {
      const view = def.conversion!.fromStorage(stored, v);
      expect(view).toEqual({ ...stored, apiVersion: `${G}/${v}` });
      expect(causes(v, view)).toMatchObject({ causes: [], unknownFields: [] });
    }
  });

  it('shows Cluster API style conditions at v1alpha1 and takes them back', () => {
    const view = def.conversion!.fromStorage(stored, 'v1alpha1');
    expect(view.spec).toEqual(stored.spec);
    expect(view.status.conditions[0]).toMatchObject({ type: 'Complete', status: 'True' });
    expect(causes('v1alpha1', view)).toMatchObject({ causes: [], unknownFields: [] });
    expect(def.conversion!.toStorage(view, 'v1alpha1', stored)).toStrictEqual(stored);
  });

  it('refuses a negative ttlSecondsAfterFinished', () => {
    const bad = { ...stored, spec: { ...stored.spec, ttlSecondsAfterFinished: -1 } };
    expect(causes('v1alpha5', bad).causes.map((c: any) => c.field)).toEqual(['spec.ttlSecondsAfterFinished']);
  });
});
