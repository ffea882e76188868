import { objectMetaSchema, objectSchema } from '../object-meta.schema';
import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { selectorText, templateMergeKeys } from '../apps/apps-schema';
import { BATCH_GROUP, jobSpecSchema } from './job.resource';

export const CRONJOBS_RESOURCE = 'cronjobs.batch';
/** The time a CronJob's Job was scheduled for (RFC 3339, in the CronJob's time zone), as kube-controller-manager marks it. */
export const CRONJOB_SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const cronJobSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['schedule', 'jobTemplate'],
  properties: {
    schedule: { type: 'string', minLength: 1 },
    timeZone: { type: 'string', minLength: 1 },
    startingDeadlineSeconds: { type: 'integer', minimum: 0 },
    concurrencyPolicy: { type: 'string', enum: ['Allow', 'Forbid', 'Replace'] },
    suspend: { type: 'boolean' },
    jobTemplate: { type: 'object', additionalProperties: false, properties: { metadata: objectMetaSchema, spec: jobSpecSchema } },
    successfulJobsHistoryLimit: { type: 'integer', format: 'int32', minimum: 0 },
    failedJobsHistoryLimit: { type: 'integer', format: 'int32', minimum: 0 },
  },
};

const objectReferenceSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' }, uid: { type: 'string' }, resourceVersion: { type: 'string' } },
};

const cronJobStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { active: { type: 'array', items: objectReferenceSchema }, lastScheduleTime: { type: 'string' }, lastSuccessfulTime: { type: 'string' } },
};

const templateContainers = (c: any): any[] => c.spec?.jobTemplate?.spec?.template?.spec?.containers ?? [];

const cronJobColumns: PrinterColumn[] = [
  { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
  { name: 'Timezone', type: 'string', jsonPath: '.spec.timeZone', value: (c) => c.spec?.timeZone ?? '<none>' },
  { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend', value: (c) => (c.spec?.suspend === undefined ? '<unset>' : c.spec.suspend ? 'True' : 'False') },
  { name: 'Active', type: 'integer', jsonPath: '.status.active', value: (c) => (c.status?.active ?? []).length },
  { name: 'Last Schedule', type: 'string', jsonPath: '.status.lastScheduleTime', duration: (c, now) => (c.status?.lastScheduleTime ? now.getTime() - Date.parse(c.status.lastScheduleTime) : undefined), absent: '<none>' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'Containers', type: 'string', jsonPath: '.spec.jobTemplate.spec.template.spec.containers[*].name', priority: 1, value: (c) => templateContainers(c).map((x) => x.name).join(',') },
  { name: 'Images', type: 'string', jsonPath: '.spec.jobTemplate.spec.template.spec.containers[*].image', priority: 1, value: (c) => templateContainers(c).map((x) => x.image).join(',') },
  { name: 'Selector', type: 'string', jsonPath: '.spec.jobTemplate.spec.selector', priority: 1, value: (c) => selectorText(c.spec?.jobTemplate?.spec?.selector) },
];

export const cronJobResource: ResourceDefinition = {
  group: BATCH_GROUP,
  kind: 'CronJob',
  listKind: 'CronJobList',
  plural: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  mergeKeys: templateMergeKeys('spec.jobTemplate.spec.template'),
  versions: [{ name: 'v1', served: true, storage: true, schema: objectSchema({ spec: cronJobSpecSchema, status: cronJobStatusSchema }, ['spec']), printerColumns: cronJobColumns }],
};
