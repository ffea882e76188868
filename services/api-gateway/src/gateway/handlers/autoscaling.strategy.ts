import { completeBehavior, cpuUtilizationMetric } from '@openpacific/contracts';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  parseQuantity,
  StatusCause,
  validateDns1123Label,
  validateQualifiedName,
} from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';

/**
 * autoscaling/v2 HorizontalPodAutoscaler as kube-apiserver admits it (objects of both versions arrive here at v2):
 * its defaults and ValidateHorizontalPodAutoscaler's checks, with their field paths and messages. minReplicas 0
 * needs the HPAScaleToZero feature gate, which is off here as it is by default.
 */

/** The target kube-apiserver gives an HPA without metrics (a v1 one without targetCPUUtilizationPercentage). */
export const DEFAULT_CPU_UTILIZATION = 80;
const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELDS: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', ContainerResource: 'containerResource', External: 'external' };
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

export function defaultHorizontalPodAutoscaler(hpa: any): any {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) spec.metrics = [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];
  if (spec.behavior) spec.behavior = completeBehavior(spec.behavior);
  return hpa;
}

function pathSegmentName(field: string, value: string): StatusCause[] {
  const problems = value === '.' || value === '..' ? [`may not be '${value}'`] : ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
  return problems.map((p) => fieldInvalid(field, value, p));
}

function validateReference(ref: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const key of ['kind', 'name']) {
    const value = ref?.[key];
    if (!value) causes.push(fieldRequired(`${at}.${key}`));
    else causes.push(...pathSegmentName(`${at}.${key}`, value));
  }
  return causes;
}

function validateMetricIdentifier(id: any, at: string): StatusCause[] {
  if (!id?.name) return [fieldRequired(`${at}.name`, 'must specify a metric name')];
  return pathSegmentName(`${at}.name`, id.name);
}

function positiveQuantity(field: string, q: unknown): StatusCause[] {
  if (q === undefined) return [];
  const n = parseQuantity(q as string | number);
  return n === undefined || n <= 0 ? [fieldInvalid(field, String(q), 'must be positive')] : [];
}

