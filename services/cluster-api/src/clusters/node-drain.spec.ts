import { GuestApi, guestPod, startGuestApi } from './guest-api.spec-support';
import { deleteGuestNode, drainConditionMessage, drainNode, podDrainDecision, podListToString } from './node-drain';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const PDB_REFUSAL = { code: 429, status: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] } } };

describe("which of a node's pods Cluster API's drain evicts", () => {
  it('skips DaemonSet pods whose DaemonSet exists, mirror pods and pods labelled drain: skip; evicts the rest', () => {
    const ds = guestPod('kube-system', 'proxy-1', 'n', { controller: { kind: 'DaemonSet', name: 'proxy' } });
    expect(podDrainDecision(ds, { now: NOW, daemonSet: 'exists' })).toEqual({ drain: false, warning: 'ignoring DaemonSet-managed Pod' });
    expect(podDrainDecision(ds, { now: NOW, daemonSet: 'missing' })).toEqual({ drain: true, warning: 'evicting orphaned DaemonSet-managed Pod' });
    expect(podDrainDecision(ds, { now: NOW, daemonSet: { error: 'boom' } })).toEqual({ error: 'boom' });
    // A finished DaemonSet pod goes like any other.
    expect(podDrainDecision(guestPod('kube-system', 'proxy-2', 'n', { controller: { kind: 'DaemonSet', name: 'proxy' }, phase: 'Succeeded' }), { now: NOW, daemonSet: 'exists' })).toEqual({ drain: true });
    expect(podDrainDecision(guestPod('kube-system', 'etcd-n', 'n', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }), { now: NOW })).toEqual({ drain: false });
    expect(podDrainDecision(guestPod('default', 'keep', 'n', { labels: { 'cluster.x-k8s.io/drain': 'skip' }, controller: { kind: 'ReplicaSet', name: 'r' } }), { now: NOW })).toEqual({ drain: false });
    expect(podDrainDecision(guestPod('default', 'web-1', 'n', { controller: { kind: 'ReplicaSet', name: 'web' } }), { now: NOW })).toEqual({ drain: true });
    expect(podDrainDecision(guestPod('default', 'bare', 'n', { emptyDir: true }), { now: NOW })).toEqual({ drain: true, warning: 'evicting Pod with local storage, evicting Pod that has no controller' });
  });

  it('no longer waits for pods deleted longer ago than skipDeletedAfterSeconds (an unreachable node)', () => {
    const pod = guestPod('default', 'web-1', 'n', { controller: { kind: 'ReplicaSet', name: 'web' } });
    pod.metadata.deletionTimestamp = new Date(NOW - 5000).toISOString();
    expect(podDrainDecision(pod, { now: NOW, skipDeletedAfterSeconds: 1 })).toEqual({ drain: false });
    expect(podDrainDecision(pod, { now: NOW })).toEqual({ drain: true });
  });

  it("words what is left as Cluster API's DrainingSucceeded message", () => {
    expect(podListToString(['a/1', 'a/2', 'a/3', 'a/4'], 3)).toBe('a/1, a/2, a/3, ... (1 more)');
    const failed = new Map([["Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 2 healthy pods and has 2 currently", ['default/web-1', 'default/web-2']]]);
    expect(drainConditionMessage({ deletionTimestampSet: ['default/a', 'default/b'], failed })).toBe(
      'Drain not completed yet:\n* Pods with deletionTimestamp that still exist: default/a, default/b\n* Pods with eviction failed:\n' +
        "  * Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 2 healthy pods and has 2 currently: default/web-1, default/web-2",
    );
    const many = new Map(Array.from({ length: 7 }, (_, i) => [`error ${i}`, i === 6 ? ['x/1', 'x/2'] : ['x/0']]));
    expect(drainConditionMessage({ deletionTimestampSet: [], failed: many }).split('\n').slice(-1)[0]).toBe('  * ... (2 more errors applying to 3 Pods)');
  });
});

