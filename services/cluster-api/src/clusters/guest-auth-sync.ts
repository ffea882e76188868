import { ROLE_BINDINGS_RESOURCE } from '@openpacific/contracts';
import { ReadModel, sameJson, timerDelay } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { guestRequest, isNotFound } from './guest-client';
import type { GuestAccess } from './guest-nodes';
import { kubeconfigAccess, secretNames } from './guest-secrets';
import { CR } from './objects';

/**
 * vSphere's auth sync for guest clusters: whoever may edit a vSphere Namespace (a RoleBinding there to the ClusterRole
 * `edit`, or `admin` for its owners) is cluster-admin in every guest cluster of that namespace, as the Supervisor's
 * sessions name them there (`sso:<user>`, `sso:<group>`). "Can view" grants nothing in a guest. The bindings are the
 * guest's ClusterRoleBindings `vmware-system-auth-sync-wcp:<ns>:user:<name>` / `…:group:<name>`: this sync creates,
 * corrects and deletes those, and never touches a binding without that prefix.
 */
export const AUTH_SYNC_PREFIX = 'vmware-system-auth-sync-wcp:';
/** On every binding the sync keeps, so that they are recognisable (`kubectl get clusterrolebindings -l …`). */
export const AUTH_SYNC_LABEL = 'openpacific.io/auth-sync';
/** The Supervisor namespace whose RoleBindings a guest binding comes from. */
export const AUTH_SYNC_NAMESPACE_LABEL = 'openpacific.io/auth-sync-namespace';
/** How the Supervisor's sessions name a user or group in a guest (its gateway's `sso:` token source). */
export const SSO_PREFIX = 'sso:';
/** The Supervisor roles that make one cluster-admin in the namespace's guest clusters. */
export const SYNCED_ROLES: readonly string[] = ['edit', 'admin'];
const RBAC = 'rbac.authorization.k8s.io';
const CRB_PATH = `/apis/${RBAC}/v1/clusterrolebindings`;
/** A guest in sync is looked at again this often (someone may have deleted or changed a binding there). */
const RESYNC_MS = 30_000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

export interface GuestBinding {
  apiVersion: string;
  kind: 'ClusterRoleBinding';
  metadata: { name: string; labels: Record<string, string>; resourceVersion?: string };
  roleRef: { apiGroup: string; kind: 'ClusterRole'; name: 'cluster-admin' };
  subjects: { apiGroup: string; kind: 'User' | 'Group'; name: string }[];
}

/** A name a ClusterRoleBinding may have (a path segment: not `.` or `..`, no `/` or `%`). */
function validName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/%]/.test(name) && name.length <= 253;
}

/**
 * The guest ClusterRoleBindings that `namespace`'s RoleBindings call for, by name: one per User and Group subject of a
 * binding to the ClusterRole `edit` or `admin` (ServiceAccounts are the Supervisor's own and skipped, as are names no
 * binding could have). Several bindings naming one user make one guest binding.
 */
export function desiredGuestBindings(namespace: string, roleBindings: readonly any[]): Map<string, GuestBinding> {
  const out = new Map<string, GuestBinding>();
  for (const rb of roleBindings) {
    if (rb.metadata?.deletionTimestamp || rb.roleRef?.kind !== 'ClusterRole' || !SYNCED_ROLES.includes(rb.roleRef?.name)) continue;
    for (const s of rb.subjects ?? []) {
      if ((s?.kind !== 'User' && s?.kind !== 'Group') || typeof s.name !== 'string' || s.name === '') continue;
      if (s.apiGroup !== undefined && s.apiGroup !== RBAC) continue;
      const name = `${AUTH_SYNC_PREFIX}${namespace}:${s.kind === 'User' ? 'user' : 'group'}:${s.name}`;
      if (!validName(name)) continue;
      out.set(name, {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: { name, labels: { [AUTH_SYNC_LABEL]: 'wcp', [AUTH_SYNC_NAMESPACE_LABEL]: namespace } },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: RBAC, kind: s.kind, name: `${SSO_PREFIX}${s.name}` }],
      });
    }
  }
  return out;
}

export interface SyncPlan {
  create: GuestBinding[];
  /** Bindings to replace, with the guest's resourceVersion. */
  update: GuestBinding[];
  /** Names to delete: synced bindings no RoleBinding calls for any more, and those whose roleRef (immutable) differs. */
  remove: string[];
}

/** What to do in the guest, given its ClusterRoleBindings now: only those named with the sync's prefix count. */
export function syncPlan(desired: Map<string, GuestBinding>, existing: readonly any[]): SyncPlan {
  const plan: SyncPlan = { create: [], update: [], remove: [] };
  const seen = new Map(existing.filter((b) => typeof b?.metadata?.name === 'string' && b.metadata.name.startsWith(AUTH_SYNC_PREFIX)).map((b) => [b.metadata.name as string, b]));
  for (const [name, b] of seen) {
    const want = desired.get(name);
    if (!want || !sameJson(b.roleRef, want.roleRef)) plan.remove.push(name);
  }
  for (const [name, want] of desired) {
    const have = seen.get(name);
    if (!have || !sameJson(have.roleRef, want.roleRef)) plan.create.push(want);
    else if (!sameJson(have.subjects ?? [], want.subjects) || !labelsHold(have.metadata.labels, want.metadata.labels)) {
      plan.update.push({ ...want, metadata: { ...want.metadata, labels: { ...have.metadata.labels, ...want.metadata.labels }, resourceVersion: have.metadata.resourceVersion } });
    }
  }
  return plan;
}

