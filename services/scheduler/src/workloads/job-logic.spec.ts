import { decideJob, indexRanges } from './job-logic';

const now = new Date('2026-12-03T08:00:00Z');
const job = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  metadata: { name: 'j', namespace: 'default', uid: 'u' },
  spec: { completions: 1, parallelism: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never' } }, ...spec },
  ...(status ? { status } : {}),
});
let n = 0;
const pod = (phase: string, extra: Record<string, any> = {}) => ({
  metadata: { name: `p${++n}`, creationTimestamp: `2026-12-03T07:59:${String(n % 60).padStart(2, '0')}Z`, ...(extra.metadata ?? {}) },
  status: { phase, ...(extra.status ?? {}) },
});
const types = (d: { status: any }) => (d.status.conditions ?? []).map((c: any) => `${c.type}:${c.reason}`);

describe('the Job controller decides', () => {
  it('to start pods up to parallelism, and no more than completions still need', () => {
    expect(decideJob(job({ completions: 5, parallelism: 2 }), [], now).create).toBe(2);
    expect(decideJob(job({ completions: 5, parallelism: 2 }), [pod('Running')], now).create).toBe(1);
    expect(decideJob(job({ completions: 3, parallelism: 4 }), [pod('Succeeded'), pod('Succeeded')], now).create).toBe(1);
    const started = decideJob(job({}), [], now);
    expect(started.status.startTime).toBe('2026-12-03T08:00:00Z');
  });

  it('to remove the newest pods when parallelism went down', () => {
    const pods = [pod('Running'), pod('Running'), pod('Running')];
    const d = decideJob(job({ completions: 10, parallelism: 1 }), pods, now);
    expect(d.create).toBe(0);
    expect(d.remove.map((p) => p.metadata.name)).toEqual([pods[2].metadata.name, pods[1].metadata.name]);
  });

  it('that the Job is complete once completions succeeded, stopping what still runs', () => {
    const running = pod('Running');
    const d = decideJob(job({ completions: 2, parallelism: 3 }), [pod('Succeeded'), pod('Succeeded'), running], now);
    expect(types(d)).toEqual(['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
    expect(d.status).toMatchObject({ succeeded: 2, active: 1, completionTime: '2026-12-03T08:00:00Z' });
    expect(d.remove).toEqual([running]);
    expect(d.event).toMatchObject({ type: 'Normal', reason: 'Completed' });
  });

  it('that a work queue (no completions) is complete once one pod succeeded and none runs, starting none after the first success', () => {
    const queue = job({ completions: undefined, parallelism: 3 });
    expect(decideJob(queue, [], now).create).toBe(3);
    const oneDone = decideJob(queue, [pod('Succeeded'), pod('Running')], now);
    expect(oneDone.create).toBe(0);
    expect(types(oneDone)).toEqual([]);
    expect(types(decideJob(queue, [pod('Succeeded'), pod('Succeeded')], now))).toContain('Complete:CompletionsReached');
  });

  it('that the Job failed past backoffLimit, counting container restarts under OnFailure', () => {
    expect(types(decideJob(job({ backoffLimit: 1 }), [pod('Failed')], now))).toEqual([]);
    const failed = decideJob(job({ backoffLimit: 1 }), [pod('Failed'), pod('Failed')], now);
    expect(types(failed)).toEqual(['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded']);
    expect(failed.status.failed).toBe(2);
    expect(failed.status.completionTime).toBeUndefined();
    const onFailure = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } });
    const restarting = pod('Running', { status: { containerStatuses: [{ restartCount: 3 }] } });
    expect(types(decideJob(onFailure, [restarting], now))).toContain('Failed:BackoffLimitExceeded');
  });

  it('that the Job failed past its active deadline, and when that deadline is', () => {
    const started = { startTime: '2026-12-03T07:59:58Z' };
    const before = decideJob(job({ activeDeadlineSeconds: 5 }, started), [pod('Running')], now);
    expect(types(before)).toEqual([]);
    expect(before.deadlineAt).toBe(Date.parse('2026-12-03T08:00:03Z'));
    const after = decideJob(job({ activeDeadlineSeconds: 1 }, started), [pod('Running')], now);
    expect(types(after)).toContain('Failed:DeadlineExceeded');
    expect(after.remove).toHaveLength(1);
  });

  it('to leave a finished Job as it is, but for stopping what still runs', () => {
    const done = job({}, { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 });
    const stray = pod('Running');
    const d = decideJob(done, [pod('Succeeded'), stray], now);
    expect(d.create).toBe(0);
    expect(d.remove).toEqual([stray]);
    expect(d.event).toBeUndefined();
  });

  it('to stop everything while suspended, once saying so, and to say it resumed', () => {
    const running = pod('Running');
    const suspended = decideJob(job({ suspend: true }, { startTime: 'x' }), [running], now);
    expect(suspended).toMatchObject({ create: 0, remove: [running], event: { reason: 'Suspended' } });
    expect(types(suspended)).toEqual(['Suspended:JobSuspended']);
    expect(suspended.status.startTime).toBeUndefined();
    expect(decideJob(job({ suspend: true }, suspended.status), [], now).event).toBeUndefined();
    const resumed = decideJob(job({ suspend: false }, suspended.status), [], now);
    expect(resumed.create).toBe(1);
    expect(resumed.status.conditions).toEqual([expect.objectContaining({ type: 'Suspended', status: 'False', reason: 'JobResumed' })]);
    expect(resumed.event).toMatchObject({ reason: 'Resumed' });
  });

  it('counts pods being deleted as terminating, not active', () => {
    const d = decideJob(job({ completions: 2, parallelism: 2 }), [pod('Running', { metadata: { deletionTimestamp: 'x' } })], now);
    expect(d.status).toMatchObject({ terminating: 1 });
    expect(d.status.active).toBeUndefined();
    expect(d.create).toBe(2);
  });

  it('to delete a finished Job once its time to live has passed, and when that is', () => {
    const finished = (ttl: number | undefined) => job({ ttlSecondsAfterFinished: ttl }, { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-12-03T07:59:58Z' }] });
    expect(decideJob(finished(5), [], now)).toMatchObject({ expired: false, deadlineAt: Date.parse('2026-12-03T08:00:03Z') });
    expect(decideJob(finished(2), [], now).expired).toBe(true);
    expect(decideJob(finished(undefined), [], now)).toMatchObject({ expired: false, deadlineAt: undefined });
  });

  it('for an Indexed Job, to start the lowest indexes neither done nor running, and to finish when every index succeeded', () => {
    const at = (index: number, phase: string) => pod(phase, { metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } } });
    const indexed = job({ completionMode: 'Indexed', completions: 4, parallelism: 2 });
    expect(decideJob(indexed, [], now)).toMatchObject({ create: 2, indexes: [0, 1] });
    expect(decideJob(indexed, [at(0, 'Succeeded'), at(1, 'Running')], now)).toMatchObject({ create: 1, indexes: [2] });
    // A failed index is started again; an index that succeeded twice counts once.
    const d = decideJob(indexed, [at(0, 'Succeeded'), at(0, 'Succeeded'), at(1, 'Failed'), at(3, 'Succeeded')], now);
    expect(d).toMatchObject({ create: 2, indexes: [1, 2] });
    expect(d.status).toMatchObject({ succeeded: 2, failed: 1, completedIndexes: '0,3' });
    const all = decideJob(indexed, [0, 1, 2, 3].map((i) => at(i, 'Succeeded')), now);
    expect(types(all)).toContain('Complete:CompletionsReached');
    expect(all.status.completedIndexes).toBe('0-3');
  });

  it('writes completed indexes as Kubernetes does', () => {
    expect(indexRanges([4, 0, 1, 2, 6, 7, 9, 10, 11])).toBe('0-2,4,6,7,9-11');
    expect(indexRanges([])).toBe('');
  });
});
