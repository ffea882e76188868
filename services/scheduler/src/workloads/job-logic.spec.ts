import { JOB_TRACKING_FINALIZER } from '@openpacific/contracts';
import { decideJob, type JobOptions } from './job-logic';
import { holdsTracking, settleCounts } from './job-tracking';

const now = new Date('2026-12-03T08:00:00Z');
const job = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  metadata: { name: 'j', namespace: 'default', uid: 'u' },
  spec: { completions: 1, parallelism: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never' } }, ...spec },
  ...(status ? { status } : {}),
});
let n = 0;
const pod = (phase: string, extra: Record<string, any> = {}) => ({
  metadata: { name: `p${++n}`, uid: `pod-${n}`, finalizers: [JOB_TRACKING_FINALIZER], creationTimestamp: `2026-12-03T07:00:${String(n % 60).padStart(2, '0')}Z`, ...(extra.metadata ?? {}) },
  status: { phase, ...(extra.status ?? {}) },
});
/** One controller pass: the decision, then the released pods without their finalizer and their uids counted. */
function decide(j: any, pods: any[], at: Date, opts: JobOptions = {}) {
  const d = decideJob(j, pods, at, opts);
  for (const p of d.release) p.metadata.finalizers = (p.metadata.finalizers ?? []).filter((f: string) => f !== JOB_TRACKING_FINALIZER);
  return { ...d, status: settleCounts(d.status, new Set(pods.filter(holdsTracking).map((p) => p.metadata.uid))) };
}
/** The pass that counts finished pods, then the one that can end the Job (its final condition waits for the counts). */
function decideCounted(j: any, pods: any[], at: Date) {
  const counted = decide(j, pods, at);
  return decide({ ...j, status: counted.status }, pods, at);
}
const types = (d: { status: any }) => (d.status.conditions ?? []).map((c: any) => `${c.type}:${c.reason}`);

