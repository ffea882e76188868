import { objectStreamId, VIRTUAL_MACHINES_RESOURCE, VirtualMachineEventTypes, rfc3339, ZONE_LABEL } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import { byConditionType, HOST_EPOCH_ANNOTATION, VmPlacement, vmPlacement } from '@openpacific/objects';
import { allocatable } from '../pods/pod-requests';

export const VMS = VIRTUAL_MACHINES_RESOURCE;
const ACTOR = { actor: 'system:serviceaccount:kube-system:default-scheduler', source: 'scheduler' };

/**
 * A VM as the filters and scores see a workload: its reservations as requests, the VMs of its
 * resource policy as siblings to spread from (the score's owner term), and its affinity to other VMs.
 */
export function asWorkload(vm: any, placement: VmPlacement): any {
  // One per VM object and placement: every pass holds every placed VM on its host, and the requests of a
  // workload are memoized by the workload object (`podRequests`), so a new one each pass parsed them again.
  const known = workloads.get(vm);
  if (known?.placement === placement) return known.workload;
  const workload = workloadOf(vm, placement);
  workloads.set(vm, { placement, workload });
  return workload;
}

const workloads = new WeakMap<object, { placement: VmPlacement; workload: any }>();

/** VM terms as pod terms that select VMs only (`vmsOnly`, which the filters read). */
const podTerms = (terms: any[] | undefined): any[] => (terms ?? []).map((t) => ({ labelSelector: t.labelSelector, topologyKey: t.topologyKey, vmsOnly: true }));

/** A preferred VM term weighs as much as a preferred pod term can (100): the emptier host still wins among equals. */
const PREFERRED_WEIGHT = 100;

/**
 * `spec.affinity` (v1alpha5) as pod affinity among VMs: the required terms (and the hard-during-execution ones,
 * which are required at placement too) filter hosts, the preferred ones score them. A term without a label
 * selector selects no VM, as in VM Operator. The zone rules of earlier releases are not used.
 */
export function vmPodAffinity(affinity: any): any {
  const side = (spec: any) => {
    if (!spec) return undefined;
    const required = podTerms([...(spec.requiredDuringSchedulingPreferredDuringExecution ?? []), ...(spec.requiredDuringSchedulingRequiredDuringExecution ?? [])]);
    const preferred = podTerms(spec.preferredDuringSchedulingPreferredDuringExecution).map((podAffinityTerm) => ({ weight: PREFERRED_WEIGHT, podAffinityTerm }));
    if (required.length === 0 && preferred.length === 0) return undefined;
    return { requiredDuringSchedulingIgnoredDuringExecution: required, preferredDuringSchedulingIgnoredDuringExecution: preferred };
  };
  const podAffinity = side(affinity?.vmAffinity);
  const podAntiAffinity = side(affinity?.vmAntiAffinity);
  if (!podAffinity && !podAntiAffinity) return undefined;
  return { ...(podAffinity ? { podAffinity } : {}), ...(podAntiAffinity ? { podAntiAffinity } : {}) };
}

function workloadOf(vm: any, placement: VmPlacement): any {
  const affinity = vmPodAffinity(vm.spec?.affinity);
  return {
    // What VM terms select (pods' terms select VMs too: a VM is a workload on its host like a pod).
    kind: 'VirtualMachine',
    metadata: {
      uid: vm.metadata.uid,
      namespace: vm.metadata.namespace,
      name: vm.metadata.name,
      labels: vm.metadata.labels ?? {},
      // Siblings (spread apart by the score): the VMs of the same cluster-module group, else of the same policy.
      ...(placement.resourcePolicy || placement.moduleGroup
        ? { ownerReferences: [{ uid: `policy:${vm.metadata.namespace}/${placement.resourcePolicy ?? ''}/${placement.moduleGroup ?? ''}` }] }
        : {}),
    },
    spec: {
      containers: [{ name: 'vm', resources: { requests: { cpu: `${placement.requests.cpuMillis}m`, memory: String(placement.requests.memoryBytes) } } }],
      ...(affinity ? { affinity } : {}),
    },
    status: { phase: 'Running' },
  };
}

/** VMs that wait for a host: resolved by the vm-operator (placement annotation), not on a host, not going. */
export function pendingVms<T extends { object: any }>(vms: T[]): T[] {
  return vms.filter((s) => !s.object.metadata.deletionTimestamp && !s.object.status?.nodeName && vmPlacement(s.object));
}

