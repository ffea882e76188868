import { createHash } from 'node:crypto';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';

/** Pure decisions of the Deployment and ReplicaSet controllers (kube-controller-manager's rules). */

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** The revisions a ReplicaSet had before `rollout undo` made it the newest again, comma-separated. */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';

/** Characters from Kubernetes' "safe" alphabet (no vowels, no look-alikes), as it suffixes generated names. */
export function safeString(bytes: Buffer, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE[bytes[i % bytes.length] % SAFE.length];
  return out;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as any)[k])]));
  return v;
}

export function sameTemplateIgnoringHash(a: any, b: any): boolean {
  const strip = (t: any) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata) {
      delete c.metadata.creationTimestamp;
      if (Object.keys(c.metadata).length === 0) delete c.metadata;
    }
    return JSON.stringify(canonical(c));
  };
  return strip(a) === strip(b);
}

/** `pod-template-hash`: a stable hash of the template (without the hash label), 10 safe characters. */
export function podTemplateHash(template: any, collisionCount = 0): string {
  const c = structuredClone(template ?? {});
  if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  if (c.metadata) delete c.metadata.creationTimestamp;
  const digest = createHash('sha256').update(JSON.stringify(canonical(c))).update(String(collisionCount)).digest();
  return safeString(digest, 10);
}

