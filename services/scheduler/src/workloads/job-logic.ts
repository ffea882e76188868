import { indexRanges, JOB_COMPLETION_INDEX_ANNOTATION, jobCondition, parseIndexRanges, rfc3339 } from '@openpacific/contracts';
import { backoffUntil, DEFAULT_POD_FAILURE_BACKOFF_MS, matchPodFailurePolicy, matchSuccessPolicy, podFinishedAt, type PodFailureVerdict } from './job-policies';
import { holdsTracking, tallyPods, type TallyFacts, uncountedField, uncountedOf } from './job-tracking';
import { isPodReady } from './workload-logic';

/** What the Job controller decides in one pass over one Job and its pods (kube-controller-manager's syncJob). */
export interface JobDecision {
  /** The status to write (undefined: as it is). */
  status: any;
  /** Pods to create now. */
  create: number;
  /** For an Indexed Job, the completion index of each pod to create (lowest first). */
  indexes?: number[];
  /** With `backoffLimitPerIndex`, the failures so far of each index to create (the pod carries them as annotations). */
  indexFailures?: Map<number, IndexFailures>;
  /** Running pods to delete: all of them once the Job is finishing or suspended, the newest beyond parallelism otherwise. */
  remove: any[];
  /** Pods whose job-tracking finalizer is to go, once `status` (with their uids uncounted) is written. */
  release: any[];
  /** A finishing event to record: `Completed`, `BackoffLimitExceeded`, `DeadlineExceeded`, `PodFailurePolicy`, `Suspended`, `Resumed`... */
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
  /** When to look again (ms since the epoch): the active deadline, the end of a pod-failure back-off, or a finished Job's time to live. */
  deadlineAt?: number;
  /** A finished Job whose `ttlSecondsAfterFinished` has passed: it is to be deleted (its pods go with it). */
  expired?: boolean;
}

export interface JobOptions {
  /** The first pod-failure back-off (kube-controller-manager's 10 s); it doubles per failure up to 36 times itself. */
  backoffMs?: number;
  /** Pods whose finalizer the controller removed already, by uid (the read model may not show it yet). */
  released?: ReadonlySet<string>;
}

/** An index's failures that count against backoffLimitPerIndex, and those a pod failure policy ignored. */
export interface IndexFailures {
  failed: number;
  ignored: number;
}

/** The annotations by which an index's pods carry its failures to its next pod (so a deleted failed pod is not forgotten). */
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';

/** The completion index of an Indexed Job's pod (its annotation), NaN for another. */
export const completionIndexOf = (p: any) => Number(p.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? NaN);

/** The indexes a status field (`completedIndexes`, `failedIndexes`) lists. */
function indexesIn(text: string | undefined, completions: number): Set<number> {
  const parsed = text ? parseIndexRanges(text, completions) : undefined;
  const out = new Set<number>();
  if (parsed && 'intervals' in parsed) for (const [x, y] of parsed.intervals) for (let i = x; i <= y; i++) out.add(i);
  return out;
}

const terminal = (p: any) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** A pod's container restarts, its init containers' too. */
const restarts = (p: any) => [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);

/**
 * kube-controller-manager's pastBackoffLimitOnFailure: under restartPolicy OnFailure the container restarts of the
 * Job's running (or pending) pods, summed, reach backoffLimit (with a limit of 0, any restart).
 */