function withCondition(status: any, condition: any): any {
  const rest = (status?.conditions ?? []).filter((c: any) => c.type !== condition.type);
  const old = (status?.conditions ?? []).find((c: any) => c.type === condition.type);
  const lastTransitionTime = old && old.status === condition.status ? old.lastTransitionTime : rfc3339();
  return { ...status, conditions: [...rest, { ...condition, lastTransitionTime }].sort(byConditionType) };
}

/**
 * The VM to write next: a copy of what every writer here replaces or deletes in (metadata, its annotations; each
 * writer builds a new `status`), sharing the rest (spec, labels) with the read model's object, which is never
 * changed. A deep copy of the whole VM was 2 % of the scheduler's CPU in a VM run.
 */
function clean(vm: any): any {
  const metadata = { ...vm.metadata, ...(vm.metadata.annotations ? { annotations: { ...vm.metadata.annotations } } : {}) };
  delete metadata.resourceVersion;
  return { ...vm, metadata };
}

/**
 * The VM on `host`; `zone`: the host's zone, for a VM that zones concern, which then carries it as VM Operator's
 * placement leaves it (the `topology.kubernetes.io/zone` label and `status.zone`).
 */
export function placeVm(stored: { object: any; streamVersion: number }, host: string, epoch: number, zone?: string): StreamAppend {
  const next = clean(stored.object);
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [HOST_EPOCH_ANNOTATION]: String(epoch) };
  if (zone) next.metadata.labels = { ...(next.metadata.labels ?? {}), [ZONE_LABEL]: zone };
  next.status = withCondition({ ...next.status, nodeName: host, ...(zone ? { zone } : {}) }, { type: 'VirtualMachineConditionPlacementReady', status: 'True', reason: 'True', message: '' });
  return { streamId: objectStreamId(VMS, next.metadata.namespace, next.metadata.name), events: [{ type: VirtualMachineEventTypes.placed, data: { resource: VMS, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/** Placement impossible now: the condition says why (only when the verdict changed). */
export function unplaceableVm(stored: { object: any; streamVersion: number }, message: string): StreamAppend | undefined {
  const current = (stored.object.status?.conditions ?? []).find((c: any) => c.type === 'VirtualMachineConditionPlacementReady');
  if (current?.status === 'False' && current.message === message) return undefined;
  const next = clean(stored.object);
  next.status = withCondition(next.status, { type: 'VirtualMachineConditionPlacementReady', status: 'False', reason: 'NotEnoughResources', message });
  return { streamId: objectStreamId(VMS, next.metadata.namespace, next.metadata.name), events: [{ type: 'ResourceStatusUpdated', data: { resource: VMS, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/** The VM's host failed: off that host (powered off there by its fence), to be placed and powered on elsewhere. */
export function unplaceVm(stored: { object: any; streamVersion: number }, why: string): StreamAppend {
  const vm = stored.object;
  const next = clean(vm);
  delete next.metadata.annotations?.[HOST_EPOCH_ANNOTATION];
  const status = { ...next.status };
  delete status.nodeName;
  delete status.powerState;
  delete status.network;
  next.status = withCondition(
    withCondition(withCondition(status, { type: 'VirtualMachineConditionPlacementReady', status: 'False', reason: 'HostFailed', message: why }), { type: 'VirtualMachineCreated', status: 'False', reason: 'HostFailed', message: why }),
    { type: 'Ready', status: 'False', reason: 'HostFailed', message: why },
  );
  return {
    streamId: objectStreamId(VMS, vm.metadata.namespace, vm.metadata.name),
    events: [{ type: VirtualMachineEventTypes.unplaced, data: { resource: VMS, object: next, reason: 'HostNotReady', host: vm.status.nodeName, epoch: Number(vm.metadata.annotations?.[HOST_EPOCH_ANNOTATION] ?? 0) }, metadata: ACTOR }],
    expectedVersion: stored.streamVersion,
  };
}

/** A VM cannot power on where it has more vCPUs than the host has CPUs, or more memory than it has. */
export function tooBigFor(placement: VmPlacement, view: { host: any }): string | undefined {
  const cap = allocatable(view.host);
  if (placement.cpus * 1000 > cap.cpuMillis) return 'Insufficient cpu';
  if (placement.memoryBytes > cap.memoryBytes) return 'Insufficient memory';
  return undefined;
}
