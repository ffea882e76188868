import { deploymentResource } from './deployment.resource';
import { replicaSetResource } from './replicaset.resource';

export * from './apps-schema';
export { deploymentResource, replicaSetResource };

/** apps/v1: Deployment and ReplicaSet (controllers in the scheduler service, services/scheduler/src/workloads). */
export const appsResources = [deploymentResource, replicaSetResource];
