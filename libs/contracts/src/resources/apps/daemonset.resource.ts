import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import {
  APPS_GROUP, labelMapText, countSchema, intOrPercentSchema, labelSelectorSchema, podTemplateSpecSchema, templateMergeKeys, updateStrategySchema, workloadConditionSchema, workloadWideColumns,
} from './apps-schema';

const daemonSetSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['selector', 'template'],
  properties: {
    selector: labelSelectorSchema,
    template: podTemplateSpecSchema,
    updateStrategy: updateStrategySchema({ maxUnavailable: intOrPercentSchema, maxSurge: intOrPercentSchema }),
    minReadySeconds: { type: 'integer', format: 'int32', minimum: 0 },
    revisionHistoryLimit: { type: 'integer', format: 'int32', minimum: 0 },
  },
};

const daemonSetStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    currentNumberScheduled: countSchema,
    numberMisscheduled: countSchema,
    desiredNumberScheduled: countSchema,
    numberReady: countSchema,
    observedGeneration: countSchema,
    updatedNumberScheduled: countSchema,
    numberAvailable: countSchema,
    numberUnavailable: countSchema,
    collisionCount: countSchema,
    conditions: { type: 'array', items: workloadConditionSchema },
  },
};


export const daemonSetResource: ResourceDefinition = {
  group: APPS_GROUP,
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  mergeKeys: { ...templateMergeKeys('spec.template') },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({ spec: daemonSetSpecSchema, status: daemonSetStatusSchema }, ['spec']),
      printerColumns: [
        { name: 'Desired', type: 'integer', jsonPath: '.status.desiredNumberScheduled', value: (d) => d.status?.desiredNumberScheduled ?? 0 },
        { name: 'Current', type: 'integer', jsonPath: '.status.currentNumberScheduled', value: (d) => d.status?.currentNumberScheduled ?? 0 },
        { name: 'Ready', type: 'integer', jsonPath: '.status.numberReady', value: (d) => d.status?.numberReady ?? 0 },
        { name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedNumberScheduled', value: (d) => d.status?.updatedNumberScheduled ?? 0 },
        { name: 'Available', type: 'integer', jsonPath: '.status.numberAvailable', value: (d) => d.status?.numberAvailable ?? 0 },
        { name: 'Node Selector', type: 'string', jsonPath: '.spec.template.spec.nodeSelector', value: (o) => labelMapText(o.spec?.template?.spec?.nodeSelector) },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ...workloadWideColumns,
      ],
    },
  ],
};
