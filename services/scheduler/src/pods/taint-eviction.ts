import type { StreamAppend } from '@openpacific/event-store';
import type { StoredObject } from '@openpacific/objects';
import { tolerates } from './filters';
import { disruptedPod, ObjectEventTypes, podChange, podEvent } from './scheduling-records';

/**
 * How long a pod may stay on a host with these taints, as kube-controller-manager's taint-eviction controller reads
 * its tolerations: each `NoExecute` taint is matched by the first toleration that tolerates it; one not tolerated
 * evicts at once (0); otherwise the least `tolerationSeconds` among the tolerations used (0 or less: at once), and
 * none set: never (undefined). A host without `NoExecute` taints: never.
 */
export function noExecuteDelaySeconds(taints: any[], tolerations: any[]): number | undefined {
  let least: number | undefined;
  for (const taint of taints) {
    if (taint?.effect !== 'NoExecute') continue;
    const used = tolerations.find((t) => tolerates([t], taint));
    if (!used) return 0;
    if (used.tolerationSeconds === undefined || used.tolerationSeconds === null) continue;
    const seconds = Math.max(0, Number(used.tolerationSeconds));
    least = least === undefined ? seconds : Math.min(least, seconds);
  }
  return least;
}

/** The pod deleted with its grace period by the taint-eviction controller, DisruptionTarget=True saying why. */
export function taintEvictedPod(pod: any): any {
  return disruptedPod(pod, 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint');
}

export interface EvictionPlan {
  /** Pods whose time on their host is up. */
  evict: StoredObject[];
  /** Pods that had a deletion pending and no longer do (their host's taint went, or their toleration covers it now). */
  cancelled: StoredObject[];
  /** When the next pending eviction falls due (ms since the epoch). */
  nextAt?: number;
}

/**
 * The taint-eviction controller's clock: when each pod on a host with `NoExecute` taints was first seen there with a
 * bounded toleration, so that it is evicted `tolerationSeconds` later (counted from when this scheduler saw it, as
 * kube-controller-manager counts from when it processed the taint: a new leader starts the count again).
 */
export class TaintEvictions {
  /** Pod uid → when its eviction was first due to be counted (ms). */
  private readonly since = new Map<string, number>();

  /** What to do now, over the pods bound to hosts and not yet being deleted. */
  plan(hostTaints: Map<string, any[]>, pods: StoredObject[], now: number): EvictionPlan {
    const plan: EvictionPlan = { evict: [], cancelled: [] };
    const seen = new Set<string>();
    for (const stored of pods) {
      const pod = stored.object;
      const taints = pod.spec?.nodeName ? hostTaints.get(pod.spec.nodeName) : undefined;
      if (!taints || pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const delay = noExecuteDelaySeconds(taints, pod.spec?.tolerations ?? []);
      if (delay === undefined) continue;
      const uid = pod.metadata.uid;
      seen.add(uid);
      const from = this.since.get(uid) ?? now;
      this.since.set(uid, from);
      const due = from + delay * 1000;
      if (due <= now) plan.evict.push(stored);
      else plan.nextAt = Math.min(plan.nextAt ?? Infinity, due);
    }
    for (const uid of [...this.since.keys()]) {
      if (seen.has(uid)) continue;
      this.since.delete(uid);
      const stored = pods.find((s) => s.object.metadata.uid === uid);
      if (stored && !stored.object.metadata.deletionTimestamp) plan.cancelled.push(stored);
    }
    return plan;
  }

  /** Some pod's eviction is being counted down. */
  get pending(): boolean {
    return this.since.size > 0;
  }

  /** The pod's eviction was written: nothing more to count for it. */
  done(uid: string): void {
    this.since.delete(uid);
  }
}

/** One pass's writes: each evicted pod's deletion with its Event, the Events of cancelled deletions, the next due time. */
export interface TaintEvictionPass {
  evict: { stored: StoredObject; writes: StreamAppend[] }[];
  cancelled: StreamAppend[];
  nextAt?: number;
}

/**
 * Pods on hosts with `NoExecute` taints: deleted gracefully (DisruptionTarget `DeletionByTaintManager`, Event
 * `TaintManagerEviction`) at once when they do not tolerate one, after the least `tolerationSeconds` of the
 * tolerations used when they do, never when those set none; a pending deletion whose taint goes is cancelled (an
 * Event says so, and the pod itself is not written). Undefined, with nothing walked but the hosts, while no host has
 * such a taint and no deletion is pending. `pods`: the pods as the scheduler holds them (none it has just placed).
 */
export function taintEvictionPass(evictions: TaintEvictions, hosts: StoredObject[], pods: () => StoredObject[], now: number): TaintEvictionPass | undefined {
  const hostTaints = new Map<string, any[]>();
  for (const s of hosts) {
    const taints: any[] = s.object.spec?.taints ?? [];
    if (taints.some((t) => t?.effect === 'NoExecute')) hostTaints.set(s.object.metadata.name, taints);
  }
  if (hostTaints.size === 0 && !evictions.pending) return undefined;
  const plan = evictions.plan(hostTaints, pods(), now);
  const name = (pod: any) => `${pod.metadata.namespace}/${pod.metadata.name}`;
  return {
    evict: plan.evict.map((stored) => {
      const pod = stored.object;
      evictions.done(pod.metadata.uid);
      return {
        stored,
        writes: [
          podChange(taintEvictedPod(pod), ObjectEventTypes.deletionStarted, stored.streamVersion),
          podEvent(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${name(pod)}`),
        ],
      };
    }),
    cancelled: plan.cancelled.map(({ object: pod }) => podEvent(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${name(pod)}`)),
    nextAt: plan.nextAt,
  };
}
