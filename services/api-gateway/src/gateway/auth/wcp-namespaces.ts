import { RbacLookups, RoleLike, subjectMatches, UserInfo } from '@openpacific/authz';

/** Namespaces the gateway makes for itself: not vSphere Namespaces, so a cluster-wide grant does not list them. */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Whether a rule's API groups and resource name a namespaced kind (`*` for any). */
export type NamespacedKind = (apiGroups: readonly string[], resource: string) => boolean;

/**
 * The namespaces `user` may do something in, for `kubectl vsphere login`'s contexts (GET /wcp/namespaces): every one
 * where a RoleBinding names the user, one of its groups or its ServiceAccount and refers to a role that exists; and,
 * when a ClusterRoleBinding grants the user a rule on a namespaced kind, every namespace but the system ones. Rules that
 * reach no namespaced kind (everyone's self-reviews, non-resource URLs) list nothing. Sorted by name.
 */
export function namespacesFor(user: UserInfo, namespaces: readonly string[], rbac: RbacLookups, namespaced: NamespacedKind): string[] {
  const grantsNamespaced = (role: RoleLike | undefined) =>
    (role?.rules ?? []).some((rule) => !rule.nonResourceURLs?.length && (rule.verbs ?? []).length > 0 && (rule.resources ?? []).some((r) => namespaced(rule.apiGroups ?? [], r.split('/')[0])));
  const clusterWide = rbac.clusterRoleBindings().some(
    (b) => b.roleRef.kind === 'ClusterRole' && (b.subjects ?? []).some((s) => subjectMatches(s, user)) && grantsNamespaced(rbac.clusterRole(b.roleRef.name)),
  );
  const bound = (ns: string) =>
    rbac.roleBindings(ns).some((b) => {
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, user, ns))) return false;
      // A binding to a missing role grants nothing.
      return b.roleRef.kind === 'ClusterRole' ? !!rbac.clusterRole(b.roleRef.name) : b.roleRef.kind === 'Role' && !!rbac.role(ns, b.roleRef.name);
    });
  return namespaces.filter((ns) => (clusterWide && !SYSTEM_NAMESPACES.includes(ns)) || bound(ns)).sort();
}
