import { eventResource } from './event.resource';
import { hostResource } from './host.resource';
import { namespaceResource } from './namespace.resource';
import { nodeResource } from './node.resource';
import { podResource } from './pod.resource';
import { ResourceDefinition } from './resource-definition';
import { configMapResource } from './configmap.resource';
import { secretResource } from './secret.resource';
import { resourceQuotaResource } from './resourcequota.resource';
import { limitRangeResource } from './limitrange.resource';
import { vmoperatorResources } from './vmoperator';
import { guestClusterResources } from './guest-clusters';
import { rbacResources } from './rbac';
import { auditRecordResource } from './audit.resource';
import { persistentVolumeClaimResource, persistentVolumeResource, storageClassResource } from './storage';

export * from './resource-definition';
export * from './object-meta.schema';
export { eventResource, hostResource, namespaceResource, nodeResource };
export * from './node.resource';
export * from './pod.resource';
export { podResource };
export * from './secret.resource';
export * from './configmap.resource';
export * from './resourcequota.resource';
export * from './limitrange.resource';
export * from './vmoperator';
export * from './storage';
export * from './guest-clusters';
export * from './rbac';
export * from './audit.resource';

/** Every kind the api-gateway serves. Adding a kind = adding its entry here. */
export const resourceDefinitions: ResourceDefinition[] = [namespaceResource, eventResource, nodeResource, podResource, hostResource, storageClassResource, persistentVolumeClaimResource, persistentVolumeResource, secretResource, configMapResource, resourceQuotaResource, limitRangeResource, ...vmoperatorResources, ...guestClusterResources, ...rbacResources, auditRecordResource];
