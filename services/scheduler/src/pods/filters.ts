import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import { add, allocatable, podRequests, Resources, subtract } from './pod-requests';
import { topologySpreadFilter } from './topology-spread';

/** Everything the filters look at for one host. */
export interface HostView {
  name: string;
  host: any;
  used: Resources;
  /** Pods bound (or just assigned in this batch) to the host, and VMs' reservations as workloads, by key. */
  pods: Map<string, any>;
  /** How many of `pods` each controlling owner (uid) has there: scoring's spread term, without a walk of `pods` per pod. */
  owners: Map<string, number>;
}

/** The uid of the pod's first owner, which scoring spreads apart. */
export function ownerOf(pod: any): string | undefined {
  return pod.metadata.ownerReferences?.[0]?.uid;
}

/** Counts a pod (or a VM's reservation) on a host under `key`: its requests, and it among the host's pods. */
export function holdOn(view: HostView, pod: any, key: string = pod.metadata.uid): void {
  letGo(view, key);
  view.used = add(view.used, podRequests(pod));
  view.pods.set(key, pod);
  const owner = ownerOf(pod);
  if (owner) view.owners.set(owner, (view.owners.get(owner) ?? 0) + 1);
}

/** Takes back what `holdOn` counted under `key`, if anything. */
export function letGo(view: HostView, key: string): void {
  const pod = view.pods.get(key);
  if (pod === undefined) return;
  view.pods.delete(key);
  view.used = subtract(view.used, podRequests(pod));
  const owner = ownerOf(pod);
  if (!owner) return;
  const left = (view.owners.get(owner) ?? 0) - 1;
  if (left > 0) view.owners.set(owner, left);
  else view.owners.delete(owner);
}

/** Why a pod does not fit a host, worded as the scheduler reports it ("Insufficient memory"); undefined when it fits. */
export type FilterResult = string | undefined;

/** Read-model hosts are replaced, never changed in place: a host's readiness is read once, not once per pod. */
const readiness = new WeakMap<object, boolean>();

