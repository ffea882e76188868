import { podStatusText } from '@openpacific/contracts';
import { defaultPod, schedulingGatedCreateCauses, validatePod, validatePodUpdate } from './pod.strategy';

const pod = (spec: any = {}) => ({ metadata: { name: 'p', namespace: 'a' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const fields = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('scheduling gates', () => {
  it('give a new gated pod PodScheduled=False SchedulingGated, which kubectl shows as its status', () => {
    const gated = defaultPod(pod({ schedulingGates: [{ name: 'example.com/quota' }] }));
    expect(gated.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' })]);
    expect(podStatusText(gated)).toBe('SchedulingGated');
    expect(defaultPod(pod()).status.conditions).toBeUndefined();
  });

  it('are qualified names, each once, and keep a pod off any host', () => {
    expect(validatePod(defaultPod(pod({ schedulingGates: [{ name: 'example.com/a' }, { name: 'b' }] })))).toEqual([]);
    expect(fields(validatePod(defaultPod(pod({ schedulingGates: [{ name: 'x' }, { name: 'x' }, { name: 'not valid' }] }))))).toEqual([
      'spec.schedulingGates[1]: Duplicate value: "x"',
      expect.stringMatching(/^spec\.schedulingGates\[2\]: Invalid value: "not valid": name part must consist of/),
    ]);
    expect(fields(schedulingGatedCreateCauses(pod({ schedulingGates: [{ name: 'a' }], nodeName: 'host-1' })))).toEqual(['spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared']);
  });

  it('may only be removed once the pod exists', () => {
    const before = defaultPod(pod({ schedulingGates: [{ name: 'a' }, { name: 'b' }] }));
    expect(validatePodUpdate(before, { ...before, spec: { ...before.spec, schedulingGates: [{ name: 'b' }] } })).toEqual([]);
    expect(validatePodUpdate(before, { ...before, spec: { ...before.spec, schedulingGates: undefined } })).toEqual([]);
    expect(fields(validatePodUpdate(before, { ...before, spec: { ...before.spec, schedulingGates: [{ name: 'a' }, { name: 'c' }] } }))).toEqual([
      "spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'c'",
    ]);
  });
});
