import { CONTROLLER_REVISION_HASH_LABEL } from '@openpacific/contracts';
import { isPodAvailable, isPodReady } from './workload-logic';

/** Pure decisions of the StatefulSet controller (kube-controller-manager's rules): which member to make, delete or replace next. */

/** A member's ordinal, from its name `<set>-<ordinal>`; undefined for a pod not so named. */
export function ordinalOf(set: any, podName: string): number | undefined {
  const prefix = `${set.metadata.name}-`;
  if (!podName.startsWith(prefix)) return undefined;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** `<claim template>-<set>-<ordinal>`: the claim a member's volume of that template binds. */
export function claimName(template: any, set: any, ordinal: number): string {
  return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
}

function finished(pod: any): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** Running and Ready, not being deleted. */
export function isHealthy(pod: any): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && isPodReady(pod);
}

/**
 * Healthy and Ready for the set's minReadySeconds: what an OrderedReady set waits for before the next member, and
 * what a rolling update counts as available (kube-controller-manager's isRunningAndAvailable).
 */
export function isMemberAvailable(set: any, pod: any, now: number): boolean {
  return isHealthy(pod) && isPodAvailable(pod, set.spec?.minReadySeconds ?? 0, now);
}

/**
 * How many members a rolling update may have unavailable at once: `maxUnavailable` (alpha MaxUnavailableStatefulSet,
 * kept on here) against the replicas, a percent rounded down, and never less than one.
 */
export function statefulSetMaxUnavailable(set: any): number {
  const replicas = set.spec?.replicas ?? 1;
  const value = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const n = typeof value === 'number' ? value : Math.floor((Number(String(value).replace('%', '')) * replicas) / 100);
  return Math.max(Number.isFinite(n) ? n : 1, 1);
}

export interface Revisions {
  current: string;
  update: string;
}

export interface SetPlan {
  /** Members to create, with the revision each is made from. */
  create: Array<{ ordinal: number; revision: string }>;
  /** Pods to delete: finished members (made again later), members beyond the replicas, members of an old revision. */
  remove: any[];
  status: any;
}

/**
 * Members a Parallel set plans to create per pass, the rest in later passes as those are written (the burst
 * kube-controller-manager's other workload controllers keep): a set of 2^31 - 1 replicas planned them all at once
 * and held the scheduler, whose hosts' leases lapsed, until it ran out of memory.
 */
export const SET_CREATES_PER_PASS = 500;

export function revisionOfPod(pod: any): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

/**
 * One pass of a StatefulSet (kube-controller-manager's updateStatefulSet): members `<set>-<start>` … made in order of
 * their ordinals and each only once those before it are available (Running and Ready for minReadySeconds:
 * OrderedReady), or all at once (Parallel); members beyond the replicas deleted from the highest ordinal down;
 * finished members deleted so that they are made again; and with RollingUpdate, members of an older revision at or
 * above the partition deleted from the highest ordinal down, as many at once as keep the unavailable members within
 * maxUnavailable (they come back at the update revision).
 */
export function planStatefulSet(set: any, pods: any[], revisions: Revisions, now: number): SetPlan {
  const start = set.spec?.ordinals?.start ?? 0;
  const replicas = set.spec?.replicas ?? 1;
  const ordered = (set.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = rolling ? (set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
  const available = (pod: any) => isMemberAvailable(set, pod, now);
  const members = new Map<number, any>();
  const condemned: any[] = [];
  for (const pod of pods) {
    const ordinal = ordinalOf(set, pod.metadata.name);
    if (ordinal === undefined) continue;
    if (ordinal >= start && ordinal < start + replicas) members.set(ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(set, b.metadata.name)! - ordinalOf(set, a.metadata.name)!);
  const plan: SetPlan = { create: [], remove: [], status: status(set, pods, revisions, now) };
  // A member of an ordinal below the partition is made from the current revision; others from the update revision.
  const revisionFor = (ordinal: number) => (rolling && ordinal - start < partition ? revisions.current : revisions.update);

  for (let ordinal = start; ordinal < start + replicas; ordinal++) {
    const pod = members.get(ordinal);
    if (!pod) {
      plan.create.push({ ordinal, revision: revisionFor(ordinal) });
      if (ordered || plan.create.length >= SET_CREATES_PER_PASS) return plan;
      continue;
    }
    if (finished(pod) && !pod.metadata.deletionTimestamp) {
      plan.remove.push(pod);
      if (ordered) return plan;
      continue;
    }
    if (ordered && !available(pod)) return plan;
  }
  for (const pod of condemned) {
    if (pod.metadata.deletionTimestamp) {
      if (ordered) return plan;
      continue;
    }
    if (ordered && [...members.values()].some((p) => !isHealthy(p))) return plan;
    // A member that is Ready goes only once it is available too (kube-controller-manager waits so before a scale down).
    if (ordered && isHealthy(pod) && !available(pod)) return plan;
    plan.remove.push(pod);
    if (ordered) return plan;
  }
  if (plan.create.length || plan.remove.length || !rolling) return plan;
  // kube-controller-manager's updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet on): as many
  // old members go as keep every unavailable member, anywhere in the set, within maxUnavailable.
  let room = statefulSetMaxUnavailable(set) - [...members.values()].filter((p) => !available(p)).length;
  for (let ordinal = start + replicas - 1; ordinal >= start + partition && room > 0; ordinal--) {
    const pod = members.get(ordinal)!;
    if (revisionOfPod(pod) !== revisions.update && !pod.metadata.deletionTimestamp) {
      plan.remove.push(pod);
      room--;
    }
  }
  return plan;
}

/**
 * The status `kubectl get sts` and `kubectl rollout status` read. The current revision becomes the update revision
 * once every member is updated and ready (a finished rollout).
 */
function status(set: any, pods: any[], revisions: Revisions, now: number): any {
  // Members being deleted still count as replicas (and ready while they are), not towards a revision.
  const members = pods.filter((p) => ordinalOf(set, p.metadata.name) !== undefined);
  const live = members.filter((p) => !p.metadata.deletionTimestamp);
  const minReady = set.spec?.minReadySeconds ?? 0;
  const count = (revision: string) => live.filter((p) => revisionOfPod(p) === revision).length;
  const out: any = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas: members.length,
    readyReplicas: members.filter(isPodReady).length,
    currentReplicas: count(revisions.current),
    updatedReplicas: count(revisions.update),
    currentRevision: revisions.current,
    updateRevision: revisions.update,
    collisionCount: 0,
    availableReplicas: members.filter((p) => isPodAvailable(p, minReady, now)).length,
  };
  if (out.updatedReplicas === out.replicas && out.readyReplicas === out.replicas && out.replicas === (set.spec?.replicas ?? 1)) {
    out.currentRevision = revisions.update;
    out.currentReplicas = out.updatedReplicas;
  }
  return out;
}