/** maxSurge / maxUnavailable against the replicas: percents round up (surge) or down (unavailable), as Kubernetes does. */
export function resolveFenceposts(replicas: number, strategy: any): { maxSurge: number; maxUnavailable: number } {
  const ru = strategy?.rollingUpdate ?? {};
  const scaled = (v: unknown, fallback: string, roundUp: boolean): number => {
    const value = v ?? fallback;
    if (typeof value === 'number') return value;
    const pct = Number(String(value).replace('%', ''));
    const raw = (pct * replicas) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  };
  const maxSurge = scaled(ru.maxSurge, '25%', true);
  let maxUnavailable = scaled(ru.maxUnavailable, '25%', false);
  // Both zero would stall the rollout: Kubernetes then allows one unavailable.
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function revisionOf(obj: any): number {
  const n = Number(obj?.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function isPodReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Ready for at least minReadySeconds. */
export function isPodAvailable(pod: any, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const ready = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const since = Date.parse(ready?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** A pod that counts towards a ReplicaSet: not finished, not being deleted. */
export function isActivePod(pod: any): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function controllerOf(obj: any): any | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((r: any) => r.controller);
}

/** What an owner's selector claims of the objects of its namespace (see `claimObjects`). */
export interface Claim<T> {
  /** Its own objects the selector still matches, and the orphans it adopts: what it counts and manages. */
  owned: T[];
  /** Orphans (no controller) its selector matches: they get its controller reference. */
  adopt: T[];
  /** Its own objects the selector no longer matches: their reference to it goes, and it replaces them. */
  release: T[];
}

/**
 * kube-controller-manager's ControllerRefManager for one owner not being deleted: objects that another
 * controller holds are never touched; its own stay while its selector matches their labels and are released
 * when it stops matching them (relabelling a pod takes it out of its ReplicaSet, which makes a replacement);
 * objects no controller holds are adopted when the selector matches them and they are not being deleted (a
 * Deployment deleted with `--cascade=orphan` and made again takes its ReplicaSets back). `isMember` narrows what
 * the selector matches (a StatefulSet's pods are only those named `<set>-<ordinal>`, Kubernetes' isMemberOf).
 */
export function claimObjects<T extends { metadata: any }>(owner: any, candidates: readonly T[], isMember: (obj: T) => boolean = () => true): Claim<T> {
  const selector = labelSelectorFromObject(owner.spec?.selector ?? {});
  const claim: Claim<T> = { owned: [], adopt: [], release: [] };
  // A selector that requires nothing selects nothing here (the API refuses one for these kinds): it must never
  // take every orphan of the namespace, nor let go of what the owner made.
  if (selector.length === 0) {
    claim.owned = candidates.filter((obj) => controllerOf(obj)?.uid === owner.metadata.uid);
    return claim;
  }
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    const matches = matchesLabelSelector(selector, obj.metadata.labels ?? {}) && isMember(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches) claim.owned.push(obj);
      else claim.release.push(obj);
    } else if (matches && !obj.metadata.deletionTimestamp) {
      claim.adopt.push(obj);
      claim.owned.push(obj);
    }
  }
  return claim;
}

/**
 * Whether a controller of pods of one owner kind reads an event: every event but those of pods another kind
 * controls, and of orphans only those `adoptable` says an owner of its may adopt (none by default). An event that
 * sets some fields of a pod (`FieldSet`) does not say who controls it: it is read, and the controller's model applies
 * it only to a pod it holds.
 */
export function ownedPodEvent(event: { data: unknown }, kind: string, adoptable: (pod: any) => boolean = () => false): boolean {
  const data = event.data as { resource?: string; object?: any } | undefined;
  if (data?.resource !== 'pods' || !data.object) return true;
  const ref = controllerOf(data.object);
  return ref ? ref.kind === kind : adoptable(data.object);
}

/**
 * Whether one of `owners` (not being deleted) selects the pod by its labels: the orphans a DaemonSet or StatefulSet
 * controller reads, to adopt. Reading every orphan cost a burst of bare pods about 0.15 ms of the scheduler's CPU per
 * pod (each of them held by two more read models); an orphan made before any owner selected it is therefore not
 * adopted by one made later.
 */
export function selectedByAny(owners: readonly any[], pod: any): boolean {
  for (const owner of owners) {
    if (owner.metadata.deletionTimestamp) continue;
    const selector = labelSelectorFromObject(owner.spec?.selector ?? {});
    if (selector.length > 0 && matchesLabelSelector(selector, pod.metadata?.labels ?? {})) return true;
  }
  return false;
}

/**
 * Which pods go first when a ReplicaSet scales down (kube-controller-manager's ActivePods order): unscheduled
 * before scheduled, Pending before Unknown before Running, not ready before ready, recently ready before long
 * ready, more restarts first, newer before older.
 */
export function deletionOrder(pods: any[]): any[] {
  const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
  const restarts = (p: any) => (p.status?.containerStatuses ?? []).reduce((n: number, s: any) => n + (s.restartCount ?? 0), 0);
  const readySince = (p: any) => Date.parse((p.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.lastTransitionTime ?? '') || 0;
  return [...pods].sort((a, b) => {
    const sa = a.spec?.nodeName ? 1 : 0;
    const sb = b.spec?.nodeName ? 1 : 0;
    if (sa !== sb) return sa - sb;
    const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
    const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a) ? 1 : 0;
    const rb = isPodReady(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    if (ra && rb && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
  });
}

export interface RsView {
  name: string;
  replicas: number;
  /** Available pods (ready for minReadySeconds), counted from the pods. */
  available: number;
  revision: number;
  created: string;
}

/**
 * One step of a RollingUpdate (kube-controller-manager's rolloutRolling): the new ReplicaSet's replicas and each
 * old ReplicaSet's replicas, so that at most desired + maxSurge pods exist and at least desired - maxUnavailable
 * are available.
 */
export function rollingStep(desired: number, strategy: any, newRs: RsView, olds: RsView[]): { newReplicas: number; oldReplicas: Map<string, number> } {
  const { maxSurge, maxUnavailable } = resolveFenceposts(desired, strategy);
  const oldReplicas = new Map(olds.map((o) => [o.name, o.replicas]));
  // Scale the new ReplicaSet up (within the surge) or down to the desired count.
  let newReplicas = newRs.replicas;
  const total = () => newReplicas + [...oldReplicas.values()].reduce((a, b) => a + b, 0);
  if (newReplicas > desired) newReplicas = desired;
  else if (newReplicas < desired) {
    const maxTotal = desired + maxSurge;
    const room = maxTotal - total();
    if (room > 0) newReplicas = Math.min(newReplicas + room, desired);
  }
  // Scale old ReplicaSets down while keeping desired - maxUnavailable available.
  const minAvailable = desired - maxUnavailable;
  const newUnavailable = Math.max(newReplicas - newRs.available, 0);
  let maxScaleDown = total() - minAvailable - newUnavailable;
  const oldest = [...olds].sort((a, b) => a.revision - b.revision || a.created.localeCompare(b.created));
  // First the old pods that are not available anyway.
  for (const o of oldest) {
    if (maxScaleDown <= 0) break;
    const current = oldReplicas.get(o.name)!;
    const unhealthy = Math.max(current - o.available, 0);
    const cut = Math.min(unhealthy, maxScaleDown);
    if (cut > 0) {
      oldReplicas.set(o.name, current - cut);
      maxScaleDown -= cut;
    }
  }
  // Then available ones, only beyond the minimum available.
  const availableNow = newRs.available + olds.reduce((n, o) => n + Math.min(o.available, oldReplicas.get(o.name)!), 0);
  let budget = Math.min(availableNow - minAvailable, maxScaleDown);
  for (const o of oldest) {
    if (budget <= 0) break;
    const current = oldReplicas.get(o.name)!;
    const cut = Math.min(current, budget);
    if (cut > 0) {
      oldReplicas.set(o.name, current - cut);
      budget -= cut;
    }
  }
  return { newReplicas, oldReplicas };
}

/** The Deployment's status as kubectl rollout status reads it, with conditions Available and Progressing. */
export function deploymentStatus(
  d: any,
  counts: { replicas: number; updated: number; ready: number; available: number },
  newRsName: string | undefined,
  previous: any[] | undefined,
  now: string,
  replicaFailure?: any,
): any {
  const desired = d.spec?.replicas ?? 1;
  const { maxUnavailable } = d.spec?.strategy?.type === 'Recreate' ? { maxUnavailable: desired } : resolveFenceposts(desired, d.spec?.strategy);
  const minAvailable = Math.max(desired - maxUnavailable, 0);
  const availableOk = counts.available >= minAvailable;
  const cond = (type: string, status: string, reason: string, message: string, updated = false) => {
    const old = (previous ?? []).find((c) => c.type === type);
    const same = old && old.status === status && old.reason === reason;
    return { type, status, lastUpdateTime: same && old.message === message && !updated ? old.lastUpdateTime : now, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, reason, message };
  };
  const progressing = progressingCondition(d, counts, newRsName, (previous ?? []).find((c) => c.type === 'Progressing'), Date.parse(now));
  const conditions = [
    availableOk
      ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    cond('Progressing', progressing.status, progressing.reason, progressing.message, progressing.progressed),
  ];
  // A ReplicaSet's ReplicaFailure, copied as SetDeploymentCondition does: one of the same status and reason stays as it was.
  if (replicaFailure) {
    const old = (previous ?? []).find((c) => c.type === 'ReplicaFailure');
    conditions.push(old && old.status === replicaFailure.status && old.reason === replicaFailure.reason ? old : replicaFailure);
  }
  return {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: counts.replicas,
    updatedReplicas: counts.updated,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    ...(desired - counts.available > 0 ? { unavailableReplicas: desired - counts.available } : {}),
    conditions,
  };
}

/**
 * The Progressing condition by kube-controller-manager's syncRolloutStatus: complete is NewReplicaSetAvailable
 * (and stays so while only old pods come and go); any progress (more updated, ready or available pods, fewer
 * old ones, a new ReplicaSet) is ReplicaSetUpdated with a fresh lastUpdateTime; no progress for
 * spec.progressDeadlineSeconds since that time is False ProgressDeadlineExceeded, which stays until progress.
 */
export function progressingCondition(
  d: any,
  counts: { replicas: number; updated: number; ready: number; available: number },
  newRsName: string | undefined,
  current: any | undefined,
  nowMs: number,
): { status: string; reason: string; message: string; progressed: boolean } {
  const desired = d.spec?.replicas ?? 1;
  if (d.spec?.paused) return { status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused', progressed: false };
  const complete = counts.updated === desired && counts.replicas === desired && counts.available === desired;
  const stillComplete = current?.reason === 'NewReplicaSetAvailable' && counts.replicas === counts.updated && current.message?.includes(`"${newRsName}"`);
  if (complete || stillComplete) return { status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newRsName}" has successfully progressed.`, progressed: false };
  const old = d.status ?? {};
  const progressed = !current || !current.message?.includes(`"${newRsName}"`)
    || counts.updated > (old.updatedReplicas ?? 0)
    || counts.replicas - counts.updated < (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
    || counts.ready > (old.readyReplicas ?? 0)
    || counts.available > (old.availableReplicas ?? 0);
  const updating = { status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newRsName}" is progressing.` };
  if (progressed) return { ...updating, progressed: true };
  const timedOut = { status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newRsName}" has timed out progressing.`, progressed: false };
  if (current.reason === 'ProgressDeadlineExceeded') return timedOut;
  const deadline = d.spec?.progressDeadlineSeconds;
  const since = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isInteger(deadline) && Number.isFinite(since) && since + deadline * 1000 < nowMs) return timedOut;
  return { ...updating, progressed: current.reason !== 'ReplicaSetUpdated' };
}

/** When a Deployment still progressing times out (ms since the epoch), to look again then; undefined if it cannot. */
export function progressDeadlineAt(d: any, status: any): number | undefined {
  const deadline = d.spec?.progressDeadlineSeconds;
  const c = (status?.conditions ?? []).find((x: any) => x.type === 'Progressing');
  if (!Number.isInteger(deadline) || c?.reason !== 'ReplicaSetUpdated') return undefined;
  const since = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(since) ? since + deadline * 1000 : undefined;
}

/**
 * A ReplicaSet's conditions after a sync, as kube-controller-manager's calculateStatus: a sync whose creates were
 * refused sets `ReplicaFailure True FailedCreate` with that refusal, unless the condition is there already (it then
 * stays as it was, first message and time); a sync without a refusal removes it.
 */
export function replicaFailureConditions(previous: any[] | undefined, refused: string | undefined, now: string): any[] {
  const others = (previous ?? []).filter((c) => c.type !== 'ReplicaFailure');
  if (!refused) return others;
  const failure = (previous ?? []).find((c) => c.type === 'ReplicaFailure');
  return [...others, failure ?? { type: 'ReplicaFailure', status: 'True', lastTransitionTime: now, reason: 'FailedCreate', message: refused }];
}

/**
 * The Deployment's ReplicaFailure condition, as kube-controller-manager's getReplicaFailures: the new ReplicaSet's,
 * else an old one's (in the order given), with its lastTransitionTime as both times; undefined when none has one.
 */
export function deploymentReplicaFailure(newRs: any | undefined, all: readonly any[]): any | undefined {
  const failureOf = (rs: any) => (rs?.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
  const c = failureOf(newRs) ?? all.map(failureOf).find((x) => x);
  if (!c) return undefined;
  return { type: 'ReplicaFailure', status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/** Kubernetes' limit on the length of `deployment.kubernetes.io/revision-history` (maxRevHistoryLengthInChars). */
const MAX_REVISION_HISTORY_CHARS = 2000;

/**
 * The annotations of a ReplicaSet taken up again as the Deployment's newest revision (`rollout undo`), as
 * kube-controller-manager's SetNewReplicaSetAnnotations: the new `deployment.kubernetes.io/revision`, and the
 * revision it had appended to `deployment.kubernetes.io/revision-history` (comma-separated, oldest first, the oldest
 * dropped beyond 2000 characters). A revision not below the new one is kept as it is.
 */
export function revisedAnnotations(annotations: Record<string, string> | undefined, newRevision: number): Record<string, string> {
  const next = { ...(annotations ?? {}) };
  const had = next[REVISION_ANNOTATION];
  const old = had === undefined || had === '' ? 0 : Number(had);
  if (!Number.isInteger(old) || old >= newRevision) return next;
  next[REVISION_ANNOTATION] = String(newRevision);
  if (had === undefined) return next;
  const history = next[REVISION_HISTORY_ANNOTATION] ?? '';
  if (history === '') {
    next[REVISION_HISTORY_ANNOTATION] = had;
    return next;
  }
  const olds = history.split(',');
  let total = history.length + had.length + 1;
  let start = 0;
  while (total > MAX_REVISION_HISTORY_CHARS && start < olds.length) total -= olds[start++].length + 1;
  if (total <= MAX_REVISION_HISTORY_CHARS) next[REVISION_HISTORY_ANNOTATION] = [...olds.slice(start), had].join(',');
  return next;
}

/**
 * One step of a Recreate rollout (kube-controller-manager's rolloutRecreate): old ReplicaSets still sized go to 0
 * (and nothing else happens in that step); while an old ReplicaSet reports pods or an old pod has not finished
 * (being deleted or not), nothing more; then the new ReplicaSet is made — only then, so no new pod starts beside an
 * old one — or sized to the replicas.
 */
export function recreateStep(olds: ReadonlyArray<{ replicas: number; statusReplicas: number; pods: readonly any[] }>): 'scaleDownOld' | 'waitForOldPods' | 'scaleUpNew' {
  if (olds.some((o) => o.replicas > 0)) return 'scaleDownOld';
  const running = olds.some((o) => o.statusReplicas > 0 || o.pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'));
  return running ? 'waitForOldPods' : 'scaleUpNew';
}
