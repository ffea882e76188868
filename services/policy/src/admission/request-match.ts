import type { AdmissionRequest } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';

/**
 * What admission webhooks and ValidatingAdmissionPolicies share of kube-apiserver's request matching: resource
 * rules, the namespaceSelector and the objectSelector.
 */

const anyOf = (list: unknown, value: string) => Array.isArray(list) && (list.includes('*') || list.includes(value));

/** Whether a resource entry (`pods`, `pods/status`, `*`, `pods/*`, `*\/status`, `*\/*`) names the request's. */
function resourceMatches(entry: string, resource: string, subResource: string): boolean {
  const slash = entry.indexOf('/');
  const [res, sub] = slash < 0 ? [entry, ''] : [entry.slice(0, slash), entry.slice(slash + 1)];
  return (res === '*' || res === resource) && (sub === '*' || sub === subResource);
}

/** A rule (RuleWithOperations, or a policy's NamedRuleWithOperations): operation, group, version, resource, scope and names. */
export function ruleMatches(rule: any, request: AdmissionRequest): boolean {
  const { group, version, resource } = request.resource;
  if (!anyOf(rule?.operations, request.operation) || !anyOf(rule?.apiGroups, group) || !anyOf(rule?.apiVersions, version)) return false;
  if (!(rule?.resources ?? []).some((entry: string) => resourceMatches(entry, resource, request.subResource ?? ''))) return false;
  const scope = rule?.scope ?? '*';
  const namespaced = Boolean(request.namespace);
  if (scope !== '*' && (scope === 'Namespaced') !== namespaced) return false;
  const names: string[] = rule?.resourceNames ?? [];
  return names.length === 0 || names.includes(request.name ?? '');
}

/** One of the rules takes the request. */
export function rulesMatch(rules: any[] | undefined, request: AdmissionRequest): boolean {
  return (rules ?? []).some((rule) => ruleMatches(rule, request));
}

const labelsOf = (obj: any): Record<string, string> => obj?.metadata?.labels ?? {};
const isEmptySelector = (sel: any) => !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
const matches = (sel: any, labels: Record<string, string>) => matchesLabelSelector(labelSelectorFromObject(sel), labels);

/**
 * The namespaceSelector: a cluster-scoped object other than a Namespace always matches; a Namespace is judged by its
 * own labels (the old ones on a delete); anything else by its namespace's (`namespaceLabels`).
 */
export function namespaceSelectorMatches(selector: any, request: AdmissionRequest, namespaceLabels: () => Record<string, string>): boolean {
  if (isEmptySelector(selector)) return true;
  if (request.resource.group === '' && request.resource.resource === 'namespaces') {
    return matches(selector, labelsOf(request.operation === 'DELETE' ? request.oldObject : request.object ?? request.oldObject));
  }
  if (!request.namespace) return true;
  return matches(selector, namespaceLabels());
}

/** The objectSelector: the new object's labels or the old object's match it. */
export function objectSelectorMatches(selector: any, request: AdmissionRequest): boolean {
  if (isEmptySelector(selector)) return true;
  return [request.object, request.oldObject].some((obj) => obj !== undefined && obj !== null && matches(selector, labelsOf(obj)));
}
