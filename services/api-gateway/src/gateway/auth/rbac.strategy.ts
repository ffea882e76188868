import { compactRules, PolicyRule, RbacLookups, rulesFor, uncoveredRules } from '@openpacific/authz';
import type { StatusCause } from '@openpacific/kube-api';
import type { WriterCheck } from '../handlers/kind-strategies';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function goRoleRef(ref: any): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(ref?.apiGroup ?? '')}, Kind:${JSON.stringify(ref?.kind ?? '')}, Name:${JSON.stringify(ref?.name ?? '')}}`;
}

/** roleRef never changes after create (delete and recreate the binding instead), as in kube-apiserver. */
export function validateBindingUpdate(old: any, next: any): StatusCause[] {
  const a = old?.roleRef ?? {};
  const b = next?.roleRef ?? {};
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  return [{ field: 'roleRef', reason: 'FieldValueInvalid', message: `Invalid value: ${goRoleRef(b)}: cannot change roleRef` }];
}

/** A ServiceAccount subject of a ClusterRoleBinding needs its namespace. */
export function validateClusterRoleBinding(binding: any): StatusCause[] {
  const causes: StatusCause[] = [];
  (binding?.subjects ?? []).forEach((s: any, i: number) => {
    if (s?.kind === 'ServiceAccount' && !s.namespace) causes.push({ field: `subjects[${i}].namespace`, reason: 'FieldValueRequired', message: 'Required value' });
  });
  return causes;
}

/** The writer's own rules where the role or binding applies: a namespace's (with the cluster's), or the cluster's. */
function ownedRules(check: WriterCheck, namespace: string | undefined): PolicyRule[] {
  const rules = rulesFor(check.user, namespace, check.rbac);
  return [...rules.resourceRules, ...rules.nonResourceRules];
}

/** kube-apiserver's words for permissions the writer does not hold. */
function notHeld(check: WriterCheck, missing: PolicyRule[]): string {
  const groups = `[${check.user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  return `user ${JSON.stringify(check.user.username)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${compactRules(missing)}`;
}

const isClusterRole = (obj: any) => obj?.kind === 'ClusterRole' || !obj?.metadata?.namespace;

/**
 * A Role or ClusterRole may be written only with permissions the writer holds where it applies (a ClusterRole:
 * cluster-wide), unless RBAC gives the writer `escalate` on it; an aggregationRule needs cluster-admin. Without it, a
 * namespace's admin wrote a Role granting what the namespace's owner had kept from them (its quotas, its limits).
 */
export function authorizeRoleWrite(check: WriterCheck): string | undefined {
  const role = check.next;
  const cluster = isClusterRole(role);
  const resource = cluster ? 'clusterroles' : 'roles';
  const namespace = cluster ? undefined : role.metadata.namespace;
  const name = `${resource}.${RBAC_GROUP} ${JSON.stringify(role.metadata.name)} is forbidden`;
  if (privileged(check) || check.allowed({ verb: 'escalate', apiGroup: RBAC_GROUP, resource, name: role.metadata.name, namespace })) return undefined;
  const missing = uncoveredRules(ownedRules(check, namespace), Array.isArray(role.rules) ? role.rules : []);
  if (missing.length > 0) return `${name}: ${notHeld(check, missing)}`;
  // An aggregationRule can gather anything: it needs every permission.
  if (cluster && role.aggregationRule && uncoveredRules(ownedRules(check, undefined), FULL_AUTHORITY).length > 0) return `${name}: must have cluster-admin privileges to use the aggregationRule`;
  return undefined;
}

const FULL_AUTHORITY: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

/** system:masters may grant anything, as kube-apiserver's EscalationAllowed says. */
const privileged = (check: WriterCheck) => check.user.groups.includes('system:masters');

/**
 * A RoleBinding or ClusterRoleBinding may bind a role only if RBAC gives the writer `bind` on it, or the writer holds
 * every permission of the role where the binding applies: a namespace's admin bound cluster-admin in their namespace.
 */
export function authorizeBindingWrite(check: WriterCheck): string | undefined {
  const binding = check.next;
  const cluster = binding.kind === 'ClusterRoleBinding' || !binding.metadata?.namespace;
  const namespace = cluster ? undefined : binding.metadata.namespace;
  const ref = binding.roleRef ?? {};
  const resource = cluster ? 'clusterrolebindings' : 'rolebindings';
  const roleResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
  if (privileged(check) || check.allowed({ verb: 'bind', apiGroup: RBAC_GROUP, resource: roleResource, name: ref.name, namespace })) return undefined;
  const missing = uncoveredRules(ownedRules(check, namespace), referencedRules(check.rbac, ref, namespace));
  return missing.length > 0 ? `${resource}.${RBAC_GROUP} ${JSON.stringify(binding.metadata.name)} is forbidden: ${notHeld(check, missing)}` : undefined;
}

/** The rules of the role a binding refers to; none when it does not exist (the binding grants nothing yet). */
function referencedRules(lookups: RbacLookups, ref: any, namespace: string | undefined): PolicyRule[] {
  const role = ref.kind === 'ClusterRole' ? lookups.clusterRole(ref.name) : namespace ? lookups.role(namespace, ref.name) : undefined;
  return role?.rules ?? [];
}
