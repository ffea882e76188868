import type { StoredObject } from '@openpacific/objects';
import { controlPlaneScaleDownVictim, deletionOrder, resizedCondition } from './cluster-controller';

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

describe('the control-plane machine a KubeadmControlPlane scale-down removes', () => {
  const placed = (name: string, minute: number, failureDomain: string | undefined, extra: { annotations?: Record<string, string>; status?: any } = {}) => {
    const m = stored(name, { ...extra, created: `2026-01-01T10:${String(minute).padStart(2, '0')}:00Z` });
    (m.object as any).spec = failureDomain ? { failureDomain } : {};
    return m;
  };
  const ABC = ['zone-a', 'zone-b', 'zone-c'];
  const DELETE = { 'cluster.x-k8s.io/delete-machine': 'yes' };
  const name = (m: StoredObject) => m.object.metadata.name;

  it('takes a machine with cluster.x-k8s.io/delete-machine before the oldest of the domain with the most machines', () => {
    const a1 = placed('a1', 1, 'zone-a');
    const a2 = placed('a2', 2, 'zone-a');
    const b = placed('b', 3, 'zone-b');
    const c = placed('c', 4, 'zone-c', { annotations: DELETE });
    expect(name(controlPlaneScaleDownVictim(ABC, [a1, a2, b, c], []))).toBe('c');
    // Without the annotation: the oldest of zone-a, the domain with the most.
    expect(name(controlPlaneScaleDownVictim(ABC, [a1, a2, b, placed('c', 4, 'zone-c')], []))).toBe('a1');
    // Any value marks it, the empty one too.
    expect(name(controlPlaneScaleDownVictim(ABC, [a1, a2, b, placed('c', 4, 'zone-c', { annotations: { 'cluster.x-k8s.io/delete-machine': '' } })], []))).toBe('c');
  });

  it('among several marked machines, takes the one of the domain with the most machines, then the oldest', () => {
    const a1 = placed('a1', 1, 'zone-a');
    const a2 = placed('a2', 2, 'zone-a', { annotations: DELETE });
    const b = placed('b', 0, 'zone-b', { annotations: DELETE });
    expect(name(controlPlaneScaleDownVictim(ABC, [a1, a2, b], []))).toBe('a2');
    // Without failure domains: the oldest marked one.
    const none = [placed('n1', 1, undefined), placed('n2', 2, undefined, { annotations: DELETE }), placed('n3', 3, undefined, { annotations: DELETE })];
    expect(name(controlPlaneScaleDownVictim([], none, []))).toBe('n2');
  });

  it('in a rollout, takes a marked outdated machine first, then a marked up-to-date one, then the outdated ones', () => {
    const old1 = placed('old1', 1, 'zone-a');
    const old2 = placed('old2', 2, 'zone-b', { annotations: DELETE });
    const new1 = placed('new1', 5, 'zone-a', { annotations: DELETE });
    const new2 = placed('new2', 6, 'zone-c');
    expect(name(controlPlaneScaleDownVictim(ABC, [old1, old2, new1, new2], [old1, old2]))).toBe('old2');
    // No outdated machine is marked: the marked up-to-date one goes, as KCP lets a user's request come first.
    const unmarked = placed('old2', 2, 'zone-b');
    expect(name(controlPlaneScaleDownVictim(ABC, [old1, unmarked, new1, new2], [old1, unmarked]))).toBe('new1');
    // None marked: an outdated one, of the domain with the most machines (zone-a holds old1 and new1).
    const plain = placed('new1', 5, 'zone-a');
    expect(name(controlPlaneScaleDownVictim(ABC, [old1, unmarked, plain, new2], [old1, unmarked]))).toBe('old1');
  });
});

describe("a KubeadmControlPlane's Resized condition", () => {
  it('is False ScalingDown while it owns more machines than its replicas, those being deleted counted', () => {
    expect(resizedCondition(3, 5, 5)).toMatchObject({ type: 'Resized', status: 'False', reason: 'ScalingDown', severity: 'Warning', message: 'Scaling down control plane to 3 replicas (actual 5)' });
  });

  it('is False ScalingUp while it owns fewer', () => {
    expect(resizedCondition(3, 1, 0)).toMatchObject({ status: 'False', reason: 'ScalingUp', message: 'Scaling up control plane to 3 replicas (actual 1)' });
  });

  it('is True once it owns as many and all are ready, and left as it was while some are not yet', () => {
    expect(resizedCondition(3, 3, 3)).toMatchObject({ type: 'Resized', status: 'True' });
    expect(resizedCondition(3, 3, 2)).toBeUndefined();
  });
});
