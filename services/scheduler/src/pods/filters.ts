import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import { allocatable, podRequests, Resources } from './pod-requests';

/** Everything the filters look at for one host. */
export interface HostView {
  name: string;
  host: any;
  used: Resources;
  /** Pods bound (or just assigned in this batch) to the host. */
  pods: any[];
}

/** Why a pod does not fit a host, worded as the scheduler reports it ("Insufficient memory"); undefined when it fits. */
export type FilterResult = string | undefined;

function isReady(host: any): boolean {
  return (host.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

export function tolerates(tolerations: any[], taint: any): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

function matchesNodeSelectorTerm(term: any, labels: Record<string, string>): boolean {
  return matchesLabelSelector(labelSelectorFromObject({ matchExpressions: (term.matchExpressions ?? []).filter((e: any) => ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) }), labels);
}

function podsMatching(term: any, pod: any, pods: any[]): any[] {
  const selector = labelSelectorFromObject(term.labelSelector ?? {});
  const namespaces: string[] = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace];
  return pods.filter((p) => p.metadata.uid !== pod.metadata.uid && namespaces.includes(p.metadata.namespace) && matchesLabelSelector(selector, p.metadata.labels ?? {}));
}

/**
 * The filters, in kube-scheduler's order. Topology keys other than the host
 * name are read from host labels; `kubernetes.io/hostname` is the common case.
 */
export function filterHost(pod: any, view: HostView, all: HostView[]): FilterResult {
  const { host } = view;
  const labels: Record<string, string> = host.metadata.labels ?? {};
  if (!isReady(host)) return "had untolerated taint {node.kubernetes.io/not-ready: }";
  if (host.spec?.unschedulable && !tolerates(pod.spec?.tolerations ?? [], { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return 'were unschedulable';
  if (pod.spec?.nodeName && pod.spec.nodeName !== view.name) return "didn't match Pod's node affinity/selector";
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) {
    if (labels[k] !== v) return "didn't match Pod's node affinity/selector";
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (Array.isArray(required) && required.length > 0 && !required.some((t: any) => matchesNodeSelectorTerm(t, labels))) {
    return "didn't match Pod's node affinity/selector";
  }
  const untolerated = (host.spec?.taints ?? []).find((t: any) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec?.tolerations ?? [], t));
  if (untolerated) return `had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`;

  const want = podRequests(pod);
  const cap = allocatable(host);
  if (view.used.pods + want.pods > cap.pods) return 'Too many pods';
  if (view.used.cpuMillis + want.cpuMillis > cap.cpuMillis) return 'Insufficient cpu';
  if (view.used.memoryBytes + want.memoryBytes > cap.memoryBytes) return 'Insufficient memory';

  const topology = (term: any) => term.topologyKey ?? 'kubernetes.io/hostname';
  const sameDomain = (term: any) => all.filter((v) => (v.host.metadata.labels ?? {})[topology(term)] === labels[topology(term)] && labels[topology(term)] !== undefined);
  for (const term of pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (sameDomain(term).some((v) => podsMatching(term, pod, v.pods).length > 0)) return "didn't match pod anti-affinity rules";
  }
  for (const term of pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!sameDomain(term).some((v) => podsMatching(term, pod, v.pods).length > 0)) return "didn't match pod affinity rules";
  }
  return undefined;
}

/** `0/3 hosts are available: 1 host(s) were unschedulable, 2 Insufficient memory.` */
export function unschedulableMessage(total: number, reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Sorted as kube-scheduler sorts them: the finished phrases, byte by byte.
  const parts = [...counts].map(([r, n]) => (/^(Insufficient|Too many)/.test(r) ? `${n} ${r}` : `${n} host(s) ${r}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${total} hosts are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}
