import { ObjectEventTypes, PodEventTypes, streamResource } from '@openpacific/contracts';
import type { KeepEvent } from '@openpacific/objects';

/** A terminal phase in a pod's JSON (as any writer may space it): the status after which quota stops counting the pod. */
const TERMINAL_PHASE = /"phase"\s*:\s*"(?:Succeeded|Failed)"/;

/**
 * The events whose bodies the policy service reads: all of them but two kinds of pod event that no admitter's
 * decision depends on. Of a pod, the admitters use its existence, its spec's containers (quota's compute
 * requests and limits), the spec fields quota scopes look at (activeDeadlineSeconds, priorityClassName,
 * affinity) and whether it has ended (quota stops counting a pod that Succeeded or Failed); nothing else of the
 * pod is read from the model, and neither event passed over changes the spec but for spec.nodeName. So a
 * binding (spec.nodeName and a condition) is passed over, and so is a status update that does not end the pod;
 * in a burst those are two of a pod's five events, parsed and kept by the policy service for nothing. The
 * model's copy of such a pod keeps its last state that mattered. Every other resource is read whole: the
 * ValidatingAdmissionPolicies, their bindings, and the objects they take params from (a ConfigMap, a custom resource:
 * any kind); the webhook configurations and the Services their webhooks are reached through.
 */
export const policyKeeps: KeepEvent = (event) => {
  if (streamResource(event.streamId) !== 'pods') return true;
  if (event.type === PodEventTypes.bound) return false;
  if (event.type === ObjectEventTypes.statusUpdated) return TERMINAL_PHASE.test(event.data);
  return true;
};
