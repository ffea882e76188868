import { isAbsolute, relative } from 'node:path';
import { claimOwnedByPod, claimStorageClass, DATASTORE_PROVISIONER, isDefaultStorageClass, volumeClaim } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector, parseQuantity } from '@openpacific/kube-api';

/**
 * The binding decisions of the volume binder, as pure functions of the objects: which class a claim
 * uses, which volume fits it, what the datastore holds, what happens to a volume whose claim went.
 */

export function storageBytes(q: unknown): number {
  return typeof q === 'string' || typeof q === 'number' ? (parseQuantity(q) ?? 0) : 0;
}

export function claimRequestBytes(claim: any): number {
  return storageBytes(claim.spec?.resources?.requests?.storage);
}

export function volumeCapacityBytes(pv: any): number {
  return storageBytes(pv.spec?.capacity?.storage);
}

/** The default class: the newest of those marked default, as Kubernetes picks when several are. */
export function defaultClass(classes: any[]): any | undefined {
  return classes
    .filter(isDefaultStorageClass)
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name))[0];
}

/** The class a claim binds in: its own, or the default class when it names none ('' means no class at all). */
export function effectiveClassName(claim: any, classes: any[]): string {
  return claimStorageClass(claim) ?? defaultClass(classes)?.metadata.name ?? '';
}

function claimRefNames(pv: any, claim: any): boolean {
  const ref = pv.spec?.claimRef;
  return !!ref && ref.namespace === claim.metadata.namespace && ref.name === claim.metadata.name && (!ref.uid || ref.uid === claim.metadata.uid);
}

function isUnclaimed(pv: any, claim: any): boolean {
  const phase = pv.status?.phase;
  if (pv.metadata.deletionTimestamp || (phase !== undefined && phase !== 'Pending' && phase !== 'Available')) return false;
  return !pv.spec?.claimRef || claimRefNames(pv, claim);
}

/**
 * Can this volume serve this claim: free (or reserved for it), same class and mode, all access modes, big enough;
 * and, unless the claim names it or it is reserved for the claim, labelled as the claim's `selector` asks (as the
 * persistent volume controller's FindMatchingVolume filters free volumes).
 */
export function volumeFitsClaim(pv: any, claim: any, className: string): boolean {
  if (pv.metadata?.deletionTimestamp) return false;
  if (claim.spec?.volumeName && claim.spec.volumeName !== pv.metadata.name) return false;
  if (!isUnclaimed(pv, claim) || (pv.spec?.storageClassName ?? '') !== className) return false;
  if (claim.spec?.selector && !claim.spec.volumeName && !claimRefNames(pv, claim) && !selects(claim.spec.selector, pv)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!(claim.spec?.accessModes ?? []).every((m: string) => modes.includes(m))) return false;
  return volumeCapacityBytes(pv) >= claimRequestBytes(claim);
}

/** Does a claim's selector take this volume; one that cannot be read (an unknown operator) takes none. */
function selects(selector: any, pv: any): boolean {
  try {
    return matchesLabelSelector(labelSelectorFromObject(selector), pv.metadata?.labels ?? {});
  } catch {
    return false;
  }
}

/** The volume a claim binds to: one reserved for it first, else the smallest that fits (as Kubernetes chooses). */
export function findVolumeForClaim(claim: any, className: string, pvs: any[]): any | undefined {
  const fits = pvs.filter((pv) => volumeFitsClaim(pv, claim, className));
  const rank = (pv: any) => (claimRefNames(pv, claim) ? 0 : 1);
  return fits.sort((a, b) => rank(a) - rank(b) || volumeCapacityBytes(a) - volumeCapacityBytes(b) || a.metadata.name.localeCompare(b.metadata.name))[0];
}

