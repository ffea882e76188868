import type { StoredObject } from '@openpacific/objects';
import { noExecuteDelaySeconds, TaintEvictions, taintEvictedPod, taintEvictionPass } from './taint-eviction';

const maint = { key: 'maint', value: 'now', effect: 'NoExecute' };

describe('NoExecute taints against tolerations', () => {
  it('evicts at once a pod that does not tolerate a NoExecute taint, and never for NoSchedule ones or none', () => {
    expect(noExecuteDelaySeconds([maint], [])).toBe(0);
    expect(noExecuteDelaySeconds([maint], [{ key: 'other', operator: 'Exists' }])).toBe(0);
    expect(noExecuteDelaySeconds([{ key: 'maint', effect: 'NoSchedule' }], [])).toBeUndefined();
    expect(noExecuteDelaySeconds([], [])).toBeUndefined();
  });

  it('keeps a pod for the least tolerationSeconds of the tolerations used, forever when they set none', () => {
    expect(noExecuteDelaySeconds([maint], [{ key: 'maint', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }])).toBe(30);
    expect(noExecuteDelaySeconds([maint], [{ key: 'maint', operator: 'Equal', value: 'now' }])).toBeUndefined();
    // The first toleration that tolerates a taint is the one used, as kube-controller-manager matches them.
    expect(noExecuteDelaySeconds([maint], [{ operator: 'Exists' }, { key: 'maint', operator: 'Exists', tolerationSeconds: 5 }])).toBeUndefined();
    const disk = { key: 'disk', effect: 'NoExecute' };
    expect(noExecuteDelaySeconds([maint, disk], [{ key: 'maint', operator: 'Exists', tolerationSeconds: 60 }, { key: 'disk', operator: 'Exists', tolerationSeconds: 10 }])).toBe(10);
    // Zero or negative seconds: at once.
    expect(noExecuteDelaySeconds([maint], [{ key: 'maint', operator: 'Exists', tolerationSeconds: -5 }])).toBe(0);
    // A value that does not match is not tolerated.
    expect(noExecuteDelaySeconds([maint], [{ key: 'maint', operator: 'Equal', value: 'later' }])).toBe(0);
  });

  it('deletes the pod with its grace period and a DisruptionTarget condition naming the taint manager', () => {
    const pod = { metadata: { name: 'p', resourceVersion: '7' }, spec: { terminationGracePeriodSeconds: 5 }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const asked = Math.floor(Date.now() / 1000) * 1000;
    const evicted = taintEvictedPod(pod);
    expect(evicted.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(evicted.metadata.resourceVersion).toBeUndefined();
    expect(evicted.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }),
    ]);
    // As kube-apiserver marks the deletion the taint manager asks for: when its grace period ends, the condition at the asking.
    const due = Date.parse(evicted.metadata.deletionTimestamp);
    const disrupted = Date.parse(evicted.status.conditions[1].lastTransitionTime);
    expect(disrupted).toBeGreaterThanOrEqual(asked);
    expect(due).toBe(disrupted + 5_000);
  });
});

describe('the eviction clock', () => {
  const stored = (name: string, tolerations: any[] = [], extra: any = {}): StoredObject =>
    ({ streamId: `pods/default/${name}`, streamVersion: 1, object: { metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra }, spec: { nodeName: 'host-1', tolerations }, status: { phase: 'Running' } } }) as any;
  const bounded = [{ key: 'maint', operator: 'Exists', tolerationSeconds: 10 }];

  it('evicts at once, counts bounded tolerations from when it first saw them, and leaves others', () => {
    const clock = new TaintEvictions();
    const pods = [stored('plain'), stored('bounded', bounded), stored('forever', [{ key: 'maint', operator: 'Exists' }]), { ...stored('elsewhere'), object: { ...stored('elsewhere').object, spec: { nodeName: 'host-2' } } }];
    const taints = new Map([['host-1', [maint]]]);
    const first = clock.plan(taints, pods, 1_000);
    expect(first.evict.map((s) => s.object.metadata.name)).toEqual(['plain']);
    expect(first.nextAt).toBe(11_000);
    clock.done('uid-plain');
    expect(clock.plan(taints, pods.slice(1), 10_999).evict).toEqual([]);
    expect(clock.plan(taints, pods.slice(1), 11_000).evict.map((s) => s.object.metadata.name)).toEqual(['bounded']);
  });

  it('cancels a pending eviction when the taint goes, and skips pods being deleted or finished', () => {
    const clock = new TaintEvictions();
    const pods = [stored('bounded', bounded), stored('going', [], { deletionTimestamp: '2024-01-01T00:00:00Z' })];
    expect(clock.plan(new Map([['host-1', [maint]]]), pods, 0).evict).toEqual([]);
    expect(clock.pending).toBe(true);
    const after = clock.plan(new Map(), pods, 5_000);
    expect(after.cancelled.map((s) => s.object.metadata.name)).toEqual(['bounded']);
    expect(after.nextAt).toBeUndefined();
    expect(clock.pending).toBe(false);
    const done = { ...stored('done'), object: { ...stored('done').object, status: { phase: 'Succeeded' } } };
    expect(clock.plan(new Map([['host-1', [maint]]]), [done], 0).evict).toEqual([]);
  });

  it('walks no pod while no host has a NoExecute taint, and writes each eviction with its Event and each cancellation as an Event', () => {
    const clock = new TaintEvictions();
    const host = (taints: any[]) => ({ streamId: 'hosts/host-1', streamVersion: 1, object: { metadata: { name: 'host-1' }, spec: { taints } } }) as any;
    let walked = 0;
    const pods = () => (walked++, [stored('plain'), stored('bounded', bounded)]);
    expect(taintEvictionPass(clock, [host([{ key: 'maint', effect: 'NoSchedule' }])], pods, 0)).toBeUndefined();
    expect(walked).toBe(0);
    const pass = taintEvictionPass(clock, [host([maint])], pods, 0)!;
    expect(pass.evict.map((e) => e.stored.object.metadata.name)).toEqual(['plain']);
    const [deletion, event] = pass.evict[0].writes;
    expect(deletion.streamId).toBe('pods/default/plain');
    expect((deletion.events[0].data as any).object.metadata.deletionTimestamp).toBeDefined();
    expect((event.events[0].data as any).object).toMatchObject({ reason: 'TaintManagerEviction', message: 'Marking for deletion Pod default/plain' });
    expect(pass.nextAt).toBe(10_000);
    // The taint goes while `bounded` still counts down: its deletion is cancelled, by an Event only.
    const after = taintEvictionPass(clock, [host([])], pods, 5_000)!;
    expect(after.evict).toEqual([]);
    expect(after.cancelled.map((w) => (w.events[0].data as any).object.message)).toEqual(['Cancelling deletion of Pod default/bounded']);
    expect(taintEvictionPass(clock, [host([])], pods, 6_000)).toBeUndefined();
  });
});
