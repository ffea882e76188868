import { VMPUB_MANAGED_BY_LABEL } from '@openpacific/contracts';
import { VM_API_VERSION } from '../vms/vm-resources';
import { Condition, stampConditions, ttlExpiry } from './publish-request.status';

export const GROUP_PUBLISH_FINALIZER = 'vmoperator.vmware.com/virtualmachinegrouppublishrequest';
/** VM Operator's reason when the webhooks did not fill the spec (they were down): the request must be made again. */
export const INVALID_SPEC_REASON = 'webhooks failed to mutate/validate spec. please delete and create again.';
export const PENDING_REASON = 'VirtualMachinePublishRequestsPending';
const LIBRARY_API_VERSION = 'imageregistry.vmware.com/v1alpha1';

const completeOf = (req: any): Condition | undefined => (req.status?.conditions ?? []).find((c: Condition) => c.type === 'Complete');
export const isComplete = (req: any): boolean => completeOf(req)?.status === 'True';

/**
 * The VirtualMachinePublishRequests a group request made, by source VM: labelled with its name and controlled by it.
 * The label finds them as VM Operator lists them; the controller reference (the uid) tells them from the requests of
 * an earlier group request of the same name.
 */
export function ownedRequests(groupReq: any, requests: any[]): Map<string, any> {
  const owned = new Map<string, any>();
  for (const req of requests) {
    if (req.metadata.labels?.[VMPUB_MANAGED_BY_LABEL] !== groupReq.metadata.name) continue;
    if (!(req.metadata.ownerReferences ?? []).some((r: any) => r.controller && r.uid === groupReq.metadata.uid)) continue;
    owned.set(req.spec?.source?.name ?? '', req);
  }
  return owned;
}

/** What the webhooks should have filled in and did not, in VM Operator's words. */
export function specProblems(groupReq: any): string[] {
  const spec = groupReq.spec ?? {};
  const problems: string[] = [];
  if (!spec.source) problems.push('spec.source is undefined');
  if (!spec.target) problems.push('spec.target is undefined');
  if (!spec.virtualMachines?.length) problems.push('spec.virtualMachines is undefined');
  return problems;
}

/**
 * One VM's VirtualMachinePublishRequest, as VM Operator makes it: named `<group request>-<5 random characters>`,
 * labelled with and controlled by the group request, publishing the VM as the item `<group request>-<vm>` of the
 * target library. No TTL: the group request's own TTL takes its requests with it.
 */
export function publishRequestFor(groupReq: any, vmName: string, name: string, uid: string, now: string): any {
  const { namespace } = groupReq.metadata;
  return {
    apiVersion: VM_API_VERSION,
    kind: 'VirtualMachinePublishRequest',
    metadata: {
      name,
      namespace,
      uid,
      creationTimestamp: now,
      generation: 1,
      labels: { [VMPUB_MANAGED_BY_LABEL]: groupReq.metadata.name },
      ownerReferences: [{ apiVersion: VM_API_VERSION, kind: 'VirtualMachineGroupPublishRequest', name: groupReq.metadata.name, uid: groupReq.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      source: { name: vmName, kind: 'VirtualMachine', apiVersion: VM_API_VERSION },
      target: {
        item: { name: `${groupReq.metadata.name}-${vmName}` },
        location: { name: groupReq.spec.target, kind: 'ContentLibrary', apiVersion: LIBRARY_API_VERSION },
      },
    },
  };
}

/** `status.images`: each request's VM, name, image (once there) and a copy of its conditions, in VM order. */
export function imageStatuses(owned: Map<string, any>): any[] {
  return [...owned.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, req]) => ({
      source,
      publishRequestName: req.metadata.name,
      ...(req.status?.imageName ? { imageName: req.status.imageName } : {}),
      ...(req.status?.conditions?.length ? { conditions: structuredClone(req.status.conditions) } : {}),
    }));
}

/** Complete once every VM's request is ready, and only those; until then how many made requests are not ready yet. */
export function completeCondition(owned: Map<string, any>, virtualMachines: string[]): Condition {
  const ready = new Set([...owned].filter(([, req]) => req.status?.ready).map(([vm]) => vm));
  const wanted = new Set(virtualMachines);
  const pending = owned.size - ready.size;
  if (ready.size === wanted.size && [...wanted].every((vm) => ready.has(vm))) return { type: 'Complete', status: 'True', reason: 'True', message: '' };
  return { type: 'Complete', status: 'False', reason: PENDING_REASON, message: `waiting ${pending} more vm publish requests to be completed` };
}

/**
 * The status a pass leaves: a spec the webhooks did not fill is an error (nothing is published), otherwise the start
 * time, what is published where, the images and Complete, with the completion time its transition time.
 */
export function groupPublishStatus(groupReq: any, owned: Map<string, any>, now: string): any {
  const prev = groupReq.status ?? {};
  const generation = groupReq.metadata.generation ?? 1;
  const problems = specProblems(groupReq);
  if (problems.length) {
    const invalid: Condition = { type: 'Complete', status: 'False', reason: INVALID_SPEC_REASON, message: problems.join('\n') };
    return { ...prev, conditions: stampConditions([invalid], prev.conditions, generation, now) };
  }
  const images = imageStatuses(owned);
  const conditions = stampConditions([completeCondition(owned, groupReq.spec.virtualMachines)], prev.conditions, generation, now);
  const status: any = { ...prev, source: groupReq.spec.source, target: groupReq.spec.target, startTime: prev.startTime ?? now, conditions };
  if (images.length) status.images = images;
  else delete status.images;
  if (conditions[0].status === 'True') status.completionTime = conditions[0].lastTransitionTime;
  return status;
}

/** When a complete group request is to be deleted (ms since the epoch), or undefined when it is kept. */
export function groupExpiresAt(groupReq: any): number | undefined {
  if (!isComplete(groupReq)) return undefined;
  return ttlExpiry(groupReq.spec?.ttlSecondsAfterFinished, groupReq.status?.completionTime);
}
