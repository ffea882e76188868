import { defaultJob, validateJob, validateJobUpdate } from './batch.strategy';

const job = (spec: Record<string, unknown>, restartPolicy = 'Never') =>
  defaultJob({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default', uid: '1f4c0a2e-0000-4000-8000-000000000001' },
    spec: { ...spec, template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox' }] } } },
  });
const messages = (j: any) => validateJob(j).map((c) => `${c.field}: ${c.message}`);
const failJob = (onExitCodes: Record<string, unknown>) => ({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes }] } });

describe('Job policies as kube-apiserver validates them', () => {
  it('accepts a pod failure policy, with podReplacementPolicy defaulted to Failed', () => {
    const j = job({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } });
    expect(j.spec.podReplacementPolicy).toBe('Failed');
    expect(job({}).spec.podReplacementPolicy).toBe('TerminatingOrFailed');
    expect(validateJob(j)).toEqual([]);
    // A condition pattern without a status matches a True condition, as kube-apiserver defaults it.
    const unsaid = job({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } });
    expect(unsaid.spec.podFailurePolicy.rules[0].onPodConditions).toEqual([{ type: 'DisruptionTarget', status: 'True' }]);
    expect(validateJob(unsaid)).toEqual([]);
  });

  it('refuses a pod failure policy with a template that restarts on failure, or pods replaced while terminating', () => {
    expect(messages(job(failJob({ operator: 'In', values: [42] }), 'OnFailure'))).toEqual(['spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified']);
    expect(messages(job({ ...failJob({ operator: 'In', values: [42] }), podReplacementPolicy: 'TerminatingOrFailed' }))).toEqual(['spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"']);
  });

  it('refuses exit codes unordered, repeated, 0 under In, none, or for a container the template lacks', () => {
    expect(messages(job(failJob({ operator: 'In', values: [0, 5, 5, 3] })))).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 5',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 5, 5, 3}: must be ordered',
    ]);
    expect(messages(job(failJob({ operator: 'NotIn', values: [0] })))).toEqual([]);
    expect(messages(job(failJob({ operator: 'Is', values: [] })))).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Is": supported values: "In", "NotIn"',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{}: at least one value is required',
    ]);
    expect(messages(job(failJob({ containerName: 'side', operator: 'In', values: [1] })))).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "side": must be one of the container or initContainer names in the pod template',
    ]);
  });

  it('refuses a rule with both or neither requirement, an unknown action, more than 20 rules, and FailIndex without backoffLimitPerIndex', () => {
    const rules = [
      { action: 'Ignore', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'Retry' },
      { action: 'FailIndex', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] },
    ];
    expect(messages(job({ podFailurePolicy: { rules } }))).toEqual([
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[1]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
      'spec.podFailurePolicy.rules[2].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
      'spec.podFailurePolicy.rules[2].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
    ]);
    const many = Array.from({ length: 21 }, () => ({ action: 'Count', onExitCodes: { operator: 'In', values: [1] } }));
    expect(messages(job({ podFailurePolicy: { rules: many } }))).toEqual(['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items']);
  });

  it('takes backoffLimitPerIndex and maxFailedIndexes only for Indexed Jobs, defaulting backoffLimit to the largest int32', () => {
    const indexed = job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1, maxFailedIndexes: 1 });
    expect(indexed.spec.backoffLimit).toBe(2147483647);
    expect(validateJob(indexed)).toEqual([]);
    expect(messages(job({ backoffLimitPerIndex: 1 }))).toEqual(['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode']);
    expect(messages(job({ completionMode: 'Indexed', completions: 3, maxFailedIndexes: 4 }))).toEqual([
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions',
    ]);
  });

  it('refuses a success policy outside Indexed Jobs, without rules, or naming indexes it cannot read or counts it cannot reach', () => {
    const indexed = (successPolicy: unknown) => job({ completionMode: 'Indexed', completions: 3, successPolicy });
    expect(validateJob(indexed({ rules: [{ succeededIndexes: '0,2', succeededCount: 1 }] }))).toEqual([]);
    expect(messages(job({ successPolicy: { rules: [{ succeededCount: 1 }] } }))).toEqual(['spec.successPolicy: Invalid value: requires indexed completion mode']);
    expect(messages(indexed({ rules: [] }))).toEqual(['spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified']);
    expect(messages(indexed({ rules: [{}, { succeededIndexes: '2-1' }, { succeededIndexes: '0-1', succeededCount: 3 }] }))).toEqual([
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
      'spec.successPolicy.rules[1].succeededIndexes: Invalid value: "2-1": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1',
      'spec.successPolicy.rules[2].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
    ]);
    expect(messages(indexed({ rules: [{ succeededIndexes: '3' }] }))).toEqual(['spec.successPolicy.rules[0].succeededIndexes: Invalid value: "3": error parsing succeededIndexes: too large index: "3"']);
  });

  it('keeps the policies of an existing Job as they are', () => {
    const old = job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 });
    const next = job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 2 });
    expect(validateJobUpdate(old, next).map((c) => `${c.field}: ${c.message}`)).toEqual(['spec.backoffLimitPerIndex: Invalid value: 2: field is immutable']);
  });
});

describe('spec.managedBy, as kube-apiserver validates it', () => {
  const causes = (managedBy: string) => messages(job({ managedBy }));

  it('takes a domain-prefixed path of at most 63 characters', () => {
    expect(causes('kubernetes.io/job-controller')).toEqual([]);
    expect(causes('example.com/queue/v1')).toEqual([]);
  });

  it('refuses a value without a domain, a bad domain or path, and one too long', () => {
    expect(causes('other')).toEqual(['spec.managedBy: Invalid value: "other": must be a domain-prefixed path (such as "acme.io/foo")']);
    expect(causes('Example.com/x')[0]).toMatch(/^spec\.managedBy: Invalid value: "Example\.com": a lowercase RFC 1123 subdomain/);
    expect(causes('example.com/a b')[0]).toMatch(/^spec\.managedBy: Invalid value: "a b": Invalid path/);
    expect(causes(`example.com/${'x'.repeat(60)}`)).toEqual(['spec.managedBy: Too long: may not be more than 63 bytes']);
  });

  it('is immutable', () => {
    expect(validateJobUpdate(job({ managedBy: 'example.com/a' }), job({ managedBy: 'example.com/b' }))).toEqual([{ field: 'spec.managedBy', reason: 'FieldValueInvalid', message: 'Invalid value: "example.com/b": field is immutable' }]);
  });
});
