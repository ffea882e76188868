import { RBAC_GROUP, REVIEW_GROUPS, ResourceDefinition } from '@openpacific/contracts';
import type { PolicyRule } from '@openpacific/authz';

/** Marks the roles and bindings the gateway keeps up to date itself, as kube-apiserver's bootstrap policy does. */
export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
/** `false` on a bootstrap object: the gateway leaves its rules alone from then on. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
/** Kinds `edit` may read but not change (an admin of the Supervisor sets them). */
const READ_ONLY = new Set(['/resourcequotas', '/limitranges', '/events']);

function grouped(entries: Array<[string, string]>, verbs: string[]): PolicyRule[] {
  const byGroup = new Map<string, string[]>();
  for (const [group, resource] of entries) byGroup.set(group, [...(byGroup.get(group) ?? []), resource]);
  return [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs }));
}

/** Namespaced kinds a namespace's users work with (not RBAC itself, not the review kinds). */
function namespacedKinds(defs: ResourceDefinition[]): ResourceDefinition[] {
  return defs.filter((d) => d.scope === 'Namespaced' && !d.viewOf && d.group !== RBAC_GROUP && !REVIEW_GROUPS.includes(d.group));
}

function readable(def: ResourceDefinition): string[] {
  const out = [def.plural, `${def.plural}/history`];
  if (def.subresources.status) out.push(`${def.plural}/status`);
  if (def.subresources.scale) out.push(`${def.plural}/scale`);
  if (def.kind === 'Pod' && def.group === '') out.push('pods/log');
  return out;
}

function writable(def: ResourceDefinition): string[] {
  if (READ_ONLY.has(`${def.group}/${def.plural}`)) return [];
  return def.subresources.scale ? [def.plural, `${def.plural}/scale`] : [def.plural];
}

/**
 * The built-in ClusterRoles, computed from the served kinds: `cluster-admin` (everything), `admin` (everything
 * in a namespace, roles and bindings included, quotas and limits read only), `edit` (read/write of what runs in a
 * namespace, no roles or bindings), `view` (read, no Secrets), `system:auth-delegator` (token and access reviews
 * of others) and `system:basic-user` (the review APIs of oneself).
 */
export function bootstrapClusterRoles(defs: ResourceDefinition[]): Array<{ name: string; rules: PolicyRule[] }> {
  const kinds = namespacedKinds(defs);
  const entries = (pick: (d: ResourceDefinition) => string[], from = kinds): Array<[string, string]> =>
    from.flatMap((d) => pick(d).map((r) => [d.group, r] as [string, string]));
  const namespaces: PolicyRule = { apiGroups: [''], resources: ['namespaces', 'namespaces/status', 'namespaces/history'], verbs: READ };
  const view = [...grouped(entries(readable, kinds.filter((d) => !(d.group === '' && d.plural === 'secrets'))), READ), namespaces];
  const edit = [
    ...grouped(entries(readable), READ),
    ...grouped(entries(writable), WRITE),
    // kubectl exec / port-forward (as kube's edit role; a WebSocket GET needs both get and create).
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: [...READ, ...WRITE] },
    // kubectl create token (as kube's edit role: it may act as any ServiceAccount of the namespace anyway).
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
    namespaces,
  ];
  const rbacNamespaced: PolicyRule = { apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] };
  return [
    { name: 'cluster-admin', rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] },
    { name: 'admin', rules: [...edit, rbacNamespaced] },
    { name: 'edit', rules: edit },
    { name: 'view', rules: view },
    // What a webhook or an aggregated server bound to it may ask: who a token is, what someone may do (as Kubernetes').
    {
      name: 'system:auth-delegator',
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    },
    {
      name: 'system:basic-user',
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      ],
    },
  ];
}

/** Who gets the built-in roles everywhere: system:masters everything, every authenticated user the review APIs. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS = [
  { name: 'cluster-admin', role: 'cluster-admin', group: 'system:masters' },
  { name: 'system:basic-user', role: 'system:basic-user', group: 'system:authenticated' },
];

export function bootstrapObjects(defs: ResourceDefinition[]): Array<{ resource: string; object: any }> {
  const metadata = (name: string) => ({ name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } });
  return [
    ...bootstrapClusterRoles(defs).map((r) => ({
      resource: `clusterroles.${RBAC_GROUP}`,
      object: { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: metadata(r.name), rules: r.rules },
    })),
    ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((b) => ({
      resource: `clusterrolebindings.${RBAC_GROUP}`,
      object: {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: metadata(b.name),
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: b.role },
        subjects: [{ apiGroup: RBAC_GROUP, kind: 'Group', name: b.group }],
      },
    })),
  ];
}
