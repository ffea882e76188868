import { defaultJobSpec, defaultPodFailurePolicy, generatedJobSelector } from '@openpacific/contracts';
import { cronScheduleProblem, fieldRequired, knownTimeZone, StatusCause } from '@openpacific/kube-api';
import { defaultTemplate, goSelector, validateSelectorUpdate, validateTemplateSpec, validateWorkload } from './apps.strategy';
import type { KindStrategy } from './kind-strategies';
import { validateJobPolicies, validateJobPoliciesUpdate } from './job-policy.validation';
import { deepEqual } from './object-rules';

/** batch/v1 Job and CronJob: kube-apiserver's defaults (a Job's generated selector and labels) and the validation the schema cannot express. */

const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];

export function defaultJob(job: any): any {
  defaultJobSpec(job);
  defaultTemplate(job.spec.template);
  return job;
}

export function validateJob(job: any): StatusCause[] {
  const spec = job.spec ?? {};
  if (!spec.manualSelector && spec.selector && !deepEqual(spec.selector, generatedJobSelector(job))) {
    return [{ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: ${goSelector(spec.selector)}: \`selector\` will be auto-generated` }];
  }
  const causes = validateWorkload(job, 'job', true, JOB_RESTART_POLICIES);
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) {
    causes.push(fieldRequired('spec.completions', 'when completion mode is Indexed'));
  }
  causes.push(...validateJobPolicies(spec));
  return causes;
}

/** A Job's selector, pod template, completion mode and policies do not change once it exists. */
export function validateJobUpdate(old: any, next: any): StatusCause[] {
  const causes = [...validateSelectorUpdate(old, next), ...validateJobPoliciesUpdate(old, next, deepEqual)];
  if (!deepEqual(old.spec?.template ?? null, next.spec?.template ?? null)) {
    causes.push({ field: 'spec.template', reason: 'FieldValueInvalid', message: 'Invalid value: the pod template: field is immutable' });
  }
  return causes;
}

export function defaultCronJob(cj: any): any {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodFailurePolicy(spec.jobTemplate?.spec);
  defaultTemplate(spec.jobTemplate?.spec?.template);
  return cj;
}

export function validateCronJob(cj: any): StatusCause[] {
  const spec = cj.spec ?? {};
  const causes: StatusCause[] = [];
  if (spec.timeZone !== undefined && !knownTimeZone(spec.timeZone)) {
    causes.push({ field: 'spec.timeZone', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(spec.timeZone)}: unknown time zone ${spec.timeZone}` });
  }
  const problem = typeof spec.schedule === 'string' ? cronScheduleProblem(spec.schedule, causes.length ? undefined : spec.timeZone) : undefined;
  if (problem) causes.push({ field: 'spec.schedule', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(spec.schedule)}: ${problem}` });
  const template = spec.jobTemplate?.spec?.template;
  if (!template) causes.push(fieldRequired('spec.jobTemplate.spec.template'));
  else causes.push(...validateTemplateSpec(template, 'spec.jobTemplate.spec.template', JOB_RESTART_POLICIES));
  const jobCauses = validateJobPolicies(spec.jobTemplate?.spec ?? {});
  causes.push(...jobCauses.map((c) => ({ ...c, field: c.field?.replace(/^spec\./, 'spec.jobTemplate.spec.') })));
  return causes;
}

/** A CronJob's Jobs are named `<name>-<minutes>`, which must stay a DNS label: 52 characters at most, on create. */
function validateCronJobName(cj: any): StatusCause[] {
  const name = cj.metadata?.name ?? '';
  return name.length > 52 ? [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: must be no more than 52 characters` }] : [];
}

export const batchKindStrategies: Record<string, KindStrategy> = {
  'batch/CronJob': { defaults: defaultCronJob, validate: validateCronJob, validateCreate: validateCronJobName, prepareUpdate: (_old, next) => defaultCronJob(next) },
  'batch/Job': { defaults: defaultJob, validate: validateJob, prepareUpdate: (_old, next) => defaultJob(next), validateUpdate: validateJobUpdate },
};
