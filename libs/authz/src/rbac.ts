/**
 * RBAC as kube-apiserver evaluates it (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac):
 * a request is allowed when some rule of some role bound to the user (or one of
 * its groups, or its service account) matches it. ClusterRoleBindings apply
 * everywhere; RoleBindings only in their namespace. A binding whose role is
 * missing grants nothing. There is no deny.
 */

export interface UserInfo {
  username: string;
  groups: string[];
}

/** What is asked: a resource request (`list pods in team-a`) or a non-resource one (`get /healthz`). */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** Resource requests: API group ('' for core), resource plural, optional subresource, namespace, name. */
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: the URL path. */
  path?: string;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** The parts of a Role / ClusterRole the evaluation reads. */
export interface RoleLike {
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[] | null;
}

/** The parts of a RoleBinding / ClusterRoleBinding the evaluation reads. */
export interface BindingLike {
  metadata: { name: string; namespace?: string };
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** Where roles and bindings come from (the gateway's read model; plain arrays in tests). */
export interface RbacLookups {
  clusterRole(name: string): RoleLike | undefined;
  role(namespace: string, name: string): RoleLike | undefined;
  clusterRoleBindings(): BindingLike[];
  roleBindings(namespace: string): BindingLike[];
}

export interface Decision {
  allowed: boolean;
  /** Why it was allowed (the binding and role), as kube-apiserver's RBAC reason reads. */
  reason: string;
}

export const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** `*`, `pods`, `pods/log`, and `*\/status` (any resource's status subresource). */
export function resourceMatches(rule: PolicyRule, resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name?: string): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return !!name && names.includes(name);
}

/** `*`, an exact path, or a prefix ending in `*` (`/healthz/*`). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path ?? '');
  return (
    apiGroupMatches(rule, attrs.apiGroup ?? '') &&
    resourceMatches(rule, attrs.resource ?? '', attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

/** Does `subject` name this user? A ServiceAccount subject without namespace means the binding's namespace. */
export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return !!ns && user.username === `system:serviceaccount:${ns}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** The role a binding refers to; undefined when it is missing (the binding then grants nothing). */
function resolveRole(lookups: RbacLookups, binding: BindingLike, namespace?: string): RoleLike | undefined {
  const ref = binding.roleRef;
  if (ref.kind === 'ClusterRole') return lookups.clusterRole(ref.name);
  if (ref.kind === 'Role' && namespace) return lookups.role(namespace, ref.name);
  return undefined;
}

/** Evaluates one request against every binding that could apply to it. */
export function authorize(attrs: RequestAttributes, lookups: RbacLookups): Decision {
  for (const binding of lookups.clusterRoleBindings()) {
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, attrs.user))) continue;
    if (binding.roleRef.kind !== 'ClusterRole') continue;
    const role = resolveRole(lookups, binding);
    const rule = (role?.rules ?? []).find((r) => ruleAllows(attrs, r));
    if (rule) {
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata.name}" of ClusterRole "${binding.roleRef.name}" to ${describeSubjects(binding, attrs.user)}` };
    }
  }
  // RoleBindings grant resource requests in their own namespace, never non-resource URLs.
  const ns = attrs.resourceRequest ? attrs.namespace : undefined;
  if (ns) {
    for (const binding of lookups.roleBindings(ns)) {
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, attrs.user, ns))) continue;
      const role = resolveRole(lookups, binding, ns);
      const rule = (role?.rules ?? []).find((r) => ruleAllows(attrs, r));
      if (rule) {
        return { allowed: true, reason: `RBAC: allowed by RoleBinding "${binding.metadata.name}/${ns}" of ${binding.roleRef.kind} "${binding.roleRef.name}" to ${describeSubjects(binding, attrs.user, ns)}` };
      }
    }
  }
  return { allowed: false, reason: '' };
}

/** A user's rules in a namespace, as SelfSubjectRulesReview lists them (`kubectl auth can-i --list`). */
export interface UserRules {
  resourceRules: Array<{ verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] }>;
  nonResourceRules: Array<{ verbs: string[]; nonResourceURLs: string[] }>;
}

/**
 * Every rule that applies to `user` in `namespace`: those of the ClusterRoles its ClusterRoleBindings grant
 * (resource and non-resource), and of the roles its RoleBindings in that namespace grant (resource rules only,
 * as RoleBindings never grant non-resource URLs). Rules are listed as the roles hold them, in binding order.
 */
export function rulesFor(user: UserInfo, namespace: string | undefined, lookups: RbacLookups): UserRules {
  const out: UserRules = { resourceRules: [], nonResourceRules: [] };
  const add = (rule: PolicyRule, nonResource: boolean) => {
    if (rule.nonResourceURLs?.length) {
      if (nonResource) out.nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
      return;
    }
    out.resourceRules.push({ verbs: [...rule.verbs], apiGroups: [...(rule.apiGroups ?? [])], resources: [...(rule.resources ?? [])], ...(rule.resourceNames?.length ? { resourceNames: [...rule.resourceNames] } : {}) });
  };
  for (const binding of lookups.clusterRoleBindings()) {
    if (binding.roleRef.kind !== 'ClusterRole' || !(binding.subjects ?? []).some((s) => subjectMatches(s, user))) continue;
    for (const rule of resolveRole(lookups, binding)?.rules ?? []) add(rule, true);
  }
  if (namespace) {
    for (const binding of lookups.roleBindings(namespace)) {
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
      for (const rule of resolveRole(lookups, binding, namespace)?.rules ?? []) add(rule, false);
    }
  }
  return out;
}

function describeSubjects(binding: BindingLike, user: UserInfo, ns?: string): string {
  const s = (binding.subjects ?? []).find((x) => subjectMatches(x, user, ns))!;
  return s.kind === 'ServiceAccount' ? `ServiceAccount "${s.name}/${s.namespace || ns}"` : `${s.kind} "${s.name}"`;
}

/**
 * The message of the 403, word for word as kube-apiserver's (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
 * responsewriters/errors.go forbiddenMessage wrapped by errors.NewForbidden):
 * `pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "team-b"`.
 */
export function forbiddenMessage(attrs: RequestAttributes): string {
  const who = `User ${JSON.stringify(attrs.user.username)}`;
  if (!attrs.resourceRequest) return `forbidden: ${who} cannot ${attrs.verb} path ${JSON.stringify(attrs.path ?? '')}`;
  const resource = attrs.resource ?? '';
  const qualified = attrs.apiGroup ? `${resource}.${attrs.apiGroup}` : resource;
  const shown = attrs.subresource ? `${resource}/${attrs.subresource}` : resource;
  const subject = attrs.name ? `${qualified} ${JSON.stringify(attrs.name)}` : qualified;
  const where = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
  return `${subject} is forbidden: ${who} cannot ${attrs.verb} resource ${JSON.stringify(shown)} in API group ${JSON.stringify(attrs.apiGroup ?? '')} ${where}`;
}

/** Lookups over plain arrays of objects (tests, tools). */
export function staticLookups(objects: { roles?: RoleLike[]; clusterRoles?: RoleLike[]; roleBindings?: BindingLike[]; clusterRoleBindings?: BindingLike[] }): RbacLookups {
  return {
    clusterRole: (name) => (objects.clusterRoles ?? []).find((r) => r.metadata.name === name),
    role: (ns, name) => (objects.roles ?? []).find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    clusterRoleBindings: () => objects.clusterRoleBindings ?? [],
    roleBindings: (ns) => (objects.roleBindings ?? []).filter((b) => b.metadata.namespace === ns),
  };
}
