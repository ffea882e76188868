import { eventually } from '@openpacific/testing';
import { GuestApi, guestPod, startGuestApi } from './guest-api.spec-support';
import {
  deleteHooks, GuestNodeOperations, nodeDeletionRefusal, nodeDeletionTimeoutExpired, nodeDrainAllowed, nodeDrainTimeoutExceeded, nodeVolumeDetachAllowed, nodeVolumeDetachTimeoutExceeded, PRE_DRAIN_DELETE_HOOK,
  PRE_TERMINATE_DELETE_HOOK,
} from './machine-deletion';
import { setConditions } from './objects';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as any;
const cluster = (extra: any = {}) => ({ metadata: { name: 'c1', ...extra } });
const machine = (extra: { annotations?: Record<string, string>; spec?: any; status?: any; deletionTimestamp?: string } = {}) => ({
  metadata: { name: 'm', annotations: extra.annotations, deletionTimestamp: extra.deletionTimestamp },
  spec: { clusterName: 'c1', ...extra.spec },
  status: { nodeRef: { name: 'm' }, ...extra.status },
});

describe("whether a deleted machine's node is drained and deleted", () => {
  it("refuses with Cluster API's causes: cluster being deleted, no node, control plane being deleted or without machines", () => {
    const ok = { hasGuestApi: true, activeControlPlaneMachines: 1 };
    expect(nodeDeletionRefusal(machine(), cluster(), ok)).toBeUndefined();
    expect(nodeDeletionRefusal(machine(), cluster({ deletionTimestamp: ago(1) }), ok)).toBe('cluster is being deleted');
    expect(nodeDeletionRefusal(machine(), undefined, ok)).toBe('cluster does not exist');
    expect(nodeDeletionRefusal(machine({ status: { nodeRef: undefined } }), cluster(), ok)).toBe('noderef is nil');
    expect(nodeDeletionRefusal(machine(), cluster(), { ...ok, controlPlane: { metadata: { deletionTimestamp: ago(1) } } })).toBe('control plane is being deleted');
    expect(nodeDeletionRefusal(machine(), cluster(), { ...ok, activeControlPlaneMachines: 0 })).toBe('no control plane members');
    expect(nodeDeletionRefusal(machine(), cluster(), { ...ok, hasGuestApi: false })).toBe('cluster has no kubeconfig');
  });

  it('drains unless the machine says exclude-node-draining or nodeDrainTimeout has passed since the drain started', () => {
    expect(nodeDrainAllowed(machine(), NOW)).toBe(true);
    expect(nodeDrainAllowed(machine({ annotations: { 'machine.cluster.x-k8s.io/exclude-node-draining': '' } }), NOW)).toBe(false);
    const started = (s: number, timeout?: string) => machine({ spec: { nodeDrainTimeout: timeout }, status: { deletion: { nodeDrainStartTime: ago(s) } } });
    expect(nodeDrainTimeoutExceeded(started(61, '1m'), NOW)).toBe(true);
    expect(nodeDrainAllowed(started(61, '1m'), NOW)).toBe(false);
    expect(nodeDrainTimeoutExceeded(started(59, '1m'), NOW)).toBe(false);
    // Unset or 0: as long as it takes.
    expect(nodeDrainTimeoutExceeded(started(86_400), NOW)).toBe(false);
    expect(nodeDrainTimeoutExceeded(started(86_400, '0s'), NOW)).toBe(false);
    // Not started yet: not exceeded.
    expect(nodeDrainTimeoutExceeded(machine({ spec: { nodeDrainTimeout: '1s' } }), NOW)).toBe(false);
  });

  it('waits for volumes unless the machine says exclude-wait-for-node-volume-detach or nodeVolumeDetachTimeout has passed since the wait began', () => {
    expect(nodeVolumeDetachAllowed(machine(), NOW)).toBe(true);
    expect(nodeVolumeDetachAllowed(machine({ annotations: { 'machine.cluster.x-k8s.io/exclude-wait-for-node-volume-detach': '' } }), NOW)).toBe(false);
    const waiting = (s: number, timeout?: string) => machine({ spec: { nodeVolumeDetachTimeout: timeout }, status: { deletion: { nodeDrainStartTime: ago(s + 100), waitForNodeVolumeDetachStartTime: ago(s) } } });
    expect(nodeVolumeDetachTimeoutExceeded(waiting(30, '30s'), NOW)).toBe(true);
    expect(nodeVolumeDetachAllowed(waiting(30, '30s'), NOW)).toBe(false);
    expect(nodeVolumeDetachTimeoutExceeded(waiting(29, '30s'), NOW)).toBe(false);
    // Unset or 0: as long as it takes.
    expect(nodeVolumeDetachTimeoutExceeded(waiting(86_400), NOW)).toBe(false);
    expect(nodeVolumeDetachTimeoutExceeded(waiting(86_400, '0s'), NOW)).toBe(false);
    // The drain's start is not the wait's.
    expect(nodeVolumeDetachTimeoutExceeded(machine({ spec: { nodeVolumeDetachTimeout: '1s' }, status: { deletion: { nodeDrainStartTime: ago(60) } } }), NOW)).toBe(false);
  });

  it('finds the lifecycle hooks of each kind by their annotation prefix, sorted', () => {
    const m = machine({
      annotations: {
        'pre-terminate.delete.hook.machine.cluster.x-k8s.io/storage': 'csi',
        'pre-drain.delete.hook.machine.cluster.x-k8s.io/zz': 'owner-b',
        'pre-drain.delete.hook.machine.cluster.x-k8s.io/aa': 'owner-a',
        'machine.cluster.x-k8s.io/exclude-node-draining': '',
      },
    });
    expect(deleteHooks(m, PRE_DRAIN_DELETE_HOOK)).toEqual(['pre-drain.delete.hook.machine.cluster.x-k8s.io/aa', 'pre-drain.delete.hook.machine.cluster.x-k8s.io/zz']);
    expect(deleteHooks(m, PRE_TERMINATE_DELETE_HOOK)).toEqual(['pre-terminate.delete.hook.machine.cluster.x-k8s.io/storage']);
    expect(deleteHooks(machine(), PRE_DRAIN_DELETE_HOOK)).toEqual([]);
  });

  it('gives up deleting the Node nodeDeletionTimeout (default 10s) after the deletion began, never when it is 0', () => {
    expect(nodeDeletionTimeoutExpired(machine({ deletionTimestamp: ago(11) }), NOW)).toBe(true);
    expect(nodeDeletionTimeoutExpired(machine({ deletionTimestamp: ago(9) }), NOW)).toBe(false);
    expect(nodeDeletionTimeoutExpired(machine({ deletionTimestamp: ago(61), spec: { nodeDeletionTimeout: '1m' } }), NOW)).toBe(true);
    expect(nodeDeletionTimeoutExpired(machine({ deletionTimestamp: ago(86_400), spec: { nodeDeletionTimeout: '0s' } }), NOW)).toBe(false);
  });

  it('sets conditions by type, keeping the others and the transition time of one whose status stayed', () => {
    const existing = [{ type: 'Ready', status: 'True', lastTransitionTime: ago(100) }, { type: 'DrainingSucceeded', status: 'False', reason: 'Draining', lastTransitionTime: ago(50) }];
    const next = setConditions(existing, [{ type: 'DrainingSucceeded', status: 'False', reason: 'DrainingFailed', message: 'x', lastTransitionTime: ago(0) }, { type: 'NodeHealthy', status: 'False', lastTransitionTime: ago(0) }]);
    expect(next).toEqual([existing[0], { type: 'DrainingSucceeded', status: 'False', reason: 'DrainingFailed', message: 'x', lastTransitionTime: ago(50) }, { type: 'NodeHealthy', status: 'False', lastTransitionTime: ago(0) }]);
  });
});

