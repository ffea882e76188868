import { decideCronJob } from './cronjob-logic';
import { rfc3339In } from './cronjobs.controller';

const now = new Date('2026-12-03T08:07:30Z');
const cronJobOf = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  metadata: { name: 'tick', namespace: 'default', uid: 'cj', creationTimestamp: '2026-12-03T08:00:10Z' },
  spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: {}, ...spec },
  ...(status ? { status } : {}),
});
const cronJob = cronJobOf;
let n = 0;
const job = (state: 'running' | 'Complete' | 'Failed', completionTime?: string) => ({
  metadata: { name: `tick-${++n}`, namespace: 'default', uid: `j${n}`, creationTimestamp: `2026-12-03T07:${String(n).padStart(2, '0')}:00Z` },
  status: state === 'running' ? {} : { conditions: [{ type: state, status: 'True' }], ...(completionTime ? { completionTime } : {}) },
});

describe('the CronJob controller decides', () => {
  it('to start the Job of the latest time due, named by its minute, and when the next is', () => {
    const d = decideCronJob(cronJob({}), [], now);
    expect(d.create).toEqual({ name: `tick-${Date.parse('2026-12-03T08:05:00Z') / 60_000}`, scheduledTime: new Date('2026-12-03T08:05:00Z') });
    expect(d.status.lastScheduleTime).toBe('2026-12-03T08:05:00Z');
    expect(d.nextAt).toBe(Date.parse('2026-12-03T08:10:00Z'));
    expect(decideCronJob(cronJob({}, { lastScheduleTime: '2026-12-03T08:05:00Z' }), [], now).create).toBeUndefined();
  });

  it('to take its Job that exists already into the list and record the time, and to start nothing while suspended', () => {
    const made = { ...job('running'), metadata: { ...job('running').metadata, ownerReferences: [{ controller: true, uid: 'cj' }] } };
    const d = decideCronJob(cronJob({}), [], now, { existing: () => made });
    expect(d.create).toBeUndefined();
    expect(d.status.lastScheduleTime).toBe('2026-12-03T08:05:00Z');
    expect(d.status.active.map((r: any) => r.uid)).toEqual([made.metadata.uid]);
    // A Job of that name someone else controls is left alone.
    const theirs = decideCronJob(cronJob({}), [], now, { existing: () => job('running') });
    expect(theirs.create).toBeUndefined();
    expect(theirs.status.lastScheduleTime).toBeUndefined();
    const suspended = decideCronJob(cronJob({ suspend: true }), [], now);
    expect(suspended.create).toBeUndefined();
    expect(suspended.nextAt).toBeUndefined();
  });

  it('to pass over a time while a Job runs under Forbid, saying so once, and to replace it under Replace', () => {
    const running = job('running');
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name: running.metadata.name, namespace: 'default', uid: running.metadata.uid };
    const cronJob = (spec: Record<string, unknown>) => cronJobOf(spec, { active: [ref] });
    const forbid = decideCronJob(cronJob({ concurrencyPolicy: 'Forbid' }), [running], now);
    expect(forbid.create).toBeUndefined();
    expect(forbid.events.map((e) => e.reason)).toEqual(['JobAlreadyActive']);
    expect(forbid.status.active).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: running.metadata.name, namespace: 'default', uid: running.metadata.uid }]);
    expect(decideCronJob(cronJob({ concurrencyPolicy: 'Forbid' }), [running], now, { forbiddenAt: forbid.passedOver }).events).toEqual([]);
    const replace = decideCronJob(cronJob({ concurrencyPolicy: 'Replace' }), [running], now);
    expect(replace.remove).toEqual([running]);
    expect(replace.create).toBeDefined();
    expect(replace.status.active).toBeUndefined();
  });

  it('to count in active only the Jobs it started: one made by hand is an UnexpectedJob, said once, and Forbid still starts', () => {
    const manual = { ...job('running'), metadata: { ...job('running').metadata, name: 'fbman' } };
    const d = decideCronJob(cronJob({ concurrencyPolicy: 'Forbid' }), [manual], now);
    expect(d.events).toEqual([{ type: 'Warning', reason: 'UnexpectedJob', message: 'Saw a job that the controller did not create or forgot: fbman' }]);
    expect(d.unexpected).toEqual([manual.metadata.uid]);
    expect(d.create).toBeDefined();
    expect(d.status.active).toBeUndefined(); // the controller adds the Job it creates
    const again = decideCronJob(cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2026-12-03T08:05:00Z' }), [manual], now, { warned: new Set(d.unexpected) });
    expect(again.events).toEqual([]);
    expect(again.status.active).toBeUndefined();
    // Replace does not delete it either.
    expect(decideCronJob(cronJob({ concurrencyPolicy: 'Replace' }), [manual], now).remove).toEqual([]);
    // Finished, it only moves lastSuccessfulTime: no SawCompletedJob.
    const finished = { ...manual, status: { conditions: [{ type: 'Complete', status: 'True' }], completionTime: '2026-12-03T08:06:00Z' } };
    const done = decideCronJob(cronJob({}, { lastScheduleTime: '2026-12-03T08:05:00Z' }), [finished], now);
    expect(done.events).toEqual([]);
    expect(done.status.lastSuccessfulTime).toBe('2026-12-03T08:06:00Z');
  });

  it('to drop an active Job that went missing', () => {
    const d = decideCronJob(cronJob({}, { lastScheduleTime: '2026-12-03T08:05:00Z', active: [{ kind: 'Job', name: 'tick-gone', namespace: 'default', uid: 'gone' }] }), [], now);
    expect(d.events).toEqual([{ type: 'Normal', reason: 'MissingJob', message: 'Active job went missing: tick-gone' }]);
    expect(d.status.active).toBeUndefined();
  });

  it('to start nothing for a time further back than startingDeadlineSeconds', () => {
    expect(decideCronJob(cronJob({ startingDeadlineSeconds: 60 }), [], now).create).toBeUndefined();
    expect(decideCronJob(cronJob({ startingDeadlineSeconds: 300 }), [], now).create).toBeDefined();
  });

  it('to keep the history limits, note what finished, and the last success', () => {
    const done = [job('Complete', '2026-12-03T07:01:30Z'), job('Complete', '2026-12-03T07:02:30Z'), job('Failed'), job('Failed')];
    const d = decideCronJob(cronJob({ successfulJobsHistoryLimit: 1 }, { active: [{ uid: done[1].metadata.uid }], lastScheduleTime: '2026-12-03T08:05:00Z' }), done, now);
    expect(d.remove.map((j) => j.metadata.name)).toEqual([done[0].metadata.name, done[2].metadata.name]);
    expect(d.events).toEqual([{ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${done[1].metadata.name}, status: Complete` }]);
    expect(d.status.lastSuccessfulTime).toBe('2026-12-03T07:02:30Z');
    expect(d.status.active).toBeUndefined();
  });

  it('writes the scheduled time in the CronJob time zone', () => {
    expect(rfc3339In(new Date('2026-12-03T08:05:00Z'), undefined)).toBe('2026-12-03T08:05:00Z');
    expect(rfc3339In(new Date('2026-12-03T08:05:00Z'), 'Europe/Berlin')).toBe('2026-12-03T09:05:00+01:00');
    expect(rfc3339In(new Date('2026-07-03T08:05:00Z'), 'America/New_York')).toBe('2026-07-03T04:05:00-04:00');
  });
});
