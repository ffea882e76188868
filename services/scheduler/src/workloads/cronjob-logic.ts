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
  /** Uids of running Jobs it owns but did not start (not in `status.active`), warned about as UnexpectedJob. */
  unexpected: string[];
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
 * `jobs`: the Jobs the CronJob controls (kube-controller-manager's getJobsToBeReconciled).
 * `forbiddenAt`: the scheduled time a Forbid policy already passed over (so its Event is recorded once).
 * `existing`: the Job of the name this time would get, if there is one already (created by an earlier pass).
 * `warned`: uids of the unexpected Jobs already warned about (so their Event is recorded once).
 *
 * As kube-controller-manager's syncCronJob, `status.active` holds only the Jobs the controller started: a running Job
 * it controls but did not start (`kubectl create job x --from=cronjob/y`) is an `UnexpectedJob`, counted neither by
 * `concurrencyPolicy` nor in `active`; a finished one only moves `lastSuccessfulTime`.
 */
export function decideCronJob(
  cj: any,
  jobs: any[],
  now: Date,
  opts: { forbiddenAt?: number; existing?: (name: string) => any; warned?: ReadonlySet<string> } = {},
): CronJobDecision {
  const spec = cj.spec ?? {};
  const events: CronJobDecision['events'] = [];
  const remove: any[] = [];
  const unexpected: string[] = [];
  const status: any = { ...(cj.status ?? {}) };
  let active: any[] = [...(cj.status?.active ?? [])];
  const inActive = (uid: string) => active.some((ref) => ref.uid === uid);

  for (const job of jobs) {
    const as = finishedAs(job);
    if (!as && !inActive(job.metadata.uid)) {
      unexpected.push(job.metadata.uid);
      if (!opts.warned?.has(job.metadata.uid)) events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${job.metadata.name}` });
    } else if (as && inActive(job.metadata.uid)) {
      active = active.filter((ref) => ref.uid !== job.metadata.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, status: ${as}` });
    }
  }
  // An active Job gone (deleted by hand, by its TTL) leaves the list.
  for (const ref of [...active]) {
    if (jobs.some((j) => j.metadata.uid === ref.uid) || opts.existing?.(ref.name)) continue;
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
    active = active.filter((r) => r !== ref);
  }
  // Any Job of its own that succeeded moves lastSuccessfulTime, started by the controller or not.
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
    nextAt = next?.getTime();
    if (latest) {
      const name = `${cj.metadata.name}-${Math.floor(latest.getTime() / 60_000)}`;
      const existing = opts.existing?.(name);
      if (existing) {
        // Made by an earlier pass (its status not written): into the list, as kube's AlreadyExists path; a Job of that
        // name the CronJob does not control is left alone.
        if (existing.metadata?.ownerReferences?.some((r: any) => r.controller && r.uid === cj.metadata.uid) && !inActive(existing.metadata.uid)) {
          active.push(jobReference(existing));
          status.lastScheduleTime = rfc3339(latest);
        }
      } else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
        if (opts.forbiddenAt !== latest.getTime()) {
          events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
        }
        return { status: withActive(status, active), remove, events, nextAt, passedOver: latest.getTime(), unexpected };
      } else {
        if (spec.concurrencyPolicy === 'Replace') {
          // Only the Jobs it started (its active list) are replaced.
          remove.push(...jobs.filter((j) => inActive(j.metadata.uid)));
          active = [];
        }
        status.lastScheduleTime = rfc3339(latest);
        return { status: withActive(status, active), create: { name, scheduledTime: latest }, remove, events, nextAt, unexpected };
      }
    }
  }
  return { status: withActive(status, active), remove, events, nextAt, unexpected };
}

/** The references in `status.active`, by name; the field left out when there are none. */
function withActive(status: any, active: any[]): any {
  const refs = [...active].sort((a, b) => a.name.localeCompare(b.name));
  if (refs.length > 0) status.active = refs;
  else delete status.active;
  return status;
}
