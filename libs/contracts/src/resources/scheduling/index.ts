import { priorityClassResource } from './priorityclass.resource';

export * from './priorityclass.resource';

/** scheduling.k8s.io/v1: PriorityClass (pods' priorities, resolved by the gateway's Priority admission). */
export const schedulingResources = [priorityClassResource];
