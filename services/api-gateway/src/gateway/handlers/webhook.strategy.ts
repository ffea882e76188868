import {
  compileAdmissionExpression,
  fieldDuplicate,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooMany,
  goQuote,
  goRendered,
  mustReturn,
  StatusCause,
  validateDns1123Subdomain,
  validateQualifiedName,
} from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';
import { FAILURE_POLICIES, goSlice, MATCH_POLICIES, validateAdmissionRule } from './admission-rules.validation';
import { validateLabelSelector } from './networkpolicy.strategy';

/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration as kube-apiserver
 * admits them: the v1 defaults (SetDefaults_*Webhook) and ValidateMutating/ValidatingWebhookConfiguration's checks,
 * with their field paths and messages. The policy service calls the webhooks (services/policy/src/webhooks).
 */

const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];
const MAX_MATCH_CONDITIONS = 64;
const URL_FORM = '; desired format: https://host[/path]';
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";


/** The v1 defaults of each webhook of a configuration. */
export function defaultWebhookConfiguration(config: any, mutating: boolean): any {
  for (const hook of Array.isArray(config.webhooks) ? config.webhooks : []) {
    if (!hook || typeof hook !== 'object') continue;
    hook.failurePolicy ??= 'Fail';
    hook.matchPolicy ??= 'Equivalent';
    hook.namespaceSelector ??= {};
    hook.objectSelector ??= {};
    hook.timeoutSeconds ??= 10;
    if (mutating) hook.reinvocationPolicy ??= 'Never';
    for (const rule of Array.isArray(hook.rules) ? hook.rules : []) if (rule && typeof rule === 'object') rule.scope ??= '*';
    const service = hook.clientConfig?.service;
    if (service && typeof service === 'object') service.port ??= 443;
  }
  return config;
}

export function validateWebhookConfiguration(config: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  (Array.isArray(config.webhooks) ? config.webhooks : []).forEach((hook: any, i: number) => {
    const at = `webhooks[${i}]`;
    causes.push(...validateWebhook(hook ?? {}, at));
    causes.push(...validateReviewVersions(hook?.admissionReviewVersions, `${at}.admissionReviewVersions`));
    const name = hook?.name;
    if (typeof name === 'string' && name.length > 0) {
      if (names.has(name)) causes.push(fieldDuplicate(`${at}.name`, name));
      names.add(name);
    }
  });
  return causes;
}

function validateWebhook(hook: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [...fullyQualifiedName(hook.name ?? '', `${at}.name`)];
  (hook.rules ?? []).forEach((rule: any, i: number) => causes.push(...validateAdmissionRule(rule ?? {}, `${at}.rules[${i}]`)));
  if (hook.failurePolicy !== undefined && !FAILURE_POLICIES.includes(hook.failurePolicy)) causes.push(fieldNotSupported(`${at}.failurePolicy`, hook.failurePolicy, FAILURE_POLICIES));
  if (hook.matchPolicy !== undefined && !MATCH_POLICIES.includes(hook.matchPolicy)) causes.push(fieldNotSupported(`${at}.matchPolicy`, hook.matchPolicy, MATCH_POLICIES));
  if (hook.namespaceSelector) causes.push(...validateLabelSelector(hook.namespaceSelector, `${at}.namespaceSelector`));
  if (hook.objectSelector) causes.push(...validateLabelSelector(hook.objectSelector, `${at}.objectSelector`));
  causes.push(...validateClientConfig(hook.clientConfig ?? {}, `${at}.clientConfig`));
  if (hook.sideEffects === undefined || hook.sideEffects === null) causes.push(fieldRequired(`${at}.sideEffects`, `must specify one of ${SIDE_EFFECTS.join(', ')}`));
  else if (!SIDE_EFFECTS.includes(hook.sideEffects)) causes.push(fieldNotSupported(`${at}.sideEffects`, hook.sideEffects, SIDE_EFFECTS));
  const timeout = hook.timeoutSeconds;
  if (typeof timeout === 'number' && (timeout > 30 || timeout < 1)) causes.push(fieldInvalid(`${at}.timeoutSeconds`, timeout, 'the timeout value must be between 1 and 30 seconds'));
  if (hook.reinvocationPolicy !== undefined && !REINVOCATION_POLICIES.includes(hook.reinvocationPolicy)) {
    causes.push(fieldNotSupported(`${at}.reinvocationPolicy`, hook.reinvocationPolicy, REINVOCATION_POLICIES));
  }
  causes.push(...validateMatchConditions(hook.matchConditions ?? [], `${at}.matchConditions`));
  return causes;
}

