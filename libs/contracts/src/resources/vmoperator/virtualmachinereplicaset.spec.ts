import { validateAgainstSchema } from '@openpacific/kube-api';
import { resourceDefinitions } from '../index';
import { virtualMachineReplicaSetResource as def, VMRS_VERSIONS } from './index';

const G = 'vmoperator.vmware.com';
const stored = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachineReplicaSet',
  metadata: { name: 'web', namespace: 'team-a', uid: 'u-1', resourceVersion: '3', creationTimestamp: '2025-01-01T00:00:00Z', generation: 2 },
  spec: {
    replicas: 3,
    deletePolicy: 'Random',
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' }, annotations: { team: 'a' } },
      // groupName is v1alpha5's only (v1alpha3's VirtualMachineSpec has none).
      spec: { className: 'small', imageName: 'vmi-web', storageClass: 'gold', powerState: 'PoweredOn', groupName: 'g1' },
    },
  },
  status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, observedGeneration: 2, conditions: [{ type: 'Ready', status: 'False', reason: 'VirtualMachinesNotReady', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
};

describe('VirtualMachineReplicaSet', () => {
  it('is served at v1alpha5 (storage), v1alpha4 and v1alpha3 with the real CRD short names, columns and scale subresource', () => {
    expect(resourceDefinitions).toContain(def);
    expect(def.versions.map((v) => [v.name, v.storage])).toEqual([['v1alpha5', true], ['v1alpha4', false], ['v1alpha3', false]]);
    expect(def.shortNames).toEqual(['vmrs', 'vmreplicaset']);
    expect(def.versions[0].printerColumns.map((c) => [c.name, c.jsonPath])).toEqual([['Replicas', '.status.replicas'], ['Ready', '.status.readyReplicas'], ['Age', '.metadata.creationTimestamp']]);
    expect(def.subresources).toEqual({ status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });
  });

  it('refuses a delete policy other than Random and unknown template fields', () => {
    const bad = { ...stored, spec: { ...stored.spec, deletePolicy: 'Oldest' } };
    expect(validateAgainstSchema(def, 'v1alpha5', bad, 'Strict').causes[0]).toMatchObject({ field: 'spec.deletePolicy' });
    const unknown = { ...stored, spec: { ...stored.spec, template: { ...stored.spec.template, spec: { ...stored.spec.template.spec, cpus: 2 } } } };
    expect(validateAgainstSchema(def, 'v1alpha5', unknown, 'Strict').unknownFields).toEqual(['.spec.template.spec.cpus']);
  });

  it.each(VMRS_VERSIONS)('reads back at %s and writes the same stored object again', (v) => {
    const view = def.conversion!.fromStorage(stored, v);
    expect(view.apiVersion).toBe(`${G}/${v}`);
    expect(validateAgainstSchema(def, v, view, 'Strict')).toMatchObject({ causes: [], unknownFields: [] });
    expect(def.conversion!.toStorage(view, v, stored)).toStrictEqual(stored);
  });

  it("shows the template's VM spec at v1alpha3 as a v1alpha3 VirtualMachine's, without v1alpha5's fields", () => {
    expect(def.conversion!.fromStorage(stored, 'v1alpha3').spec.template.spec.groupName).toBeUndefined();
    expect(def.conversion!.fromStorage(stored, 'v1alpha4').spec.template.spec.groupName).toBe('g1');
  });
});
