import { JOB_TRACKING_FINALIZER } from '@openpacific/contracts';

/**
 * kube-controller-manager's tracking of a Job's finished pods with finalizers, in three steps a crash between any
 * two of which neither loses nor repeats a count: the uids of newly finished pods are written to
 * `status.uncountedTerminatedPods` (`tallyPods`), their `batch.kubernetes.io/job-tracking` finalizers go, and
 * the uids whose pods hold no finalizer any more move into `status.succeeded` / `status.failed` (`settleCounts`).
 * A pod is counted while it holds the finalizer only, so deleting finished pods never changes the counts.
 */

export interface Uncounted {
  succeeded: string[];
  failed: string[];
}

export const holdsTracking = (pod: any) => (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

export function uncountedOf(status: any): Uncounted {
  return { succeeded: [...(status?.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status?.uncountedTerminatedPods?.failed ?? [])] };
}

/** The field as Kubernetes writes it: empty lists left out. */
export function uncountedField(u: Uncounted): any {
  return { ...(u.succeeded.length ? { succeeded: u.succeeded } : {}), ...(u.failed.length ? { failed: u.failed } : {}) };
}

/**
 * Whether a pod that did not succeed counts as failed (kube-controller-manager's isPodFailed): a Failed pod, and
 * one being deleted (it may never reach its end: a lost host, a user's delete), unless the Job replaces only
 * Failed pods (`podReplacementPolicy: Failed`), which waits for the phase.
 */
export function countsAsFailed(pod: any, spec: any): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (spec?.podReplacementPolicy === 'Failed') return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

export interface TallyFacts {
  /** Pods whose finalizer this controller removed already, by uid, though they may still show it. */
  released?: ReadonlySet<string>;
  /** The Job's end is decided: a failure counts its pods that have not finished as failed, a success lets them go uncounted. */
  ending?: 'failure' | 'success';
  /** Whether a succeeded pod adds a completion (an Indexed Job's pod: a valid index not completed yet). */
  countsSuccess?(pod: any): boolean;
  /** Whether a failed pod counts (not ignored by the pod failure policy, an Indexed Job's pod of a valid index). */
  countsFailure?(pod: any): boolean;
}

export interface PodTally {
  /** `status.uncountedTerminatedPods` to write before any finalizer goes: what it held and the newly finished pods. */
  uncounted: Uncounted;
  /** Pods whose finalizer is to go: finished or counted as failed, or every pod once the Job's end is decided. */
  release: any[];
}

/** Step one: the finished pods holding the finalizer, each recorded once, onto what the Job's status holds uncounted. */
export function tallyPods(uncounted: Uncounted, pods: any[], spec: any, facts: TallyFacts = {}): PodTally {
  const next = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
  const known = new Set([...next.succeeded, ...next.failed]);
  const release: any[] = [];
  for (const pod of pods) {
    const uid = pod.metadata.uid;
    // Without the finalizer a pod was counted before, or got away uncounted (its finalizer removed by someone else): as in Kubernetes, it is not counted again.
    if (!holdsTracking(pod) || facts.released?.has(uid)) continue;
    const succeeded = pod.status?.phase === 'Succeeded';
    const failed = !succeeded && countsAsFailed(pod, spec);
    if (!succeeded && !failed && !facts.ending) continue;
    release.push(pod);
    if (known.has(uid)) continue;
    if (succeeded) {
      if (facts.countsSuccess?.(pod) ?? true) next.succeeded.push(uid);
    } else if ((failed || facts.ending === 'failure') && (facts.countsFailure?.(pod) ?? true)) {
      next.failed.push(uid);
    }
    known.add(uid);
  }
  return { uncounted: next, release };
}

/**
 * Step three: the uids recorded uncounted whose pods no longer hold the finalizer (`held`: the uids of pods that
 * still do) move into the counters. Returns the status to write.
 */
export function settleCounts(status: any, held: ReadonlySet<string>): any {
  const uncounted = uncountedOf(status);
  const next = { ...status };
  for (const key of ['succeeded', 'failed'] as const) {
    const moved = uncounted[key].filter((uid) => !held.has(uid)).length;
    uncounted[key] = uncounted[key].filter((uid) => held.has(uid));
    const total = (status[key] ?? 0) + moved;
    if (total > 0) next[key] = total;
    else delete next[key];
  }
  next.uncountedTerminatedPods = uncountedField(uncounted);
  return next;
}
