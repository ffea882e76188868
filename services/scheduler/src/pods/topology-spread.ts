import { labelSelectorFromObject, LabelSelector, matchesLabelSelector } from '@openpacific/kube-api';
import { matchesNodeSelectorAndAffinity, untoleratedTaint, type FilterResult, type HostView } from './filters';

/** kube-scheduler's words for a host the spread rules keep the pod off. */
export const SPREAD_NOT_MATCHED = "didn't match pod topology spread constraints";
export const SPREAD_LABEL_MISSING = `${SPREAD_NOT_MATCHED} (missing required label)`;

interface Constraint {
  key: string;
  maxSkew: number;
  hard: boolean;
  minDomains: number;
  selector: LabelSelector;
  selfMatch: number;
  /** Pods matching the selector in the pod's namespace, by the key's value of the host they are on. */
  counts: Map<string, number>;
  /** The fewest in any domain (0 when there are fewer domains than minDomains). */
  min: number;
}

/** Whether a host counts for a constraint: it passes the pod's node selector and affinity (and taints, when asked). */
function eligible(pod: any, c: any, view: HostView): boolean {
  if ((c.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !matchesNodeSelectorAndAffinity(pod.spec, view.host.metadata.labels ?? {}, view.name)) return false;
  return (c.nodeTaintsPolicy ?? 'Ignore') !== 'Honor' || !untoleratedTaint(pod.spec, view.host);
}

/** The constraint's selector: its labelSelector, with `matchLabelKeys` taken from the pod's own labels. */
function selectorOf(pod: any, c: any): LabelSelector {
  const labels = pod.metadata.labels ?? {};
  const keys: string[] = (c.matchLabelKeys ?? []).filter((k: string) => labels[k] !== undefined);
  const base = c.labelSelector ?? {};
  return labelSelectorFromObject({ ...base, matchExpressions: [...(base.matchExpressions ?? []), ...keys.map((k) => ({ key: k, operator: 'In', values: [labels[k]] }))] });
}

function constraintsOf(pod: any, all: HostView[]): Constraint[] {
  const specs: any[] = pod.spec.topologySpreadConstraints;
  // Only hosts that have every constraint's key count (kube-scheduler's rule for the domains).
  const keys = specs.map((c) => c.topologyKey);
  return specs.map((c) => {
    const selector = selectorOf(pod, c);
    const counts = new Map<string, number>();
    for (const view of all) {
      const labels: Record<string, string> = view.host.metadata.labels ?? {};
      if (!keys.every((k) => labels[k] !== undefined) || !eligible(pod, c, view)) continue;
      const domain = labels[c.topologyKey];
      let n = counts.get(domain) ?? 0;
      for (const p of view.pods.values()) {
        if (p.kind === 'VirtualMachine' || p.metadata.uid === pod.metadata.uid || p.metadata.deletionTimestamp) continue;
        if (p.metadata.namespace === pod.metadata.namespace && matchesLabelSelector(selector, p.metadata.labels ?? {})) n++;
      }
      counts.set(domain, n);
    }
    const hard = (c.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule';
    const minDomains = hard ? (c.minDomains ?? 1) : 1;
    const min = counts.size < minDomains ? 0 : Math.min(...counts.values());
    const selfMatch = matchesLabelSelector(selector, pod.metadata.labels ?? {}) ? 1 : 0;
    return { key: c.topologyKey, maxSkew: c.maxSkew ?? 1, hard, minDomains, selector, selfMatch, counts, min: Number.isFinite(min) ? min : 0 };
  });
}

/**
 * The spread state of a pod over the hosts, computed once per pod and pass: kept while every host holds as many
 * workloads as it did (a pass adds its own choices, preemption takes victims off, and either changes a count).
 */
const states = new WeakMap<object, { sizes: string; constraints: Constraint[] }>();

function stateOf(pod: any, all: HostView[]): Constraint[] {
  const sizes = all.map((v) => v.pods.size).join(',');
  const known = states.get(pod);
  if (known && known.sizes === sizes) return known.constraints;
  const constraints = constraintsOf(pod, all);
  states.set(pod, { sizes, constraints });
  return constraints;
}

/**
 * kube-scheduler's PodTopologySpread filter: for each `DoNotSchedule` constraint, the host must have the key, and the
 * pods its selector matches in the host's domain, with this one, may exceed the fewest in any domain by `maxSkew`.
 */
export function topologySpreadFilter(pod: any, view: HostView, all: HostView[]): FilterResult {
  const labels: Record<string, string> = view.host.metadata.labels ?? {};
  for (const c of stateOf(pod, all)) {
    if (!c.hard) continue;
    const domain = labels[c.key];
    if (domain === undefined) return SPREAD_LABEL_MISSING;
    if ((c.counts.get(domain) ?? 0) + c.selfMatch - c.min > c.maxSkew) return SPREAD_NOT_MATCHED;
  }
  return undefined;
}

/** PodTopologySpread's score, for `ScheduleAnyway` constraints: fewer matching pods in the host's domain is better. */
export function topologySpreadScore(pod: any, view: HostView, all: HostView[]): number {
  const labels: Record<string, string> = view.host.metadata.labels ?? {};
  let score = 0;
  for (const c of stateOf(pod, all)) {
    if (c.hard) continue;
    const domain = labels[c.key];
    score -= domain === undefined ? 100 : 20 * ((c.counts.get(domain) ?? 0) - c.min);
  }
  return score;
}