/** IsFullyQualifiedName: a DNS subdomain of at least three segments. */
function fullyQualifiedName(name: string, field: string): StatusCause[] {
  if (name.length === 0) return [fieldRequired(field)];
  const problems = validateDns1123Subdomain(name);
  if (problems.length > 0) return [fieldInvalid(field, name, problems.join(','))];
  if (name.split('.').length < 3) return [fieldInvalid(field, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

export function validateReviewVersions(versions: unknown, field: string): StatusCause[] {
  if (!Array.isArray(versions) || versions.length === 0) return [fieldRequired(field, `must specify one of ${REVIEW_VERSIONS.join(', ')}`)];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  versions.forEach((v: string, i) => {
    if (seen.has(v)) return void causes.push(fieldInvalid(`${field}[${i}]`, v, 'duplicate version'));
    seen.add(v);
    if (String(v).length > 63) causes.push(fieldInvalid(`${field}[${i}]`, v, 'must be no more than 63 characters'));
    if (!DNS1035.test(String(v))) causes.push(fieldInvalid(`${field}[${i}]`, v, DNS1035_MESSAGE));
  });
  if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) causes.push(fieldInvalid(field, goRendered(goSlice('string', versions)), `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
  return causes;
}

export function validateClientConfig(cc: any, at: string): StatusCause[] {
  if ((cc.url === undefined) === (cc.service === undefined)) return [fieldRequired(at, 'exactly one of url or service is required')];
  if (cc.url !== undefined) return validateWebhookUrl(String(cc.url), `${at}.url`);
  return validateWebhookService(cc.service ?? {}, `${at}.service`);
}

/** ValidateWebhookURL with https forced. */
export function validateWebhookUrl(text: string, field: string): StatusCause[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [fieldRequired(field, `url must be a valid URL: parse ${goQuote(text)}: invalid URI for request${URL_FORM}`)];
  }
  const causes: StatusCause[] = [];
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'https') causes.push(fieldInvalid(field, scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
  if (url.host === '') causes.push(fieldInvalid(field, url.host, `host must be specified${URL_FORM}`));
  if (url.username || url.password) causes.push(fieldInvalid(field, url.password ? `${url.username}:xxxxx` : url.username, 'user information is not permitted in the URL'));
  if (url.hash.length > 1) causes.push(fieldInvalid(field, url.hash.slice(1), 'fragments are not permitted in the URL'));
  if (url.search.length > 1) causes.push(fieldInvalid(field, url.search.slice(1), 'query parameters are not permitted in the URL'));
  return causes;
}

/** ValidateWebhookService: a name and namespace, a port, a path of DNS-subdomain segments. */
function validateWebhookService(service: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!service.name) causes.push(fieldRequired(`${at}.name`, 'service name is required'));
  if (!service.namespace) causes.push(fieldRequired(`${at}.namespace`, 'service namespace is required'));
  const port = service.port;
  if (typeof port === 'number' && (port < 1 || port > 65535)) causes.push(fieldInvalid(`${at}.port`, port, 'port is not valid: must be between 1 and 65535, inclusive'));
  const path: string | undefined = service.path;
  if (path === undefined || path === '' || path === '/') return causes;
  if (path === '//') return [...causes, fieldInvalid(`${at}.path`, path, 'segment[0] may not be empty')];
  if (!path.startsWith('/')) causes.push(fieldInvalid(`${at}.path`, path, "must start with a '/'"));
  let rest = path.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  rest.split('/').forEach((step, i) => {
    if (step.length === 0) return void causes.push(fieldInvalid(`${at}.path`, path, `segment[${i}] may not be empty`));
    for (const p of validateDns1123Subdomain(step)) causes.push(fieldInvalid(`${at}.path`, path, `segment[${i}]: ${p}`));
  });
  return causes;
}

/** At most 64, each named (a qualified name, unique) with an expression that compiles. */
function validateMatchConditions(conditions: any[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (conditions.length > MAX_MATCH_CONDITIONS) causes.push(fieldTooMany(at, conditions.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const name = c?.name ?? '';
    if (name === '') causes.push(fieldRequired(`${at}[${i}].name`));
    else {
      for (const p of validateQualifiedName(name)) causes.push(fieldInvalid(`${at}[${i}].name`, name, p));
      if (names.has(name)) causes.push(fieldDuplicate(`${at}[${i}].name`, name));
      names.add(name);
    }
    const expression = c?.expression ?? '';
    if (expression === '') return void causes.push(fieldRequired(`${at}[${i}].expression`));
    const compiled = compileAdmissionExpression(expression, mustReturn('bool'));
    if ('detail' in compiled) causes.push(fieldInvalid(`${at}[${i}].expression`, expression, compiled.detail));
  });
  return causes;
}

const strategy = (mutating: boolean): KindStrategy => ({
  defaults: (c) => defaultWebhookConfiguration(c, mutating),
  prepareUpdate: (_old, next) => defaultWebhookConfiguration(next, mutating),
  validate: validateWebhookConfiguration,
});

export const webhookKindStrategies: Record<string, KindStrategy> = {
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': strategy(true),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': strategy(false),
};
