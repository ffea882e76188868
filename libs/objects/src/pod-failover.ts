import { EventMetadata, objectStreamId, PodEventTypes, rfc3339 } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';

/** The epoch of the host a pod was bound to (set with the binding). */
export const HOST_EPOCH_ANNOTATION = 'infrastructure.openpacific.io/host-epoch';

function clean(pod: any): any {
  const next = structuredClone(pod);
  delete next.metadata.resourceVersion;
  return next;
}

/** The host epoch the pod was bound in; undefined when it was not bound by the scheduler (spec.nodeName set by its author). */
export function bindingEpoch(pod: any): number | undefined {
  const value = pod.metadata.annotations?.[HOST_EPOCH_ANNOTATION];
  return value === undefined ? undefined : Number(value);
}

/**
 * The pod taken off a host it can no longer run on: Pending again, unbound, with the same name and uid and
 * its spec untouched, so the scheduler places it anew and its history shows the move.
 */
export function unboundPod(pod: any, message: string): any {
  const next = clean(pod);
  delete next.spec.nodeName;
  if (next.metadata.annotations) {
    delete next.metadata.annotations[HOST_EPOCH_ANNOTATION];
    if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
  }
  next.status = {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'HostFailed', message, lastTransitionTime: rfc3339() }],
    ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
  };
  return next;
}

/** `PodUnbound` at the pod's stream version: a concurrent change of the pod makes it a conflict, decided again. */
export function podUnbound(
  pod: any,
  streamVersion: number,
  why: { reason: 'HostNotReady' | 'HostEpochEnded'; message: string },
  metadata: EventMetadata,
): StreamAppend {
  return {
    streamId: objectStreamId('pods', pod.metadata.namespace, pod.metadata.name),
    events: [{ type: PodEventTypes.unbound, data: { resource: 'pods', object: unboundPod(pod, why.message), reason: why.reason, host: pod.spec.nodeName, epoch: bindingEpoch(pod) ?? 0 }, metadata }],
    expectedVersion: streamVersion,
  };
}

/** A pod that must not be restarted (restartPolicy Never) whose host was lost: Failed, reason NodeLost, as Kubernetes reports it. */
export function nodeLostPod(pod: any, message: string): any {
  const next = clean(pod);
  const now = rfc3339();
  const conditions = (pod.status?.conditions ?? []).map((c: any) =>
    c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'NodeLost', lastTransitionTime: now } : c,
  );
  const containerStatuses = (pod.status?.containerStatuses ?? []).map((c: any) => ({
    ...c,
    ready: false,
    started: false,
    state: { terminated: { exitCode: 137, reason: 'NodeLost', message, startedAt: c.state?.running?.startedAt, finishedAt: now } },
  }));
  next.status = { ...pod.status, phase: 'Failed', reason: 'NodeLost', message, conditions, ...(containerStatuses.length ? { containerStatuses } : {}) };
  return next;
}
