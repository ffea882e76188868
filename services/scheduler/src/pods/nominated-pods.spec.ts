import type { StoredObject } from '@openpacific/objects';
import { holdOn, HostView } from './filters';
import { NominatedPods } from './nominated-pods';

const host = (name: string, cpu = '2'): HostView => ({
  name,
  host: { metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status: { allocatable: { cpu, memory: '8Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] } },
  used: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
  pods: new Map(),
  owners: new Map(),
});
const pod = (name: string, cpu: string, priority: number, nominatedNodeName?: string) => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `u-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }], priority },
  status: nominatedNodeName ? { phase: 'Pending', nominatedNodeName } : { phase: 'Pending' },
});
const pending = (...pods: any[]): StoredObject[] => pods.map((p) => ({ object: p, streamId: `pods-default-${p.metadata.name}`, streamVersion: 1 }) as StoredObject);

describe('nominated pods', () => {
  it('keep the room on their host from pods of lower priority, and leave the host as it was', () => {
    const a = host('a');
    holdOn(a, pod('running', '1', 0), 'running');
    const nominated = new NominatedPods(pending(pod('urgent', '1', 1000, 'a')));
    expect(nominated.filterHost(pod('late', '1', 10), 'pods-default-late', a, [a])).toBe('Insufficient cpu');
    // Equal priority is held back too; only a higher one is not (it comes first in the queue anyway).
    expect(nominated.filterHost(pod('peer', '1', 1000), 'pods-default-peer', a, [a])).toBe('Insufficient cpu');
    expect(nominated.filterHost(pod('higher', '1', 1001), 'pods-default-higher', a, [a])).toBeUndefined();
    // The nominee itself fits where it was nominated.
    expect(nominated.filterHost(pod('urgent', '1', 1000, 'a'), 'pods-default-urgent', a, [a])).toBeUndefined();
    expect(a.used.cpuMillis).toBe(1000);
    expect([...a.pods.keys()]).toEqual(['running']);
  });

  it('hold nothing on other hosts, and nothing once placed', () => {
    const a = host('a');
    const b = host('b', '1');
    holdOn(a, pod('running', '1', 0), 'running');
    const nominated = new NominatedPods(pending(pod('urgent', '1', 1000, 'a'), pod('plain', '1', 0)));
    expect(nominated.filterHost(pod('late', '1', 10), 'pods-default-late', b, [a, b])).toBeUndefined();
    nominated.forget('pods-default-urgent');
    expect(nominated.filterHost(pod('late', '1', 10), 'pods-default-late', a, [a, b])).toBeUndefined();
  });
});