function validateTarget(t: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!t?.type) causes.push(fieldRequired(`${at}.type`, 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(t?.type)) causes.push(fieldInvalid(`${at}.type`, t?.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  causes.push(...positiveQuantity(`${at}.value`, t?.value), ...positiveQuantity(`${at}.averageValue`, t?.averageValue));
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1) causes.push(fieldInvalid(`${at}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  return causes;
}

function validateResourceName(name: any, at: string): StatusCause[] {
  if (!name) return [fieldRequired(`${at}.name`, 'must specify a resource name')];
  const causes = validateQualifiedName(name).map((p) => fieldInvalid(`${at}.name`, name, p));
  if (causes.length === 0 && !name.includes('/') && !STANDARD_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
    causes.push(fieldInvalid(`${at}.name`, name, 'must be a standard resource for containers'));
  }
  return causes;
}

function validateResourceTarget(target: any, at: string): StatusCause[] {
  const causes = validateTarget(target, `${at}.target`);
  if (target?.averageUtilization === undefined && target?.averageValue === undefined) causes.push(fieldRequired(`${at}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
  if (target?.averageUtilization !== undefined && target?.averageValue !== undefined) causes.push(fieldInvalid(`${at}.target.averageValue`, String(target.averageValue), 'may not set both a target raw value and a target utilization'));
  return causes;
}

const sourceChecks: Record<string, (src: any, at: string) => StatusCause[]> = {
  resource: (src, at) => [...validateResourceName(src.name, at), ...validateResourceTarget(src.target, at)],
  containerResource: (src, at) => [
    ...validateResourceName(src.name, at),
    ...(src.container ? validateDns1123Label(src.container).map((p) => fieldInvalid(`${at}.container`, src.container, p)) : [fieldRequired(`${at}.container`, 'must specify a container')]),
    ...validateResourceTarget(src.target, at),
  ],
  pods: (src, at) => [
    ...validateMetricIdentifier(src.metric, `${at}.metric`),
    ...validateTarget(src.target, `${at}.target`),
    ...(src.target?.averageValue === undefined ? [fieldRequired(`${at}.target.averageValue`, 'must specify a positive target averageValue')] : []),
  ],
  object: (src, at) => [
    ...validateReference(src.describedObject, `${at}.describedObject`),
    ...validateMetricIdentifier(src.metric, `${at}.metric`),
    ...validateTarget(src.target, `${at}.target`),
    ...(src.target?.value === undefined && src.target?.averageValue === undefined ? [fieldRequired(`${at}.target.averageValue`, 'must set either a target value or averageValue')] : []),
  ],
  external: (src, at) => [
    ...validateMetricIdentifier(src.metric, `${at}.metric`),
    ...validateTarget(src.target, `${at}.target`),
    ...(src.target?.value === undefined && src.target?.averageValue === undefined ? [fieldRequired(`${at}.target.averageValue`, 'must set either a target value for metric or a per-pod target')] : []),
    ...(src.target?.value !== undefined && src.target?.averageValue !== undefined ? [fieldInvalid(`${at}.target.value`, String(src.target.value), 'may not set both a target value for metric and a per-pod target')] : []),
  ],
};

function validateMetric(metric: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!metric?.type) causes.push(fieldRequired(`${at}.type`, 'must specify a metric source type'));
  const present = Object.keys(sourceChecks).filter((k) => metric?.[k] !== undefined && metric[k] !== null);
  if (present.length === 1) causes.push(...sourceChecks[present[0]](metric[present[0]], `${at}.${present[0]}`));
  const expected = SOURCE_FIELDS[metric?.type];
  if (!expected) causes.push(fieldNotSupported(`${at}.type`, metric?.type ?? '', METRIC_TYPES));
  else if (metric[expected] === undefined || metric[expected] === null) causes.push(fieldRequired(`${at}.${expected}`, 'must populate information for the given metric source'));
  if (present.length !== 1) for (const k of present.filter((k) => k !== expected)) causes.push(fieldForbidden(`${at}.${k}`, 'must populate the given metric source only'));
  return causes;
}

function validateRules(rules: any, at: string): StatusCause[] {
  if (!rules) return [];
  const causes: StatusCause[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && window < 0) causes.push(fieldInvalid(`${at}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'));
  if (window !== undefined && window > 3600) causes.push(fieldInvalid(`${at}.stabilizationWindowSeconds`, window, 'must be less than or equal to 3600'));
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(rules.selectPolicy)) causes.push(fieldNotSupported(`${at}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES));
  const policies: any[] = rules.policies ?? [];
  if (policies.length === 0) causes.push(fieldRequired(`${at}.policies`, 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const path = `${at}.policies[${i}]`;
    if (!POLICY_TYPES.includes(p?.type)) causes.push(fieldNotSupported(`${path}.type`, p?.type ?? '', POLICY_TYPES));
    const value = p?.value ?? 0;
    if (value <= 0) causes.push(fieldInvalid(`${path}.value`, value, 'must be greater than zero'));
    const period = p?.periodSeconds ?? 0;
    if (period <= 0) causes.push(fieldInvalid(`${path}.periodSeconds`, period, 'must be greater than zero'));
    if (period > 1800) causes.push(fieldInvalid(`${path}.periodSeconds`, period, 'must be less than or equal to 1800'));
  });
  return causes;
}

export function validateHorizontalPodAutoscaler(hpa: any): StatusCause[] {
  const spec = hpa.spec ?? {};
  const causes: StatusCause[] = [];
  const min = spec.minReplicas;
  const max = spec.maxReplicas ?? 0;
  if (min !== undefined && min < 1) causes.push(fieldInvalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) causes.push(fieldInvalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) causes.push(fieldInvalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  causes.push(...validateReference(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  (spec.metrics ?? []).forEach((m: any, i: number) => causes.push(...validateMetric(m, `spec.metrics[${i}]`)));
  if (spec.behavior) causes.push(...validateRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'), ...validateRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  return causes;
}

export const autoscalingKindStrategies: Record<string, KindStrategy> = {
  'autoscaling/HorizontalPodAutoscaler': {
    defaults: defaultHorizontalPodAutoscaler,
    prepareUpdate: (_old, next) => defaultHorizontalPodAutoscaler(next),
    validate: validateHorizontalPodAutoscaler,
  },
};
