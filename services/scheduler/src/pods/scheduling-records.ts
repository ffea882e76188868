import { randomUUID } from 'node:crypto';
import { NewEvent } from '@openpacific/event-store';
import { markDeletion, ObjectEventTypes, objectStreamId, PodEventTypes, rfc3339 } from '@openpacific/contracts';
import { eventNameSuffix, HOST_EPOCH_ANNOTATION } from '@openpacific/objects';

export const SCHEDULER_ACTOR = { actor: 'system:serviceaccount:kube-system:default-scheduler', source: 'scheduler' };

function withCondition(pod: any, condition: any): any {
  const conditions = (pod.status?.conditions ?? []).filter((c: any) => c.type !== condition.type);
  return { ...pod.status, conditions: [...conditions, condition] };
}

/**
 * A copy to change spec, metadata and status of (the read model's pod is shared): shallow, as nothing deeper is
 * changed in place; a deep clone per binding was a visible share of a burst's placement time.
 */
function clean(pod: any): any {
  const next = { ...pod, metadata: { ...pod.metadata }, spec: { ...pod.spec } };
  delete next.metadata.resourceVersion;
  return next;
}

/** The pod bound to a host of a given epoch: spec.nodeName, the epoch it was bound to, PodScheduled=True. */
export function boundPod(pod: any, host: string, epoch: number): any {
  const next = clean(pod);
  next.spec.nodeName = host;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [HOST_EPOCH_ANNOTATION]: String(epoch) };
  next.status = withCondition(next, { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339() });
  return next;
}

export function unschedulablePod(pod: any, message: string): any {
  const next = clean(pod);
  next.status = withCondition(next, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: rfc3339() });
  return next;
}

/** A core v1 Event about a pod, as `kubectl describe pod` lists them. */
export function podEvent(pod: any, type: 'Normal' | 'Warning', reason: string, message: string) {
  const now = rfc3339();
  const uid = randomUUID();
  const name = `${pod.metadata.name}.${eventNameSuffix()}`;
  const object = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: pod.metadata.namespace, uid, creationTimestamp: now },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
    reason,
    message,
    type,
    source: { component: 'default-scheduler' },
    reportingComponent: 'default-scheduler',
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  return {
    streamId: objectStreamId('events', pod.metadata.namespace, name),
    events: [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: SCHEDULER_ACTOR } as NewEvent],
    expectedVersion: 'no_stream' as const,
  };
}

export function podChange(pod: any, type: string, streamVersion: number) {
  return {
    streamId: objectStreamId('pods', pod.metadata.namespace, pod.metadata.name),
    events: [{ type, data: { resource: 'pods', object: pod }, metadata: SCHEDULER_ACTOR } as NewEvent],
    expectedVersion: streamVersion,
  };
}

/**
 * A pod's binding as the log carries it: the fields the binding sets (`spec.nodeName`, the annotations with the
 * host's epoch and any pod address, the status with PodScheduled), not the whole pod: the rest is what the
 * stream holds at the version written at. `bound` is the pod as the binding leaves it (`boundPod`).
 */
export function podBinding(bound: any, streamVersion: number) {
  const set = { 'spec.nodeName': bound.spec.nodeName, 'metadata.annotations': bound.metadata.annotations, status: bound.status };
  return {
    streamId: objectStreamId('pods', bound.metadata.namespace, bound.metadata.name),
    events: [{ type: PodEventTypes.bound, data: { resource: 'pods', set }, metadata: SCHEDULER_ACTOR } as NewEvent],
    expectedVersion: streamVersion,
  };
}

export { PodEventTypes, ObjectEventTypes };

/** The pod deleted with its grace period (its host stops it, then finishes the deletion), DisruptionTarget=True saying why. */
export function disruptedPod(pod: any, reason: string, message: string): any {
  const at = Date.now();
  const next = structuredClone(pod);
  delete next.metadata.resourceVersion;
  markDeletion(next.metadata, pod.spec?.terminationGracePeriodSeconds ?? 30, at);
  const conditions = (next.status?.conditions ?? []).filter((c: any) => c.type !== 'DisruptionTarget');
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: rfc3339(at) });
  next.status = { ...next.status, conditions };
  return next;
}
