import { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_LABELS } from '@openpacific/contracts';
import { StatusCause } from '@openpacific/kube-api';
import { defaultTemplate, goSelector, validateSelectorUpdate, validateWorkload } from './apps.strategy';
import type { KindStrategy } from './kind-strategies';
import { deepEqual } from './object-rules';

/** batch/v1 Job: kube-apiserver's defaults (the generated selector and labels) and the validation the schema cannot express. */

const generatedSelector = (job: any) => ({ matchLabels: { [JOB_CONTROLLER_UID_LABEL]: job.metadata.uid } });

export function defaultJob(job: any): any {
  const spec = (job.spec ??= {});
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  // Without manualSelector the selector is the Job's own uid, and its pods carry it (validateJob refuses another).
  if (!spec.manualSelector && !spec.selector && job.metadata?.uid) {
    spec.selector = generatedSelector(job);
    const labels = (((spec.template ??= {}).metadata ??= {}).labels ??= {});
    Object.assign(labels, {
      [JOB_CONTROLLER_UID_LABEL]: job.metadata.uid,
      [JOB_NAME_LABEL]: job.metadata.name,
      [LEGACY_JOB_LABELS.uid]: job.metadata.uid,
      [LEGACY_JOB_LABELS.name]: job.metadata.name,
    });
  }
  defaultTemplate(spec.template);
  return job;
}

export function validateJob(job: any): StatusCause[] {
  const spec = job.spec ?? {};
  if (!spec.manualSelector && spec.selector && !deepEqual(spec.selector, generatedSelector(job))) {
    return [{ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: ${goSelector(spec.selector)}: \`selector\` will be auto-generated` }];
  }
  const causes = validateWorkload(job, 'job', true, ['OnFailure', 'Never']);
  if (spec.completionMode === 'Indexed') {
    causes.push({ field: 'spec.completionMode', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Indexed": supported values: "NonIndexed"' });
  }
  return causes;
}

/** A Job's selector and pod template do not change once it exists. */
export function validateJobUpdate(old: any, next: any): StatusCause[] {
  const causes = validateSelectorUpdate(old, next);
  if (!deepEqual(old.spec?.template ?? null, next.spec?.template ?? null)) {
    causes.push({ field: 'spec.template', reason: 'FieldValueInvalid', message: 'Invalid value: the pod template: field is immutable' });
  }
  return causes;
}

export const batchKindStrategies: Record<string, KindStrategy> = {
  'batch/Job': { defaults: defaultJob, validate: validateJob, prepareUpdate: (_old, next) => defaultJob(next), validateUpdate: validateJobUpdate },
};
