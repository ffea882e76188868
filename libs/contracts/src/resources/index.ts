import { eventResource } from './event.resource';
import { hostResource } from './host.resource';
import { namespaceResource } from './namespace.resource';
import { nodeResource } from './node.resource';
import { podResource } from './pod.resource';
import { ResourceDefinition } from './resource-definition';
import { configMapResource } from './configmap.resource';
import { secretResource } from './secret.resource';
import { vmoperatorResources } from './vmoperator';
import { guestClusterResources } from './guest-clusters';
import { persistentVolumeClaimResource, persistentVolumeResource, storageClassResource } from './storage';

export * from './resource-definition';
export * from './object-meta.schema';
export { eventResource, hostResource, namespaceResource, nodeResource };
export * from './node.resource';
export * from './pod.resource';
export { podResource };
export * from './secret.resource';
export * from './configmap.resource';
export * from './vmoperator';
export * from './storage';
export * from './guest-clusters';

/** Every kind the api-gateway serves. Adding a kind = adding its entry here. */
export const resourceDefinitions: ResourceDefinition[] = [namespaceResource, eventResource, nodeResource, podResource, hostResource, storageClassResource, persistentVolumeClaimResource, persistentVolumeResource, secretResource, configMapResource, ...vmoperatorResources, ...guestClusterResources];
