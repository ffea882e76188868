import { guestRequest, GuestApiError, isNotFound } from './guest-client';
import type { GuestAccess } from './guest-nodes';

/** The annotation the kubelet puts on a static pod's mirror in the API. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** A pod labelled `cluster.x-k8s.io/drain: skip` is left on its node by Cluster API's drain. */
export const POD_DRAIN_LABEL = 'cluster.x-k8s.io/drain';
/** Evictions of one drain round stop being sent after this long (Cluster API's), and are tried again next round. */
const EVICTION_TIMEOUT_MS = 10_000;

/** What the drain does with one pod of the node, as Cluster API's drain filters decide it (kubectl drain's, with --ignore-daemonsets --force --delete-emptydir-data). */
export type PodDrainDecision = { drain: true; warning?: string } | { drain: false; warning?: string } | { error: string };

/** Whether the pod's DaemonSet exists: looked up only for a running pod a DaemonSet controls. */
export type DaemonSetLookup = 'exists' | 'missing' | { error: string };

const finished = (pod: any) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const controllerOf = (pod: any) => (pod.metadata?.ownerReferences ?? []).find((r: any) => r.controller);

/** The DaemonSet to look up for a pod (a running pod a DaemonSet controls), if any. */
export function daemonSetOf(pod: any): string | undefined {
  const ref = controllerOf(pod);
  return ref?.kind === 'DaemonSet' && !finished(pod) ? ref.name : undefined;
}

/**
 * The drain's filters, in Cluster API's order, the first that leaves a pod out deciding: a pod whose deletion is
 * older than `skipDeletedAfterSeconds` (set when the node is unreachable) is skipped; one labelled
 * `cluster.x-k8s.io/drain: skip` is skipped; a running DaemonSet pod is skipped when its DaemonSet exists (evicted, with
 * a warning, when it is gone: nothing would bring it back); a mirror pod is skipped; pods with emptyDir volumes and
 * pods no controller owns are evicted with a warning.
 */
export function podDrainDecision(pod: any, opts: { now: number; skipDeletedAfterSeconds?: number; daemonSet?: DaemonSetLookup }): PodDrainDecision {
  const deletedAt = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  if (opts.skipDeletedAfterSeconds && opts.skipDeletedAfterSeconds > 0 && Number.isFinite(deletedAt) && Math.floor((opts.now - deletedAt) / 1000) > opts.skipDeletedAfterSeconds) return { drain: false };
  if (pod.metadata?.labels?.[POD_DRAIN_LABEL] === 'skip') return { drain: false };
  const warnings: string[] = [];
  if (daemonSetOf(pod)) {
    const ds = opts.daemonSet ?? 'exists';
    if (typeof ds === 'object') return { error: ds.error };
    if (ds === 'exists') return { drain: false, warning: 'ignoring DaemonSet-managed Pod' };
    warnings.push('evicting orphaned DaemonSet-managed Pod');
  }
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { drain: false };
  if (!finished(pod) && (pod.spec?.volumes ?? []).some((v: any) => v.emptyDir)) warnings.push('evicting Pod with local storage');
  if (!finished(pod) && !controllerOf(pod)) warnings.push('evicting Pod that has no controller');
  return warnings.length ? { drain: true, warning: warnings.join(', ') } : { drain: true };
}

/** What one round of evictions left: the pods still to go, and the evictions refused, by their error. */
export interface EvictionResult {
  deletionTimestampSet: string[];
  failed: Map<string, string[]>;
}

/** `ns/a, ns/b, ... (2 more)`: the first n, as Cluster API lists pods in its messages. */
export function podListToString(pods: string[], n: number): string {
  const shown = pods.slice(0, n);
  if (pods.length > n) shown.push(`... (${pods.length - n} more)`);
  return shown.join(', ');
}

/**
 * The `DrainingSucceeded` message of a drain not finished yet, as Cluster API words it: the pods being deleted that
 * still exist, and the pods whose eviction failed grouped by the error (at most five errors, three pods each).
 */
export function drainConditionMessage(r: EvictionResult): string {
  let message = 'Drain not completed yet:';
  if (r.deletionTimestampSet.length) message += `\n* Pods with deletionTimestamp that still exist: ${podListToString(r.deletionTimestampSet, 5)}`;
  if (r.failed.size) {
    const errors = [...r.failed.keys()].sort();
    message += '\n* Pods with eviction failed:';
    for (const e of errors.slice(0, 5)) message += `\n  * ${e}: ${podListToString(r.failed.get(e)!, 3)}`;
    const skipped = errors.slice(5);
    if (skipped.length) {
      const pods = skipped.reduce((n, e) => n + r.failed.get(e)!.length, 0);
      message += `\n  * ... (${skipped.length === 1 ? '1 more error' : `${skipped.length} more errors`} ${pods === 1 ? 'applying to 1 Pod' : `applying to ${pods} Pods`})`;
    }
  }
  return message;
}

/** One drain round's end: drained (nothing left to go), still draining (the condition's message), or failed (an error). */
export type DrainOutcome = { done: true } | { done: false; failed: false; message: string } | { done: false; failed: true; message: string };

