import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import { isPodReady } from './workload-logic';
import { rfc3339 } from '@openpacific/contracts';

/** Pure decisions of the disruption controller (kube-controller-manager's rules for a PodDisruptionBudget's status). */

/** How long an eviction's pod counts as disrupted before it must be gone (kube-controller-manager's DeletionTimeout). */
export const DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

/** The pods a budget covers: its selector's (absent: none; empty: all of its namespace). */
export function coveredPods(pdb: any, pods: any[]): any[] {
  const sel = pdb.spec?.selector;
  if (!sel) return [];
  const selector = labelSelectorFromObject(sel);
  return pods.filter((p) => p.metadata.namespace === pdb.metadata.namespace && matchesLabelSelector(selector, p.metadata.labels ?? {}));
}

function percent(v: unknown): number | undefined {
  const m = /^(\d+)%$/.exec(String(v));
  return m ? Number(m[1]) : undefined;
}

/**
 * The budget's status: `expectedPods` (the replicas its pods' controllers want, via `scaleOf`; the pods themselves for
 * an integer minAvailable), `desiredHealthy`, `currentHealthy` (Ready, not being deleted, not just evicted),
 * `disruptionsAllowed`, the evictions still pending in `disruptedPods`, and the DisruptionAllowed condition.
 * `scaleOf(pod)` answers the replicas of the pod's controller and a key for it, or nothing for a pod without one
 * (which then counts for itself).
 */
export function budgetStatus(pdb: any, pods: any[], scaleOf: (pod: any) => { key: string; replicas: number } | undefined, now: number): any {
  const covered = coveredPods(pdb, pods).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const live = new Map(covered.filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.metadata.name, p]));
  const disruptedPods: Record<string, string> = {};
  for (const [name, at] of Object.entries<string>(pdb.status?.disruptedPods ?? {})) {
    if (live.has(name) && Date.parse(at) + DISRUPTION_TIMEOUT_MS > now) disruptedPods[name] = at;
  }
  const currentHealthy = [...live.values()].filter((p) => isPodReady(p) && !disruptedPods[p.metadata.name]).length;
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  const byControllers = () => {
    const scales = new Map<string, number>();
    let own = 0;
    for (const p of covered) {
      const s = scaleOf(p);
      if (s) scales.set(s.key, s.replicas);
      else own++;
    }
    return own + [...scales.values()].reduce((a, b) => a + b, 0);
  };
  let expectedPods: number;
  let desiredHealthy: number;
  if (maxUnavailable !== undefined) {
    expectedPods = byControllers();
    const pct = percent(maxUnavailable);
    desiredHealthy = Math.max(0, expectedPods - (pct === undefined ? Number(maxUnavailable) : Math.ceil((pct * expectedPods) / 100)));
  } else if (minAvailable !== undefined && percent(minAvailable) !== undefined) {
    expectedPods = byControllers();
    desiredHealthy = Math.ceil((percent(minAvailable)! * expectedPods) / 100);
  } else {
    expectedPods = covered.length;
    desiredHealthy = minAvailable === undefined ? 0 : Number(minAvailable);
  }
  const allowed = expectedPods > 0 ? Math.max(0, currentHealthy - desiredHealthy) : 0;
  const previous = (pdb.status?.conditions ?? []).find((c: any) => c.type === 'DisruptionAllowed');
  const status = allowed > 0 ? 'True' : 'False';
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: [{
      type: 'DisruptionAllowed',
      status,
      reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: pdb.metadata.generation ?? 1,
      lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : rfc3339(now),
    }],
  };
}

/** When the earliest pending eviction in the status times out (ms since the epoch), if any. */
export function disruptionDeadline(status: any): number | undefined {
  const times = Object.values<string>(status?.disruptedPods ?? {}).map((t) => Date.parse(t) + DISRUPTION_TIMEOUT_MS).filter(Number.isFinite);
  return times.length ? Math.min(...times) : undefined;
}
