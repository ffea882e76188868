import { ObjectEventTypes, PodEventTypes } from '@openpacific/contracts';
import { hostKeeps } from './host-keeps';

const pod = (spec: unknown) => JSON.stringify({ resource: 'pods', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec } });

describe('the events whose bodies a host agent reads', () => {
  it('passes over the creation of a pod bound to no host', () => {
    expect(hostKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.created, data: pod({ containers: [{ name: 'c', image: 'busybox' }] }) })).toBe(false);
    // The downward API's `spec.nodeName` is a value, not the key.
    const env = [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }];
    expect(hostKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.created, data: pod({ containers: [{ name: 'c', image: 'busybox', env }] }) })).toBe(false);
  });

  it('reads the creation of a pod created already bound, however its JSON is spaced', () => {
    expect(hostKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.created, data: pod({ nodeName: 'host-1', containers: [] }) })).toBe(true);
    expect(hostKeeps({ streamId: 'pods/ns/p', type: ObjectEventTypes.created, data: '{"resource": "pods", "object": {"spec": {"nodeName" : "host-1"}}}' })).toBe(true);
  });

  it('reads every other event of a pod, and every event of other resources', () => {
    for (const type of [PodEventTypes.bound, PodEventTypes.unbound, ObjectEventTypes.updated, ObjectEventTypes.statusUpdated, ObjectEventTypes.deletionStarted, ObjectEventTypes.deleted]) {
      expect(hostKeeps({ streamId: 'pods/ns/p', type, data: pod({ containers: [] }) })).toBe(true);
    }
    expect(hostKeeps({ streamId: 'persistentvolumeclaims/ns/c', type: ObjectEventTypes.created, data: '{}' })).toBe(true);
    expect(hostKeeps({ streamId: 'virtualmachines.vmoperator.vmware.com/ns/vm', type: ObjectEventTypes.created, data: '{}' })).toBe(true);
  });
});
