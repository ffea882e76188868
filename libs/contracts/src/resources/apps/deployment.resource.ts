import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import {
  APPS_GROUP, countSchema, labelSelectorSchema, podTemplateSpecSchema, replicasSchema, templateMergeKeys, workloadConditionSchema, workloadWideColumns,
} from './apps-schema';

const intOrString = { type: ['integer', 'string'] };

const deploymentSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['selector', 'template'],
  properties: {
    replicas: replicasSchema,
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    strategy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { type: 'string', enum: ['RollingUpdate', 'Recreate'] },
        rollingUpdate: { type: 'object', additionalProperties: false, properties: { maxSurge: intOrString, maxUnavailable: intOrString } },
      },
    },
    minReadySeconds: { type: 'integer', format: 'int32', minimum: 0 },
    revisionHistoryLimit: { type: 'integer', format: 'int32', minimum: 0 },
    paused: { type: 'boolean' },
    progressDeadlineSeconds: { type: 'integer', format: 'int32', minimum: 1 },
  },
};

const deploymentStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    observedGeneration: countSchema,
    replicas: countSchema,
    updatedReplicas: countSchema,
    readyReplicas: countSchema,
    availableReplicas: countSchema,
    unavailableReplicas: countSchema,
    terminatingReplicas: countSchema,
    collisionCount: countSchema,
    conditions: { type: 'array', items: workloadConditionSchema },
  },
};

export const deploymentResource: ResourceDefinition = {
  group: APPS_GROUP,
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
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
      schema: objectSchema({ spec: deploymentSpecSchema, status: deploymentStatusSchema }, ['spec']),
      printerColumns: [
        { name: 'Ready', type: 'string', jsonPath: '.status.readyReplicas', value: (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}` },
        { name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedReplicas', value: (d) => d.status?.updatedReplicas ?? 0 },
        { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas', value: (d) => d.status?.availableReplicas ?? 0 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ...workloadWideColumns,
      ],
    },
  ],
};
