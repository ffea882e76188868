import {
  compilePolicyExpression,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooMany,
  goRendered,
  mustReturn,
  PolicyExpressionPlace,
  Returns,
  StatusCause,
  validateDns1123Subdomain,
  validateQualifiedName,
} from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';
import { validateLabelSelector } from './networkpolicy.strategy';
import {
  defaultMatchResources, FAILURE_POLICIES, goSlice, subdomainCauses, validateMatchResources,
} from './admission-rules.validation';

/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding as kube-apiserver
 * admits them: their defaults, and ValidateValidatingAdmissionPolicy(Binding)'s checks with its field paths and
 * messages, every CEL expression compiled (a compile error is a 422 at the expression's field). The policy service's
 * ValidatingAdmissionPolicy admitter enforces them.
 */

const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized'];
const ACTIONS = ['Audit', 'Deny', 'Warn'];
const NOT_FOUND_ACTIONS = ['Deny', 'Allow'];
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const MAX_MATCH_CONDITIONS = 64;
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_VALUE_EXPRESSION_LENGTH = 5 * 1024;

export function defaultValidatingAdmissionPolicy(vap: any): any {
  if (typeof vap.spec !== 'object' || vap.spec === null) vap.spec = {};
  vap.spec.failurePolicy ??= 'Fail';
  defaultMatchResources(vap.spec.matchConstraints);
  return vap;
}

export function defaultValidatingAdmissionPolicyBinding(binding: any): any {
  if (typeof binding.spec !== 'object' || binding.spec === null) binding.spec = {};
  defaultMatchResources(binding.spec.matchResources);
  return binding;
}

/** An expression compiled where it is; its error as kube-apiserver reports it at the field. */
function compiled(field: string, text: string, place: PolicyExpressionPlace, hasParams: boolean, returns?: Returns): StatusCause[] {
  const result = compilePolicyExpression(text, place, hasParams, returns);
  return 'detail' in result ? [fieldInvalid(field, text, result.detail)] : [];
}

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export function validateValidatingAdmissionPolicy(vap: any): StatusCause[] {
  const spec = vap.spec ?? {};
  const causes: StatusCause[] = [];
  const hasParams = spec.paramKind !== undefined && spec.paramKind !== null;
  if (!spec.failurePolicy) causes.push(fieldRequired('spec.failurePolicy'));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) causes.push(fieldNotSupported('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
  if (hasParams) causes.push(...validateParamKind(spec.paramKind));
  if (!spec.matchConstraints) causes.push(fieldRequired('spec.matchConstraints'));
  else {
    causes.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    // At least one rule, to say which kinds the expressions see.
    if (!Array.isArray(spec.matchConstraints.resourceRules) || spec.matchConstraints.resourceRules.length === 0) causes.push(fieldRequired('spec.matchConstraints.resourceRules'));
  }
  causes.push(...validateMatchConditions(spec.matchConditions ?? [], hasParams, 'spec.matchConditions'));
  (spec.variables ?? []).forEach((v: any, i: number) => causes.push(...validateVariable(v, hasParams, `spec.variables[${i}]`)));
  const validations: any[] = spec.validations ?? [];
  const annotations: any[] = spec.auditAnnotations ?? [];
  if (validations.length === 0 && annotations.length === 0) {
    causes.push(fieldRequired('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    causes.push(fieldRequired('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
    return causes;
  }
  validations.forEach((v, i) => causes.push(...validateValidation(v, hasParams, `spec.validations[${i}]`)));
  if (annotations.length > MAX_AUDIT_ANNOTATIONS) causes.push(fieldInvalid('spec.auditAnnotations', annotations.length, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  annotations.forEach((a, i) => {
    const at = `spec.auditAnnotations[${i}]`;
    const name = vap.metadata?.name ?? '';
    if (name) for (const p of validateQualifiedName(`${name}/${a?.key ?? ''}`)) causes.push(fieldInvalid(`${at}.key`, `${name}/${a?.key ?? ''}`, p));
    else causes.push(fieldInvalid(`${at}.key`, a?.key ?? '', 'requires metadata.name be non-empty'));
    const value = trimmed(a?.valueExpression);
    if (value === '') causes.push(fieldRequired(`${at}.valueExpression`, 'valueExpression is not specified'));
    else if (value.length > MAX_VALUE_EXPRESSION_LENGTH) causes.push(fieldRequired(`${at}.valueExpression`, `must not exceed ${MAX_VALUE_EXPRESSION_LENGTH} bytes in length`));
    else causes.push(...compiled(`${at}.valueExpression`, a.valueExpression, 'validation', hasParams, mustReturn('string', 'null_type')));
    if (keys.has(a?.key)) causes.push(fieldDuplicate(`${at}.key`, a?.key));
    keys.add(a?.key);
  });
  return causes;
}

function validateParamKind(pk: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const apiVersion: string = pk?.apiVersion ?? '';
  if (apiVersion === '') causes.push(fieldRequired('spec.paramKind.apiVersion'));
  else {
    const parts = apiVersion.split('/');
    const [group, version] = parts.length === 1 ? ['', parts[0]] : parts;
    if (parts.length > 2) causes.push(fieldInvalid('spec.paramKind.apiVersion', apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else {
      if (group) for (const p of validateDns1123Subdomain(group)) causes.push(fieldInvalid('spec.paramKind.apiVersion', group, p));
      if (!version) causes.push(fieldInvalid('spec.paramKind.apiVersion', apiVersion, 'version must be specified'));
      else for (const p of dns1035Problems(version)) causes.push(fieldInvalid('spec.paramKind.apiVersion', version, p));
    }
  }
  const kind: string = pk?.kind ?? '';
  if (kind === '') causes.push(fieldRequired('spec.paramKind.kind'));
  else {
    const problems = dns1035Problems(kind.toLowerCase());
    if (problems.length > 0) causes.push(fieldInvalid('spec.paramKind.kind', kind, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
  }
  return causes;
}

function dns1035Problems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    out.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

function validateMatchConditions(conditions: any[], hasParams: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (conditions.length > MAX_MATCH_CONDITIONS) causes.push(fieldTooMany(at, conditions.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const here = `${at}[${i}]`;
    if (trimmed(c?.expression) === '') causes.push(fieldRequired(`${here}.expression`));
    else causes.push(...compiled(`${here}.expression`, c.expression.trim(), 'matchCondition', hasParams, mustReturn('bool')));
    const name: string = c?.name ?? '';
    if (name === '') causes.push(fieldRequired(`${here}.name`));
    else for (const p of validateQualifiedName(name)) causes.push(fieldInvalid(`${here}.name`, name, p));
    if (name !== '') {
      if (names.has(name)) causes.push(fieldDuplicate(`${here}.name`, name));
      names.add(name);
    }
  });
  return causes;
}

function validateVariable(v: any, hasParams: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (trimmed(v?.name) === '') causes.push(fieldRequired(`${at}.name`, 'name is not specified'));
  else if (!CEL_IDENTIFIER.test(v.name)) causes.push(fieldInvalid(`${at}.name`, v.name, 'name is not a valid CEL identifier'));
  if (trimmed(v?.expression) === '') causes.push(fieldRequired(`${at}.expression`, 'expression is not specified'));
  else causes.push(...compiled(`${at}.expression`, v.expression, 'validation', hasParams));
  return causes;
}

function validateValidation(v: any, hasParams: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (trimmed(v?.expression) === '') causes.push(fieldRequired(`${at}.expression`, 'expression is not specified'));
  else causes.push(...compiled(`${at}.expression`, v.expression, 'validation', hasParams, mustReturn('bool')));
  const messageExpression: string = v?.messageExpression ?? '';
  if (messageExpression.length > 0 && messageExpression.trim() === '') causes.push(fieldInvalid(`${at}.messageExpression`, messageExpression, 'must be non-empty if specified'));
  else if (messageExpression.trim() !== '') causes.push(...compiled(`${at}.messageExpression`, messageExpression, 'validation', hasParams, mustReturn('string')));
  const message: string = v?.message ?? '';
  if (message.length > 0 && message.trim() === '') causes.push(fieldInvalid(`${at}.message`, message, 'message must be non-empty if specified'));
  else if (/[\r\n]/.test(message.trim())) causes.push(fieldInvalid(`${at}.message`, message, 'message must not contain line breaks'));
  if (v?.reason !== undefined && !REASONS.includes(v.reason)) causes.push(fieldNotSupported(`${at}.reason`, v.reason, REASONS));
  return causes;
}

export function validateValidatingAdmissionPolicyBinding(binding: any): StatusCause[] {
  const spec = binding.spec ?? {};
  const causes: StatusCause[] = [];
  if (!spec.policyName) causes.push(fieldRequired('spec.policyName'));
  else causes.push(...subdomainCauses('spec.policyName', spec.policyName));
  if (spec.paramRef) causes.push(...validateParamRef(spec.paramRef, 'spec.paramRef'));
  // kube-apiserver's own spelling of the path.
  causes.push(...validateMatchResources(spec.matchResources, 'spec.matchResouces'));
  causes.push(...validateValidationActions(spec.validationActions ?? [], 'spec.validationActions'));
  return causes;
}

function pathSegmentProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

function validateParamRef(ref: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const name: string = ref.name ?? '';
  if (name) {
    for (const p of pathSegmentProblems(name)) causes.push(fieldInvalid(`${at}.name`, name, p));
    if (ref.selector) causes.push(fieldForbidden(`${at}.name`, 'name and selector are mutually exclusive'));
  }
  if (ref.namespace) for (const p of pathSegmentProblems(ref.namespace)) causes.push(fieldInvalid(`${at}.namespace`, ref.namespace, p));
  if (ref.selector) {
    causes.push(...validateLabelSelector(ref.selector, `${at}.selector`));
    if (name) causes.push(fieldForbidden(`${at}.selector`, 'name and selector are mutually exclusive'));
  }
  if (!name && !ref.selector) causes.push(fieldRequired(at, 'one of name or selector must be specified'));
  if (!ref.parameterNotFoundAction) causes.push(fieldRequired(`${at}.parameterNotFoundAction`));
  else if (!NOT_FOUND_ACTIONS.includes(ref.parameterNotFoundAction)) causes.push(fieldNotSupported(`${at}.parameterNotFoundAction`, ref.parameterNotFoundAction, NOT_FOUND_ACTIONS));
  return causes;
}

function validateValidationActions(actions: string[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) causes.push(fieldNotSupported(`${at}[${i}]`, a, ACTIONS));
    if (seen.has(a)) causes.push(fieldDuplicate(`${at}[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    causes.push(fieldInvalid(at, goRendered(goSlice('admissionregistration.ValidationAction', actions)), 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) causes.push(fieldRequired(at, 'at least one validation action is required'));
  return causes;
}

export const admissionPolicyKindStrategies: Record<string, KindStrategy> = {
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': {
    defaults: defaultValidatingAdmissionPolicy,
    prepareUpdate: (_old, next) => defaultValidatingAdmissionPolicy(next),
    validate: validateValidatingAdmissionPolicy,
  },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': {
    defaults: defaultValidatingAdmissionPolicyBinding,
    prepareUpdate: (_old, next) => defaultValidatingAdmissionPolicyBinding(next),
    validate: validateValidatingAdmissionPolicyBinding,
  },
};
