import { holdOn, HostView } from './filters';
import { BudgetView, choosePreemption, lowestPriority, notEligible, victimsOn, withoutVictims } from './preemption';

const host = (name: string, cpu = '2'): HostView => ({
  name,
  host: { metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status: { allocatable: { cpu, memory: '8Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] } },
  used: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
  pods: new Map(),
  owners: new Map(),
});
const pod = (name: string, cpu: string, priority?: number, extra: any = {}) => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `u-${name}`, creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z', labels: extra.labels ?? {}, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}) },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }], ...(priority === undefined ? {} : { priority }), ...(extra.spec ?? {}) },
  status: extra.status ?? {},
});
const put = (view: HostView, ...pods: any[]) => pods.forEach((p) => holdOn(view, p, p.metadata.name));
const names = (found: { victims: { key: string }[] } | { reason: string } | undefined) => (found && 'victims' in found ? found.victims.map((v) => v.key) : found);
const any = () => true;
const insufficient = (...views: HostView[]) => new Map(views.map((v) => [v.name, 'Insufficient cpu']));

describe('preemption', () => {
  it('takes the fewest lower-priority pods that make room, sparing the more important ones', () => {
    const a = host('a');
    put(a, pod('low-1', '500m', 1), pod('low-2', '500m', 2), pod('mid', '1', 50));
    // 1 CPU wanted on a full 2-CPU host: the two smallest-priority halves go, the priority-50 pod stays.
    expect(names(victimsOn(pod('high', '1', 100), a, [a], [], any))).toEqual(['low-2', 'low-1']);
    // 1500m wanted: one of the small ones must stay away with the other; the more important (low-2) is spared first.
    expect(names(victimsOn(pod('high', '1500m', 100), a, [a], [], any))).toEqual(['mid', 'low-1']);
  });

  it('never takes pods of equal or higher priority, pods already terminating, or pods not eligible, and says why', () => {
    const a = host('a');
    put(a, pod('same', '1', 100), pod('going', '1', 1, { deleting: true }));
    expect(victimsOn(pod('high', '1', 100), a, [a], [], any)).toEqual({ reason: 'No preemption victims found for incoming pod' });
    const b = host('b');
    put(b, pod('low', '2', 1));
    expect(victimsOn(pod('high', '1', 100), b, [b], [], (v) => v.key !== 'low')).toEqual({ reason: 'No preemption victims found for incoming pod' });
    // Taking every lower pod away is not enough: the filter's verdict without them.
    const c = host('c');
    put(c, pod('big', '1500m', 100), pod('small', '500m', 1));
    expect(victimsOn(pod('high', '1', 100), c, [c], [], any)).toEqual({ reason: 'Insufficient cpu' });
  });

  it('spares pods a PodDisruptionBudget guards when other pods make room', () => {
    const a = host('a');
    put(a, pod('guarded', '1', 1, { labels: { app: 'db' }, created: '2026-01-01T00:00:05Z' }), pod('free', '1', 1, { created: '2026-01-01T00:00:00Z' }));
    const budget: BudgetView = { namespace: 'default', selector: { matchLabels: { app: 'db' } }, disruptionsAllowed: 0, disruptedPods: {} };
    expect(victimsOn(pod('high', '1', 100), a, [a], [budget], any)).toEqual({ victims: [expect.objectContaining({ key: 'free' })], violations: 0 });
    // When only the guarded pod would do, it goes, counted as a violation.
    const b = host('b');
    put(b, pod('guarded', '2', 1, { labels: { app: 'db' } }));
    expect(victimsOn(pod('high', '1', 100), b, [b], [budget], any)).toEqual({ victims: [expect.objectContaining({ key: 'guarded' })], violations: 1 });
    // Without the budget the newer pod goes (the older is more important); with the budget's disruption allowed, too.
    expect(names(victimsOn(pod('high', '1', 100), a, [a], [], any))).toEqual(['guarded']);
    expect(names(victimsOn(pod('high', '1', 100), a, [a], [{ ...budget, disruptionsAllowed: 1 }], any))).toEqual(['guarded']);
  });

  it('chooses the host whose victims matter least, then the one with fewer victims', () => {
    const a = host('a');
    const b = host('b');
    const c = host('c');
    put(a, pod('a-mid', '2', 50));
    put(b, pod('b-low-1', '1', 1), pod('b-low-2', '1', 1));
    put(c, pod('c-low', '2', 1));
    const result = choosePreemption(pod('high', '2', 100), [a, b, c], insufficient(a, b, c), [], any);
    expect('choice' in result && result.choice.host.name).toBe('c');
    expect('choice' in result && result.choice.victims.map((v) => v.key)).toEqual(['c-low']);
  });

  it('skips hosts that fail for reasons preemption cannot change, and says why of each host when none will do', () => {
    const a = host('a');
    const b = host('b');
    put(a, pod('low', '2', 1));
    const reasons = new Map([['a', "didn't match Pod's node affinity/selector"], ['b', 'Insufficient cpu']]);
    expect(choosePreemption(pod('high', '3', 100), [a, b], reasons, [], any)).toEqual({ failures: ['Preemption is not helpful for scheduling', 'No preemption victims found for incoming pod'] });
    expect(withoutVictims(["had untolerated taint {node.kubernetes.io/not-ready: }", 'Too many pods', "didn't match pod anti-affinity rules"])).toEqual([
      'Preemption is not helpful for scheduling', 'No preemption victims found for incoming pod', 'No preemption victims found for incoming pod',
    ]);
  });

  it('lets pods with preemptionPolicy Never, or whose victims are still terminating on their nominated host, wait', () => {
    const a = host('a');
    put(a, pod('going', '2', 1, { deleting: true }));
    expect(notEligible(pod('high', '1', 100, { spec: { preemptionPolicy: 'Never' } }), [a])).toBe('not eligible due to preemptionPolicy=Never.');
    expect(notEligible(pod('high', '1', 100, { status: { nominatedNodeName: 'a' } }), [a])).toBe('not eligible due to a terminating pod on the nominated node.');
    expect(notEligible(pod('high', '1', 100), [a])).toBeUndefined();
  });

  it('knows the lowest priority running anywhere, so that pods of no higher priority skip preemption', () => {
    const a = host('a');
    put(a, pod('zero', '1'), pod('neg', '1', -5, { deleting: true }));
    expect(lowestPriority([a])).toBe(0);
    expect(lowestPriority([host('empty')])).toBe(Infinity);
  });
});
