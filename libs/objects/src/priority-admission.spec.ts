import { admitPriority, PriorityClassLookup } from './priority-admission';

const pc = (name: string, value: number, extra: any = {}) => ({ metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra });
const lookup = (...classes: any[]): PriorityClassLookup => ({
  get: (name) => classes.find((c) => c.metadata.name === name),
  globalDefault: () => classes.find((c) => c.globalDefault === true),
});
const pod = (spec: any = {}) => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });

describe('the Priority admission plugin', () => {
  it('sets priority and preemption policy from the named class', () => {
    const p = pod({ priorityClassName: 'high' });
    expect(admitPriority(p, lookup(pc('high', 1000, { preemptionPolicy: 'Never' })))).toBeUndefined();
    expect(p.spec).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'Never' });
  });

  it('refuses a class that does not exist, in kube-apiserver words', () => {
    expect(admitPriority(pod({ priorityClassName: 'foo' }), lookup())).toBe('no PriorityClass with name foo was found');
  });

  it('gives a pod without a class the global default class, else priority 0 and PreemptLowerPriority', () => {
    const withDefault = pod();
    admitPriority(withDefault, lookup(pc('low', 1), pc('usual', 100, { globalDefault: true })));
    expect(withDefault.spec).toMatchObject({ priorityClassName: 'usual', priority: 100, preemptionPolicy: 'PreemptLowerPriority' });
    const without = pod();
    admitPriority(without, lookup(pc('low', 1)));
    expect(without.spec.priorityClassName).toBeUndefined();
    expect(without.spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
  });

  it('refuses a priority or preemption policy that differs from the class, and accepts the same ones', () => {
    const classes = lookup(pc('high', 1000));
    expect(admitPriority(pod({ priorityClassName: 'high', priority: 5 }), classes)).toBe(
      'the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    );
    expect(admitPriority(pod({ priorityClassName: 'high', preemptionPolicy: 'Never' }), classes)).toBe(
      'the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
    );
    expect(admitPriority(pod({ priorityClassName: 'high', priority: 1000 }), classes)).toBeUndefined();
    expect(admitPriority(pod({ priority: 3 }), lookup())).toMatch(/^the integer value of priority \(3\)/);
  });
});