function isReady(host: any): boolean {
  const known = readiness.get(host);
  if (known !== undefined) return known;
  const ready = (host.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  readiness.set(host, ready);
  return ready;
}

export function tolerates(tolerations: any[], taint: any): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** A term's `matchFields`: Kubernetes allows only `metadata.name` there (In or NotIn), which DaemonSet pods use to name their host. */
function matchesNodeFields(term: any, hostName: string): boolean {
  for (const f of term.matchFields ?? []) {
    if (f.key !== 'metadata.name') return false;
    const listed = (f.values ?? []).includes(hostName);
    if ((f.operator === 'In' && !listed) || (f.operator === 'NotIn' && listed) || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
  }
  return true;
}

/**
 * A node selector term against a host: its `matchFields`, and each of its `matchExpressions` (In, NotIn, Exists,
 * DoesNotExist, and Gt/Lt, which compare the label as an integer with the one value given: a label that is missing or
 * not an integer fails them, as in Kubernetes). A term with neither part matches no host.
 */
export function matchesNodeSelectorTerm(term: any, labels: Record<string, string>, hostName: string): boolean {
  const expressions: any[] = term.matchExpressions ?? [];
  if (!expressions.length && !term.matchFields?.length) return false;
  if (!matchesNodeFields(term, hostName)) return false;
  const sets = expressions.filter((e) => e.operator !== 'Gt' && e.operator !== 'Lt');
  if (!matchesLabelSelector(labelSelectorFromObject({ matchExpressions: sets }), labels)) return false;
  return expressions.every((e) => (e.operator === 'Gt' || e.operator === 'Lt' ? comparesAsInteger(e, labels[e.key]) : true));
}

function comparesAsInteger(e: any, label: string | undefined): boolean {
  const [bound] = e.values ?? [];
  if (label === undefined || !/^-?\d+$/.test(label) || !/^-?\d+$/.test(String(bound))) return false;
  return e.operator === 'Gt' ? BigInt(label) > BigInt(bound) : BigInt(label) < BigInt(bound);
}

function anyPodMatches(term: any, pod: any, pods: Map<string, any>): boolean {
  // VM Operator: a VM term without a label selector matches no VM.
  if (term.vmsOnly && !term.labelSelector) return false;
  const selector = labelSelectorFromObject(term.labelSelector ?? {});
  const namespaces: string[] = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace];
  for (const p of pods.values()) {
    // A VM's terms select VMs only (`vmsOnly`, set by `asWorkload`); a pod's select pods and VMs alike.
    if (term.vmsOnly && p.kind !== 'VirtualMachine') continue;
    if (p.metadata.uid !== pod.metadata.uid && namespaces.includes(p.metadata.namespace) && matchesLabelSelector(selector, p.metadata.labels ?? {})) return true;
  }
  return false;
}

/** The pod's `nodeSelector` and required node affinity against a host's labels (NodeAffinity's filter). */
export function matchesNodeSelectorAndAffinity(spec: any, labels: Record<string, string>, hostName: string): boolean {
  for (const k in spec.nodeSelector) {
    if (labels[k] !== spec.nodeSelector[k]) return false;
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !(Array.isArray(required) && required.length > 0 && !required.some((t: any) => matchesNodeSelectorTerm(t, labels, hostName)));
}

/** The host's first NoSchedule/NoExecute taint the pod does not tolerate (TaintToleration's filter). */
export function untoleratedTaint(spec: any, host: any): any {
  if (!host.spec?.taints?.length) return undefined;
  return host.spec.taints.find((t: any) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(spec.tolerations ?? [], t));
}

/**
 * Whether a workload other than `pod` that `term` selects runs in the topology domain of the host labelled
 * `labels` (the hosts sharing its value of the term's key). A host without that label is in no domain.
 */
export function matchedInDomain(term: any, pod: any, labels: Record<string, string>, all: HostView[]): boolean {
  const key = term.topologyKey ?? 'kubernetes.io/hostname';
  const domain = labels[key];
  return domain !== undefined && all.some((v) => (v.host.metadata.labels ?? {})[key] === domain && anyPodMatches(term, pod, v.pods));
}

/**
 * The filters, in kube-scheduler's order (PodTopologySpread after the resources, before InterPodAffinity).
 * Topology keys other than the host name are read from host labels; `kubernetes.io/hostname` is the common case.
 */
export function filterHost(pod: any, view: HostView, all: HostView[]): FilterResult {
  // Called for every (pod, host) pair of a pass: what a pod does not ask for is not looked at.
  const { host } = view;
  const spec = pod.spec ?? {};
  const labels: Record<string, string> = host.metadata.labels ?? {};
  if (!isReady(host)) return "had untolerated taint {node.kubernetes.io/not-ready: }";
  if (host.spec?.unschedulable && !tolerates(spec.tolerations ?? [], { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return 'were unschedulable';
  if (spec.nodeName && spec.nodeName !== view.name) return "didn't match Pod's node affinity/selector";
  if (!matchesNodeSelectorAndAffinity(spec, labels, view.name)) return "didn't match Pod's node affinity/selector";
  const untolerated = untoleratedTaint(spec, host);
  if (untolerated) return `had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`;

  if (wantsHostPorts(spec) && hostPortTaken(spec, view)) return "didn't have free ports for the requested pod ports";

  const want = podRequests(pod);
  const cap = allocatable(host);
  if (view.used.pods + want.pods > cap.pods) return 'Too many pods';
  if (view.used.cpuMillis + want.cpuMillis > cap.cpuMillis) return 'Insufficient cpu';
  if (view.used.memoryBytes + want.memoryBytes > cap.memoryBytes) return 'Insufficient memory';

  if (spec.topologySpreadConstraints?.length) {
    const spread = topologySpreadFilter(pod, view, all);
    if (spread) return spread;
  }
  if (spec.affinity) return podAffinityFilter(pod, labels, all);
  return undefined;
}

/** The host ports a pod's containers and sidecars ask for (`hostPort` set), as kube-scheduler's NodePorts reads them. */
function hostPortsOf(spec: any): Array<{ port: number; protocol: string; ip: string }> {
  const out: Array<{ port: number; protocol: string; ip: string }> = [];
  const containers = [...(spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always'), ...(spec?.containers ?? [])];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push({ port: p.hostPort, protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0' });
  }
  return out;
}

function wantsHostPorts(spec: any): boolean {
  return (spec.containers ?? []).some((c: any) => c.ports?.some((p: any) => p.hostPort)) || (spec.initContainers ?? []).some((c: any) => c.ports?.some((p: any) => p.hostPort));
}

/**
 * Whether a pod already on the host holds one of the host ports this pod asks for (kube-scheduler's NodePorts
 * filter): the same port and protocol on the same address, or on any address when either side listens on all
 * (`0.0.0.0`, the default).
 */
function hostPortTaken(spec: any, view: HostView): boolean {
  const wanted = hostPortsOf(spec);
  if (!wanted.length) return false;
  for (const other of view.pods.values()) {
    if (!other.spec?.containers) continue;
    for (const held of hostPortsOf(other.spec)) {
      if (wanted.some((w) => w.port === held.port && w.protocol === held.protocol && (w.ip === held.ip || w.ip === '0.0.0.0' || held.ip === '0.0.0.0'))) return true;
    }
  }
  return false;
}

function podAffinityFilter(pod: any, labels: Record<string, string>, all: HostView[]): FilterResult {
  const of = (term: any) => (term.vmsOnly ? 'VM' : 'pod');
  for (const term of pod.spec.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchedInDomain(term, pod, labels, all)) return `didn't match ${of(term)} anti-affinity rules`;
  }
  for (const term of pod.spec.affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!matchedInDomain(term, pod, labels, all)) return `didn't match ${of(term)} affinity rules`;
  }
  return undefined;
}

/** `0/3 hosts are available: 1 host(s) were unschedulable, 2 Insufficient memory.` */
export function unschedulableMessage(total: number, reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Sorted as kube-scheduler sorts them: the finished phrases, byte by byte. Its own sentences (capacity, preemption's) take no "host(s)".
  const parts = [...counts].map(([r, n]) => (/^(Insufficient|Too many|No preemption|Preemption is)/.test(r) ? `${n} ${r}` : `${n} host(s) ${r}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${total} hosts are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}
