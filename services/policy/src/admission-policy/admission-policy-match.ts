import type { AdmissionRequest } from '@openpacific/contracts';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches } from '../admission/request-match';

export { ruleMatches } from '../admission/request-match';

/**
 * Whether a request is one a ValidatingAdmissionPolicy's matchConstraints (or its binding's matchResources) select,
 * as kube-apiserver's matcher decides: a resource rule that takes it, no exclude rule that does, the namespace's
 * labels (a namespaced request, or a Namespace itself) and the object's (new or old) labels selected.
 * matchPolicy Equivalent matches as Exact here: every group is served in one version.
 */
export function matchesResources(m: any, request: AdmissionRequest, namespaceLabels: () => Record<string, string>): boolean {
  if (typeof m !== 'object' || m === null) return true;
  const rules: any[] = m.resourceRules ?? [];
  if (rules.length > 0 && !rules.some((r) => ruleMatches(r, request))) return false;
  if ((m.excludeResourceRules ?? []).some((r: any) => ruleMatches(r, request))) return false;
  return namespaceSelectorMatches(m.namespaceSelector, request, namespaceLabels) && objectSelectorMatches(m.objectSelector, request);
}
