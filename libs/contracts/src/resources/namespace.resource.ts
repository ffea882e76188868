import { conditionSchema, objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

export const namespaceResource: ResourceDefinition = {
  group: '',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  nameFormat: 'dns1123-label',
  // `finalize` writes spec.finalizers, which an update of the Namespace leaves as they were (kube-apiserver's namespaces/finalize).
  subresources: { status: true, specFields: { finalize: 'finalizers' } },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: { finalizers: { type: 'array', items: { type: 'string' } } },
        },
        status: {
          type: 'object',
          additionalProperties: false,
          properties: {
            phase: { type: 'string', enum: ['Active', 'Terminating'] },
            conditions: { type: 'array', items: conditionSchema },
          },
        },
      }),
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'The phase of the namespace' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
