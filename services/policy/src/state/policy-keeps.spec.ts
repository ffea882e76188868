import { ObjectEventTypes, PodEventTypes } from '@openpacific/contracts';
import { policyKeeps } from './policy-keeps';

const pod = (status: unknown) => JSON.stringify({ resource: 'pods', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', annotations: { note: '"phase":"Succeeded"' } }, status } });

describe('the events whose bodies the policy service reads', () => {
  it('passes over a pod\'s binding and a status that does not end it', () => {
    expect(policyKeeps({ streamId: 'pods/ns/p', type: PodEventTypes.bound, data: pod({ phase: 'Pending' }) })).toBe(false);
    expect(policyKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.statusUpdated, data: pod({ phase: 'Running' }) })).toBe(false);
    // A quoted phase inside a string (an annotation) is not the pod's phase.
    expect(policyKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.statusUpdated, data: pod({ phase: 'Pending' }) })).toBe(false);
  });

  it('reads a status that ends the pod, however its JSON is spaced', () => {
    expect(policyKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.statusUpdated, data: pod({ phase: 'Succeeded' }) })).toBe(true);
    expect(policyKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.statusUpdated, data: pod({ phase: 'Failed' }) })).toBe(true);
    expect(policyKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.statusUpdated, data: '{"resource": "pods", "object": {"status": {"phase" : "Failed"}}}' })).toBe(true);
  });

  it('reads every other event of a pod, and every event of other resources', () => {
    for (const type of [ObjectEventTypes.created, ObjectEventTypes.updated, ObjectEventTypes.deletionStarted, ObjectEventTypes.deleted, PodEventTypes.unbound]) {
      expect(policyKeeps({ streamId: 'pods/ns/p', type, data: pod({ phase: 'Running' }) })).toBe(true);
    }
    expect(policyKeeps({ streamId: 'events/ns/p.1', type: ObjectEventTypes.created, data: '{}' })).toBe(true);
    expect(policyKeeps({ streamId: 'virtualmachines.vmoperator.vmware.com/ns/vm', type: ObjectEventTypes.statusUpdated, data: '{}' })).toBe(true);
    expect(policyKeeps({ streamId: 'podsecuritypolicies/x', type: PodEventTypes.bound, data: '{}' })).toBe(true);
  });

  it('reads the admission policies, their bindings and any kind a policy may take its params from', () => {
    for (const streamId of [
      'validatingadmissionpolicies.admissionregistration.k8s.io/p', 'validatingadmissionpolicybindings.admissionregistration.k8s.io/b', 'configmaps/ns/limits', 'widgets.example.com/ns/w',
    ]) {
      for (const type of [ObjectEventTypes.created, ObjectEventTypes.updated, ObjectEventTypes.statusUpdated, ObjectEventTypes.deleted]) expect(policyKeeps({ streamId, type, data: '{}' })).toBe(true);
    }
  });

  it('reads the webhook configurations and the Services a webhook is reached through (the webhook admitters)', () => {
    for (const streamId of ['mutatingwebhookconfigurations.admissionregistration.k8s.io/c', 'validatingwebhookconfigurations.admissionregistration.k8s.io/c', 'services/ns/hooks']) {
      for (const type of [ObjectEventTypes.created, ObjectEventTypes.updated, ObjectEventTypes.deleted]) expect(policyKeeps({ streamId, type, data: '{}' })).toBe(true);
    }
  });
});
