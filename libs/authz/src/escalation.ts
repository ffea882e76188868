import { apiGroupMatches, nonResourceURLMatches, PolicyRule, resourceMatches, resourceNameMatches, verbMatches } from './rbac';

/**
 * RBAC's escalation check (kube-apiserver's ConfirmNoEscalation): the permissions of `rules` that `owned` (the
 * writer's own rules) does not cover, each as one verb on one resource (and name) or one non-resource URL. A user may
 * write a role, or bind one, only with permissions they hold themselves, unless RBAC gives them `escalate` or `bind`.
 */
export function uncoveredRules(owned: PolicyRule[], rules: PolicyRule[]): PolicyRule[] {
  return rules.flatMap(atoms).filter((atom) => !owned.some((rule) => covers(rule, atom)));
}

/** One rule broken into single permissions, as kube's policy comparator breaks it down. */
function atoms(rule: PolicyRule): PolicyRule[] {
  const verbs = rule.verbs ?? [];
  if ((rule.nonResourceURLs ?? []).length > 0) return rule.nonResourceURLs!.flatMap((url) => verbs.map((verb) => ({ verbs: [verb], nonResourceURLs: [url] })));
  const names = (rule.resourceNames ?? []).length > 0 ? rule.resourceNames! : [undefined];
  return (rule.apiGroups ?? []).flatMap((group) =>
    (rule.resources ?? []).flatMap((resource) =>
      names.flatMap((name) => verbs.map((verb) => ({ verbs: [verb], apiGroups: [group], resources: [resource], ...(name === undefined ? {} : { resourceNames: [name] }) }))),
    ),
  );
}

/** Whether an owned rule grants one permission; a wildcard is covered only by a wildcard. */
function covers(owned: PolicyRule, atom: PolicyRule): boolean {
  if (!verbMatches(owned, atom.verbs[0])) return false;
  if (atom.nonResourceURLs) return nonResourceURLMatches(owned, atom.nonResourceURLs[0]);
  if ((owned.nonResourceURLs ?? []).length > 0) return false;
  const [resource, subresource] = splitResource(atom.resources![0]);
  if (!apiGroupMatches(owned, atom.apiGroups![0]) || !resourceMatches(owned, resource, subresource)) return false;
  // A permission on every name is covered only by a rule on every name.
  return atom.resourceNames ? resourceNameMatches(owned, atom.resourceNames[0]) : (owned.resourceNames ?? []).length === 0;
}

function splitResource(resource: string): [string, string | undefined] {
  const slash = resource.indexOf('/');
  return slash < 0 ? [resource, undefined] : [resource.slice(0, slash), resource.slice(slash + 1)];
}

/** The rules not held, as kube-apiserver lists them: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["create"]}`. */
export function compactRules(rules: PolicyRule[]): string {
  const q = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
  return rules
    .map((r) => (r.nonResourceURLs
      ? `{NonResourceURLs:${q(r.nonResourceURLs)}, Verbs:${q(r.verbs)}}`
      : `{APIGroups:${q(r.apiGroups ?? [])}, Resources:${q(r.resources ?? [])}${r.resourceNames ? `, ResourceNames:${q(r.resourceNames)}` : ''}, Verbs:${q(r.verbs)}}`))
    .join('\n');
}
