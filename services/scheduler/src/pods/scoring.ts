import { add, allocatable, podRequests } from './pod-requests';
import { HostView, matchedInDomain, matchesNodeSelectorTerm, ownerOf } from './filters';
import { topologySpreadScore } from './topology-spread';

/**
 * Higher is better. Least-requested spreads load (the emptier host wins),
 * balanced allocation prefers hosts whose CPU and memory fill evenly, and a
 * small term spreads pods of one owner apart (as SelectorSpread does); preferred node affinity adds up to 200 to the
 * hosts it prefers; preferred pod (anti-)affinity adds its terms' weights, and `ScheduleAnyway` topology spread constraints take off for the pods already in the host's
 * domain (`all`: every host, for topology domains wider than one host).
 */
export function scoreHost(pod: any, view: HostView, all: HostView[] = [view]): number {
  const cap = allocatable(view.host);
  const after = add(view.used, podRequests(pod));
  const cpu = cap.cpuMillis > 0 ? after.cpuMillis / cap.cpuMillis : 1;
  const mem = cap.memoryBytes > 0 ? after.memoryBytes / cap.memoryBytes : 1;
  const podsFrac = cap.pods > 0 ? after.pods / cap.pods : 1;
  const leastRequested = (1 - cpu + (1 - mem) + (1 - podsFrac)) / 3;
  const balanced = 1 - Math.abs(cpu - mem);
  const owner = ownerOf(pod);
  const siblings = owner ? (view.owners.get(owner) ?? 0) : 0;
  const preferred = pod.spec?.affinity ? preferredAffinity(pod, view, all) : 0;
  const spread = pod.spec?.topologySpreadConstraints?.length ? topologySpreadScore(pod, view, all) : 0;
  const nodePreferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? preferredNodeAffinity(pod, view, all) : 0;
  return 100 * leastRequested + 50 * balanced - 10 * siblings + preferred + spread + nodePreferred;
}

/** The sum of the weights of a pod's preferred node affinity terms the host matches. */
function preferredNodeWeight(pod: any, view: HostView): number {
  const labels: Record<string, string> = view.host.metadata.labels ?? {};
  let sum = 0;
  for (const { weight, preference } of pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution) {
    if (preference && matchesNodeSelectorTerm(preference, labels, view.name)) sum += weight ?? 0;
  }
  return sum;
}

/**
 * Preferred node affinity, as kube-scheduler's NodeAffinity scores it: the matched terms' weights, scaled so the
 * best host of the pass gets 100, counted twice (the plugin's weight in the default profile), so that a preference
 * outweighs the spreading of load (least requested, at most 100 here, as NodeResourcesFit's).
 */
function preferredNodeAffinity(pod: any, view: HostView, all: HostView[]): number {
  const mine = preferredNodeWeight(pod, view);
  return mine === 0 ? 0 : (2 * 100 * mine) / Math.max(mine, bestPreferredWeight(pod, all));
}

/** The best host's preferred weight for a pod over the hosts of one pass: computed once per pod and pass, not per host. */
const bestWeights = new WeakMap<HostView[], WeakMap<object, number>>();

function bestPreferredWeight(pod: any, all: HostView[]): number {
  let byPod = bestWeights.get(all);
  if (!byPod) bestWeights.set(all, (byPod = new WeakMap()));
  let best = byPod.get(pod);
  if (best === undefined) {
    best = 0;
    for (const v of all) best = Math.max(best, preferredNodeWeight(pod, v));
    byPod.set(pod, best);
  }
  return best;
}

/**
 * Preferred pod (anti-)affinity, as InterPodAffinity scores it: each term's weight (1 to 100) for a host in a
 * topology domain that runs a workload the term selects, added for affinity, taken off for anti-affinity.
 */
function preferredAffinity(pod: any, view: HostView, all: HostView[]): number {
  const labels: Record<string, string> = view.host.metadata.labels ?? {};
  let score = 0;
  for (const { weight, podAffinityTerm } of pod.spec.affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchedInDomain(podAffinityTerm, pod, labels, all)) score += weight ?? 0;
  }
  for (const { weight, podAffinityTerm } of pod.spec.affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchedInDomain(podAffinityTerm, pod, labels, all)) score -= weight ?? 0;
  }
  return score;
}