describe('the Job controller decides', () => {
  it('to start pods up to parallelism, and no more than completions still need', () => {
    expect(decide(job({ completions: 5, parallelism: 2 }), [], now).create).toBe(2);
    expect(decide(job({ completions: 5, parallelism: 2 }), [pod('Running')], now).create).toBe(1);
    expect(decide(job({ completions: 3, parallelism: 4 }), [pod('Succeeded'), pod('Succeeded')], now).create).toBe(1);
    const started = decide(job({}), [], now);
    expect(started.status.startTime).toBe('2026-12-03T08:00:00Z');
  });

  it('to remove the newest pods when parallelism went down', () => {
    const pods = [pod('Running'), pod('Running'), pod('Running')];
    const d = decide(job({ completions: 10, parallelism: 1 }), pods, now);
    expect(d.create).toBe(0);
    expect(d.remove.map((p) => p.metadata.name)).toEqual([pods[2].metadata.name, pods[1].metadata.name]);
  });

  it('that the Job met its success criteria once completions succeeded, stopping what still runs, and is complete once that is gone', () => {
    const running = pod('Running');
    const spec = { completions: 2, parallelism: 3 };
    const done = [pod('Succeeded'), pod('Succeeded')];
    const d = decide(job(spec), [...done, running], now);
    expect(types(d)).toEqual(['SuccessCriteriaMet:CompletionsReached']);
    expect(d.status).toMatchObject({ succeeded: 2, active: 1 });
    expect(d.status.completionTime).toBeUndefined();
    expect(d.remove).toEqual([running]);
    expect(d.event).toBeUndefined();
    // Still stopping: nothing more yet.
    const stopping = { ...running, metadata: { ...running.metadata, deletionTimestamp: 'x' } };
    expect(types(decide(job(spec, d.status), [...done, stopping], now))).toEqual(['SuccessCriteriaMet:CompletionsReached']);
    const complete = decide(job(spec, d.status), done, now);
    expect(types(complete)).toEqual(['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
    expect(complete.status.completionTime).toBe('2026-12-03T08:00:00Z');
    expect(complete.event).toMatchObject({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  });

  it('that a work queue (no completions) is complete once one pod succeeded and none runs, starting none after the first success', () => {
    const queue = job({ completions: undefined, parallelism: 3 });
    expect(decide(queue, [], now).create).toBe(3);
    const oneDone = decide(queue, [pod('Succeeded'), pod('Running')], now);
    expect(oneDone.create).toBe(0);
    expect(types(oneDone)).toEqual([]);
    expect(types(decideCounted(queue, [pod('Succeeded'), pod('Succeeded')], now))).toContain('Complete:CompletionsReached');
  });

  it('that the Job failed past backoffLimit, counting container restarts under OnFailure', () => {
    expect(types(decide(job({ backoffLimit: 1 }), [pod('Failed')], now))).toEqual([]);
    const failed = decideCounted(job({ backoffLimit: 1 }), [pod('Failed'), pod('Failed')], now);
    expect(types(failed)).toEqual(['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded']);
    expect(failed.status.failed).toBe(2);
    expect(failed.status.completionTime).toBeUndefined();
    const onFailure = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } });
    const restarting = pod('Running', { status: { containerStatuses: [{ restartCount: 3 }] } });
    const target = decide(onFailure, [restarting], now);
    expect(types(target)).toEqual(['FailureTarget:BackoffLimitExceeded']);
    expect(target.remove).toEqual([restarting]);
  });

  it('that an OnFailure Job failed once its pods restarted backoffLimit times (pastBackoffLimitOnFailure: >=), not one more', () => {
    const onFailure = (limit: number) => job({ backoffLimit: limit, template: { spec: { restartPolicy: 'OnFailure' } } });
    const restarted = (n: number, init = 0) => pod('Running', { status: { containerStatuses: [{ restartCount: n }], initContainerStatuses: [{ restartCount: init }] } });
    expect(types(decide(onFailure(2), [restarted(1)], now))).toEqual([]);
    expect(types(decide(onFailure(2), [restarted(2)], now))).toEqual(['FailureTarget:BackoffLimitExceeded']);
    // Summed over the running pods, init containers included.
    expect(types(decide(onFailure(3), [restarted(1, 1), restarted(1)], now))).toEqual(['FailureTarget:BackoffLimitExceeded']);
    // A limit of 0: the first restart.
    expect(types(decide(onFailure(0), [restarted(0)], now))).toEqual([]);
    expect(types(decide(onFailure(0), [restarted(1)], now))).toEqual(['FailureTarget:BackoffLimitExceeded']);
    // Restarts and failed pods are two checks, not one sum; restarts count only under OnFailure.
    expect(types(decide(onFailure(3), [pod('Failed'), restarted(2)], now))).toEqual([]);
    expect(types(decide(job({ backoffLimit: 1 }), [restarted(5)], now))).toEqual([]);
  });

  it('that the Job failed past its active deadline, and when that deadline is', () => {
    const started = { startTime: '2026-12-03T07:59:58Z' };
    const before = decide(job({ activeDeadlineSeconds: 5 }, started), [pod('Running')], now);
    expect(types(before)).toEqual([]);
    expect(before.deadlineAt).toBe(Date.parse('2026-12-03T08:00:03Z'));
    const after = decide(job({ activeDeadlineSeconds: 1 }, started), [pod('Running')], now);
    expect(types(after)).toEqual(['FailureTarget:DeadlineExceeded']);
    expect(after.remove).toHaveLength(1);
    const failed = decideCounted(job({ activeDeadlineSeconds: 1 }, after.status), [pod('Failed')], now);
    expect(types(failed)).toEqual(['FailureTarget:DeadlineExceeded', 'Failed:DeadlineExceeded']);
    expect(failed.event).toEqual({ type: 'Warning', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  });

  it('to leave a finished Job as it is, but for stopping what still runs', () => {
    const done = job({}, { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 });
    const stray = pod('Running');
    const d = decide(done, [pod('Succeeded'), stray], now);
    expect(d.create).toBe(0);
    expect(d.remove).toEqual([stray]);
    expect(d.event).toBeUndefined();
  });

  it('to stop everything while suspended, once saying so, and to say it resumed', () => {
    const running = pod('Running');
    const suspended = decide(job({ suspend: true }, { startTime: 'x' }), [running], now);
    expect(suspended).toMatchObject({ create: 0, remove: [running], event: { reason: 'Suspended' } });
    expect(types(suspended)).toEqual(['Suspended:JobSuspended']);
    expect(suspended.status.startTime).toBeUndefined();
    expect(decide(job({ suspend: true }, suspended.status), [], now).event).toBeUndefined();
    const resumed = decide(job({ suspend: false }, suspended.status), [], now);
    expect(resumed.create).toBe(1);
    expect(resumed.status.conditions).toEqual([expect.objectContaining({ type: 'Suspended', status: 'False', reason: 'JobResumed' })]);
    expect(resumed.event).toMatchObject({ reason: 'Resumed' });
  });

  it('counts pods being deleted as terminating, not active', () => {
    const d = decide(job({ completions: 2, parallelism: 2 }), [pod('Running', { metadata: { deletionTimestamp: 'x' } })], now);
    expect(d.status).toMatchObject({ terminating: 1 });
    expect(d.status.active).toBeUndefined();
    expect(d.create).toBe(2);
  });

  it('to delete a finished Job once its time to live has passed, and when that is', () => {
    const finished = (ttl: number | undefined) => job({ ttlSecondsAfterFinished: ttl }, { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-12-03T07:59:58Z' }] });
    expect(decide(finished(5), [], now)).toMatchObject({ expired: false, deadlineAt: Date.parse('2026-12-03T08:00:03Z') });
    expect(decide(finished(2), [], now).expired).toBe(true);
    expect(decide(finished(undefined), [], now)).toMatchObject({ expired: false, deadlineAt: undefined });
  });

  it('for an Indexed Job, to start the lowest indexes neither done nor running, and to finish when every index succeeded', () => {
    const at = (index: number, phase: string) => pod(phase, { metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } } });
    const indexed = job({ completionMode: 'Indexed', completions: 4, parallelism: 2 });
    expect(decide(indexed, [], now)).toMatchObject({ create: 2, indexes: [0, 1] });
    expect(decide(indexed, [at(0, 'Succeeded'), at(1, 'Running')], now)).toMatchObject({ create: 1, indexes: [2] });
    // A failed index is started again; an index that succeeded twice counts once.
    const d = decide(indexed, [at(0, 'Succeeded'), at(0, 'Succeeded'), at(1, 'Failed'), at(3, 'Succeeded')], now);
    expect(d).toMatchObject({ create: 2, indexes: [1, 2] });
    expect(d.status).toMatchObject({ succeeded: 2, failed: 1, completedIndexes: '0,3' });
    const all = decideCounted(indexed, [0, 1, 2, 3].map((i) => at(i, 'Succeeded')), now);
    expect(types(all)).toContain('Complete:CompletionsReached');
    expect(all.status.completedIndexes).toBe('0-3');
  });


  describe('with a pod failure policy', () => {
    const exited = (code: number, extra: Record<string, any> = {}) =>
      pod('Failed', { ...extra, status: { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: code, finishedAt: '2026-12-03T07:00:00Z' } } }], ...(extra.status ?? {}) } });
    const policy = {
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      podReplacementPolicy: 'Failed',
    };

    it('fails the Job at once on a FailJob rule, stopping what runs first, in Kubernetes words', () => {
      const bad = exited(42, { metadata: { name: 'x', namespace: 'default' } });
      const other = pod('Running');
      const target = decide(job({ ...policy, completions: 3, parallelism: 2 }), [bad, other], now);
      const message = 'Container main for pod default/x failed with exit code 42 matching FailJob rule at index 0';
      expect(target.status.conditions).toEqual([expect.objectContaining({ type: 'FailureTarget', status: 'True', reason: 'PodFailurePolicy', message })]);
      expect(target).toMatchObject({ create: 0, remove: [other] });
      const failed = decide(job({ ...policy, completions: 3, parallelism: 2 }, target.status), [bad], now);
      expect(types(failed)).toEqual(['FailureTarget:PodFailurePolicy', 'Failed:PodFailurePolicy']);
      expect(failed.event).toEqual({ type: 'Warning', reason: 'PodFailurePolicy', message });
      // The pod still running when the Job failed counts as failed too, as Kubernetes counts it.
      expect(failed.status.failed).toBe(2);
    });

    it('does not count a failure an Ignore rule matches (exit code or pod condition), and replaces the pod', () => {
      const disrupted = pod('Failed', { status: { conditions: [{ type: 'DisruptionTarget', status: 'True' }] } });
      const d = decide(job({ ...policy, backoffLimit: 0 }), [exited(7), disrupted], now);
      expect(types(d)).toEqual([]);
      expect(d.status.failed).toBeUndefined();
      expect(d.create).toBe(1);
      // A code no rule names counts as usual.
      expect(types(decideCounted(job({ ...policy, backoffLimit: 0 }), [exited(3)], now))).toEqual(['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded']);
    });

    it('keeps the place of a pod still being deleted under podReplacementPolicy Failed', () => {
      const stopping = pod('Running', { metadata: { deletionTimestamp: 'x' } });
      expect(decide(job({ ...policy }), [stopping], now).create).toBe(0);
      expect(decide(job({ podReplacementPolicy: 'TerminatingOrFailed' }), [stopping], now).create).toBe(1);
    });
  });

  describe('for an Indexed Job with backoffLimitPerIndex', () => {
    const at = (index: number, phase: string, annotations: Record<string, string> = {}) =>
      pod(phase, { metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(index), ...annotations } } });
    const perIndex = (extra: Record<string, unknown> = {}) => job({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, backoffLimit: 2147483647, ...extra });

    it('fails an index past its own limit and starts it no more, while the others go on', () => {
      const fresh = decide(perIndex(), [], now);
      expect(fresh.status.failedIndexes).toBe('');
      expect(fresh.indexFailures?.get(0)).toEqual({ failed: 0, ignored: 0 });
      // The second pod of index 1 carries the first failure; its own failure makes two, past the limit of one.
      const d = decide(perIndex(), [at(0, 'Succeeded'), at(1, 'Failed'), at(1, 'Failed', { 'batch.kubernetes.io/job-index-failure-count': '1' }), at(2, 'Running')], now);
      expect(d.status).toMatchObject({ failedIndexes: '1', completedIndexes: '0', failed: 2 });
      expect(types(d)).toEqual([]);
      expect(d.create).toBe(0);
      // Index 2 succeeds: every index has ended, one of them failed.
      const end = decideCounted(perIndex(), [at(0, 'Succeeded'), at(1, 'Failed', { 'batch.kubernetes.io/job-index-failure-count': '1' }), at(2, 'Succeeded')], now);
      expect(end.status.failedIndexes).toBe('1');
      expect(types(end)).toEqual(['FailureTarget:FailedIndexes', 'Failed:FailedIndexes']);
      expect(end.event).toEqual({ type: 'Warning', reason: 'FailedIndexes', message: 'Job has failed indexes' });
    });

    it('starts a failed index again within its limit, carrying its failures', () => {
      const d = decide(perIndex({ backoffLimitPerIndex: 2 }), [at(0, 'Failed', { 'batch.kubernetes.io/job-index-failure-count': '1' }), at(1, 'Running'), at(2, 'Running')], now);
      expect(d).toMatchObject({ create: 1, indexes: [0] });
      expect(d.indexFailures?.get(0)).toEqual({ failed: 2, ignored: 0 });
    });

    it('fails the Job once more indexes failed than maxFailedIndexes', () => {
      const d = decide(perIndex({ backoffLimitPerIndex: 0, maxFailedIndexes: 1 }), [at(0, 'Failed'), at(1, 'Failed'), at(2, 'Running')], now);
      expect(d.status.failedIndexes).toBe('0,1');
      expect(types(d)).toEqual(['FailureTarget:MaxFailedIndexesExceeded']);
      expect(d.status.conditions[0].message).toBe('Job has exceeded the specified maximal number of failed indexes');
      expect(d.remove).toHaveLength(1);
    });

    it('fails an index at once by a FailIndex rule', () => {
      const failIndex = { podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [5] } }] }, backoffLimitPerIndex: 3 };
      const five = at(2, 'Failed');
      (five.status as any).containerStatuses = [{ name: 'main', state: { terminated: { exitCode: 5 } } }];
      const d = decide(perIndex(failIndex), [at(0, 'Running'), at(1, 'Running'), five], now);
      expect(d.status.failedIndexes).toBe('2');
      expect(d.create).toBe(0);
    });
  });

  describe('with a success policy', () => {
    const at = (index: number, phase: string) => pod(phase, { metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } } });
    const leader = job({ completionMode: 'Indexed', completions: 3, parallelism: 3, successPolicy: { rules: [{ succeededIndexes: '0' }] } });

    it('meets its criteria when a rule holds, stops the rest and is then complete', () => {
      expect(types(decide(leader, [at(1, 'Succeeded'), at(0, 'Running')], now))).toEqual([]);
      const rest = [at(1, 'Running'), at(2, 'Running')];
      const met = decide(leader, [at(0, 'Succeeded'), ...rest], now);
      expect(met.status.conditions).toEqual([expect.objectContaining({ type: 'SuccessCriteriaMet', reason: 'SuccessPolicy', message: 'Matched rules at index 0' })]);
      expect(met.remove).toEqual(rest);
      const done = decide({ ...leader, status: met.status }, [at(0, 'Succeeded')], now);
      expect(types(done)).toEqual(['SuccessCriteriaMet:SuccessPolicy', 'Complete:SuccessPolicy']);
      expect(done.status.completionTime).toBe('2026-12-03T08:00:00Z');
    });
  });

  describe('the pod-failure back-off', () => {
    const failedAt = (time: string) => pod('Failed', { status: { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 1, finishedAt: time } } }] } });
    const succeededAt = (time: string) => pod('Succeeded', { status: { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 0, finishedAt: time } } }] } });

    it('holds back a replacement for the base delay after a failure, doubling with each failure in a row', () => {
      const one = decide(job({}), [failedAt('2026-12-03T07:59:58Z')], now, { backoffMs: 10_000 });
      expect(one).toMatchObject({ create: 0, deadlineAt: Date.parse('2026-12-03T08:00:08Z') });
      const three = decide(job({}), [failedAt('2026-12-03T07:59:20Z'), failedAt('2026-12-03T07:59:30Z'), failedAt('2026-12-03T07:59:45Z')], now, { backoffMs: 10_000 });
      expect(three).toMatchObject({ create: 0, deadlineAt: Date.parse('2026-12-03T08:00:25Z') });
      expect(decide(job({}), [failedAt('2026-12-03T07:59:40Z')], now, { backoffMs: 10_000 }).create).toBe(1);
    });

    it('counts only the failures after the last success, and stops doubling at 36 times the base', () => {
      const d = decide(job({ completions: 3 }), [failedAt('2026-12-03T07:59:50Z'), succeededAt('2026-12-03T07:59:55Z')], now, { backoffMs: 10_000 });
      expect(d.create).toBe(1);
      // Twelve failures would make 10 s × 2^11; the delay stays at 6 minutes.
      const many = [...Array.from({ length: 11 }, (_, i) => failedAt(`2026-12-03T07:50:${String(i).padStart(2, '0')}Z`)), failedAt('2026-12-03T07:59:00Z')];
      const capped = decide(job({ backoffLimit: 20 }), many, now, { backoffMs: 10_000 });
      expect(capped.deadlineAt).toBe(Date.parse('2026-12-03T08:05:00Z'));
    });

    it('for an index with backoffLimitPerIndex, holds back only that index', () => {
      const at = (index: number, phase: string, finishedAt?: string) =>
        pod(phase, { metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } }, status: finishedAt ? { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 1, finishedAt } } }] } : {} });
      const d = decide(job({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 3 }), [at(0, 'Failed', '2026-12-03T07:59:59Z')], now, { backoffMs: 10_000 });
      expect(d).toMatchObject({ indexes: [1], deadlineAt: Date.parse('2026-12-03T08:00:09Z') });
    });
  });
});
