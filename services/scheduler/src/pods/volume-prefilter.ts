import { claimOwnedByPod, claimStorageClass, isDefaultStorageClass, notOwnedClaimMessage, volumeClaim } from '@openpacific/contracts';

/** Finds a claim of the pod's namespace by name; and a StorageClass by name (`undefined`: the default one). */
export interface ClaimLookup {
  claim(namespace: string, name: string): any | undefined;
  classes(): any[];
}

/**
 * kube-scheduler's VolumeBinding PreFilter for the pod's claims: why no host can take the pod yet, in its words, or
 * undefined. A claim that does not exist or is being deleted, an ephemeral volume's claim not made yet or not the
 * pod's own, and a claim of a class that binds at once (`Immediate`) not bound yet all hold the pod back until the
 * claim changes; a claim of a `WaitForFirstConsumer` class does not (it is bound for the pod's sake).
 */
export function claimsPreFilter(pod: any, lookup: ClaimLookup): string | undefined {
  const volumes: any[] = pod.spec?.volumes ?? [];
  if (volumes.length === 0) return undefined;
  const namespace = pod.metadata.namespace;
  let unboundImmediate = false;
  for (const v of volumes) {
    const named = volumeClaim(pod, v);
    if (!named) continue;
    const claim = lookup.claim(namespace, named.name);
    if (!claim) return named.ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${named.name}"` : `persistentvolumeclaim "${named.name}" not found`;
    if (named.ephemeral && !claimOwnedByPod(claim, pod)) return notOwnedClaimMessage(pod, named.name);
    if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${named.name}" is being deleted`;
    if (claim.status?.phase === 'Bound') continue;
    const className = claimStorageClass(claim);
    const cls = lookup.classes().find((c) => (className ? c.metadata.name === className : isDefaultStorageClass(c)));
    if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') unboundImmediate = true;
  }
  return unboundImmediate ? 'pod has unbound immediate PersistentVolumeClaims' : undefined;
}
