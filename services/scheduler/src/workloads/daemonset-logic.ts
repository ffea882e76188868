import { CONTROLLER_REVISION_HASH_LABEL } from '@openpacific/contracts';
import { matchesNodeSelectorTerm, tolerates } from '../pods/filters';
import { type FailedPodsBackoff, failedPodsBackoffKey } from './daemonset-backoff';
import { isActivePod, isPodAvailable, isPodReady } from './workload-logic';

/** Pure decisions of the DaemonSet controller (kube-controller-manager's rules): which hosts run a daemon pod, what to create and delete. */

/** The tolerations every daemon pod gets (kube-controller-manager's AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(spec: any): any[] {
  const wanted = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ...(spec?.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  const own: any[] = spec?.tolerations ?? [];
  return [...own, ...wanted.filter((w) => !own.some((t) => t.key === w.key && t.effect === w.effect))];
}

/** Whether a daemon pod of `template` belongs on `host`: its node selector, required node affinity and the host's taints. */
export function shouldRun(template: any, host: any): boolean {
  if (host.metadata.deletionTimestamp) return false;
  const spec = template?.spec ?? {};
  const labels: Record<string, string> = host.metadata.labels ?? {};
  for (const [k, v] of Object.entries<string>(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms: any[] | undefined = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length && !terms.some((t) => matchesNodeSelectorTerm(t, labels, host.metadata.name))) return false;
  const tolerations = daemonTolerations(spec);
  return !(host.spec?.taints ?? []).some((t: any) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t));
}

/** The pod's spec pinned to one host, as kube-controller-manager pins daemon pods: a required node affinity on the host's name. */
export function pinnedSpec(spec: any, hostName: string): any {
  const next = structuredClone(spec);
  next.tolerations = daemonTolerations(spec);
  next.affinity = {
    ...(next.affinity ?? {}),
    nodeAffinity: {
      ...(next.affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [hostName] }] }] },
    },
  };
  return next;
}

/** The host a daemon pod is on, or is pinned to while unscheduled. */
export function hostOfPod(pod: any): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

/** maxUnavailable / maxSurge against the hosts that should run the daemon: percents round up, as for DaemonSets in Kubernetes. */
function scaled(v: unknown, desired: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  return Math.ceil((Number(String(v).replace('%', '')) * desired) / 100);
}

export interface DaemonPlan {
  /** Hosts that get a new pod (of the update revision). */
  create: string[];
  /** Pods to delete: on hosts that should not run them, extra, failed, or replaced by the rolling update. */
  remove: any[];
  /** The finished pods among them, with their hosts (each gets an Event). */
  finished: Array<{ pod: any; host: string }>;
  /** When a failed pod's back-off ends (ms since the epoch), if one waits. */
  retryAt?: number;
  status: any;
}

/**
 * One pass of a DaemonSet over the hosts and its pods: a pod on every host that should run one, none elsewhere,
 * failed pods replaced, and with RollingUpdate the pods of older revisions replaced within maxUnavailable (or, with
 * maxSurge, the new pod started beside the old one, which goes once the new one is available). A failed pod goes
 * only once `backoff` lets it, and its host gets the next pod once it is gone, as for any daemon pod still there.
 */
export function planDaemonSet(ds: any, hosts: any[], pods: any[], updateHash: string, now: number, backoff?: FailedPodsBackoff): DaemonPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const desired = hosts.filter((h) => shouldRun(ds.spec.template, h)).map((h) => h.metadata.name);
  const wanted = new Set(desired);
  const byHost = new Map<string, any[]>();
  const remove: any[] = [];
  /** Hosts where a pod of the set is still stopping or finished: the next one starts once it is gone (it may hold the same host ports). */
  const stopping = new Set<string>();
  const finished: Array<{ pod: any; host: string }> = [];
  let retryAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) {
      const host = hostOfPod(pod);
      if (host) stopping.add(host);
      continue;
    }
    const host = hostOfPod(pod);
    if (!host || !wanted.has(host)) {
      remove.push(pod);
      continue;
    }
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
      stopping.add(host);
      if (pod.status.phase === 'Failed' && backoff) {
        const key = failedPodsBackoffKey(ds, host);
        if (backoff.inBackoff(key, now)) {
          retryAt = Math.min(retryAt ?? Infinity, backoff.until(key, now)!);
          continue;
        }
        backoff.next(key, now);
      }
      finished.push({ pod, host });
      remove.push(pod);
      continue;
    }
    byHost.set(host, [...(byHost.get(host) ?? []), pod]);
  }
  const misscheduled = new Set(remove.filter((p) => isActivePod(p) && hostOfPod(p) && !wanted.has(hostOfPod(p)!)).map((p) => hostOfPod(p))).size;
  const isNew = (p: any) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === updateHash;
  const available = (p: any) => isPodAvailable(p, minReady, now);
  const create: string[] = [];
  const rolling = ds.spec?.updateStrategy?.type !== 'OnDelete';
  const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
  const maxSurge = rolling ? scaled(ru.maxSurge, desired.length) : 0;
  let maxUnavailable = rolling ? scaled(ru.maxUnavailable ?? 1, desired.length) : 0;
  if (rolling && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  let unavailable = 0;
  let surging = 0;
  const olds: Array<{ host: string; pod: any; replacement?: any }> = [];
  for (const host of desired) {
    // New revision first, then oldest first, created in the same second: by name (kube-controller-manager's order).
    const here = (byHost.get(host) ?? []).sort(
      (a, b) =>
        Number(isNew(b)) - Number(isNew(a)) ||
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
    );
    if (here.length === 0) {
      if (!stopping.has(host)) create.push(host);
      unavailable++;
      continue;
    }
    const newest = here.find(isNew);
    const old = here.find((p) => !isNew(p));
    // More than one pod of a revision on a host: the extra ones go.
    const kept = new Set([newest, old].filter(Boolean));
    for (const p of here) if (!kept.has(p)) remove.push(p);
    if (newest && old) surging++;
    if (!(newest ? available(newest) : available(old))) unavailable++;
    if (old) olds.push({ host, pod: old, replacement: newest });
  }
  if (rolling) {
    for (const { host, pod, replacement } of olds) {
      if (replacement) {
        // The surge's new pod is up: the old one goes.
        if (available(replacement) || !available(pod)) remove.push(pod);
      } else if (!available(pod)) {
        remove.push(pod); // an old pod that is not available anyway
      } else if (maxSurge > 0) {
        if (surging < maxSurge) {
          create.push(host);
          surging++;
        }
      } else if (unavailable < maxUnavailable) {
        remove.push(pod);
        unavailable++;
      }
    }
  }
  const onHosts = desired.map((h) => byHost.get(h) ?? []).filter((l) => l.length > 0);
  const current = (l: any[]) => l.find(isNew) ?? l[0];
  const status = {
    currentNumberScheduled: onHosts.length,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired.length,
    numberReady: onHosts.filter((l) => isPodReady(current(l))).length,
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: onHosts.filter((l) => l.some(isNew)).length,
    numberAvailable: onHosts.filter((l) => available(current(l))).length,
    numberUnavailable: desired.length - onHosts.filter((l) => available(current(l))).length,
  };
  return { create, remove, finished, ...(retryAt !== undefined ? { retryAt } : {}), status };
}
