import { goDuration } from '@openpacific/contracts';
import { condition, durationMs, LABELS, mergeConditions } from './objects';

export const HEALTH_CHECK_SUCCEEDED = 'HealthCheckSucceeded';
export const OWNER_REMEDIATED = 'OwnerRemediated';
const DEFAULT_NODE_STARTUP_MS = 10 * 60_000;
/** On a Machine: remediate it now, whatever its node says. */
export const REMEDIATE_MACHINE_ANNOTATION = 'cluster.x-k8s.io/remediate-machine';
/** On a Machine: never remediate it (it is not a target of any check). */
export const SKIP_REMEDIATION_ANNOTATION = 'cluster.x-k8s.io/skip-remediation';
/** On any Cluster API object: its controllers leave it alone. */
export const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';

/** A machine a MachineHealthCheck selects, with what the guest says of the node its `status.nodeRef` names. */
export interface HealthTarget {
  machine: any;
  /** The node's conditions; `missing` when the guest no longer has it; undefined while there is no node to ask about. */
  node?: { conditions: { type: string; status: string; lastTransitionTime?: string }[] } | 'missing';
}

/** What of the machines' Cluster the check waits for, as Cluster API's does. */
export interface ClusterState {
  infrastructureReady: boolean;
  /** When the Cluster's infrastructure became ready (ms since the epoch). */
  infrastructureReadyAt?: number;
  controlPlaneInitialized: boolean;
}

export type Verdict =
  | { health: 'healthy' }
  | { health: 'unhealthy'; reason: 'HasRemediateMachineAnnotation' | 'NodeNotFound' | 'NodeStartupTimeout' | 'UnhealthyNode'; message: string }
  /** Not judged: waiting for its node, for a condition's timeout (`nextCheckMs`), or for its cluster. */
  | { health: 'unknown'; nextCheckMs?: number };

export interface HealthCheckOutcome {
  /** By machine uid. */
  verdicts: Map<string, Verdict>;
  remediationAllowed: boolean;
  status: any;
  /** When a machine may turn unhealthy next, if one may. */
  nextCheckMs?: number;
}

/**
 * Whether a MachineHealthCheck is left alone, as Cluster API's controller leaves it: its Cluster says `spec.paused`, or
 * the check itself carries the paused annotation. Nothing is judged and nothing written while it is.
 */
export function healthCheckPaused(mhc: any, cluster: any | undefined): boolean {
  return !!cluster?.spec?.paused || mhc.metadata.annotations?.[PAUSED_ANNOTATION] !== undefined;
}

/** A Machine no check takes as a target (shouldSkipRemediation): it is paused, or says skip-remediation. */
export function skipsRemediation(m: any): boolean {
  const a = m.metadata.annotations ?? {};
  return a[PAUSED_ANNOTATION] !== undefined || a[SKIP_REMEDIATION_ANNOTATION] !== undefined;
}

/**
 * Whether a machine needs remediation, as Cluster API's health check target decides it (v1beta1 reasons): it carries
 * the remediate-machine annotation (at once, whatever else holds); its node is gone; it had no node within `nodeStartupTimeout` (from its creation, or from when it or its cluster's
 * infrastructure got ready, whichever is latest); or one of `unhealthyConditions` has held on its node for longer
 * than its timeout. Workers are not judged before the control plane is initialized, nor any machine before its
 * cluster's infrastructure is ready.
 */
export function machineVerdict(target: HealthTarget, mhc: any, cluster: ClusterState, now: number): Verdict {
  const m = target.machine;
  if (m.metadata.annotations?.[REMEDIATE_MACHINE_ANNOTATION] !== undefined) return { health: 'unhealthy', reason: 'HasRemediateMachineAnnotation', message: 'Marked for remediation via remediate-machine annotation' };
  if (target.node === 'missing') return { health: 'unhealthy', reason: 'NodeNotFound', message: '' };
  const controlPlane = m.metadata.labels?.[LABELS.controlPlane] !== undefined;
  if ((!cluster.controlPlaneInitialized && !controlPlane) || !cluster.infrastructureReady) return { health: 'unknown' };
  if (!target.node) {
    const timeout = mhc.spec.nodeStartupTimeout === undefined ? DEFAULT_NODE_STARTUP_MS : durationMs(mhc.spec.nodeStartupTimeout) ?? DEFAULT_NODE_STARTUP_MS;
    if (timeout === 0) return { health: 'unknown' };
    const infrastructure = (m.status?.conditions ?? []).find((c: any) => c.type === 'InfrastructureReady' && c.status === 'True');
    const since = Math.max(Date.parse(m.metadata.creationTimestamp) || 0, Date.parse(infrastructure?.lastTransitionTime) || 0, cluster.infrastructureReadyAt ?? 0);
    if (since + timeout < now) return { health: 'unhealthy', reason: 'NodeStartupTimeout', message: `Node failed to report startup in ${goDuration(timeout / 1000)}` };
    return { health: 'unknown', nextCheckMs: since + timeout - now + 1000 };
  }
  let nextCheckMs: number | undefined;
  for (const u of mhc.spec.unhealthyConditions ?? []) {
    const c = target.node.conditions.find((x) => x.type === u.type);
    if (!c || c.status !== u.status) continue;
    const timeout = durationMs(u.timeout) ?? Infinity;
    // A condition without a transition time has held since ever (Go's zero time).
    const since = Date.parse(c.lastTransitionTime ?? '') || 0;
    if (since + timeout < now) {
      return { health: 'unhealthy', reason: 'UnhealthyNode', message: `Condition ${u.type} on node is reporting status ${u.status} for more than ${goDuration(timeout / 1000)}` };
    }
    const next = since + timeout - now + 1000;
    if (Number.isFinite(next)) nextCheckMs = Math.min(nextCheckMs ?? next, next);
  }
  return nextCheckMs === undefined ? { health: 'healthy' } : { health: 'unknown', nextCheckMs };
}

