/** kube-controller-manager's proportional scaling of a Deployment's ReplicaSets (its deployment controller's scale()). */

export interface RsSize {
  name: string;
  replicas: number;
  created: string;
  /** `deployment.kubernetes.io/max-replicas`: the Deployment's replicas plus its surge when the ReplicaSet was last sized. */
  maxReplicas?: number;
}

/**
 * The sizes of a rolling Deployment's active ReplicaSets once its replicas changed in the middle of a rollout: the
 * change (against replicas + maxSurge, or against 0 when scaled to zero) spread over them in proportion to their
 * share of the Deployment's size before the change (the max-replicas annotation, else `status.replicas`), largest
 * first (newest first among equals when growing, oldest first when shrinking), leftovers to the first one.
 */
export function proportionalSizes(desired: number, maxSurge: number, statusReplicas: number, active: readonly RsSize[]): Map<string, number> {
  const total = active.reduce((n, rs) => n + rs.replicas, 0);
  const toAdd = (desired > 0 ? desired + maxSurge : 0) - total;
  const sorted = [...active].sort((a, b) => b.replicas - a.replicas || (toAdd > 0 ? b.created.localeCompare(a.created) || b.name.localeCompare(a.name) : a.created.localeCompare(b.created) || a.name.localeCompare(b.name)));
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    let proportion = 0;
    if (toAdd !== 0 && rs.replicas !== 0 && added !== toAdd) {
      const fraction = fractionOf(rs, desired, maxSurge, statusReplicas);
      // Never past what is left to add (or to take away).
      proportion = toAdd > 0 ? Math.min(fraction, toAdd - added) : Math.max(fraction, toAdd - added);
    }
    sizes.set(rs.name, rs.replicas + proportion);
    added += proportion;
  }
  if (sorted.length > 0 && toAdd !== 0) {
    const first = sorted[0].name;
    sizes.set(first, Math.max(sizes.get(first)! + toAdd - added, 0));
  }
  return sizes;
}

/** What one ReplicaSet's share of the new size adds to it (negative: takes away). */
function fractionOf(rs: RsSize, desired: number, maxSurge: number, statusReplicas: number): number {
  if (desired === 0) return -rs.replicas;
  const before = rs.maxReplicas || statusReplicas;
  if (!before) return 0;
  return Math.round((rs.replicas / before) * (desired + maxSurge)) - rs.replicas;
}
