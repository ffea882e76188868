/**
 * Generic ephemeral volumes (`spec.volumes[].ephemeral.volumeClaimTemplate`): each is a PersistentVolumeClaim of the
 * pod's own, made from the template and named `<pod name>-<volume name>`, as Kubernetes names it.
 */

/** The claim a pod's ephemeral volume is. */
export function ephemeralClaimName(pod: any, volume: any): string {
  return `${pod.metadata.name}-${volume.name}`;
}

/** Whether the claim is the pod's own: its controller owner reference names the pod's uid. */
export function claimOwnedByPod(claim: any, pod: any): boolean {
  return (claim?.metadata?.ownerReferences ?? []).some((r: any) => r?.controller === true && r.uid === pod.metadata.uid);
}

/**
 * The claim a volume of the pod refers to, if any: a `persistentVolumeClaim`'s `claimName`, an `ephemeral` one's
 * generated name (`ephemeral: true`: the claim must then be the pod's own).
 */
export function volumeClaim(pod: any, volume: any): { name: string; ephemeral: boolean } | undefined {
  if (volume?.persistentVolumeClaim?.claimName) return { name: volume.persistentVolumeClaim.claimName, ephemeral: false };
  if (volume?.ephemeral) return { name: ephemeralClaimName(pod, volume), ephemeral: true };
  return undefined;
}

/** Why the pod cannot use an ephemeral volume's claim that exists but is not its own (kube-scheduler's words). */
export function notOwnedClaimMessage(pod: any, claimName: string): string {
  const ns = pod.metadata.namespace;
  return `PVC ${ns}/${claimName} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)`;
}