export function pastBackoffLimitOnFailure(spec: any, running: any[]): boolean {
  if (spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  const total = running.filter((p) => (p.status?.phase ?? 'Pending') === 'Running' || (p.status?.phase ?? 'Pending') === 'Pending').reduce((n, p) => n + restarts(p), 0);
  const limit = spec.backoffLimit ?? 6;
  return limit === 0 ? total > 0 : total >= limit;
}

function condition(type: string, reason: string, message: string, now: string) {
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}

/** The failures an index has had: the most its pods carry, each failed pod adding its own. */
function indexFailures(pods: any[], verdict: (p: any) => PodFailureVerdict): Map<number, IndexFailures> {
  const byIndex = new Map<number, IndexFailures>();
  for (const p of pods) {
    const index = completionIndexOf(p);
    if (!(index >= 0)) continue;
    const failed = p.status?.phase === 'Failed';
    const counts = failed && verdict(p).counts;
    const seen = { failed: Number(p.metadata.annotations?.[INDEX_FAILURE_COUNT_ANNOTATION] ?? 0) + (counts ? 1 : 0), ignored: Number(p.metadata.annotations?.[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] ?? 0) + (failed && !counts ? 1 : 0) };
    const was = byIndex.get(index) ?? { failed: 0, ignored: 0 };
    byIndex.set(index, { failed: Math.max(was.failed, seen.failed), ignored: Math.max(was.ignored, seen.ignored) });
  }
  return byIndex;
}

/** The end a Job has come to in this pass, if any: the interim condition and its reason and message. */
function jobEnd(spec: any, facts: { failJob?: PodFailureVerdict; failures: number; pastRestartLimit: boolean; pastDeadline: boolean; perIndex: boolean; failedIndexes: Set<number>; succeededIndexes: Set<number>; successPolicy?: string; done: boolean }): [string, string, string] | undefined {
  const f = facts;
  if (f.failJob) return ['FailureTarget', 'PodFailurePolicy', f.failJob.message!];
  if (f.failures > (spec.backoffLimit ?? 6) || f.pastRestartLimit) return ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
  if (f.pastDeadline) return ['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline'];
  if (f.perIndex && spec.maxFailedIndexes !== undefined && f.failedIndexes.size > spec.maxFailedIndexes) {
    return ['FailureTarget', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes'];
  }
  if (f.perIndex && f.failedIndexes.size > 0 && f.failedIndexes.size + f.succeededIndexes.size >= spec.completions) return ['FailureTarget', 'FailedIndexes', 'Job has failed indexes'];
  if (f.successPolicy) return ['SuccessCriteriaMet', 'SuccessPolicy', f.successPolicy];
  if (f.done) return ['SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'];
  return undefined;
}

export function decideJob(job: any, pods: any[], now: Date, opts: JobOptions = {}): JobDecision {
  const spec = job.spec ?? {};
  const backoffMs = opts.backoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
  const stamp = rfc3339(now);
  const running = pods.filter((p) => !terminal(p) && !p.metadata.deletionTimestamp);
  // Failed pods in the order they ended: the first to match a FailJob rule names the Job's failure.
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed').sort((a, b) => podFinishedAt(a) - podFinishedAt(b));
  const verdicts = new Map(failedPods.map((p) => [p, matchPodFailurePolicy(spec.podFailurePolicy, p)]));
  const verdict = (p: any): PodFailureVerdict => verdicts.get(p) ?? { counts: true };
  const terminating = pods.filter((p) => !terminal(p) && p.metadata.deletionTimestamp).length;
  const conditions: any[] = (job.status?.conditions ?? []).map((c: any) => ({ ...c }));
  const status: any = { ...(job.status ?? {}), ready: running.filter(isPodReady).length, terminating };
  if (running.length > 0) status.active = running.length;
  else delete status.active;
  status.conditions = conditions;
  if (jobCondition(job, 'Complete') || jobCondition(job, 'Failed')) {
    const ttl = spec.ttlSecondsAfterFinished;
    const end = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.lastTransitionTime;
    const expireAt = ttl !== undefined && end ? Date.parse(end) + ttl * 1000 : undefined;
    // A finished Job counts nothing more: what still holds its finalizer is let go.
    const release = pods.filter((p) => holdsTracking(p) && !opts.released?.has(p.metadata.uid));
    return { status, create: 0, remove: running, release, deadlineAt: expireAt, expired: expireAt !== undefined && now.getTime() >= expireAt };
  }

  const completions: number | undefined = spec.completions;
  const indexed = spec.completionMode === 'Indexed' && completions !== undefined;
  const validIndex = (i: number) => i >= 0 && i < (completions ?? 0);
  // An Indexed Job counts each index once: those its status records and the valid new ones of pods just succeeded.
  const succeededIndexes = indexed ? indexesIn(job.status?.completedIndexes, completions) : new Set<number>();
  const facts = (ending?: TallyFacts['ending']): TallyFacts => ({
    released: opts.released,
    ending,
    countsSuccess: indexed
      ? (p) => {
          const i = completionIndexOf(p);
          if (!validIndex(i) || succeededIndexes.has(i)) return false;
          succeededIndexes.add(i);
          return true;
        }
      : undefined,
    // A failure the policy ignores is not counted: Kubernetes leaves it out of status.failed too.
    countsFailure: (p) => (p.status?.phase !== 'Failed' || verdict(p).counts) && (!indexed || validIndex(completionIndexOf(p))),
  });
  const endingOf = (c: any) => (c?.type === 'FailureTarget' ? 'failure' : c ? 'success' : undefined);
  let target = conditions.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');
  let tally = tallyPods(uncountedOf(job.status), pods, spec, facts(endingOf(target)));
  // The counts decided on: those written and those recorded uncounted, which the controller moves into them.
  const succeeded = (job.status?.succeeded ?? 0) + tally.uncounted.succeeded.length;
  const failed = (job.status?.failed ?? 0) + tally.uncounted.failed.length;
  if (indexed) {
    if (succeededIndexes.size > 0) status.completedIndexes = indexRanges(succeededIndexes);
    else delete status.completedIndexes;
  }
  const perIndex = indexed && spec.backoffLimitPerIndex !== undefined;
  const failuresOf = perIndex ? indexFailures(pods, verdict) : new Map<number, IndexFailures>();
  // With backoffLimitPerIndex an index fails once its counted failures pass the limit, or at once by a FailIndex rule.
  const failedIndexes = new Set<number>();
  if (perIndex) {
    for (const [i, f] of failuresOf) if (f.failed > spec.backoffLimitPerIndex) failedIndexes.add(i);
    for (const p of failedPods) if (verdict(p).action === 'FailIndex') failedIndexes.add(completionIndexOf(p));
    // Failed indexes stay failed after their pods are gone.
    for (const i of indexesIn(job.status?.failedIndexes, completions)) failedIndexes.add(i);
    for (const i of [...failedIndexes]) if (succeededIndexes.has(i) || !(i >= 0 && i < completions!)) failedIndexes.delete(i);
    status.failedIndexes = indexRanges(failedIndexes);
  }

  // The Job's end is decided once (FailureTarget or SuccessCriteriaMet) and reached (Failed or Complete) when none of its pods runs any more.
  let event: JobDecision['event'];
  let deadlineAt: number | undefined;
  if (!target) {
    if (spec.suspend) return { ...suspend(status, conditions, running, stamp), release: tally.release, status: { ...status, uncountedTerminatedPods: uncountedField(tally.uncounted) } };
    const suspended = conditions.find((c) => c.type === 'Suspended');
    if (suspended?.status === 'True') {
      Object.assign(suspended, { status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: stamp, lastTransitionTime: stamp });
      event = { type: 'Normal', reason: 'Resumed', message: 'Job resumed' };
    }
    status.startTime ??= stamp;
    deadlineAt = spec.activeDeadlineSeconds ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
    const end = jobEnd(spec, {
      failJob: failedPods.map(verdict).find((v) => v.action === 'FailJob'),
      failures: failed,
      pastRestartLimit: pastBackoffLimitOnFailure(spec, running),
      pastDeadline: deadlineAt !== undefined && now.getTime() >= deadlineAt,
      perIndex,
      failedIndexes,
      succeededIndexes,
      successPolicy: indexed ? matchSuccessPolicy(spec.successPolicy, completions, succeededIndexes) : undefined,
      done: indexed ? succeededIndexes.size >= completions : completions !== undefined ? succeeded >= completions : succeeded > 0 && running.length === 0,
    });
    if (end) {
      target = condition(end[0], end[1], end[2], stamp);
      conditions.push(target);
      // Its pods that have not finished go now, counted as failed if the Job fails.
      tally = tallyPods(tally.uncounted, pods, spec, facts(endingOf(target)));
    }
  }
  status.uncountedTerminatedPods = uncountedField(tally.uncounted);
  const release = tally.release;
  if (target) {
    // What still runs is stopped first, and every finished pod counted; the final condition follows (Kubernetes' delayed terminal condition).
    const uncounted = tally.uncounted.succeeded.length + tally.uncounted.failed.length;
    if (running.length > 0 || terminating > 0 || uncounted > 0) return { status, create: 0, remove: running, release, event };
    if (target.type === 'FailureTarget') {
      conditions.push(condition('Failed', target.reason, target.message, stamp));
      return { status, create: 0, remove: [], release, event: { type: 'Warning', reason: target.reason, message: target.message } };
    }
    conditions.push(condition('Complete', target.reason, target.message, stamp));
    status.completionTime = stamp;
    return { status, create: 0, remove: [], release, event: { type: 'Normal', reason: 'Completed', message: 'Job completed' } };
  }

  const parallelism = spec.parallelism ?? 1;
  // podReplacementPolicy Failed (a pod failure policy's): a pod being deleted still holds its place until it has ended.
  const holding = running.length + (spec.podReplacementPolicy === 'Failed' ? terminating : 0);
  const t = now.getTime();
  if (indexed) {
    const runningIndexes = new Set(running.map(completionIndexOf));
    // Without backoffLimitPerIndex the whole Job backs off after failures; with it, each index on its own.
    const jobBackoff = perIndex ? undefined : failureBackoff(failedPods, pods, backoffMs, t);
    const indexes: number[] = [];
    let retryAt = jobBackoff;
    for (let i = 0; i < completions && holding + indexes.length < parallelism && jobBackoff === undefined; i++) {
      if (succeededIndexes.has(i) || runningIndexes.has(i) || failedIndexes.has(i)) continue;
      const f = failuresOf.get(i);
      const last = failedPods.filter((p) => completionIndexOf(p) === i).at(-1);
      const wait = perIndex && f && last ? backoffUntil(f.failed + f.ignored, podFinishedAt(last), backoffMs, t) : undefined;
      if (wait !== undefined) retryAt = Math.min(retryAt ?? Infinity, wait);
      else indexes.push(i);
    }
    const indexFailuresToCarry = perIndex ? new Map(indexes.map((i) => [i, failuresOf.get(i) ?? { failed: 0, ignored: 0 }])) : undefined;
    return { status, create: indexes.length, indexes, indexFailures: indexFailuresToCarry, remove: [], release, event, deadlineAt: earliest(deadlineAt, retryAt) };
  }
  // A work queue (no completions) starts no new pod once one has succeeded: the others finish the queue.
  const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? running.length : parallelism;
  const newestFirst = [...running].sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
  const remove = newestFirst.slice(0, Math.max(running.length - want, 0));
  let create = remove.length > 0 ? 0 : Math.max(want - holding, 0);
  const retryAt = create > 0 ? failureBackoff(failedPods, pods, backoffMs, t) : undefined;
  if (retryAt !== undefined) create = 0;
  return { status, create, remove, release, event, deadlineAt: earliest(deadlineAt, retryAt) };
}

const earliest = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** The Job-wide back-off: the failures since the last success, counted from the last of them. */
function failureBackoff(failedPods: any[], pods: any[], backoffMs: number, now: number): number | undefined {
  const lastSuccess = Math.max(-Infinity, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(podFinishedAt));
  const since = failedPods.filter((p) => podFinishedAt(p) > lastSuccess);
  return since.length === 0 ? undefined : backoffUntil(since.length, podFinishedAt(since.at(-1)), backoffMs, now);
}

function suspend(status: any, conditions: any[], running: any[], stamp: string): Omit<JobDecision, 'release'> {
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
