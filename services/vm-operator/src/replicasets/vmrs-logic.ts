import { VMRS_NAME_LABEL } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import { byConditionType, hasReadinessProbe } from '@openpacific/objects';
import { VM_API_VERSION } from '../vms/vm-resources';

/** What a set does with the VMs of its namespace on one reconcile. */
export interface VmrsPlan {
  /** VMs that match the selector and have no controller: the set takes them (an owner reference). */
  adopt: any[];
  /** How many VMs to create from the template. */
  create: number;
  /** The set's VMs to delete, chosen by the delete policy. */
  delete: any[];
}

export function selects(rs: any, vm: any): boolean {
  if (!rs.spec?.selector) return false;
  try {
    return matchesLabelSelector(labelSelectorFromObject(rs.spec.selector), vm.metadata.labels ?? {});
  } catch {
    return false;
  }
}

export function controllerOf(obj: any): any | undefined {
  return (obj.metadata.ownerReferences ?? []).find((o: any) => o.controller);
}

/** The set's VMs that count (not being deleted), and the orphans it may adopt. */
export function vmsOf(rs: any, vms: any[]): { owned: any[]; orphans: any[] } {
  const owned: any[] = [];
  const orphans: any[] = [];
  for (const vm of vms) {
    if (vm.metadata.deletionTimestamp) continue;
    const owner = controllerOf(vm);
    if (owner?.uid === rs.metadata.uid) owned.push(vm);
    else if (!owner && selects(rs, vm)) orphans.push(vm);
  }
  return { owned, orphans };
}

