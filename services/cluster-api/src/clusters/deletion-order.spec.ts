import type { StoredObject } from '@openpacific/objects';
import { deletionOrder } from './cluster-controller';

const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
const stored = (name: string, extra: { annotations?: Record<string, string>; status?: any; created?: string; deleting?: boolean } = {}): StoredObject =>
  ({
    streamId: name,
    streamVersion: 1,
    object: { metadata: { name, uid: `${name}-uid`, creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z', annotations: extra.annotations, ...(extra.deleting ? { deletionTimestamp: '2026-01-02T00:00:00Z' } : {}) }, status: extra.status ?? running },
  }) as any;

describe('the order a MachineSet deletes its machines in', () => {
  it('takes machines with cluster.x-k8s.io/delete-machine first, then unhealthy ones, then by the policy', () => {
    const machines = [stored('a'), stored('b', { status: { phase: 'Provisioning' } }), stored('c', { annotations: { 'cluster.x-k8s.io/delete-machine': 'yes' } }), stored('d', { created: '2025-01-01T00:00:00Z' })];
    expect(deletionOrder(machines, 'Random').map((m) => m.object.metadata.name)).toEqual(['c', 'b', 'a', 'd']);
    expect(deletionOrder(machines, 'Oldest').map((m) => m.object.metadata.name)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('takes machines being deleted already (or going this pass) before any other, so that a scale-down waits for them', () => {
    const machines = [stored('a'), stored('c', { annotations: { 'cluster.x-k8s.io/delete-machine': 'yes' } }), stored('e', { deleting: true, created: '2027-01-01T00:00:00Z' }), stored('f')];
    expect(deletionOrder(machines, 'Oldest').map((m) => m.object.metadata.name)).toEqual(['e', 'c', 'a', 'f']);
    // Among those going, the policy decides (f is older than e).
    expect(deletionOrder(machines, 'Oldest', new Set(['f-uid'])).map((m) => m.object.metadata.name)).toEqual(['f', 'e', 'c', 'a']);
  });
});
