import { compactRules, PolicyRule, RbacLookups, RoleLike, rulesFor, uncoveredRules } from '@openpacific/authz';
import { notFound, StatusCause } from '@openpacific/kube-api';
import type { KindStrategy, WriterCheck } from '../handlers/kind-strategies';
import { deepEqual } from '../handlers/object-rules';
import { defaultBinding, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.validation';

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

/** rbac's hasAggregationRule: an aggregationRule with at least one selector. */
const hasAggregationRule = (role: any) => Array.isArray(role?.aggregationRule?.clusterRoleSelectors) && role.aggregationRule.clusterRoleSelectors.length > 0;

/** The metadata the garbage collector changes on an object it is about to delete (and what every write restamps). */
const GC_FIELDS = ['ownerReferences', 'finalizers', 'managedFields', 'resourceVersion', 'selfLink'];
const withoutGcFields = (obj: any) => ({ ...obj, metadata: Object.fromEntries(Object.entries(obj?.metadata ?? {}).filter(([k]) => !GC_FIELDS.includes(k))) });

/**
 * kube-apiserver's IsOnlyMutatingGCFields: an update that changes only owner references and finalizers (what the
 * garbage collector writes, and whoever clears a finalizer) grants nothing new, so it is not checked for escalation:
 * a role or binding the writer could not make (or whose role is gone) can still be released for deletion.
 */
function onlyGcFields(check: WriterCheck): boolean {
  return check.old !== undefined && deepEqual(withoutGcFields(check.old), withoutGcFields(check.next));
}

/**
 * A Role or ClusterRole may be written only with permissions the writer holds where it applies (a ClusterRole:
 * cluster-wide), unless RBAC gives the writer `escalate` on it; an aggregationRule (set, or there before an update)
 * needs cluster-admin. Without it, a namespace's admin wrote a Role granting what the namespace's owner had kept from
 * them (its quotas, its limits).
 */
export function authorizeRoleWrite(check: WriterCheck): string | undefined {
  const role = check.next;
  const cluster = isClusterRole(role);
  const resource = cluster ? 'clusterroles' : 'roles';
  const namespace = cluster ? undefined : role.metadata.namespace;
  const name = `${resource}.${RBAC_GROUP} ${JSON.stringify(role.metadata.name)} is forbidden`;
  if (privileged(check) || check.allowed({ verb: 'escalate', apiGroup: RBAC_GROUP, resource, name: role.metadata.name, namespace })) return undefined;
  if (onlyGcFields(check)) return undefined;
  const missing = uncoveredRules(ownedRules(check, namespace), Array.isArray(role.rules) ? role.rules : []);
  if (missing.length > 0) return `${name}: ${notHeld(check, missing)}`;
  // An aggregationRule can gather anything (and, kept, undoes any tightening of the rules): it needs every permission.
  const aggregating = cluster && (hasAggregationRule(role) || hasAggregationRule(check.old));
  if (aggregating && uncoveredRules(ownedRules(check, undefined), FULL_AUTHORITY).length > 0) return `${name}: must have cluster-admin privileges to use the aggregationRule`;
  return undefined;
}

const FULL_AUTHORITY: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

/** system:masters may grant anything, as kube-apiserver's EscalationAllowed says. */
const privileged = (check: WriterCheck) => check.user.groups.includes('system:masters');

/**
 * A RoleBinding or ClusterRoleBinding may bind a role only if RBAC gives the writer `bind` on it, or the writer holds
 * every permission of the role where the binding applies: a namespace's admin bound cluster-admin in their namespace.
 * A role that does not exist is answered as kube-apiserver's lookup of it answers (404 `roles.rbac.authorization.k8s.io
 * "x" not found`, thrown): otherwise a role created later under that name would be granted by a binding its writer
 * could never have made. Only system:masters and those who may `bind` it bind a role before it exists.
 */
export function authorizeBindingWrite(check: WriterCheck): string | undefined {
  const binding = check.next;
  const cluster = binding.kind === 'ClusterRoleBinding' || !binding.metadata?.namespace;
  const namespace = cluster ? undefined : binding.metadata.namespace;
  const ref = binding.roleRef ?? {};
  const resource = cluster ? 'clusterrolebindings' : 'rolebindings';
  const roleResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
  if (privileged(check) || onlyGcFields(check)) return undefined;
  if (check.allowed({ verb: 'bind', apiGroup: RBAC_GROUP, resource: roleResource, name: ref.name, namespace })) return undefined;
  const role = referencedRole(check.rbac, ref, namespace);
  if (!role) throw notFound(`${roleResource}.${RBAC_GROUP}`, ref.name ?? '');
  const missing = uncoveredRules(ownedRules(check, namespace), role.rules ?? []);
  return missing.length > 0 ? `${resource}.${RBAC_GROUP} ${JSON.stringify(binding.metadata.name)} is forbidden: ${notHeld(check, missing)}` : undefined;
}

/** The role a binding refers to (a Role in the binding's namespace, or a ClusterRole); undefined when it does not exist. */
function referencedRole(lookups: RbacLookups, ref: any, namespace: string | undefined): RoleLike | undefined {
  if (ref.kind === 'ClusterRole') return lookups.clusterRole(ref.name);
  return ref.kind === 'Role' && namespace ? lookups.role(namespace, ref.name) : undefined;
}

/**
 * The four RBAC kinds as kube-apiserver's rbac registry admits them: roleRef and subject defaults, validation
 * (rbac.validation.ts), a binding's roleRef that never changes, and the escalation checks of the policybased storages.
 */
export const rbacKindStrategies: Record<string, KindStrategy> = {
  'rbac.authorization.k8s.io/Role': { validate: validateRole, authorizeWrite: authorizeRoleWrite },
  'rbac.authorization.k8s.io/ClusterRole': { validate: validateClusterRole, authorizeWrite: authorizeRoleWrite },
  'rbac.authorization.k8s.io/RoleBinding': {
    defaults: defaultBinding, prepareUpdate: (_old, next) => defaultBinding(next),
    validate: validateRoleBinding, validateUpdate: validateBindingUpdate, authorizeWrite: authorizeBindingWrite,
  },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    defaults: defaultBinding, prepareUpdate: (_old, next) => defaultBinding(next),
    validate: validateClusterRoleBinding, validateUpdate: validateBindingUpdate, authorizeWrite: authorizeBindingWrite,
  },
};
