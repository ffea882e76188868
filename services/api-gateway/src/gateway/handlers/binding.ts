import { badRequest, conflict, fieldNotSupported, fieldRequired, invalid, methodNotAllowed, notFound, StatusCause, statusError } from '@openpacific/kube-api';
import { commitUpdateInternal } from '../controllers/internal-update';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { decodeBody } from './decode';
import { rfc3339 } from '@openpacific/contracts';

/** kube-apiserver's ValidatePodBinding: a target of kind Node (or none given) and a name. */
export function bindingCauses(binding: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const kind = binding.target?.kind ?? '';
  if (kind !== 'Node' && kind !== '') causes.push(fieldNotSupported('target.kind', kind, ['Node', '<empty>']));
  if (!binding.target?.name) causes.push(fieldRequired('target.name'));
  return causes;
}

/** The pod as a binding leaves it: on the target host, with the binding's annotations, PodScheduled=True. */
export function boundByBinding(pod: any, binding: any): void {
  pod.spec = { ...pod.spec, nodeName: binding.target.name };
  const annotations = binding.metadata?.annotations;
  if (annotations && Object.keys(annotations).length) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
  const conditions = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
  pod.status = { ...pod.status, conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339() }] };
}

/**
 * POST `pods/<name>/binding` (a core v1 Binding): how a scheduler other than the cluster's binds a pod it chose a host
 * for (a pod whose `spec.schedulerName` names it, which the cluster's scheduler leaves alone). As kube-apiserver's
 * BindingREST: the pod gets `spec.nodeName`, the binding's annotations and PodScheduled=True, and the host's agent
 * starts it (on a host that networks pods, once the scheduler has given it an address, as for any pod whose author
 * set `nodeName`). A pod already on a host is a 409 (`pod p is already assigned to node "host-1"`), as is one being
 * deleted; a bad target a 422; answered 201 with a Success Status.
 */
export async function handleBinding(core: GatewayCore, r: ResourceRequest, method: string): Promise<void> {
  if (method !== 'POST') throw methodNotAllowed(method);
  const ns = r.target.namespace!;
  const name = r.target.name!;
  const binding = decodeBody(r);
  if (binding?.kind !== 'Binding' || (binding.apiVersion ?? 'v1') !== 'v1') throw badRequest(`the request body must be a v1 Binding, not ${binding?.apiVersion ?? '?'}/${binding?.kind ?? '?'}`);
  if (binding.metadata?.name && binding.metadata.name !== name) throw badRequest('name in URL does not match name in Binding object');
  const causes = bindingCauses(binding);
  if (causes.length) throw invalid('Binding', name, '', causes);
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = core.readModel.get('pods', ns, name);
    if (!stored) throw notFound('pods', name);
    const pod = stored.object;
    if (pod.metadata.deletionTimestamp) throw conflict('binding', name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict('binding', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    if (pod.spec?.schedulingGates?.length) throw conflict('binding', name, `pod ${name} has non-empty .spec.schedulingGates`);
    if (isDryRun(r.query) || (await commitUpdateInternal(core, 'pods', stored, (next) => boundByBinding(next, binding), r.user))) {
      sendJson(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
  }
  throw statusError(409, 'Conflict', `pods "${name}" kept changing while it was being bound; try again`);
}
