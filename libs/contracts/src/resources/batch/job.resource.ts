import { conditionSchema, objectSchema } from '../object-meta.schema';
import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { countSchema, labelSelectorSchema, podTemplateSpecSchema, templateMergeKeys, workloadWideColumns } from '../apps/apps-schema';

export const BATCH_GROUP = 'batch';
export const JOBS_RESOURCE = 'jobs.batch';
/** The labels a Job without `manualSelector` puts on its pod template (and selects by the first). */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** An Indexed Job's pod's completion index (annotation and label), and the variable its containers read it from. */
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The finalizer by which a Job's pods wait until its controller has counted them (kube-controller-manager's job tracking). */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** `spec.managedBy` of the Jobs the built-in Job controller syncs (also when the field is unset). */
export const JOB_CONTROLLER_MANAGER = 'kubernetes.io/job-controller';
/** The older names of the same two labels, which kube-apiserver still sets beside them. */
export const LEGACY_JOB_LABELS = { uid: 'controller-uid', name: 'job-name' };

const MAX_INT32 = 2147483647;
const nonNegative = { type: 'integer', minimum: 0 };

/** What the schema can say of a pod failure policy; the rules' meaning (one of onExitCodes/onPodConditions, ordered codes...) is the gateway's validation, in kube-apiserver's words. */
const podFailurePolicySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          action: { type: 'string' },
          onExitCodes: {
            type: 'object',
            additionalProperties: false,
            properties: { containerName: { type: 'string' }, operator: { type: 'string' }, values: { type: 'array', items: { type: 'integer' } } },
          },
          onPodConditions: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, properties: { type: { type: 'string' }, status: { type: 'string' } } },
          },
        },
      },
    },
  },
};

const successPolicySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { succeededIndexes: { type: 'string' }, succeededCount: { type: 'integer' } } },
    },
  },
};

export const jobSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['template'],
  properties: {
    parallelism: nonNegative,
    completions: nonNegative,
    activeDeadlineSeconds: { type: 'integer', minimum: 1 },
    backoffLimit: nonNegative,
    selector: labelSelectorSchema,
    manualSelector: { type: 'boolean' },
    template: podTemplateSpecSchema,
    ttlSecondsAfterFinished: nonNegative,
    completionMode: { type: 'string', enum: ['NonIndexed', 'Indexed'] },
    suspend: { type: 'boolean' },
    podReplacementPolicy: { type: 'string', enum: ['TerminatingOrFailed', 'Failed'] },
    podFailurePolicy: podFailurePolicySchema,
    successPolicy: successPolicySchema,
    backoffLimitPerIndex: nonNegative,
    maxFailedIndexes: nonNegative,
    managedBy: { type: 'string' },
  },
};

/** A JobCondition: the common condition and the time it was last probed. */
const jobConditionSchema = { ...conditionSchema, properties: { ...(conditionSchema.properties as object), lastProbeTime: { type: 'string' } } };

const jobStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    conditions: { type: 'array', items: jobConditionSchema },
    startTime: { type: 'string' },
    completionTime: { type: 'string' },
    active: countSchema,
    succeeded: countSchema,
    failed: countSchema,
    ready: countSchema,
    terminating: countSchema,
    uncountedTerminatedPods: {
      type: 'object',
      additionalProperties: false,
      properties: { succeeded: { type: 'array', items: { type: 'string' } }, failed: { type: 'array', items: { type: 'string' } } },
    },
    completedIndexes: { type: 'string' },
    failedIndexes: { type: 'string' },
  },
};

/** The selector a Job gets without `manualSelector`: its own uid. */
export const generatedJobSelector = (job: any) => ({ matchLabels: { [JOB_CONTROLLER_UID_LABEL]: job.metadata.uid } });

/**
 * kube-apiserver's defaults of a Job's spec (what a Job created by the API or by a CronJob gets): completions
 * and parallelism 1 when neither is given (only parallelism when completions is), backoffLimit 6 (the largest
 * int32 with `backoffLimitPerIndex`, which then limits each index instead), NonIndexed, not suspended,
 * podReplacementPolicy `Failed` with a pod failure policy (which must see a pod's end before replacing it) and
 * `TerminatingOrFailed` otherwise, and without `manualSelector` a selector on the Job's uid with that label and
 * the job-name label (and their older names) on the pod template.
 */
/** A pod failure policy's condition patterns without a status match a True condition (kube-apiserver's default). */
export function defaultPodFailurePolicy(spec: any): void {
  for (const rule of spec?.podFailurePolicy?.rules ?? []) {
    for (const pattern of Array.isArray(rule?.onPodConditions) ? rule.onPodConditions : []) if (pattern && typeof pattern === 'object' && !pattern.status) pattern.status = 'True';
  }
}

export function defaultJobSpec(job: any): any {
  const spec = (job.spec ??= {});
  defaultPodFailurePolicy(spec);
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (!spec.manualSelector && !spec.selector && job.metadata?.uid) {
    spec.selector = generatedJobSelector(job);
    const labels = (((spec.template ??= {}).metadata ??= {}).labels ??= {});
    Object.assign(labels, {
      [JOB_CONTROLLER_UID_LABEL]: job.metadata.uid,
      [JOB_NAME_LABEL]: job.metadata.name,
      [LEGACY_JOB_LABELS.uid]: job.metadata.uid,
      [LEGACY_JOB_LABELS.name]: job.metadata.name,
    });
  }
  return job;
}

/** Is the first condition of this type True (how kubectl's printer reads a Job's conditions)? */
export function jobCondition(job: any, type: string): boolean {
  return (job.status?.conditions ?? []).find((c: any) => c.type === type)?.status === 'True';
}

/** kubectl's STATUS of a Job: the first that holds of Complete, Failed, Terminating, Suspended, FailureTarget, else Running. */
export function jobStatusText(job: any): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

const jobColumns: PrinterColumn[] = [
  { name: 'Status', type: 'string', jsonPath: '.status.conditions', value: jobStatusText },
  {
    name: 'Completions',
    type: 'string',
    jsonPath: '.status.succeeded',
    value: (j) => {
      const done = j.status?.succeeded ?? 0;
      if (j.spec?.completions !== undefined) return `${done}/${j.spec.completions}`;
      const parallelism = j.spec?.parallelism ?? 1;
      return parallelism > 1 ? `${done}/1 of ${parallelism}` : `${done}/1`;
    },
  },
  {
    name: 'Duration',
    type: 'string',
    jsonPath: '.status.completionTime',
    duration: (j, now) => {
      const start = Date.parse(j.status?.startTime ?? '');
      if (Number.isNaN(start)) return undefined;
      const end = Date.parse(j.status?.completionTime ?? '');
      return (Number.isNaN(end) ? now.getTime() : end) - start;
    },
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ...workloadWideColumns,
];

export const jobResource: ResourceDefinition = {
  group: BATCH_GROUP,
  kind: 'Job',
  listKind: 'JobList',
  plural: 'jobs',
  singular: 'job',
  shortNames: [],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  mergeKeys: { ...templateMergeKeys('spec.template'), 'status.conditions': 'type' },
  versions: [{ name: 'v1', served: true, storage: true, schema: objectSchema({ spec: jobSpecSchema, status: jobStatusSchema }, ['spec']), printerColumns: jobColumns }],
};
