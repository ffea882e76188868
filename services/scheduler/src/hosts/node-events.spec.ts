import { HostEventTypes, HOSTS_RESOURCE, ObjectEventTypes } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { readinessEvents, registrationEvents } from './node-events';

const host = { apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'host-1', uid: 'h1' }, status: { epoch: 2 } };
const recorded = (type: string, data: any) => ({ type, data }) as unknown as RecordedEvent;
const objects = (writes: { events: { data: any }[] }[]) => writes.map((w) => w.events[0].data.object);

describe('events about a node', () => {
  it('say RegisteredNode for each registration, about the Node (found by kubectl describe node) and the Host', () => {
    const out = objects(registrationEvents(recorded(HostEventTypes.registered, { resource: HOSTS_RESOURCE, object: host })));
    expect(out.map((e) => [e.involvedObject.kind, e.involvedObject.uid, e.metadata.namespace, e.reason])).toEqual([
      ['Node', 'h1', 'default', 'RegisteredNode'],
      ['Host', 'h1', 'default', 'RegisteredNode'],
    ]);
    expect(out[0].message).toBe('Node host-1 event: Registered Node host-1 in Controller (epoch 2)');
    expect(registrationEvents(recorded(ObjectEventTypes.statusUpdated, { resource: HOSTS_RESOURCE, object: host }))).toEqual([]);
  });

  it('warn when the epoch before was fenced, naming the pods it stopped', () => {
    const fence = { epoch: 1, leaseExpiredAt: '2026-01-01T00:00:00Z', pods: ['default/web'] };
    const out = objects(registrationEvents(recorded(HostEventTypes.registered, { resource: HOSTS_RESOURCE, object: host, fence })));
    expect(out.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(['HostFenced', 'HostFenced']);
    expect(out[2].message).toContain('stopped 1 pod(s): default/web');
  });

  it('say NodeReady and NodeNotReady as Kubernetes words them', () => {
    expect(objects(readinessEvents(host, 'True', 'HostReady', ''))[0]).toMatchObject({ reason: 'NodeReady', message: 'Node host-1 status is now: NodeReady' });
    expect(objects(readinessEvents(host, 'False', 'HeartbeatMissed', 'no heartbeat for 4s'))[0].message).toBe('Node host-1 status is now: NodeNotReady (HeartbeatMissed: no heartbeat for 4s)');
  });
});
