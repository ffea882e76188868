import { eventResource } from './event.resource';
import { hostResource } from './host.resource';
import { namespaceResource } from './namespace.resource';
import { nodeResource } from './node.resource';
import { podResource } from './pod.resource';
import { ResourceDefinition } from './resource-definition';

export * from './resource-definition';
export * from './object-meta.schema';
export { eventResource, hostResource, namespaceResource, nodeResource };
export * from './node.resource';
export * from './pod.resource';
export { podResource };

/** Every kind the api-gateway serves. Adding a kind = adding its entry here. */
export const resourceDefinitions: ResourceDefinition[] = [namespaceResource, eventResource, nodeResource, podResource, hostResource];
