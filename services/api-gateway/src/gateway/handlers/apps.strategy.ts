import { fieldRequired, StatusCause } from '@openpacific/kube-api';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';
import { deepEqual } from './object-rules';
import { defaultPod, validatePod } from './pod.strategy';

/** apps/v1 Deployment and ReplicaSet: kube-apiserver's defaults and the validation the schema cannot express. */

/** A pod template gets the pod defaults when its owner is written (as kube-apiserver defaults PodTemplateSpec). */
export function defaultTemplate(template: any): void {
  if (!template?.spec?.containers) return;
  const pod = defaultPod({ spec: template.spec });
  template.spec = pod.spec;
}

export function defaultDeployment(d: any): any {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec.template);
  return d;
}

export function defaultReplicaSet(rs: any): any {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
  return rs;
}

/** A Go map as kube-apiserver prints it in messages: `map[string]string{"app":"web"}`. */
export function goMap(m: Record<string, string> | undefined): string {
  return `map[string]string{${Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

export function goSelector(sel: any): string {
  const exprs = sel?.matchExpressions?.length
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e: any) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v: string) => JSON.stringify(v)).join(', ')}}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${sel?.matchLabels ? goMap(sel.matchLabels) : 'map[string]string(nil)'}, MatchExpressions:${exprs}}`;
}

/**
 * Selector and template as every workload needs them, and the template's pod spec (fields under
 * `spec.template.spec`) with one of the restart policies the kind runs its pods with.
 */
export function validateWorkload(obj: any, kind: string, templateRequired: boolean, restartPolicies = ['Always']): StatusCause[] {
  const causes: StatusCause[] = [];
  const sel = obj.spec?.selector;
  const empty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
  if (empty) causes.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: ${goSelector(sel)}: empty selector is invalid for ${kind}` });
  const template = obj.spec?.template;
  if (!template) {
    if (templateRequired) causes.push(fieldRequired('spec.template'));
    return causes;
  }
  const labels = template.metadata?.labels ?? {};
  if (Object.keys(labels).length === 0) {
    causes.push({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\`` });
  } else if (!empty) {
    let matches = false;
    try {
      matches = matchesLabelSelector(labelSelectorFromObject(sel), labels);
    } catch {
      causes.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: ${goSelector(sel)}: invalid label selector` });
    }
    if (!matches) causes.push({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\`` });
  }
  return [...causes, ...validateTemplateSpec(template, 'spec.template', restartPolicies)];
}

/** A pod template's spec (at `at`, e.g. `spec.template`): the pod rules, and one of the restart policies the owner runs pods with. */
export function validateTemplateSpec(template: any, at: string, restartPolicies: string[]): StatusCause[] {
  if (!template?.spec) return [{ field: `${at}.spec`, reason: 'FieldValueRequired', message: 'Required value' }];
  const causes = validatePod({ spec: template.spec }).map((c) => ({ ...c, field: `${at}.${c.field}` }));
  const policy = template.spec.restartPolicy;
  if (policy !== undefined && !restartPolicies.includes(policy)) {
    const supported = restartPolicies.map((p) => JSON.stringify(p)).join(', ');
    causes.push({ field: `${at}.spec.restartPolicy`, reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: ${supported}` });
  }
  return causes;
}

/** `25%` or an integer; the percent part of a string. */
export function intOrPercent(field: string, v: unknown, causes: StatusCause[]): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') {
    if (v < 0) causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${v}: must be greater than or equal to 0` });
    return v;
  }
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) {
    causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(v)}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')` });
    return undefined;
  }
  const pct = Number(m[1]);
  if (pct > 100) causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(v)}: must not be greater than 100%` });
  return pct;
}

export function validateDeployment(d: any): StatusCause[] {
  const causes = validateWorkload(d, 'deployment', true);
  const strategy = d.spec?.strategy ?? {};
  if (strategy.type === 'Recreate' && strategy.rollingUpdate) {
    causes.push({ field: 'spec.strategy.rollingUpdate', reason: 'FieldValueForbidden', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" });
  }
  if (strategy.type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate ?? {};
    const surge = intOrPercent('spec.strategy.rollingUpdate.maxSurge', ru.maxSurge, causes);
    const unavailable = intOrPercent('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, causes);
    if (surge === 0 && unavailable === 0) {
      causes.push({ field: 'spec.strategy.rollingUpdate.maxUnavailable', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(ru.maxUnavailable)}: may not be 0 when \`maxSurge\` is 0` });
    }
  }
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline !== undefined && deadline <= (d.spec?.minReadySeconds ?? 0)) {
    causes.push({ field: 'spec.progressDeadlineSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${deadline}: must be greater than minReadySeconds` });
  }
  return causes;
}

export function validateReplicaSet(rs: any): StatusCause[] {
  return validateWorkload(rs, 'replicaset', false);
}

/** apps/v1 selectors are immutable. */
export function validateSelectorUpdate(old: any, next: any): StatusCause[] {
  if (deepEqual(old.spec?.selector ?? null, next.spec?.selector ?? null)) return [];
  return [{ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: ${goSelector(next.spec?.selector)}: field is immutable` }];
}

export const appsKindStrategies: Record<string, KindStrategy> = {
  'apps/Deployment': { defaults: defaultDeployment, validate: validateDeployment, prepareUpdate: (_old, next) => defaultDeployment(next), validateUpdate: validateSelectorUpdate },
  'apps/ReplicaSet': { defaults: defaultReplicaSet, validate: validateReplicaSet, prepareUpdate: (_old, next) => defaultReplicaSet(next), validateUpdate: validateSelectorUpdate },
};
