import { backoffUntil, matchPodFailurePolicy, matchSuccessPolicy, podFinishedAt } from './job-policies';

const failedPod = (containers: Array<[string, number]>, init: Array<[string, number]> = [], conditions: any[] = []) => ({
  metadata: { name: 'x', namespace: 'default', creationTimestamp: '2026-12-03T07:00:00Z' },
  status: {
    phase: 'Failed',
    conditions,
    containerStatuses: containers.map(([name, exitCode]) => ({ name, state: { terminated: { exitCode, finishedAt: '2026-12-03T07:00:05Z' } } })),
    initContainerStatuses: init.map(([name, exitCode]) => ({ name, state: { terminated: { exitCode } } })),
  },
});

describe('a pod failure policy', () => {
  it('takes the first rule a failed container matches, by name when the rule names one, app containers before init containers', () => {
    const policy = { rules: [{ action: 'Ignore', onExitCodes: { containerName: 'side', operator: 'In', values: [1] } }, { action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2] } }] };
    expect(matchPodFailurePolicy(policy, failedPod([['main', 1]]))).toEqual({ action: 'FailJob', counts: true, message: 'Container main for pod default/x failed with exit code 1 matching FailJob rule at index 1' });
    expect(matchPodFailurePolicy(policy, failedPod([['side', 1]]))).toEqual({ action: 'Ignore', counts: false });
    expect(matchPodFailurePolicy(policy, failedPod([['main', 0]], [['setup', 2]])).message).toBe('Container setup for pod default/x failed with exit code 2 matching FailJob rule at index 1');
  });

  it('never matches exit code 0, even under NotIn, and counts a failure no rule matches', () => {
    const policy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [5] } }] };
    expect(matchPodFailurePolicy(policy, failedPod([['main', 0]]))).toEqual({ counts: true });
    expect(matchPodFailurePolicy(policy, failedPod([['main', 5]]))).toEqual({ counts: true });
    expect(matchPodFailurePolicy(policy, failedPod([['main', 6]])).action).toBe('FailJob');
  });

  it('matches pod conditions by type and status, and passes over a rule whose action it does not know', () => {
    const policy = { rules: [{ action: 'Retry', onExitCodes: { operator: 'In', values: [1] } }, { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
    const disrupted = failedPod([['main', 1]], [], [{ type: 'DisruptionTarget', status: 'True' }]);
    expect(matchPodFailurePolicy(policy, disrupted)).toEqual({ action: 'FailJob', counts: true, message: 'Pod default/x has condition DisruptionTarget matching FailJob rule at index 1' });
    expect(matchPodFailurePolicy(policy, failedPod([['main', 1]], [], [{ type: 'DisruptionTarget', status: 'False' }]))).toEqual({ counts: true });
  });
});

describe('a success policy', () => {
  it('is met by all its indexes, or by succeededCount of them, or by a count of any', () => {
    const policy = { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }, { succeededIndexes: '4,5' }, { succeededCount: 4 }] };
    expect(matchSuccessPolicy(policy, 6, new Set([0, 4]))).toBeUndefined();
    expect(matchSuccessPolicy(policy, 6, new Set([0, 2]))).toBe('Matched rules at index 0');
    expect(matchSuccessPolicy(policy, 6, new Set([4, 5]))).toBe('Matched rules at index 1');
    expect(matchSuccessPolicy(policy, 6, new Set([0, 3, 4, 1]))).toBe('Matched rules at index 0');
    expect(matchSuccessPolicy({ rules: [{ succeededCount: 3 }] }, 6, new Set([1, 3, 5]))).toBe('Matched rules at index 0');
  });
});

describe('the pod-failure back-off', () => {
  it('waits the base delay after one failure and doubles it with each further one', () => {
    const t = Date.parse('2026-12-03T08:00:00Z');
    expect(backoffUntil(0, t, 10_000, t)).toBeUndefined();
    expect(backoffUntil(1, t, 10_000, t)).toBe(t + 10_000);
    expect(backoffUntil(3, t, 10_000, t)).toBe(t + 40_000);
    expect(backoffUntil(40, t, 10_000, t)).toBe(t + 360_000);
    expect(backoffUntil(1, t, 10_000, t + 10_001)).toBeUndefined();
  });

  it('dates a pod by its containers, else its Ready=False transition, else its deletion less its grace, else its creation', () => {
    expect(podFinishedAt(failedPod([['main', 1]]))).toBe(Date.parse('2026-12-03T07:00:05Z'));
    const unready = { metadata: { creationTimestamp: '2026-12-03T07:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-12-03T07:00:09Z' }] } };
    expect(podFinishedAt(unready)).toBe(Date.parse('2026-12-03T07:00:09Z'));
    expect(podFinishedAt({ metadata: { creationTimestamp: '2026-12-03T07:00:00Z', deletionTimestamp: '2026-12-03T07:01:00Z', deletionGracePeriodSeconds: 30 } })).toBe(Date.parse('2026-12-03T07:00:30Z'));
    expect(podFinishedAt({ metadata: { creationTimestamp: '2026-12-03T07:00:00Z' } })).toBe(Date.parse('2026-12-03T07:00:00Z'));
  });
});
