import { parseIndexRanges } from '@openpacific/contracts';
import { fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired, fieldTooLong, fieldTooMany, goRendered, OMIT_VALUE, type StatusCause, validateDns1123Subdomain } from '@openpacific/kube-api';

/**
 * kube-apiserver's validation of a Job's failure and success policies and of backoffLimitPerIndex, in its words.
 * A value Kubernetes prints as a Go struct (with pointers) is left out of the message.
 */

const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const MAX_RULES = 20;
const MAX_EXIT_CODES = 255;
const MAX_FAILED_INDEXES = 100_000;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const MAX_MANAGED_BY = 63;
/** apimachinery's httpPathFmt: the path part of a domain-prefixed path. */
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

const goList = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
const goInts = (values: unknown) => (Array.isArray(values) ? `[]int32{${values.join(', ')}}` : '[]int32(nil)');

export function validateJobPolicies(spec: any): StatusCause[] {
  const causes: StatusCause[] = spec.managedBy === undefined ? [] : validateManagedBy(spec.managedBy);
  const indexed = spec.completionMode === 'Indexed';
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) causes.push(fieldRequired('spec.backoffLimitPerIndex', 'when maxFailedIndexes is specified'));
  if (indexed && spec.maxFailedIndexes !== undefined) {
    if (spec.completions !== undefined && spec.maxFailedIndexes > spec.completions) causes.push(fieldInvalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'must be less than or equal to completions'));
    if (spec.maxFailedIndexes > MAX_FAILED_INDEXES) causes.push(fieldInvalid('spec.maxFailedIndexes', spec.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES}`));
  }
  if (!indexed) {
    if (spec.backoffLimitPerIndex !== undefined) causes.push(fieldInvalid('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes !== undefined) causes.push(fieldInvalid('spec.maxFailedIndexes', spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy) causes.push(...validatePodFailurePolicy(spec));
  if (spec.successPolicy) {
    if (!indexed) causes.push(fieldInvalid('spec.successPolicy', OMIT_VALUE, 'requires indexed completion mode'));
    else causes.push(...validateSuccessPolicy(spec));
  }
  // A pod failure policy judges how a pod ended, so the pod must end (not restart in place) and be replaced only once it has.
  if (spec.podFailurePolicy) {
    const policy = spec.template?.spec?.restartPolicy;
    if (policy === 'OnFailure') causes.push(fieldInvalid('spec.template.spec.restartPolicy', policy, 'only "Never" is supported when podFailurePolicy is specified'));
    if (spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== 'Failed') causes.push(fieldNotSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, ['Failed']));
  }
  return causes;
}

function validatePodFailurePolicy(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const rules: any[] = spec.podFailurePolicy.rules ?? [];
  if (rules.length > MAX_RULES) causes.push(fieldTooMany('spec.podFailurePolicy.rules', rules.length, MAX_RULES));
  const containers = new Set([...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map((c: any) => c.name));
  rules.forEach((rule, i) => {
    const at = `spec.podFailurePolicy.rules[${i}]`;
    if (!rule.action) causes.push(fieldRequired(`${at}.action`, `valid values: ${goList(ACTIONS)}`));
    else if (rule.action === 'FailIndex') {
      if (spec.backoffLimitPerIndex === undefined) causes.push(fieldInvalid(`${at}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!ACTIONS.includes(rule.action)) causes.push(fieldNotSupported(`${at}.action`, rule.action, ACTIONS));
    if (rule.onExitCodes) causes.push(...validateOnExitCodes(rule.onExitCodes, `${at}.onExitCodes`, containers));
    const patterns: any[] = rule.onPodConditions ?? [];
    if (patterns.length > MAX_RULES) causes.push(fieldTooMany(`${at}.onPodConditions`, patterns.length, MAX_RULES));
    patterns.forEach((p, j) => {
      const pat = `${at}.onPodConditions[${j}]`;
      if (!QUALIFIED_NAME.test(p.type ?? '')) {
        causes.push(fieldInvalid(`${pat}.type`, p.type ?? '', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
      }
      if (!p.status) causes.push(fieldRequired(`${pat}.status`, `valid values: ${goList(CONDITION_STATUSES)}`));
      else if (!CONDITION_STATUSES.includes(p.status)) causes.push(fieldNotSupported(`${pat}.status`, p.status, CONDITION_STATUSES));
    });
    if (rule.onExitCodes && patterns.length > 0) causes.push(fieldInvalid(at, OMIT_VALUE, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!rule.onExitCodes && patterns.length === 0) causes.push(fieldInvalid(at, OMIT_VALUE, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return causes;
}

function validateOnExitCodes(req: any, at: string, containers: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!req.operator) causes.push(fieldRequired(`${at}.operator`, `valid values: ${goList(OPERATORS)}`));
  else if (!OPERATORS.includes(req.operator)) causes.push(fieldNotSupported(`${at}.operator`, req.operator, OPERATORS));
  if (req.containerName !== undefined && !containers.has(req.containerName)) {
    causes.push(fieldInvalid(`${at}.containerName`, req.containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const values: number[] = req.values ?? [];
  if (values.length === 0) causes.push(fieldInvalid(`${at}.values`, goRendered(goInts(req.values)), 'at least one value is required'));
  else if (values.length > MAX_EXIT_CODES) causes.push(fieldTooMany(`${at}.values`, values.length, MAX_EXIT_CODES));
  const seen = new Set<number>();
  values.forEach((v, j) => {
    if (req.operator === 'In' && v === 0) causes.push(fieldInvalid(`${at}.values[${j}]`, 0, 'must not be 0 for the In operator'));
    if (seen.has(v)) causes.push(fieldDuplicate(`${at}.values[${j}]`, v));
    seen.add(v);
  });
  if (values.some((v, j) => j > 0 && values[j - 1] > v)) causes.push(fieldInvalid(`${at}.values`, goRendered(goInts(values)), 'must be ordered'));
  return causes;
}

function validateSuccessPolicy(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const rules: any[] = spec.successPolicy.rules ?? [];
  if (rules.length === 0) causes.push(fieldRequired('spec.successPolicy.rules', 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > MAX_RULES) causes.push(fieldTooMany('spec.successPolicy.rules', rules.length, MAX_RULES));
  const completions = spec.completions ?? 0;
  rules.forEach((rule, i) => {
    const at = `spec.successPolicy.rules[${i}]`;
    if (rule.succeededCount === undefined && rule.succeededIndexes === undefined) causes.push(fieldRequired(at, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (rule.succeededIndexes !== undefined) {
      const parsed = parseIndexRanges(rule.succeededIndexes, completions);
      if ('error' in parsed) causes.push(fieldInvalid(`${at}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${parsed.error}`));
      else total = parsed.intervals.reduce((n, [x, y]) => n + y - x + 1, 0);
    }
    if (rule.succeededCount !== undefined) {
      const count = rule.succeededCount;
      if (count < 0) causes.push(fieldInvalid(`${at}.succeededCount`, count, 'must be greater than or equal to 0'));
      if (count > completions) causes.push(fieldInvalid(`${at}.succeededCount`, count, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (rule.succeededIndexes !== undefined && count > total) {
        causes.push(fieldInvalid(`${at}.succeededCount`, count, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return causes;
}

/**
 * `spec.managedBy`, the controller a Job is left to: a domain-prefixed path (`example.com/queue`) of at most 63
 * characters, as kube-apiserver's IsDomainPrefixedPath judges it.
 */
function validateManagedBy(value: string): StatusCause[] {
  const field = 'spec.managedBy';
  if (value.length === 0) return [fieldRequired(field)];
  const causes: StatusCause[] = [];
  const slash = value.indexOf('/');
  const host = slash < 0 ? '' : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (host.length === 0 || path.length === 0) causes.push(fieldInvalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  else {
    for (const problem of validateDns1123Subdomain(host)) causes.push(fieldInvalid(field, host, problem));
    if (causes.length === 0 && !HTTP_PATH.test(path)) causes.push(fieldInvalid(field, path, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  }
  if (value.length > MAX_MANAGED_BY) causes.push(fieldTooLong(field, MAX_MANAGED_BY));
  return causes;
}

/** A Job's policies and the controller it is left to do not change once it exists. */
export function validateJobPoliciesUpdate(old: any, next: any, same: (a: unknown, b: unknown) => boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['podFailurePolicy', 'backoffLimitPerIndex', 'successPolicy', 'completionMode', 'managedBy']) {
    if (!same(old.spec?.[field] ?? null, next.spec?.[field] ?? null)) {
      const value = next.spec?.[field];
      // kube prints these fields' structs as Go does (with pointers); we leave such a value out of the message.
      causes.push(fieldInvalid(`spec.${field}`, value !== undefined && typeof value === 'object' ? OMIT_VALUE : value, 'field is immutable'));
    }
  }
  return causes;
}