/** How an eviction's refusal reads in the drain's message, as Cluster API words it. */
function evictionError(err: unknown): string {
  if (err instanceof GuestApiError) {
    const causes = err.status?.details?.causes;
    if (err.code === 429 && err.status) return causes ? `${err.message} ${causes.map((c) => c.message ?? '').join(',')}` : err.message;
    if (err.code === 403 && (causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) {
      return 'Cannot evict pod from terminating namespace: unable to create eviction (kube-controller-manager should set deletionTimestamp)';
    }
  }
  return (err as Error).message;
}

/** A node is unreachable when its `Ready` condition is Unknown (its kubelet stopped reporting). */
export function nodeUnreachable(node: any): boolean {
  return (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'Unknown');
}

/**
 * One round of Cluster API's node drain through the guest's own API: the Node read (gone: nothing to drain),
 * cordoned (`spec.unschedulable: true`), its pods listed (`spec.nodeName`), filtered (podDrainDecision), and each one
 * that must go and is not going yet evicted (policy/v1 Eviction, so PodDisruptionBudgets are honoured). Done once no
 * pod that must go is left; otherwise what is left, for the next round. An unreachable node's pods are evicted with a
 * 1 s grace period, and those deleted more than a second ago no longer waited for.
 */
export async function drainNode(access: GuestAccess, nodeName: string, opts: { timeoutMs?: number } = {}): Promise<DrainOutcome> {
  const call = (method: string, path: string, extra: { body?: unknown; contentType?: string } = {}) => guestRequest(access, method, path, { ...extra, timeoutMs: opts.timeoutMs });
  const nodePath = `/api/v1/nodes/${encodeURIComponent(nodeName)}`;
  let node: any;
  try {
    node = await call('GET', nodePath);
  } catch (err) {
    // Deleted by an admin already: nothing left to drain.
    if (isNotFound(err)) return { done: true };
    return { done: false, failed: true, message: `unable to get Node ${nodeName}: ${(err as Error).message}` };
  }
  const lost = nodeUnreachable(node);
  if (!node.spec?.unschedulable) {
    try {
      await call('PATCH', nodePath, { body: { spec: { unschedulable: true } }, contentType: 'application/merge-patch+json' });
    } catch (err) {
      return { done: false, failed: true, message: `failed to cordon Node ${nodeName}: failed to cordon Node: ${(err as Error).message}` };
    }
  }
  const pods: any[] = [];
  try {
    let next = '';
    do {
      const page = await call('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeName}`)}&limit=100${next ? `&continue=${encodeURIComponent(next)}` : ''}`);
      pods.push(...(page?.items ?? []));
      next = page?.metadata?.continue ?? '';
    } while (next);
  } catch (err) {
    return { done: false, failed: true, message: `failed to get Pods for eviction: ${(err as Error).message}` };
  }
  const daemonSets = new Map<string, DaemonSetLookup>();
  for (const pod of pods) {
    const ds = daemonSetOf(pod);
    const key = `${pod.metadata.namespace}/${ds}`;
    if (!ds || daemonSets.has(key)) continue;
    try {
      await call('GET', `/apis/apps/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/daemonsets/${encodeURIComponent(ds)}`);
      daemonSets.set(key, 'exists');
    } catch (err) {
      daemonSets.set(key, isNotFound(err) ? 'missing' : { error: (err as Error).message });
    }
  }
  const now = Date.now();
  const name = (pod: any) => `${pod.metadata.namespace}/${pod.metadata.name}`;
  const decided = pods.map((pod) => ({ pod, decision: podDrainDecision(pod, { now, skipDeletedAfterSeconds: lost ? 1 : 0, daemonSet: daemonSets.get(`${pod.metadata.namespace}/${daemonSetOf(pod)}`) }) }));
  const errors = new Map<string, string[]>();
  for (const { pod, decision } of decided) if ('error' in decision) errors.set(decision.error, [...(errors.get(decision.error) ?? []), name(pod)]);
  if (errors.size) {
    const each = [...errors].map(([msg, names]) => `Pods with error "${msg}": ${names.join(', ')}`);
    return { done: false, failed: true, message: `failed to get Pods for eviction: ${each.length === 1 ? each[0] : `[${each.join(', ')}]`}` };
  }
  // Sorted, so the same pods make the same message round after round.
  const toGo = decided.filter(({ decision }) => 'drain' in decision && decision.drain).map(({ pod }) => pod).sort((a, b) => name(a).localeCompare(name(b)));
  if (toGo.length === 0) return { done: true };
  const result: EvictionResult = { deletionTimestampSet: [], failed: new Map() };
  const fail = (message: string, pod: any) => result.failed.set(message, [...(result.failed.get(message) ?? []), name(pod)]);
  const deadline = Date.now() + EVICTION_TIMEOUT_MS;
  for (const pod of toGo) {
    if (pod.metadata.deletionTimestamp) {
      result.deletionTimestampSet.push(name(pod));
      continue;
    }
    if (Date.now() > deadline) {
      fail(`eviction timeout of ${EVICTION_TIMEOUT_MS / 1000}s reached, eviction will be retried`, pod);
      continue;
    }
    const { namespace, name: podName } = pod.metadata;
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace }, deleteOptions: lost ? { gracePeriodSeconds: 1 } : {} };
    try {
      await call('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}/eviction`, { body: eviction });
      result.deletionTimestampSet.push(name(pod));
    } catch (err) {
      // Gone meanwhile: nothing to wait for.
      if (!isNotFound(err)) fail(evictionError(err), pod);
    }
  }
  if (result.deletionTimestampSet.length === 0 && result.failed.size === 0) return { done: true };
  return { done: false, failed: false, message: drainConditionMessage(result) };
}

/** DELETE of the guest's Node: done when it answers or the Node is gone already. */
export async function deleteGuestNode(access: GuestAccess, nodeName: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  try {
    await guestRequest(access, 'DELETE', `/api/v1/nodes/${encodeURIComponent(nodeName)}`, { timeoutMs: opts.timeoutMs });
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`error deleting node ${nodeName}: ${(err as Error).message}`);
  }
}
