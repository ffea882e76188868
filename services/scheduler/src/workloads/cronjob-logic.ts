import { jobCondition, rfc3339 } from '@openpacific/contracts';
import { cronTimes } from '@openpacific/kube-api';

/** What the CronJob controller decides in one pass over one CronJob and its Jobs (kube-controller-manager's cronjob v2 sync). */
export interface CronJobDecision {
  status: any;
  /** A Job to start, for this scheduled time. */
  create?: { name: string; scheduledTime: Date };
  /** Jobs to delete: running ones a Replace policy ends, finished ones beyond the history limits. */
  remove: any[];
  events: Array<{ type: 'Normal' | 'Warning'; reason: string; message: string }>;
  /** The next scheduled time (ms since the epoch), for a pass then; undefined while suspended. */
  nextAt?: number;
  /** A scheduled time a Forbid policy passed over (a Job still runs); it starts late once that Job ends, if still due. */
  passedOver?: number;
}

const finishedAs = (job: any): 'Complete' | 'Failed' | undefined => (jobCondition(job, 'Complete') ? 'Complete' : jobCondition(job, 'Failed') ? 'Failed' : undefined);
const startedAt = (job: any) => Date.parse(job.status?.startTime ?? job.metadata.creationTimestamp ?? '') || 0;

/** A Job's reference in `status.active`. */
export const jobReference = (job: { metadata: { name: string; namespace: string; uid: string } }) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: job.metadata.name,
  namespace: job.metadata.namespace,
  uid: job.metadata.uid,
});

/**
 * `forbiddenAt`: the scheduled time a Forbid policy already passed over (so its Event is recorded once).
 * `existing`: whether a Job of the name this time would get is there already (created by an earlier pass).
 */
export function decideCronJob(cj: any, jobs: any[], now: Date, opts: { forbiddenAt?: number; existing?: (name: string) => boolean } = {}): CronJobDecision {
  const spec = cj.spec ?? {};
  const events: CronJobDecision['events'] = [];
  const remove: any[] = [];
  let active = jobs.filter((j) => !finishedAs(j) && !j.metadata.deletionTimestamp);
  const status: any = { ...(cj.status ?? {}) };

  for (const ref of cj.status?.active ?? []) {
    const job = jobs.find((j) => j.metadata.uid === ref.uid);
    const as = job && finishedAs(job);
    if (as) events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, status: ${as}` });
  }
  const completions = jobs.filter((j) => finishedAs(j) === 'Complete' && j.status?.completionTime).map((j) => Date.parse(j.status.completionTime));
  const lastSuccess = Math.max(Date.parse(status.lastSuccessfulTime ?? '') || 0, ...completions);
  if (lastSuccess > 0) status.lastSuccessfulTime = rfc3339(new Date(lastSuccess));

  // History: the oldest finished Jobs beyond each limit go.
  for (const [as, limit] of [['Complete', spec.successfulJobsHistoryLimit ?? 3], ['Failed', spec.failedJobsHistoryLimit ?? 1]] as const) {
    const finished = jobs.filter((j) => finishedAs(j) === as && !j.metadata.deletionTimestamp).sort((a, b) => startedAt(a) - startedAt(b));
    remove.push(...finished.slice(0, Math.max(finished.length - limit, 0)));
  }

  let nextAt: number | undefined;
  if (!spec.suspend) {
    let after = new Date(status.lastScheduleTime ?? cj.metadata.creationTimestamp);
    // Times further back than startingDeadlineSeconds are no longer started.
    if (spec.startingDeadlineSeconds !== undefined) after = new Date(Math.max(after.getTime(), now.getTime() - spec.startingDeadlineSeconds * 1000));
    const { latest, next } = cronTimes(spec.schedule, spec.timeZone, after, now);
    nextAt = next.getTime();
    if (latest) {
      const name = `${cj.metadata.name}-${Math.floor(latest.getTime() / 60_000)}`;
      if (opts.existing?.(name)) status.lastScheduleTime = rfc3339(latest);
      else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
        if (opts.forbiddenAt !== latest.getTime()) {
          events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
        }
        return { status: withActive(status, active), remove, events, nextAt, passedOver: latest.getTime() };
      } else {
        if (spec.concurrencyPolicy === 'Replace') {
          remove.push(...active);
          active = [];
        }
        status.lastScheduleTime = rfc3339(latest);
        return { status: withActive(status, active), create: { name, scheduledTime: latest }, remove, events, nextAt };
      }
    }
  }
  return { status: withActive(status, active), remove, events, nextAt };
}

function withActive(status: any, active: any[]): any {
  const refs = active.map(jobReference).sort((a, b) => a.name.localeCompare(b.name));
  if (refs.length > 0) status.active = refs;
  else delete status.active;
  return status;
}
