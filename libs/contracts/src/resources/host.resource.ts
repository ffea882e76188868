import { conditionSchema, objectSchema, taintSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/**
 * The runtime handlers every host's runtime has, as kubelet reports them in Node `status.runtimeHandlers`: the
 * default (`""`) and `crx`, the runtime itself. A RuntimeClass naming another handler leaves its pods waiting in
 * ContainerCreating (FailedCreatePodSandBox), as a node whose runtime lacks the handler does.
 */
export const HOST_RUNTIME_HANDLERS = ['', 'crx'].map((name) => ({ name, features: { recursiveReadOnlyMounts: false, userNamespaces: false } }));

export function runtimeHandlerNames(): string[] {
  return HOST_RUNTIME_HANDLERS.map((h) => h.name);
}

export const runtimeHandlersSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      features: { type: 'object', additionalProperties: false, properties: { recursiveReadOnlyMounts: { type: 'boolean' }, userNamespaces: { type: 'boolean' } } },
    },
  },
};

const quantityMap = { type: 'object', additionalProperties: { type: ['string', 'integer'] } };

/**
 * A host of the fleet (an ESXi host in Project Pacific). Registered by its
 * spherelet-agent; cluster-scoped.
 */
export const hostResource: ResourceDefinition = {
  group: 'infrastructure.openpacific.io',
  kind: 'Host',
  listKind: 'HostList',
  plural: 'hosts',
  singular: 'host',
  shortNames: ['hst'],
  categories: ['openpacific'],
  scope: 'Cluster',
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            unschedulable: { type: 'boolean' },
            providerID: { type: 'string' },
            taints: { type: 'array', items: taintSchema },
          },
        },
        status: {
          type: 'object',
          additionalProperties: false,
          properties: {
            epoch: { type: 'integer' },
            capacity: quantityMap,
            allocatable: quantityMap,
            conditions: { type: 'array', items: conditionSchema },
            addresses: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: { type: { type: 'string' }, address: { type: 'string' } },
              },
            },
            nodeInfo: { type: 'object', additionalProperties: { type: 'string' } },
            runtimeHandlers: runtimeHandlersSchema,
          },
        },
      }),
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
        { name: 'Epoch', type: 'integer', jsonPath: '.status.epoch' },
        { name: 'CPU', type: 'string', jsonPath: '.status.capacity.cpu', priority: 1 },
        { name: 'Memory', type: 'string', jsonPath: '.status.capacity.memory', priority: 1 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
