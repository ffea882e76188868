import { JOB_COMPLETION_INDEX_ANNOTATION, jobCondition } from '@openpacific/contracts';
import { isPodReady } from './workload-logic';

/** What the Job controller decides in one pass over one Job and its pods (kube-controller-manager's syncJob, for NonIndexed Jobs). */
export interface JobDecision {
  /** The status to write (undefined: as it is). */
  status: any;
  /** Pods to create now. */
  create: number;
  /** For an Indexed Job, the completion index of each pod to create (lowest first). */
  indexes?: number[];
  /** Running pods to delete: all of them once the Job has finished or is suspended, the newest beyond parallelism otherwise. */
  remove: any[];
  /** A finishing event to record: `Completed`, `BackoffLimitExceeded`, `DeadlineExceeded`, `Suspended`, `Resumed`. */
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
  /** When the Job's active deadline passes, or a finished Job's time to live ends (ms since the epoch), for a pass then. */
  deadlineAt?: number;
  /** A finished Job whose `ttlSecondsAfterFinished` has passed: it is to be deleted (its pods go with it). */
  expired?: boolean;
}

/** The completion index of an Indexed Job's pod (its annotation), NaN for another. */
export const completionIndexOf = (p: any) => Number(p.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? NaN);

/** Indexes as Kubernetes' `completedIndexes` writes them: sorted, runs of three or more as ranges (`0-2,4,6-8`); pairs stay a list. */
export function indexRanges(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j === i) parts.push(String(sorted[i]));
    else if (j === i + 1) parts.push(String(sorted[i]), String(sorted[j]));
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const terminal = (p: any) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Container restarts of a pod with restartPolicy OnFailure count as failures, as in Kubernetes' backoff limit. */
const restarts = (p: any) => (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);

function condition(type: string, reason: string, message: string, now: string) {
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}

export function decideJob(job: any, pods: any[], now: Date): JobDecision {
  const spec = job.spec ?? {};
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const running = pods.filter((p) => !terminal(p) && !p.metadata.deletionTimestamp);
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const terminating = pods.filter((p) => !terminal(p) && p.metadata.deletionTimestamp).length;
  const conditions: any[] = (job.status?.conditions ?? []).map((c: any) => ({ ...c }));
  const status: any = { ...(job.status ?? {}), ready: running.filter(isPodReady).length, terminating, uncountedTerminatedPods: {} };
  const counts = (s: any) => {
    for (const [k, v] of [['active', running.length], ['succeeded', succeeded], ['failed', failed]] as const) {
      if (v > 0) s[k] = v;
      else delete s[k];
    }
  };
  counts(status);
  status.conditions = conditions;
  const finished = jobCondition(job, 'Complete') || jobCondition(job, 'Failed');
  if (finished) {
    const ttl = spec.ttlSecondsAfterFinished;
    const end = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.lastTransitionTime;
    const expireAt = ttl !== undefined && end ? Date.parse(end) + ttl * 1000 : undefined;
    return { status, create: 0, remove: running, deadlineAt: expireAt, expired: expireAt !== undefined && now.getTime() >= expireAt };
  }

  if (spec.suspend) {
    delete status.startTime;
    const was = conditions.find((c) => c.type === 'Suspended');
    let event: JobDecision['event'];
    if (was?.status !== 'True') {
      const next = condition('Suspended', 'JobSuspended', 'Job suspended', stamp);
      if (was) Object.assign(was, next);
      else conditions.push(next);
      event = { type: 'Normal', reason: 'Suspended', message: 'Job suspended' };
    }
    return { status, create: 0, remove: running, event };
  }
  let event: JobDecision['event'];
  const suspended = conditions.find((c) => c.type === 'Suspended');
  if (suspended?.status === 'True') {
    Object.assign(suspended, { status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: stamp, lastTransitionTime: stamp });
    event = { type: 'Normal', reason: 'Resumed', message: 'Job resumed' };
  }
  status.startTime ??= stamp;

  const failures = failed + (spec.template?.spec?.restartPolicy === 'OnFailure' ? running.reduce((n, p) => n + restarts(p), 0) : 0);
  const deadlineAt = spec.activeDeadlineSeconds ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
  const fail = (reason: string, message: string): JobDecision => {
    conditions.push(condition('FailureTarget', reason, message, stamp), condition('Failed', reason, message, stamp));
    return { status, create: 0, remove: running, event: { type: 'Warning', reason, message } };
  };
  if (failures > (spec.backoffLimit ?? 6)) return fail('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
  if (deadlineAt !== undefined && now.getTime() >= deadlineAt) return fail('DeadlineExceeded', 'Job was active longer than specified deadline');

  const completions: number | undefined = spec.completions;
  const indexed = spec.completionMode === 'Indexed' && completions !== undefined;
  // An Indexed Job counts each index once: the pods that succeeded with distinct indexes below completions.
  const succeededIndexes = new Set(pods.filter((p) => p.status?.phase === 'Succeeded').map(completionIndexOf).filter((i) => i >= 0 && i < (completions ?? 0)));
  if (indexed) {
    if (succeededIndexes.size > 0) status.completedIndexes = indexRanges(succeededIndexes);
    else delete status.completedIndexes;
    if (succeededIndexes.size > 0) status.succeeded = succeededIndexes.size;
  }
  const done = indexed ? succeededIndexes.size >= completions : completions !== undefined ? succeeded >= completions : succeeded > 0 && running.length === 0;
  if (done) {
    const message = 'Reached expected number of succeeded pods';
    conditions.push(condition('SuccessCriteriaMet', 'CompletionsReached', message, stamp), condition('Complete', 'CompletionsReached', message, stamp));
    status.completionTime = stamp;
    return { status, create: 0, remove: running, event: { type: 'Normal', reason: 'Completed', message: 'Job completed' } };
  }
  const parallelism = spec.parallelism ?? 1;
  if (indexed) {
    const runningIndexes = new Set(running.map(completionIndexOf));
    const indexes: number[] = [];
    for (let i = 0; i < completions && running.length + indexes.length < parallelism; i++) {
      if (!succeededIndexes.has(i) && !runningIndexes.has(i)) indexes.push(i);
    }
    return { status, create: indexes.length, indexes, remove: [], event, deadlineAt };
  }
  // A work queue (no completions) starts no new pod once one has succeeded: the others finish the queue.
  const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? running.length : parallelism;
  const newestFirst = [...running].sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
  return { status, create: Math.max(want - running.length, 0), remove: newestFirst.slice(0, Math.max(running.length - want, 0)), event, deadlineAt };
}