/**
 * One pass of a MachineHealthCheck over its targets: each machine's verdict, and the check's status. Machines not
 * (yet) healthy count against `maxUnhealthy` (default 100%; a percentage of the targets, rounded down); above it,
 * nothing is remediated (`RemediationAllowed` False, `TooManyUnhealthy`).
 */
export function healthCheck(mhc: any, targets: HealthTarget[], cluster: ClusterState, now: number): HealthCheckOutcome {
  const verdicts = new Map(targets.map((t) => [t.machine.metadata.uid as string, machineVerdict(t, mhc, cluster, now)]));
  const healthy = [...verdicts.values()].filter((v) => v.health === 'healthy').length;
  const unhealthy = targets.length - healthy;
  const max = String(mhc.spec.maxUnhealthy ?? '100%');
  const allowed = max.endsWith('%') ? Math.floor((targets.length * Number(max.slice(0, -1))) / 100) : Number(max);
  const remediationAllowed = unhealthy <= allowed;
  const message = `Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: ${targets.length}, unhealthy: ${unhealthy}, maxUnhealthy: ${max})`;
  const next = [...verdicts.values()].flatMap((v) => (v.health === 'unknown' && v.nextCheckMs ? [v.nextCheckMs] : []));
  return {
    verdicts,
    remediationAllowed,
    status: {
      expectedMachines: targets.length,
      currentHealthy: healthy,
      remediationsAllowed: remediationAllowed ? allowed - unhealthy : 0,
      targets: targets.map((t) => t.machine.metadata.name).sort(),
      conditions: mergeConditions(mhc.status?.conditions, [remediationAllowed ? condition('RemediationAllowed', true) : warning('RemediationAllowed', 'TooManyUnhealthy', message)]),
    },
    ...(next.length ? { nextCheckMs: Math.min(...next) } : {}),
  };
}

/**
 * A Machine's `HealthCheckSucceeded` and `OwnerRemediated` after a check: True, or False with the reason; when the
 * machine is to be remediated, `OwnerRemediated` False (`WaitingForRemediation`) asks its owner to replace it (set
 * only when absent or True: a remediation under way is the owner's). Without a verdict they stay as they were.
 */
export function healthConditions(existing: any[] = [], verdict?: Verdict, remediate = false): any[] {
  let succeeded = existing.find((c) => c.type === HEALTH_CHECK_SUCCEEDED);
  let owner = existing.find((c) => c.type === OWNER_REMEDIATED);
  if (verdict?.health === 'healthy') succeeded = condition(HEALTH_CHECK_SUCCEEDED, true);
  if (verdict?.health === 'unhealthy') {
    succeeded = warning(HEALTH_CHECK_SUCCEEDED, verdict.reason, verdict.message);
    if (remediate && (!owner || owner.status === 'True')) owner = warning(OWNER_REMEDIATED, 'WaitingForRemediation', '');
  }
  return [succeeded, owner].filter(Boolean);
}

/** A machine its health check found unhealthy and asked its owner (MachineSet, KubeadmControlPlane) to replace. */
export function remediationAsked(m: any): boolean {
  const conditions: any[] = m.status?.conditions ?? [];
  const isFalse = (type: string) => conditions.some((c) => c.type === type && c.status === 'False');
  return isFalse(HEALTH_CHECK_SUCCEEDED) && isFalse(OWNER_REMEDIATED);
}

function warning(type: string, reason: string, message: string): any {
  return { ...condition(type, false, reason, message), severity: 'Warning' };
}