/** Is `path` strictly inside the datastore directory. */
export function inDatastore(path: string | undefined, datastoreDir: string): boolean {
  if (!path) return false;
  const rel = relative(datastoreDir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Bytes the datastore's volumes take: every volume whose directory lies in it, bound, released or free. */
export function datastoreUsedBytes(pvs: any[], datastoreDir: string): number {
  return pvs.filter((pv) => inDatastore(pv.spec?.hostPath?.path, datastoreDir)).reduce((sum, pv) => sum + volumeCapacityBytes(pv), 0);
}

/**
 * Bytes the datastore's snapshots take: each snapshot (handle) a VolumeSnapshotContent of its driver holds, once
 * however many contents name it, at the size of the volume it copied (its restoreSize), whether a VolumeSnapshot
 * still names it or not.
 */
export function snapshotsUsedBytes(contents: any[]): number {
  const sizes = new Map<string, number>();
  for (const c of contents) {
    const size = Number(c.status?.restoreSize);
    if (c.spec?.driver === DATASTORE_PROVISIONER && c.status?.snapshotHandle && c.status?.restoreSize !== undefined && Number.isFinite(size)) sizes.set(c.status.snapshotHandle, size);
  }
  let sum = 0;
  for (const size of sizes.values()) sum += size;
  return sum;
}

/** Bytes the datastore holds: its volumes (`datastoreUsedBytes`) and the snapshots of them (`snapshotsUsedBytes`). */
export function datastoreHeldBytes(pvs: any[], contents: any[], datastoreDir: string): number {
  return datastoreUsedBytes(pvs, datastoreDir) + snapshotsUsedBytes(contents);
}

/** Does `bytes` more fit; a datastore without a stated size holds anything. */
export function fitsDatastore(usedBytes: number, bytes: number, capacityBytes?: number): boolean {
  return capacityBytes === undefined || usedBytes + bytes <= capacityBytes;
}

export type ClaimPlan =
  | { action: 'bind'; volume: any }
  | { action: 'provision'; storageClass: any }
  | { action: 'wait'; type: 'Normal' | 'Warning'; reason: string; message: string };

/**
 * What to do with a Pending claim: bind a fitting volume, provision one in the datastore, or wait (and why).
 * `hasConsumer`: some pod uses the claim (WaitForFirstConsumer classes provision only then).
 */
export function planClaim(claim: any, className: string, classes: any[], pvs: any[], hasConsumer: boolean): ClaimPlan {
  const volume = findVolumeForClaim(claim, className, pvs);
  if (volume) return { action: 'bind', volume };
  if (claim.spec?.volumeName) return { action: 'wait', type: 'Normal', reason: 'FailedBinding', message: `volume "${claim.spec.volumeName}" is not available for this claim` };
  if (!className) return { action: 'wait', type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' };
  const storageClass = classes.find((c) => c.metadata.name === className);
  if (!storageClass) return { action: 'wait', type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${className}" not found` };
  if (storageClass.provisioner !== DATASTORE_PROVISIONER) {
    const message = `Waiting for a volume to be created either by the external provisioner '${storageClass.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;
    return { action: 'wait', type: 'Normal', reason: 'ExternalProvisioning', message };
  }
  if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !hasConsumer) {
    return { action: 'wait', type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' };
  }
  // As a CSI provisioner refuses it: a volume made for the claim would carry none of the labels it selects.
  if (claim.spec?.selector) return { action: 'wait', type: 'Warning', reason: 'ProvisioningFailed', message: 'claim Selector is not supported' };
  return { action: 'provision', storageClass };
}

/** Some pod (not finished, not going) mounts the claim. */
export function claimHasConsumer(claim: any, pods: any[]): boolean {
  return pods.some(
    (p) =>
      p.metadata.namespace === claim.metadata.namespace &&
      !p.metadata.deletionTimestamp &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed' &&
      podNamesClaim(p, claim),
  );
}

/** Whether one of the pod's volumes is the claim: a `persistentVolumeClaim` naming it, or an ephemeral volume it is (and owned by the pod). */
function podNamesClaim(pod: any, claim: any, ephemeral = true): boolean {
  return (pod.spec?.volumes ?? []).some((v: any) => {
    const named = volumeClaim(pod, v);
    if (!named || named.name !== claim.metadata.name) return false;
    return !named.ephemeral || (ephemeral && claimOwnedByPod(claim, pod));
  });
}

/** kube's podIsShutDown: done with its volumes (a terminal phase, or deleted with no grace left). */
function podIsShutDown(pod: any): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || (!!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0);
}

/**
 * Who keeps a claim being deleted, as kube-controller-manager's pvc-protection controller counts them: a scheduled pod
 * of its namespace naming it, whatever its phase (until the pod is deleted), and, on a Supervisor, a VirtualMachine
 * naming it among its volumes (its disk is attached). Names them (`pod/web-0`, `virtualmachine/db`); empty: unused.
 */
export function claimUsers(claim: any, pods: any[], vms: any[]): string[] {
  const { namespace, name } = claim.metadata;
  const names = (volumes: any[] | undefined) => (volumes ?? []).some((v: any) => v?.persistentVolumeClaim?.claimName === name);
  // A pod's own ephemeral claim is used until the pod is shut down, as kube's controller counts it.
  return [
    ...pods.filter((p) => p.metadata.namespace === namespace && p.spec?.nodeName && podNamesClaim(p, claim, !podIsShutDown(p))).map((p) => `pod/${p.metadata.name}`),
    ...vms.filter((vm) => vm.metadata.namespace === namespace && names(vm.spec?.volumes)).map((vm) => `virtualmachine/${vm.metadata.name}`),
  ];
}

/** A volume being deleted is kept (pv-protection) while a claim is bound to it. */
export function volumeInUse(pv: any): boolean {
  return pv.status?.phase === 'Bound';
}

/** A bound volume whose claim is gone (or is another claim of the same name now) is to be reclaimed. */
export function claimIsGone(pv: any, claim: any | undefined): boolean {
  if (pv.status?.phase !== 'Bound' || !pv.spec?.claimRef) return false;
  return !claim || (!!pv.spec.claimRef.uid && pv.spec.claimRef.uid !== claim.metadata.uid);
}

/** Retain keeps the data (Released); Delete removes the datastore's own volumes; anything else cannot be reclaimed here. */
export function reclaimAction(pv: any, datastoreDir: string): 'release' | 'delete' | 'fail' {
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy === 'Retain') return 'release';
  return policy === 'Delete' && inDatastore(pv.spec?.hostPath?.path, datastoreDir) ? 'delete' : 'fail';
}

/** A bound claim asks for more than its volume holds, and its class lets the datastore grow it. */
export function wantsExpansion(claim: any, pv: any, classes: any[], datastoreDir: string): boolean {
  if (!inDatastore(pv.spec?.hostPath?.path, datastoreDir)) return false;
  const storageClass = classes.find((c) => c.metadata.name === claim.spec?.storageClassName);
  return storageClass?.allowVolumeExpansion === true && claimRequestBytes(claim) > volumeCapacityBytes(pv);
}
