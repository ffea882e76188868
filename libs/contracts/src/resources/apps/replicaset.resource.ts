import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { APPS_GROUP, countSchema, labelSelectorSchema, podTemplateSpecSchema, replicasSchema, templateMergeKeys, workloadConditionSchema, workloadWideColumns } from './apps-schema';

const replicaSetSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['selector'],
  properties: {
    replicas: replicasSchema,
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    minReadySeconds: { type: 'integer', format: 'int32', minimum: 0 },
  },
};

/** The counts a ReplicaSet's status and a ReplicationController's share. */
export const replicaCountsSchema = {
  replicas: countSchema,
  fullyLabeledReplicas: countSchema,
  readyReplicas: countSchema,
  availableReplicas: countSchema,
  observedGeneration: countSchema,
};

const replicaSetStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...replicaCountsSchema, terminatingReplicas: countSchema, conditions: { type: 'array', items: workloadConditionSchema } },
};

export const replicaSetResource: ResourceDefinition = {
  group: APPS_GROUP,
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  mergeKeys: { ...templateMergeKeys('spec.template') },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({ spec: replicaSetSpecSchema, status: replicaSetStatusSchema }, ['spec']),
      printerColumns: [
        { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', value: (r) => r.spec?.replicas ?? 1 },
        { name: 'Current', type: 'integer', jsonPath: '.status.replicas', value: (r) => r.status?.replicas ?? 0 },
        { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', value: (r) => r.status?.readyReplicas ?? 0 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ...workloadWideColumns,
      ],
    },
  ],
};
