import type { AdmissionRequest } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';

/**
 * Whether a request is one a ValidatingAdmissionPolicy's matchConstraints (or its binding's matchResources) select,
 * as kube-apiserver's matcher decides: a resource rule that takes it, no exclude rule that does, the namespace's
 * labels (a namespaced request, or a Namespace itself) and the object's (new or old) labels selected.
 * matchPolicy Equivalent matches as Exact here: every group is served in one version.
 */
export function matchesResources(m: any, request: AdmissionRequest, namespaceLabels: Record<string, string> | undefined): boolean {
  if (typeof m !== 'object' || m === null) return true;
  const rules: any[] = m.resourceRules ?? [];
  if (rules.length > 0 && !rules.some((r) => ruleMatches(r, request))) return false;
  if ((m.excludeResourceRules ?? []).some((r: any) => ruleMatches(r, request))) return false;
  if (namespaceLabels !== undefined && !selects(m.namespaceSelector, namespaceLabels)) return false;
  return objectSelected(m.objectSelector, request);
}

/** A NamedRuleWithOperations: operation, group, version, resource (with its subresource), scope and names. */
export function ruleMatches(rule: any, request: AdmissionRequest): boolean {
  const { group, version, resource } = request.resource;
  if (!anyOf(rule?.operations, request.operation)) return false;
  if (!anyOf(rule?.apiGroups, group) || !anyOf(rule?.apiVersions, version)) return false;
  if (!(rule?.resources ?? []).some((r: string) => resourceMatches(r, resource, request.subResource ?? ''))) return false;
  const scope = rule?.scope ?? '*';
  if (scope === 'Cluster' && request.namespace) return false;
  if (scope === 'Namespaced' && !request.namespace) return false;
  const names: string[] = rule?.resourceNames ?? [];
  return names.length === 0 || names.includes(request.name ?? '');
}

const anyOf = (list: string[] | undefined, value: string) => Array.isArray(list) && (list.includes('*') || list.includes(value));

/** `x` the resource alone, `x/y` a subresource, `*` any resource alone, `x/*`, `*\/y` and `*\/*`. */
function resourceMatches(pattern: string, resource: string, subresource: string): boolean {
  const [res, sub] = pattern.includes('/') ? pattern.split('/', 2) : [pattern, ''];
  if (res !== '*' && res !== resource) return false;
  return sub === '*' || sub === subresource;
}

function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) return true;
  return matchesLabelSelector(labelSelectorFromObject(selector), labels);
}

/** The object selector takes a request whose new or old object it selects. */
function objectSelected(selector: any, request: AdmissionRequest): boolean {
  const candidates = [request.object, request.oldObject].filter((o): o is any => typeof o === 'object' && o !== null);
  if (candidates.length === 0) return selects(selector, {});
  return candidates.some((o) => selects(selector, o.metadata?.labels ?? {}));
}
