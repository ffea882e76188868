import { ObjectEventTypes } from '@openpacific/contracts';
import type { StoredObject } from '@openpacific/objects';
import type { PlacementDecision } from './placement-writer';
import { disruptedPod, podChange, podEvent, unschedulablePod } from './scheduling-records';

/**
 * A preemption as kube-scheduler records it: the preemptor's `status.nominatedNodeName` (with its Unschedulable
 * verdict and FailedScheduling event), and each victim deleted gracefully, its DisruptionTarget condition saying why
 * and a `Preempted` Event naming the preemptor. One decision: all of it commits or none does.
 */
export function preemptionDecision(preemptor: StoredObject, message: string, host: string, victims: StoredObject[]): PlacementDecision {
  const pod = preemptor.object;
  const object = unschedulablePod(pod, message);
  object.status.nominatedNodeName = host;
  const writes = [podChange(object, ObjectEventTypes.statusUpdated, preemptor.streamVersion), podEvent(pod, 'Warning', 'FailedScheduling', message)];
  for (const v of victims) {
    writes.push(podChange(preemptedPod(v.object, pod.spec?.schedulerName ?? 'default-scheduler'), ObjectEventTypes.deletionStarted, v.streamVersion));
    writes.push(podEvent(v.object, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata.uid} on node ${host}`));
  }
  return { stored: preemptor, object, writes };
}

/** The victim being deleted with its grace period (its host stops it, then finishes the deletion), DisruptionTarget=True. */
export function preemptedPod(victim: any, schedulerName: string): any {
  return disruptedPod(victim, 'PreemptionByScheduler', `${schedulerName}: preempting to accommodate a higher priority pod`);
}