describe("a drain round through the guest's API", () => {
  let api: GuestApi;
  beforeEach(async () => {
    api = await startGuestApi();
    api.nodes.set('w-1', [{ type: 'Ready', status: 'True' }]);
    api.nodes.set('w-2', [{ type: 'Ready', status: 'True' }]);
  });
  afterEach(() => api.stop());

  it('cordons the node and evicts its pods, leaving DaemonSet and mirror pods and the pods of other nodes', async () => {
    api.pods.set('default/web-1', guestPod('default', 'web-1', 'w-1', { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.pods.set('default/web-2', guestPod('default', 'web-2', 'w-2', { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.pods.set('kube-system/proxy-1', guestPod('kube-system', 'proxy-1', 'w-1', { controller: { kind: 'DaemonSet', name: 'proxy' } }));
    api.pods.set('kube-system/static-w-1', guestPod('kube-system', 'static-w-1', 'w-1', { annotations: { 'kubernetes.io/config.mirror': 'x' } }));
    api.daemonSets.add('kube-system/proxy');
    api.holdEvicted = true;
    // Evicted, but still there: not drained yet.
    expect(await drainNode(api.access, 'w-1')).toEqual({ done: false, failed: false, message: 'Drain not completed yet:\n* Pods with deletionTimestamp that still exist: default/web-1' });
    expect(api.cordoned).toEqual(new Set(['w-1']));
    expect(api.requests.filter((r) => r.includes('/eviction'))).toEqual(['POST /api/v1/namespaces/default/pods/web-1/eviction']);
    // Gone: drained. The pod being deleted is not evicted again.
    expect(await drainNode(api.access, 'w-1')).toEqual({ done: false, failed: false, message: 'Drain not completed yet:\n* Pods with deletionTimestamp that still exist: default/web-1' });
    expect(api.requests.filter((r) => r.includes('/eviction'))).toHaveLength(1);
    api.pods.delete('default/web-1');
    expect(await drainNode(api.access, 'w-1')).toEqual({ done: true });
    expect([...api.pods.keys()].sort()).toEqual(['default/web-2', 'kube-system/proxy-1', 'kube-system/static-w-1']);
  });

  it("reports an eviction a PodDisruptionBudget refuses with the budget's words, and evicts once it allows", async () => {
    api.pods.set('default/web-1', guestPod('default', 'web-1', 'w-1', { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.refuseEviction = () => PDB_REFUSAL;
    expect(await drainNode(api.access, 'w-1')).toEqual({
      done: false,
      failed: false,
      message: "Drain not completed yet:\n* Pods with eviction failed:\n  * Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 2 healthy pods and has 2 currently: default/web-1",
    });
    expect(api.pods.has('default/web-1')).toBe(true);
    api.refuseEviction = undefined;
    // As Cluster API counts it: evicted this round, so the round is not the one that finds the node empty.
    expect(await drainNode(api.access, 'w-1')).toEqual({ done: false, failed: false, message: 'Drain not completed yet:\n* Pods with deletionTimestamp that still exist: default/web-1' });
    expect(api.pods.has('default/web-1')).toBe(false);
    expect(await drainNode(api.access, 'w-1')).toEqual({ done: true });
  });

  it('finds nothing to drain on a node the guest no longer has, and fails (what DrainingFailed says) when the guest refuses it', async () => {
    expect(await drainNode(api.access, 'gone')).toEqual({ done: true });
    expect(api.cordoned.size).toBe(0);
    const wrongToken = { ...api.access, token: 'nope' };
    expect(await drainNode(wrongToken, 'w-1')).toEqual({ done: false, failed: true, message: 'unable to get Node w-1: Unauthorized' });
  });

  it('deletes the Node, and takes one already gone as deleted', async () => {
    await deleteGuestNode(api.access, 'w-1');
    expect([...api.nodes.keys()]).toEqual(['w-2']);
    await expect(deleteGuestNode(api.access, 'w-1')).resolves.toBeUndefined();
    await expect(deleteGuestNode({ ...api.access, token: 'nope' }, 'w-2')).rejects.toThrow('error deleting node w-2: Unauthorized');
  });
});
