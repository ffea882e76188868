import { objectMetaSchema, objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { pvcSpecSchema, pvcStatusSchema } from '../storage/persistent-volume-claim.resource';
import {
  APPS_GROUP, countSchema, intOrPercentSchema, labelSelectorSchema, podTemplateSpecSchema, replicasSchema, templateMergeKeys, updateStrategySchema, workloadConditionSchema,
  workloadWideColumns,
} from './apps-schema';

const retention = { type: 'string', enum: ['Retain', 'Delete'] };

const statefulSetSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['selector', 'template'],
  properties: {
    replicas: replicasSchema,
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    volumeClaimTemplates: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMetaSchema, spec: pvcSpecSchema, status: pvcStatusSchema },
      },
    },
    serviceName: { type: 'string' },
    podManagementPolicy: { type: 'string', enum: ['OrderedReady', 'Parallel'] },
    updateStrategy: updateStrategySchema({ partition: { type: 'integer', format: 'int32', minimum: 0 }, maxUnavailable: intOrPercentSchema }),
    revisionHistoryLimit: { type: 'integer', format: 'int32', minimum: 0 },
    minReadySeconds: { type: 'integer', format: 'int32', minimum: 0 },
    persistentVolumeClaimRetentionPolicy: { type: 'object', additionalProperties: false, properties: { whenDeleted: retention, whenScaled: retention } },
    ordinals: { type: 'object', additionalProperties: false, properties: { start: { type: 'integer', format: 'int32', minimum: 0 } } },
  },
};

const statefulSetStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    observedGeneration: countSchema,
    replicas: countSchema,
    readyReplicas: countSchema,
    currentReplicas: countSchema,
    updatedReplicas: countSchema,
    currentRevision: { type: 'string' },
    updateRevision: { type: 'string' },
    collisionCount: countSchema,
    availableReplicas: countSchema,
    conditions: { type: 'array', items: workloadConditionSchema },
  },
};

export const statefulSetResource: ResourceDefinition = {
  group: APPS_GROUP,
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
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
      schema: objectSchema({ spec: statefulSetSpecSchema, status: statefulSetStatusSchema }, ['spec']),
      printerColumns: [
        { name: 'Ready', type: 'string', jsonPath: '.status.readyReplicas', value: (s) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}` },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ...workloadWideColumns.filter((c) => c.name !== 'Selector'),
      ],
    },
  ],
};
