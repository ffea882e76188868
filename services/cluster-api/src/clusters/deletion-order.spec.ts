import type { StoredObject } from '@openpacific/objects';
import { deletionOrder } from './cluster-controller';

const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
const stored = (name: string, extra: { annotations?: Record<string, string>; status?: any; created?: string } = {}): StoredObject =>
  ({ streamId: name, streamVersion: 1, object: { metadata: { name, creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z', annotations: extra.annotations }, status: extra.status ?? running } }) as any;

describe('the order a MachineSet deletes its machines in', () => {
  it('takes machines with cluster.x-k8s.io/delete-machine first, then unhealthy ones, then by the policy', () => {
    const machines = [stored('a'), stored('b', { status: { phase: 'Provisioning' } }), stored('c', { annotations: { 'cluster.x-k8s.io/delete-machine': 'yes' } }), stored('d', { created: '2025-01-01T00:00:00Z' })];
    expect(deletionOrder(machines, 'Random').map((m) => m.object.metadata.name)).toEqual(['c', 'b', 'a', 'd']);
    expect(deletionOrder(machines, 'Oldest').map((m) => m.object.metadata.name)).toEqual(['c', 'b', 'd', 'a']);
  });
});
