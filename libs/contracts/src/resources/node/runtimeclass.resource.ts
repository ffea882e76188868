import { objectSchema } from '../object-meta.schema';
import { tolerationSchema } from '../pod.schema';
import { ResourceDefinition } from '../resource-definition';

export const NODE_GROUP = 'node.k8s.io';
export const RUNTIME_CLASSES_RESOURCE = 'runtimeclasses.node.k8s.io';

/**
 * node.k8s.io/v1 RuntimeClass: a name pods give in `spec.runtimeClassName` for the runtime handler that runs them, the
 * overhead such a pod costs beyond its containers (`overhead.podFixed`) and where such pods may run
 * (`scheduling.nodeSelector`, `scheduling.tolerations`). Admission applies it to each new pod (libs/objects).
 */
export const runtimeClassResource: ResourceDefinition = {
  group: NODE_GROUP,
  kind: 'RuntimeClass',
  listKind: 'RuntimeClassList',
  plural: 'runtimeclasses',
  singular: 'runtimeclass',
  shortNames: [],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        handler: { type: 'string' },
        overhead: { type: 'object', additionalProperties: false, properties: { podFixed: { type: 'object', additionalProperties: { type: ['string', 'number'] } } } },
        scheduling: {
          type: 'object',
          additionalProperties: false,
          properties: { nodeSelector: { type: 'object', additionalProperties: { type: 'string' } }, tolerations: { type: 'array', items: tolerationSchema } },
        },
      }),
      printerColumns: [
        { name: 'Handler', type: 'string', jsonPath: '.handler', value: (o) => o.handler ?? '' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
