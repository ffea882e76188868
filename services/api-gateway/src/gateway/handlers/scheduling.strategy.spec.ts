import { validatePod } from './pod.strategy';
import { schedulingKindStrategies, setPriorityClassesLookup, validatePriorityClass, validatePriorityClassUpdate } from './scheduling.strategy';

const pc = (name: string, value: number, extra: any = {}) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });
const strategy = schedulingKindStrategies['scheduling.k8s.io/PriorityClass'];
const fields = (causes: { field?: string }[]) => causes.map((c) => c.field);

describe('PriorityClass rules', () => {
  afterEach(() => setPriorityClassesLookup(() => []));

  it('default the preemption policy to PreemptLowerPriority', () => {
    expect(strategy.defaults!(pc('high', 10), {} as any).preemptionPolicy).toBe('PreemptLowerPriority');
  });

  it('cap user classes at one billion and reserve the system- prefix for the system classes as they are', () => {
    expect(validatePriorityClass(pc('high', 1_000_000_000))).toEqual([]);
    expect(validatePriorityClass(pc('high', 1_000_000_001))).toEqual([{ field: 'value', reason: 'FieldValueForbidden', message: 'Forbidden: maximum allowed value of a user defined priority is 1000000000' }]);
    expect(validatePriorityClass(pc('system-mine', 5))[0]).toMatchObject({
      field: 'metadata.name',
      message: "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    });
    expect(validatePriorityClass(pc('system-node-critical', 5))[0].message).toMatch(/value of system-node-critical PriorityClass must be 2000001000$/);
    expect(validatePriorityClass(pc('system-node-critical', 2_000_001_000))).toEqual([]);
    expect(validatePriorityClass(pc('x', 1, { preemptionPolicy: 'Sometimes' }))).toEqual([
      { field: 'preemptionPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"' },
    ]);
  });

  it('keep value and preemption policy as they were created', () => {
    const old = pc('high', 10, { preemptionPolicy: 'PreemptLowerPriority' });
    expect(fields(validatePriorityClassUpdate(old, { ...old, value: 11, preemptionPolicy: 'Never' }))).toEqual(['value', 'preemptionPolicy']);
    expect(validatePriorityClassUpdate(old, { ...old, description: 'now described' })).toEqual([]);
  });

  it('allow one global default only, with the Priority admission plugin 403', () => {
    setPriorityClassesLookup(() => [pc('usual', 100, { globalDefault: true })]);
    expect(() => strategy.validateCreate!(pc('other', 5, { globalDefault: true }), {} as any)).toThrow(
      'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass usual is already marked as default. Only one default can exist',
    );
    expect(strategy.validateCreate!(pc('plain', 5), {} as any)).toEqual([]);
    // The default class itself may be updated.
    expect(strategy.validateUpdate!(pc('usual', 100, { globalDefault: true }), pc('usual', 100, { globalDefault: true, description: 'd' }))).toEqual([]);
  });

  it('refuse to delete a system class only', () => {
    expect(strategy.validateDelete!(pc('system-cluster-critical', 2_000_000_000))).toBe('priorityclasses.scheduling.k8s.io "system-cluster-critical" is forbidden: this is a system priority class and cannot be deleted');
    expect(strategy.validateDelete!(pc('high', 10))).toBeUndefined();
  });

  it('leave a pod only the two preemption policies', () => {
    const pod = (preemptionPolicy: string) => ({ metadata: { name: 'p' }, spec: { preemptionPolicy, containers: [{ name: 'c', image: 'i' }] } });
    expect(validatePod(pod('Never'))).toEqual([]);
    expect(validatePod(pod('Sometimes'))).toEqual([
      { field: 'spec.preemptionPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"' },
    ]);
  });
});
