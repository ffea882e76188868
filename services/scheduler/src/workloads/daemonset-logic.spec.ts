import { FailedPodsBackoff } from './daemonset-backoff';
import { daemonTolerations, hostOfPod, pinnedSpec, planDaemonSet, shouldRun } from './daemonset-logic';

const now = Date.parse('2026-12-03T08:00:00Z');
const NEW = 'agent-new';
const OLD = 'agent-old';

const host = (name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}, deleting = false) => ({
  metadata: { name, labels, ...(deleting ? { deletionTimestamp: '2026-12-03T07:59:00Z' } : {}) },
  spec,
});
const template = (spec: Record<string, unknown> = {}) => ({ metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }], ...spec } });
const ds = (updateStrategy: any = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, spec: Record<string, unknown> = {}) => ({
  metadata: { name: 'agent', generation: 3 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: template(), updateStrategy, ...spec },
});

let n = 0;
interface PodOpts {
  rev?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  pinned?: boolean;
  readySince?: string;
}
const pod = (on: string, { rev = NEW, ready = true, phase = 'Running', deleting = false, pinned = false, readySince = '2026-12-03T07:00:00Z' }: PodOpts = {}) => ({
  metadata: {
    name: `agent-${++n}`,
    creationTimestamp: new Date(Date.parse('2026-12-03T06:00:00Z') + n * 1000).toISOString(),
    labels: { app: 'agent', 'controller-revision-hash': rev },
    ...(deleting ? { deletionTimestamp: '2026-12-03T07:59:59Z' } : {}),
  },
  spec: pinned ? pinnedSpec(template().spec, on) : { ...template().spec, nodeName: on },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: readySince }] },
});
const names = (pods: any[]) => pods.map((p) => p.metadata.name);
const required = (...nodeSelectorTerms: any[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } });

describe('which hosts run a daemon pod', () => {
  it('needs every nodeSelector label on the host', () => {
    const t = template({ nodeSelector: { role: 'edge', zone: 'a' } });
    expect(shouldRun(t, host('h1', { role: 'edge', zone: 'a', extra: 'x' }))).toBe(true);
    expect(shouldRun(t, host('h2', { role: 'edge', zone: 'b' }))).toBe(false);
    expect(shouldRun(t, host('h3'))).toBe(false);
    expect(shouldRun(template(), host('h4'))).toBe(true);
  });

  it('needs one required nodeAffinity term to match, each term ANDing its matchExpressions', () => {
    const t = template(required(
      { matchExpressions: [{ key: 'role', operator: 'In', values: ['edge', 'gateway'] }, { key: 'gpu', operator: 'DoesNotExist' }] },
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }, { key: 'ssd', operator: 'Exists' }] },
    ));
    expect(shouldRun(t, host('h1', { role: 'gateway' }))).toBe(true);
    expect(shouldRun(t, host('h2', { role: 'edge', gpu: 'yes' }))).toBe(false);
    expect(shouldRun(t, host('h3', { zone: 'b', ssd: '' }))).toBe(true);
    expect(shouldRun(t, host('h4', { zone: 'a', ssd: '' }))).toBe(false);
    expect(shouldRun(t, host('h5', { role: 'core' }))).toBe(false);
  });

  it('reads matchFields metadata.name against the host name, In and NotIn', () => {
    const only = template(required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['h1', 'h2'] }] }));
    expect(shouldRun(only, host('h1'))).toBe(true);
    expect(shouldRun(only, host('h3'))).toBe(false);
    const but = template(required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['h1'] }] }));
    expect(shouldRun(but, host('h1'))).toBe(false);
    expect(shouldRun(but, host('h2'))).toBe(true);
  });

  it('stays off a host with an untolerated NoSchedule or NoExecute taint, but not a PreferNoSchedule one', () => {
    const t = template();
    expect(shouldRun(t, host('h1', {}, { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }))).toBe(false);
    expect(shouldRun(t, host('h2', {}, { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }))).toBe(false);
    expect(shouldRun(t, host('h3', {}, { taints: [{ key: 'dedicated', value: 'gpu', effect: 'PreferNoSchedule' }] }))).toBe(true);
  });

  it('goes onto a tainted host whose taint the template tolerates', () => {
    const taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
    expect(shouldRun(template({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), host('h1', {}, { taints }))).toBe(true);
    expect(shouldRun(template({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }), host('h1', {}, { taints }))).toBe(true);
    expect(shouldRun(template({ tolerations: [{ operator: 'Exists' }] }), host('h1', {}, { taints }))).toBe(true);
    expect(shouldRun(template({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }] }), host('h1', {}, { taints }))).toBe(false);
  });

  it('goes onto cordoned, not-ready, unreachable and pressured hosts through the default daemon tolerations', () => {
    const t = template();
    expect(shouldRun(t, host('h1', {}, { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }))).toBe(true);
    expect(shouldRun(t, host('h2', {}, { unschedulable: true }))).toBe(true);
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) expect(shouldRun(t, host('h3', {}, { taints: [{ key, effect: 'NoExecute' }] }))).toBe(true);
    for (const key of ['node.kubernetes.io/disk-pressure', 'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure']) {
      expect(shouldRun(t, host('h4', {}, { taints: [{ key, effect: 'NoSchedule' }] }))).toBe(true);
    }
  });

  it('tolerates network-unavailable only for a hostNetwork pod', () => {
    const taints = [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }];
    expect(shouldRun(template(), host('h1', {}, { taints }))).toBe(false);
    expect(shouldRun(template({ hostNetwork: true }), host('h1', {}, { taints }))).toBe(true);
  });

  it('never picks a host being deleted', () => {
    expect(shouldRun(template(), host('h1', {}, {}, true))).toBe(false);
  });
});