/** As VM Operator counts readyReplicas: the VM's Ready condition; a VM without a readiness probe is ready once powered on. */
export function isVmReady(vm: any): boolean {
  if (!hasReadinessProbe(vm)) return vm.status?.powerState === 'PoweredOn';
  return (vm.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The Random delete policy (cluster-api's MachineSet, which VM Operator's follows): VMs not ready go first, the
 * rest in random order.
 */
export function pickForDeletion(vms: any[], count: number, random: () => number = Math.random): any[] {
  const keyed = vms.map((vm) => ({ vm, key: (isVmReady(vm) ? 1 : 0) + random() * 0.5 }));
  return keyed.sort((a, b) => a.key - b.key).slice(0, Math.max(count, 0)).map((k) => k.vm);
}

/**
 * VMs a set creates per pass, the rest in later passes once these are seen (kube-controller-manager's burstReplicas): a
 * set of 2^31 replicas admitted VMs one by one for ever, holding every write in memory, and no other set was served.
 */
export const VMS_PER_PASS = 500;

/** Adopt the orphans, then create (at most VMS_PER_PASS) or delete to reach `spec.replicas`. A set being deleted does nothing. */
export function planReplicas(rs: any, vms: any[], random?: () => number): VmrsPlan {
  if (rs.metadata.deletionTimestamp) return { adopt: [], create: 0, delete: [] };
  const { owned, orphans } = vmsOf(rs, vms);
  const have = owned.length + orphans.length;
  const want = rs.spec?.replicas ?? 1;
  return { adopt: orphans, create: Math.min(Math.max(want - have, 0), VMS_PER_PASS), delete: pickForDeletion([...owned, ...orphans], have - want, random) };
}

export function ownerReference(rs: any) {
  return { apiVersion: rs.apiVersion ?? VM_API_VERSION, kind: 'VirtualMachineReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * A VM of the set as VM Operator makes one: the template's labels and annotations plus the set's name label, the
 * template's spec with the VM webhook's defaults (the controller writes to the log, past the gateway's defaulting).
 */
export function vmFromTemplate(rs: any, name: string, uid: string, now: string): any {
  const template = rs.spec?.template ?? {};
  const spec = structuredClone(template.spec ?? {});
  spec.powerState ??= 'PoweredOn';
  spec.powerOffMode ??= 'TrySoft';
  spec.suspendMode ??= 'TrySoft';
  spec.restartMode ??= 'TrySoft';
  const annotations = template.metadata?.annotations;
  return {
    apiVersion: VM_API_VERSION,
    kind: 'VirtualMachine',
    metadata: {
      name,
      namespace: rs.metadata.namespace,
      uid,
      creationTimestamp: now,
      generation: 1,
      labels: { ...(template.metadata?.labels ?? {}), [VMRS_NAME_LABEL]: rs.metadata.name },
      ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
      ownerReferences: [ownerReference(rs)],
    },
    spec,
  };
}

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * The set's status from its VMs: counts, observedGeneration, and VM Operator's conditions — VirtualMachinesCreated
 * (False with VirtualMachineCreationFailed when a create failed), Resized (False, ScalingUp or ScalingDown, while
 * the count differs from `spec.replicas`), VirtualMachinesReady, and Ready summing them up.
 */
export function vmrsStatus(rs: any, owned: any[], createFailure: string | undefined, now: string): any {
  const want = rs.spec?.replicas ?? 1;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const fullyLabeled = owned.filter((vm) => Object.entries<string>(templateLabels).every(([k, v]) => vm.metadata.labels?.[k] === v)).length;
  const ready = owned.filter(isVmReady).length;
  const created: Condition = createFailure
    ? { type: 'VirtualMachinesCreated', status: 'False', reason: 'VirtualMachineCreationFailed', message: createFailure }
    : { type: 'VirtualMachinesCreated', status: 'True', reason: 'True', message: '' };
  const resized: Condition =
    owned.length === want
      ? { type: 'Resized', status: 'True', reason: 'True', message: '' }
      : owned.length < want
        ? { type: 'Resized', status: 'False', reason: 'ScalingUp', message: `Scaling up VirtualMachineReplicaSet to ${want} replicas (actual ${owned.length})` }
        : { type: 'Resized', status: 'False', reason: 'ScalingDown', message: `Scaling down VirtualMachineReplicaSet to ${want} replicas (actual ${owned.length})` };
  const vmsReady: Condition =
    ready === owned.length
      ? { type: 'VirtualMachinesReady', status: 'True', reason: 'True', message: '' }
      : { type: 'VirtualMachinesReady', status: 'False', reason: 'VirtualMachinesNotReady', message: `${owned.length - ready} of ${owned.length} VirtualMachines not ready` };
  const failing = [created, resized, vmsReady].find((c) => c.status !== 'True');
  const readyCond: Condition = failing ? { type: 'Ready', status: 'False', reason: failing.reason, message: failing.message } : { type: 'Ready', status: 'True', reason: 'True', message: '' };
  const previous = new Map<string, any>((rs.status?.conditions ?? []).map((c: any) => [c.type, c]));
  const conditions = [created, readyCond, resized, vmsReady]
    .map((c) => {
      const old = previous.get(c.type);
      const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
      return { ...c, observedGeneration: rs.metadata.generation, lastTransitionTime };
    })
    .sort(byConditionType);
  return { replicas: owned.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, observedGeneration: rs.metadata.generation, conditions };
}

/** What a set wrote and has not yet seen in the read model (kube-controller-manager's expectations), by VM name. */
export interface Expectation {
  creates: string[];
  deletes: string[];
  adopts: string[];
  since: number;
}

/** A set acts again only once the model shows its last writes, or after `timeoutMs` (a write lost on the way). */
export function expectationsMet(rs: any, e: Expectation | undefined, vms: any[], now: number, timeoutMs: number): boolean {
  if (!e || now - e.since > timeoutMs) return true;
  const byName = new Map(vms.map((vm) => [vm.metadata.name, vm]));
  return (
    e.creates.every((n) => byName.has(n)) &&
    e.deletes.every((n) => !byName.get(n) || byName.get(n).metadata.deletionTimestamp) &&
    e.adopts.every((n) => !byName.get(n) || controllerOf(byName.get(n))?.uid === rs.metadata.uid)
  );
}
