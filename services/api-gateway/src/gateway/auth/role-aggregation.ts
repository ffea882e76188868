import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import type { PolicyRule } from '@openpacific/authz';

/**
 * ClusterRole aggregation (kube-controller-manager's clusterrole-aggregation controller): a ClusterRole with an
 * `aggregationRule` has as its rules those of every other ClusterRole whose labels match one of its
 * `clusterRoleSelectors`, in the order of those roles' names, each rule once.
 */
export function aggregatedRules(role: any, clusterRoles: any[]): PolicyRule[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s: any) => labelSelectorFromObject(s ?? {}));
  const sources = clusterRoles
    .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s: ReturnType<typeof labelSelectorFromObject>) => matchesLabelSelector(s, r.metadata.labels ?? {})))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const seen = new Set<string>();
  const rules: PolicyRule[] = [];
  for (const source of sources) {
    for (const rule of source.rules ?? []) {
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

export function isAggregated(role: any): boolean {
  return Array.isArray(role?.aggregationRule?.clusterRoleSelectors);
}