describe('a daemon pod pinned to its host', () => {
  it('gets a required node affinity on the host name through matchFields, replacing the template terms', () => {
    const spec = { ...template().spec, ...required({ matchExpressions: [{ key: 'role', operator: 'In', values: ['edge'] }] }) };
    const pinned = pinnedSpec(spec, 'h7');
    expect(pinned.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['h7'] }] }],
    });
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toHaveLength(1);
  });

  it('keeps the rest of the affinity and the containers', () => {
    const podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] };
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }];
    const pinned = pinnedSpec({ ...template().spec, affinity: { podAntiAffinity, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } } }, 'h1');
    expect(pinned.affinity.podAntiAffinity).toEqual(podAntiAffinity);
    expect(pinned.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual(preferred);
    expect(pinned.containers).toEqual(template().spec.containers);
  });

  it("keeps the template's own tolerations first and adds the defaults once", () => {
    const own = [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
    const pinned = pinnedSpec({ ...template().spec, tolerations: own }, 'h1');
    expect(pinned.tolerations.slice(0, 2)).toEqual(own);
    const keys = pinned.tolerations.map((t: any) => `${t.key}:${t.effect}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule']));
    expect(pinnedSpec(pinned, 'h1').tolerations).toEqual(pinned.tolerations);
    expect(daemonTolerations(pinned)).toEqual(pinned.tolerations);
  });
});

describe('the host of a daemon pod', () => {
  it('is its nodeName once scheduled, else the host it is pinned to', () => {
    expect(hostOfPod(pod('h1'))).toBe('h1');
    expect(hostOfPod(pod('h2', { pinned: true }))).toBe('h2');
    expect(hostOfPod({ spec: { ...pinnedSpec(template().spec, 'h2'), nodeName: 'h3' } })).toBe('h3');
  });

  it('is unknown for a pod neither scheduled nor pinned to one host', () => {
    expect(hostOfPod({ spec: template().spec })).toBeUndefined();
    expect(hostOfPod({ spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['h1', 'h2'] }] }) })).toBeUndefined();
    expect(hostOfPod({ spec: required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['h1'] }] }) })).toBeUndefined();
  });
});

describe('a DaemonSet pass', () => {
  const edge = template({ nodeSelector: { role: 'edge' } });
  const edgeDs = (strategy?: any) => ({ ...ds(strategy), spec: { ...ds(strategy).spec, template: edge } });

  it('creates a pod for each eligible host and none for the others', () => {
    const hosts = [host('h1', { role: 'edge' }), host('h2', { role: 'core' }), host('h3', { role: 'edge' }, { taints: [{ key: 'gpu', effect: 'NoSchedule' }] }), host('h4', { role: 'edge' })];
    const plan = planDaemonSet(edgeDs(), hosts, [], NEW, now);
    expect(plan.create).toEqual(['h1', 'h4']);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 0, numberUnavailable: 2 });
  });

  it('creates nothing for a host that already has its pod, pinned and unscheduled or running', () => {
    const plan = planDaemonSet(ds(), [host('h1'), host('h2')], [pod('h1', { pinned: true, phase: 'Pending', ready: false }), pod('h2')], NEW, now);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it('keeps the oldest of two pods of one revision on a host, and of two made in the same second the first by name', () => {
    const older = pod('h1');
    const newer = pod('h1');
    expect(names(planDaemonSet(ds(), [host('h1')], [newer, older], NEW, now).remove)).toEqual([newer.metadata.name]);
    const twin = { ...pod('h1'), metadata: { ...pod('h1').metadata, name: 'agent-a', creationTimestamp: older.metadata.creationTimestamp } };
    const other = { ...twin, metadata: { ...twin.metadata, name: 'agent-b' } };
    expect(names(planDaemonSet(ds(), [host('h1')], [other, twin], NEW, now).remove)).toEqual(['agent-b']);
  });

  it('removes pods on hosts that no longer match, counting them misscheduled', () => {
    const moved = pod('h2');
    const gone = pod('h3');
    const hosts = [host('h1', { role: 'edge' }), host('h2', { role: 'core' }), host('h3', { role: 'edge' }, {}, true)];
    const plan = planDaemonSet(edgeDs(), hosts, [pod('h1'), moved, gone], NEW, now);
    expect(names(plan.remove)).toEqual(names([moved, gone]));
    expect(plan.create).toEqual([]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 2 });
  });

  it('removes Failed and Succeeded pods, which are not misscheduled', () => {
    const failed = pod('h1', { phase: 'Failed', ready: false });
    const done = pod('h2', { phase: 'Succeeded', ready: false });
    const plan = planDaemonSet(ds(), [host('h1'), host('h2')], [failed, done], NEW, now);
    expect(names(plan.remove)).toEqual(names([failed, done]));
    expect(plan.status.numberMisscheduled).toBe(0);
  });

  it('makes the next pod on a host only once its finished one is gone, and names the finished ones', () => {
    const failed = pod('h1', { phase: 'Failed', ready: false });
    const plan = planDaemonSet(ds(), [host('h1'), host('h2')], [failed], NEW, now);
    expect(plan.create).toEqual(['h2']);
    expect(plan.finished).toEqual([{ pod: failed, host: 'h1' }]);
  });

  it('deletes a failed pod on a host again only after the back-off, which doubles each time', () => {
    const backoff = new FailedPodsBackoff();
    const set = { ...ds(), metadata: { ...ds().metadata, uid: 'ds-1' } };
    const failedAt = (t: number) => planDaemonSet(set, [host('h1')], [pod('h1', { phase: 'Failed', ready: false })], NEW, t, backoff);
    expect(failedAt(now).remove).toHaveLength(1);
    const waiting = failedAt(now + 500);
    expect(waiting).toMatchObject({ remove: [], finished: [], create: [], retryAt: now + 1000 });
    expect(failedAt(now + 1000).remove).toHaveLength(1);
    expect(failedAt(now + 2999).retryAt).toBe(now + 3000);
    expect(failedAt(now + 3000).remove).toHaveLength(1);
    // Another host keeps its own back-off.
    expect(planDaemonSet(set, [host('h2')], [pod('h2', { phase: 'Failed', ready: false })], NEW, now + 3001, backoff).remove).toHaveLength(1);
  });

  it('never deletes a Succeeded pod later for a back-off', () => {
    const backoff = new FailedPodsBackoff();
    const set = { ...ds(), metadata: { ...ds().metadata, uid: 'ds-1' } };
    for (const t of [now, now + 1]) expect(planDaemonSet(set, [host('h1')], [pod('h1', { phase: 'Succeeded', ready: false })], NEW, t, backoff).remove).toHaveLength(1);
  });

  it('keeps one pod of a revision on a host, removing the extra one', () => {
    const first = pod('h1');
    const extra = pod('h1');
    const plan = planDaemonSet(ds(), [host('h1')], [first, extra], NEW, now);
    expect(plan.remove).toEqual([extra]);
    expect(plan.create).toEqual([]);
  });

  it('gives a host whose pod is still terminating no new pod yet', () => {
    const plan = planDaemonSet(ds(), [host('h1'), host('h2')], [pod('h1', { deleting: true }), pod('h2', { pinned: true, deleting: true })], NEW, now);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 0, numberUnavailable: 2 });
  });

  describe('with RollingUpdate', () => {
    const hosts = [host('h1'), host('h2'), host('h3')];

    it('deletes one available old pod per pass under maxUnavailable 1', () => {
      const olds = hosts.map((h) => pod(h.metadata.name, { rev: OLD }));
      const plan = planDaemonSet(ds(), hosts, olds, NEW, now);
      expect(plan.remove).toHaveLength(1);
      expect(olds).toContain(plan.remove[0]);
      expect(plan.create).toEqual([]);
    });

    it('waits while a replaced host is missing its pod or its new pod is not yet available', () => {
      expect(planDaemonSet(ds(), hosts, [pod('h2', { rev: OLD }), pod('h3', { rev: OLD })], NEW, now)).toMatchObject({ create: ['h1'], remove: [] });
      expect(planDaemonSet(ds(), hosts, [pod('h1', { ready: false }), pod('h2', { rev: OLD }), pod('h3', { rev: OLD })], NEW, now).remove).toEqual([]);
      const next = planDaemonSet(ds(), hosts, [pod('h1'), pod('h2', { rev: OLD }), pod('h3', { rev: OLD })], NEW, now);
      expect(next.remove).toHaveLength(1);
      expect(next.remove[0].metadata.labels['controller-revision-hash']).toBe(OLD);
    });

    it('removes old pods that are not available regardless of maxUnavailable', () => {
      const broken = [pod('h1', { rev: OLD, ready: false }), pod('h2', { rev: OLD, phase: 'Pending', ready: false })];
      const plan = planDaemonSet(ds(), hosts, [...broken, pod('h3', { rev: OLD })], NEW, now);
      expect(names(plan.remove)).toEqual(names(broken));
    });

    it('counts a pod ready for less than minReadySeconds as unavailable', () => {
      const young = pod('h1', { readySince: '2026-12-03T07:59:50Z' });
      const plan = planDaemonSet(ds(undefined, { minReadySeconds: 30 }), hosts, [young, pod('h2', { rev: OLD }), pod('h3', { rev: OLD })], NEW, now);
      expect(plan.remove).toEqual([]);
      expect(plan.status).toMatchObject({ numberReady: 3, numberAvailable: 2, numberUnavailable: 1 });
    });

    it('rounds a percent maxUnavailable up: 50% of 3 hosts is 2', () => {
      const plan = planDaemonSet(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } }), hosts, hosts.map((h) => pod(h.metadata.name, { rev: OLD })), NEW, now);
      expect(plan.remove).toHaveLength(2);
    });

    it('with maxSurge 1 starts a new pod beside an available old one, and removes the old one once the new one is available', () => {
      const surge = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
      const [o1, o2, o3] = hosts.map((h) => pod(h.metadata.name, { rev: OLD }));
      const started = planDaemonSet(surge, hosts, [o1, o2, o3], NEW, now);
      expect(started.create).toHaveLength(1);
      expect(started.remove).toEqual([]);
      const onHost = started.create[0];
      const old = [o1, o2, o3].find((p) => p.spec.nodeName === onHost)!;
      const others = [o1, o2, o3].filter((p) => p !== old);
      const waiting = planDaemonSet(surge, hosts, [old, pod(onHost, { ready: false }), ...others], NEW, now);
      expect(waiting).toMatchObject({ create: [], remove: [] });
      const up = planDaemonSet(surge, hosts, [old, pod(onHost), ...others], NEW, now);
      expect(up.remove).toEqual([old]);
    });
  });

  it('with OnDelete never removes old-revision pods, and creates new-revision pods only where none is', () => {
    const hosts = [host('h1'), host('h2'), host('h3')];
    const plan = planDaemonSet(ds({ type: 'OnDelete' }), hosts, [pod('h1', { rev: OLD }), pod('h2', { rev: OLD, ready: false })], NEW, now);
    expect(plan).toMatchObject({ create: ['h3'], remove: [] });
    expect(plan.status).toMatchObject({ updatedNumberScheduled: 0, currentNumberScheduled: 2 });
  });

  it('reports the status counts', () => {
    const hosts = [host('h1', { role: 'edge' }), host('h2', { role: 'edge' }), host('h3', { role: 'edge' }), host('h4', { role: 'edge' }), host('h5', { role: 'core' })];
    const pods = [pod('h1'), pod('h2', { rev: OLD }), pod('h3', { ready: false }), pod('h5')];
    const { status } = planDaemonSet(edgeDs({ type: 'OnDelete' }), hosts, pods, NEW, now);
    expect(status).toEqual({
      desiredNumberScheduled: 4,
      currentNumberScheduled: 3,
      numberReady: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      numberUnavailable: 2,
      numberMisscheduled: 1,
      observedGeneration: 3,
    });
  });
});

describe('the back-off before a failed daemon pod is made again', () => {
  it('starts at 1 s, doubles, and stops at 15 min', () => {
    const b = new FailedPodsBackoff();
    const delays: number[] = [];
    let t = now;
    for (let i = 0; i < 12; i++) {
      b.next('k', t);
      delays.push(b.until('k', t)! - t);
      t = b.until('k', t)!;
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900].map((s) => s * 1000));
  });

  it('starts afresh once unused for twice the longest delay, and forgets it then', () => {
    const b = new FailedPodsBackoff();
    b.next('k', now);
    b.next('k', now + 1000);
    expect(b.inBackoff('k', now + 1500)).toBe(true);
    const later = now + 1000 + 30 * 60_000 + 1;
    expect(b.inBackoff('k', later)).toBe(false);
    b.next('k', later);
    expect(b.until('k', later)).toBe(later + 1000);
    b.gc(later + 30 * 60_000 + 1);
    expect(b.until('k', later + 30 * 60_000 + 1)).toBeUndefined();
  });
});