describe('the guest node operations of machine deletions', () => {
  let api: GuestApi;
  let ops: GuestNodeOperations;
  let changes = 0;
  beforeEach(async () => {
    api = await startGuestApi();
    api.nodes.set('w-1', [{ type: 'Ready', status: 'True' }]);
    ops = new GuestNodeOperations({ retries: { drainMs: 100, volumesMs: 300, deletionMs: 100 }, timeoutMs: 2000, logger: quiet, onChange: () => changes++ });
  });
  afterEach(async () => {
    ops.stop();
    await api.stop();
  });

  it('runs one drain round at a time, keeps what the last found, and runs another once retryMs has passed', async () => {
    api.pods.set('default/web-1', guestPod('default', 'web-1', 'w-1', { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.holdEvicted = true;
    expect(ops.drain('m1', api.access, 'w-1')).toBeUndefined();
    expect(ops.drain('m1', api.access, 'w-1')).toBeUndefined();
    const first = await eventually(async () => {
      const o = ops.drain('m1', api.access, 'w-1');
      expect(o).toMatchObject({ done: false, failed: false });
      return o;
    });
    expect(first).toEqual({ done: false, failed: false, message: 'Drain not completed yet:\n* Pods with deletionTimestamp that still exist: default/web-1' });
    expect(changes).toBeGreaterThan(0);
    // One eviction only, however many times it was asked meanwhile.
    expect(api.requests.filter((r) => r.includes('/eviction'))).toHaveLength(1);
    api.pods.delete('default/web-1');
    await eventually(async () => expect(ops.drain('m1', api.access, 'w-1')).toEqual({ done: true }));
    const requests = api.requests.length;
    // Drained: nothing more is asked of the guest.
    await new Promise((r) => setTimeout(r, 250));
    expect(ops.drain('m1', api.access, 'w-1')).toEqual({ done: true });
    expect(api.requests).toHaveLength(requests);
  });

  it("looks at the node's attached volumes again only once the volume retry interval has passed, and no more once detached", async () => {
    api.volumesAttached.set('w-1', ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-1']);
    const gets = () => api.requests.filter((r) => r === 'GET /api/v1/nodes/w-1').length;
    expect(ops.volumes('m1', api.access, 'w-1')).toBeUndefined();
    await eventually(async () => expect(ops.volumes('m1', api.access, 'w-1')).toEqual({ done: false, failed: false, attached: ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-1'] }));
    const first = gets();
    expect(first).toBe(1);
    // Detached meanwhile, but not looked at again before 300 ms.
    api.volumesAttached.delete('w-1');
    expect(ops.volumes('m1', api.access, 'w-1')).toMatchObject({ done: false });
    expect(gets()).toBe(1);
    await eventually(async () => expect(ops.volumes('m1', api.access, 'w-1')).toEqual({ done: true }), { timeoutMs: 3000 });
    expect(gets()).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(ops.volumes('m1', api.access, 'w-1')).toEqual({ done: true });
    expect(gets()).toBe(2);
  });

  it('deletes the Node once, and forgets a machine no longer being deleted', async () => {
    expect(ops.deleteNode('m1', api.access, 'w-1')).toBeUndefined();
    await eventually(async () => expect(ops.deleteNode('m1', api.access, 'w-1')).toEqual({ ok: true }));
    expect(api.nodes.has('w-1')).toBe(false);
    expect(api.requests.filter((r) => r.startsWith('DELETE'))).toEqual(['DELETE /api/v1/nodes/w-1']);
    ops.keepOnly(new Set());
    expect(ops.deleteNode('m1', { ...api.access, token: 'nope' }, 'w-1')).toBeUndefined();
    await eventually(async () => expect(ops.deleteNode('m1', { ...api.access, token: 'nope' }, 'w-1')).toEqual({ ok: false, message: 'error deleting node w-1: Unauthorized' }));
  });
});
