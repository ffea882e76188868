import { conditionSchema, objectSchema, taintSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

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
