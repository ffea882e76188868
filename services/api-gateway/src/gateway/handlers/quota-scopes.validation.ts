import { fieldInvalid, goRendered, type StatusCause } from '@openpacific/kube-api';

/**
 * ResourceQuota `spec.scopes` and `spec.scopeSelector`, checked as kube-apiserver's ValidateResourceQuotaSpec
 * does: scope names, scopes that contradict each other, scopes that cannot apply to a hard resource, and the
 * operator/values rules of a selector. Fields and bad values are worded as kube prints them (Go's `%#v` of its
 * internal types), so a client sees the same 422.
 */

const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const CONFLICTING: [string, string][] = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];
/** Scopes a selector may only test for presence: they are properties of a pod, not values. */
const EXISTS_ONLY = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);

/** The quota names kube knows; a scope is checked only against these (`count/pods` and other qualified names pass). */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers',
  'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers',
]);
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

const isStandardQuotaResource = (name: string) => STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');

/** Whether a scope can narrow a hard resource: every scope applies to pods only, BestEffort (no compute) to their count only. */
export function scopeAppliesTo(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (SCOPES.includes(scope)) return resource === 'pods' || POD_COMPUTE.has(resource);
  return true;
}

const goString = (s: unknown) => JSON.stringify(String(s ?? ''));
const goStrings = (type: string, list: unknown) =>
  Array.isArray(list) && list.length > 0 ? `[]${type}{${list.map(goString).join(', ')}}` : `[]${type}(nil)`;
const goRequirement = (e: any) =>
  `core.ScopedResourceSelectorRequirement{ScopeName:${goString(e?.scopeName)}, Operator:${goString(e?.operator)}, Values:${goStrings('string', e?.values)}}`;
const goSelector = (sel: any) =>
  `core.ScopedResourceSelector{MatchExpressions:${Array.isArray(sel?.matchExpressions) && sel.matchExpressions.length > 0
    ? `[]core.ScopedResourceSelectorRequirement{${sel.matchExpressions.map(goRequirement).join(', ')}}`
    : '[]core.ScopedResourceSelectorRequirement(nil)'}}`;


/** Hard resources (sorted, as kube walks them) that `scope` cannot narrow. */
const misapplied = (scope: string, hard: string[]) => hard.filter((k) => isStandardQuotaResource(k) && !scopeAppliesTo(scope, k));

function conflicts(used: Set<string>, field: string, scopes: unknown): StatusCause[] {
  return CONFLICTING.filter(([a, b]) => used.has(a) && used.has(b)).map(() => fieldInvalid(field, goRendered(goStrings('core.ResourceQuotaScope', scopes)), 'conflicting scopes'));
}

function scopesCauses(spec: any, hard: string[]): StatusCause[] {
  const scopes: unknown[] = Array.isArray(spec?.scopes) ? spec.scopes : [];
  if (scopes.length === 0) return [];
  const value = goRendered(goStrings('core.ResourceQuotaScope', scopes));
  const causes: StatusCause[] = [];
  for (const scope of scopes.map(String)) {
    if (!SCOPES.includes(scope)) causes.push(fieldInvalid('spec.scopes', value, 'unsupported scope'));
    causes.push(...misapplied(scope, hard).map(() => fieldInvalid('spec.scopes', value, 'unsupported scope applied to resource')));
  }
  return [...causes, ...conflicts(new Set(scopes.map(String)), 'spec.scopes', spec?.scopes)];
}

function selectorCauses(spec: any, hard: string[]): StatusCause[] {
  const selector = spec?.scopeSelector;
  const expressions: any[] = Array.isArray(selector?.matchExpressions) ? selector.matchExpressions : [];
  // kube names the list, not the element, in these fields.
  const at = 'spec.scopeSelector.matchExpressions';
  const causes: StatusCause[] = [];
  for (const e of expressions) {
    const scope = String(e?.scopeName ?? '');
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    if (!SCOPES.includes(scope)) causes.push(fieldInvalid(`${at}.scopeName`, scope, 'unsupported scope'));
    causes.push(...misapplied(scope, hard).map(() => fieldInvalid(at, goRendered(goSelector(selector)), 'unsupported scope applied to resource')));
    if (EXISTS_ONLY.has(scope) && e?.operator !== 'Exists') {
      causes.push(fieldInvalid(`${at}.operator`, String(e?.operator ?? ''),
        "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
    }
    if (e?.operator === 'In' || e?.operator === 'NotIn') {
      if (values.length === 0) causes.push({ field: `${at}.values`, reason: 'FieldValueRequired', message: "Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector" });
    } else if (e?.operator === 'Exists' || e?.operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(fieldInvalid(`${at}.values`, goRendered(goStrings('string', values)), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else {
      causes.push(fieldInvalid(`${at}.operator`, String(e?.operator ?? ''), 'not a valid selector operator'));
    }
  }
  // As kube: the conflict is reported with the value of spec.scopes.
  return [...causes, ...conflicts(new Set(expressions.map((e) => String(e?.scopeName))), at, spec?.scopes)];
}

/**
 * Every problem with a quota's scopes and scope selector, in kube-apiserver's order. kube reports a problem once
 * per hard resource it concerns but prints each distinct one once; so does this list.
 */
export function validateQuotaScopes(quota: any): StatusCause[] {
  const hard = Object.keys(quota?.spec?.hard ?? {}).sort();
  const all = [...scopesCauses(quota?.spec, hard), ...selectorCauses(quota?.spec, hard)];
  return all.filter((c, i) => all.findIndex((d) => d.field === c.field && d.message === c.message) === i);
}

/** kube-apiserver's ValidateResourceQuotaUpdate: the set of scopes is fixed once the quota exists. */
export function validateQuotaScopesUpdate(old: any, next: any): StatusCause[] {
  const before = new Set<string>((old?.spec?.scopes ?? []).map(String));
  const after = new Set<string>((next?.spec?.scopes ?? []).map(String));
  if (before.size === after.size && [...after].every((s) => before.has(s))) return [];
  return [fieldInvalid('spec.scopes', goRendered(goStrings('core.ResourceQuotaScope', next?.spec?.scopes)), 'field is immutable')];
}
