import {
  fieldDuplicate,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  goRendered,
  StatusCause,
  validateDns1123Subdomain,
} from '@openpacific/kube-api';
import { validateLabelSelector } from './networkpolicy.strategy';

/**
 * The parts ValidatingAdmissionPolicy, its binding and the webhook configurations share, as kube-apiserver's
 * admissionregistration validation checks them: MatchResources and rules, with its field paths and messages.
 */

/** A Go slice as kube-apiserver prints an invalid one (`[]string{"*", "pods"}`). */
export const goSlice = (type: string, values: unknown[]): string => `[]${type}{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
export const MATCH_POLICIES = ['Equivalent', 'Exact'];
export const FAILURE_POLICIES = ['Fail', 'Ignore'];

/** MatchResources' defaults: Equivalent matching, selectors that select everything, rules of any scope. */
export function defaultMatchResources(m: any): void {
  if (typeof m !== 'object' || m === null) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const list of [m.resourceRules, m.excludeResourceRules]) {
    if (Array.isArray(list)) for (const r of list) if (typeof r === 'object' && r !== null) r.scope ??= '*';
  }
}

export function validateMatchResources(m: any, at: string): StatusCause[] {
  if (typeof m !== 'object' || m === null) return [];
  const causes: StatusCause[] = [];
  if (!m.matchPolicy) causes.push(fieldRequired(`${at}.matchPolicy`));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) causes.push(fieldNotSupported(`${at}.matchPolicy`, m.matchPolicy, MATCH_POLICIES));
  causes.push(...validateLabelSelector(m.namespaceSelector, `${at}.namespaceSelector`));
  causes.push(...validateLabelSelector(m.objectSelector, `${at}.objectSelector`));
  (m.resourceRules ?? []).forEach((r: any, i: number) => causes.push(...validateAdmissionRule(r, `${at}.resourceRules[${i}]`)));
  (m.excludeResourceRules ?? []).forEach((r: any, i: number) => causes.push(...validateAdmissionRule(r, `${at}.excludeResourceRules[${i}]`)));
  return causes;
}

const hasWildcard = (list: string[]) => list.includes('*');

/** A rule: a webhook's RuleWithOperations, or a policy's NamedRuleWithOperations (with resourceNames). */
export function validateAdmissionRule(rule: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  (rule?.resourceNames ?? []).forEach((name: string, i: number) => {
    if (name === '.' || name === '..') causes.push(fieldInvalid(`${at}.resourceNames[${i}]`, name, `may not be '${name}'`));
    else if (/[/%]/.test(name)) causes.push(fieldInvalid(`${at}.resourceNames[${i}]`, name, `may not contain '${name.includes('/') ? '/' : '%'}'`));
    if (seen.has(name)) causes.push(fieldDuplicate(`${at}.resourceNames[${i}]`, name));
    seen.add(name);
  });
  const operations: string[] = rule?.operations ?? [];
  if (operations.length === 0) causes.push(fieldRequired(`${at}.operations`));
  if (operations.length > 1 && hasWildcard(operations)) {
    causes.push(fieldInvalid(`${at}.operations`, goRendered(goSlice('admissionregistration.OperationType', operations)), "if '*' is present, must not specify other operations"));
  }
  operations.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) causes.push(fieldNotSupported(`${at}.operations[${i}]`, op, OPERATIONS));
  });
  const groups: string[] = rule?.apiGroups ?? [];
  if (groups.length === 0) causes.push(fieldRequired(`${at}.apiGroups`));
  if (groups.length > 1 && hasWildcard(groups)) causes.push(fieldInvalid(`${at}.apiGroups`, goRendered(goSlice('string', groups)), "if '*' is present, must not specify other API groups"));
  const versions: string[] = rule?.apiVersions ?? [];
  if (versions.length === 0) causes.push(fieldRequired(`${at}.apiVersions`));
  if (versions.length > 1 && hasWildcard(versions)) causes.push(fieldInvalid(`${at}.apiVersions`, goRendered(goSlice('string', versions)), "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') causes.push(fieldRequired(`${at}.apiVersions[${i}]`));
  });
  causes.push(...validateResources(rule?.resources ?? [], `${at}.resources`));
  if (rule?.scope !== undefined && !SCOPES.includes(rule.scope)) causes.push(fieldNotSupported(`${at}.scope`, rule.scope, SCOPES));
  return causes;
}

/** Resources with subresources: `x`, `x/y`, `x/*`, `*\/y`, `*`, `*\/*`, none of them overlapping another. */
function validateResources(resources: string[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (resources.length === 0) causes.push(fieldRequired(at));
  const wildcardSubresourceOf = new Set<string>();
  const wildcardResourceOf = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSubresource = false;
  resources.forEach((resSub, i) => {
    if (resSub === '') return causes.push(fieldRequired(`${at}[${i}]`));
    if (resSub === '*/*') doubleWildcard = true;
    if (resSub === '*') singleWildcard = true;
    const slash = resSub.indexOf('/');
    if (slash < 0) {
      withoutSubresource = resSub !== '*';
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (wildcardSubresourceOf.has(res)) causes.push(fieldInvalid(`${at}[${i}]`, resSub, `if '${res}/*' is present, must not specify ${resSub}`));
    if (wildcardResourceOf.has(sub)) causes.push(fieldInvalid(`${at}[${i}]`, resSub, `if '*/${sub}' is present, must not specify ${resSub}`));
    if (sub === '*') wildcardSubresourceOf.add(res);
    if (res === '*') wildcardResourceOf.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) causes.push(fieldInvalid(at, goRendered(goSlice('string', resources)), "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSubresource) causes.push(fieldInvalid(at, goRendered(goSlice('string', resources)), "if '*' is present, must not specify other resources without subresources"));
  return causes;
}

/** A name that must be a DNS subdomain (a binding's policyName). */
export function subdomainCauses(field: string, value: string): StatusCause[] {
  return validateDns1123Subdomain(value).map((p) => fieldInvalid(field, value, p));
}
