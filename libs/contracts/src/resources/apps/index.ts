import { controllerRevisionResource } from './controllerrevision.resource';
import { daemonSetResource } from './daemonset.resource';
import { deploymentResource } from './deployment.resource';
import { replicaSetResource } from './replicaset.resource';
import { statefulSetResource } from './statefulset.resource';

export * from './apps-schema';
export { controllerRevisionResource, daemonSetResource, deploymentResource, replicaSetResource, statefulSetResource };

/**
 * apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet and the ControllerRevisions of the last two (controllers in
 * the scheduler service, services/scheduler/src/workloads).
 */
export const appsResources = [deploymentResource, replicaSetResource, daemonSetResource, statefulSetResource, controllerRevisionResource];