function labelsHold(have: Record<string, string> | undefined, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

/** The guest's bindings brought to `desired`; resolves with what was done, rejects on the first failed call. */
export async function applySync(access: GuestAccess, desired: Map<string, GuestBinding>, timeoutMs: number): Promise<SyncPlan> {
  const list = await guestRequest(access, 'GET', CRB_PATH, { timeoutMs });
  const plan = syncPlan(desired, list?.items ?? []);
  for (const name of plan.remove) {
    await guestRequest(access, 'DELETE', `${CRB_PATH}/${encodeURIComponent(name)}`, { timeoutMs }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }
  for (const b of plan.create) await guestRequest(access, 'POST', CRB_PATH, { body: b, timeoutMs });
  for (const b of plan.update) await guestRequest(access, 'PUT', `${CRB_PATH}/${encodeURIComponent(b.metadata.name)}`, { body: b, timeoutMs });
  return plan;
}

/** One guest to keep in sync: how to reach it and what it should hold. */
export interface AuthSyncTarget {
  cluster: string;
  access: GuestAccess;
  desired: Map<string, GuestBinding>;
}

/**
 * The guests to sync, by Cluster uid: each Cluster not being deleted whose control plane is initialized (a Cluster
 * without a control plane object counts as such, as its health checks take it) and that has its admin kubeconfig.
 */
export function authSyncTargets(model: ReadModel): Map<string, AuthSyncTarget> {
  const out = new Map<string, AuthSyncTarget>();
  const byNamespace = new Map<string, Map<string, GuestBinding>>();
  for (const { object: c } of model.list(CR.clusters)) {
    if (c.metadata.deletionTimestamp) continue;
    const ns = c.metadata.namespace;
    const kcp = c.spec?.controlPlaneRef?.name ? model.get(CR.kcps, ns, c.spec.controlPlaneRef.name)?.object : undefined;
    if (c.spec?.controlPlaneRef && !kcp?.status?.initialized) continue;
    const access = kubeconfigAccess(model.get('secrets', ns, secretNames.kubeconfig(c.metadata.name))?.object);
    if (!access) continue;
    let desired = byNamespace.get(ns);
    if (!desired) byNamespace.set(ns, (desired = desiredGuestBindings(ns, model.list(ROLE_BINDINGS_RESOURCE, ns).map((s) => s.object))));
    out.set(c.metadata.uid, { cluster: `${ns}/${c.metadata.name}`, access, desired });
  }
  return out;
}

interface Synced {
  target: AuthSyncTarget;
  /** What was last brought about (the desired bindings and the access), and when. */
  doneKey?: string;
  doneAt?: number;
  failures: number;
  retryAt?: number;
  inFlight: boolean;
}

/**
 * Keeps each guest's synced bindings as its namespace's RoleBindings say, in the background of the cluster passes:
 * a guest is written to when what it should hold changes, looked at again every 30 s, and, while unreachable or
 * refusing, tried again from 1 s doubling to 30 s. Calls are bounded by `timeoutMs`; one guest's at a time.
 */
export class GuestAuthSync {
  private readonly guests = new Map<string, Synced>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: { timeoutMs: number; logger: Logger; resyncMs?: number; now?: () => number }) {}

  /** Sync exactly these guests (by Cluster uid); others are forgotten. */
  track(targets: Map<string, AuthSyncTarget>): void {
    for (const uid of this.guests.keys()) if (!targets.has(uid)) this.guests.delete(uid);
    for (const [uid, target] of targets) {
      const g = this.guests.get(uid);
      if (g) g.target = target;
      else this.guests.set(uid, { target, failures: 0, inFlight: false });
    }
    this.kick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.guests.clear();
  }

  /** Starts what is due, and arms the timer for the next one due. */
  private kick(): void {
    const now = this.now();
    let next = Infinity;
    for (const [uid, g] of this.guests) {
      if (g.inFlight) continue;
      const due = this.dueAt(g);
      if (due <= now) this.run(uid, g);
      else next = Math.min(next, due);
    }
    clearTimeout(this.timer);
    if (next !== Infinity) this.timer = setTimeout(() => this.kick(), Math.max(timerDelay(next, now), 50)).unref();
  }

  private dueAt(g: Synced): number {
    if (g.retryAt !== undefined) return g.retryAt;
    if (g.doneKey !== keyOf(g.target)) return 0;
    return (g.doneAt ?? 0) + (this.opts.resyncMs ?? RESYNC_MS);
  }

  private run(uid: string, g: Synced): void {
    g.inFlight = true;
    const key = keyOf(g.target);
    const { target } = g;
    applySync(target.access, target.desired, this.opts.timeoutMs)
      .then((plan) => {
        g.doneKey = key;
        g.doneAt = this.now();
        g.failures = 0;
        g.retryAt = undefined;
        if (plan.create.length || plan.update.length || plan.remove.length) {
          this.opts.logger.info('guest cluster auth synced', { cluster: target.cluster, created: plan.create.map((b) => b.metadata.name), updated: plan.update.map((b) => b.metadata.name), deleted: plan.remove });
        }
      })
      .catch((err) => {
        g.failures++;
        const delay = Math.min(RETRY_FIRST_MS * 2 ** Math.min(g.failures - 1, 5), RETRY_MAX_MS);
        g.retryAt = this.now() + delay;
        this.opts.logger.debug('guest cluster auth sync failed; trying again', { cluster: target.cluster, inMs: delay, error: (err as Error).message });
      })
      .finally(() => {
        g.inFlight = false;
        if (this.guests.get(uid) === g) this.kick();
      });
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}

function keyOf(t: AuthSyncTarget): string {
  return JSON.stringify([t.access.server, t.access.token, [...t.desired.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))]);
}
