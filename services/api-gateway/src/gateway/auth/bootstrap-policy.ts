import { COORDINATION_GROUP, METRICS_GROUP, RBAC_GROUP, REVIEW_GROUPS, ResourceDefinition, SNAPSHOT_GROUP } from '@openpacific/contracts';
import type { PolicyRule } from '@openpacific/authz';
import { aggregatedRules, isAggregated } from './role-aggregation';

/** Marks the roles and bindings the gateway keeps up to date itself, as kube-apiserver's bootstrap policy does. */
export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
/** `false` on a bootstrap object: the gateway leaves its rules alone from then on. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
/**
 * Kinds `edit` may read but not change: an admin of the Supervisor sets them (quotas and limits, the zones a namespace
 * is bound to, its storage policy quotas, which also decide the storage classes it may use), or the system keeps them
 * (Events, storage policy usage).
 */
const READ_ONLY = new Set([
  '/resourcequotas',
  '/limitranges',
  '/events',
  'topology.tanzu.vmware.com/zones',
  'cns.vmware.com/storagepolicyquotas',
  'cns.vmware.com/storagepolicyusages',
]);

function grouped(entries: Array<[string, string]>, verbs: string[]): PolicyRule[] {
  const byGroup = new Map<string, string[]>();
  for (const [group, resource] of entries) byGroup.set(group, [...(byGroup.get(group) ?? []), resource]);
  return [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs }));
}

/**
 * Namespaced kinds a namespace's users work with (not RBAC itself, not the review kinds, not the metrics computed for
 * pods, not Leases: Kubernetes' view, edit and admin roles leave coordination.k8s.io out, so a workload doing leader
 * election is granted its Leases by a Role of its own).
 */
function namespacedKinds(defs: ResourceDefinition[]): ResourceDefinition[] {
  const left = [RBAC_GROUP, METRICS_GROUP, COORDINATION_GROUP, ...REVIEW_GROUPS];
  return defs.filter((d) => d.scope === 'Namespaced' && !d.viewOf && !left.includes(d.group));
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
 * namespace, no roles or bindings), `view` (read, no Secrets; pods' usage through `system:aggregated-metrics-reader`), `system:auth-delegator` (token and access reviews
 * of others) and `system:basic-user` (the review APIs of oneself).
 */
export function bootstrapClusterRoles(defs: ResourceDefinition[]): BootstrapRole[] {
  const kinds = namespacedKinds(defs);
  const entries = (pick: (d: ResourceDefinition) => string[], from = kinds): Array<[string, string]> =>
    from.flatMap((d) => pick(d).map((r) => [d.group, r] as [string, string]));
  const namespaces: PolicyRule = { apiGroups: [''], resources: ['namespaces', 'namespaces/status', 'namespaces/history'], verbs: READ };
  const secrets = kinds.filter((d) => d.group === '' && d.plural === 'secrets');
  const view = [...grouped(entries(readable, kinds.filter((d) => !secrets.includes(d))), READ), namespaces];
  // What edit adds to view (view is aggregated into edit, as in Kubernetes).
  const editOnly = [
    ...grouped(entries(readable, secrets), READ),
    ...grouped(entries(writable), WRITE),
    // kubectl attach / exec / port-forward (as kube's edit role; a WebSocket GET needs both get and create), and the
    // API's HTTP proxy to pods and Services.
    { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'services/proxy'], verbs: [...READ, ...WRITE] },
    // kubectl create token (as kube's edit role: it may act as any ServiceAccount of the namespace anyway).
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
    // Evictions (kubectl drain of the pods one may delete anyway), as kube's edit role.
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    // kubectl debug: adding ephemeral containers is granted apart from writing pods.
    { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'patch', 'update'] },
  ];
  const rbacNamespaced: PolicyRule = { apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] };
  return [
    { name: 'cluster-admin', rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] },
    // admin ⊇ edit ⊇ view, each the union of the roles labelled to aggregate into it: the built-in
    // system:aggregate-to-* roles, and any an admin of the cluster adds (a new kind's rights, say).
    { name: 'admin', aggregateFrom: 'admin' },
    { name: 'edit', aggregateFrom: 'edit', aggregateTo: 'admin' },
    { name: 'view', aggregateFrom: 'view', aggregateTo: 'edit' },
    { name: 'system:aggregate-to-admin', rules: [rbacNamespaced], aggregateTo: 'admin' },
    { name: 'system:aggregate-to-edit', rules: editOnly, aggregateTo: 'edit' },
    { name: 'system:aggregate-to-view', rules: view, aggregateTo: 'view' },
    // Reading pods' and nodes' usage (kubectl top), as metrics-server's own role aggregated into view, edit and admin.
    { name: 'system:aggregated-metrics-reader', rules: [{ apiGroups: [METRICS_GROUP], resources: ['pods', 'nodes'], verbs: READ }], aggregateTo: 'view' },
    // VolumeSnapshots (custom kinds, so not among the served kinds above): a namespace's users snapshot their claims.
    { name: 'system:openpacific:aggregate-to-edit-volumesnapshots', rules: [{ apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshots'], verbs: WRITE }], aggregateTo: 'edit' },
    { name: 'system:openpacific:aggregate-to-view-volumesnapshots', rules: [{ apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshots', 'volumesnapshots/status'], verbs: READ }], aggregateTo: 'view' },
    // What a webhook or an aggregated server bound to it may ask: who a token is, what someone may do (as Kubernetes').
    {
      name: 'system:auth-delegator',
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    },
    // Scraping the gateway's /metrics (and probing it), as kube-apiserver's role for monitoring systems.
    { name: 'system:monitoring', rules: [{ nonResourceURLs: ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], verbs: ['get'] }] },
    // Every call of the hosts' kubelet API (`nodes/<name>/proxy`: stats, pods, metrics), as kube-apiserver's role for it.
    {
      name: 'system:kubelet-api-admin',
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: [...READ, 'proxy'] },
        { apiGroups: [''], resources: ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log'], verbs: ['*'] },
      ],
    },
    // Reading the ServiceAccount issuer's OIDC discovery, granted to every ServiceAccount as kube-apiserver grants it.
    { name: 'system:service-account-issuer-discovery', rules: [{ nonResourceURLs: ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'], verbs: ['get'] }] },
    // Approving CertificateSigningRequests for Kubernetes' own signers, as kube-apiserver's bootstrap roles grant it
    // (bind one to let someone approve without being cluster-admin: certificatesigningrequests/approval as well).
    ...['kube-apiserver-client', 'kube-apiserver-client-kubelet', 'kubelet-serving', 'legacy-unknown'].map((signer) => ({
      name: `system:certificates.k8s.io:${signer}-approver`,
      rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [`kubernetes.io/${signer}`], verbs: ['approve'] }],
    })),
    {
      name: 'system:basic-user',
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      ],
    },
  ];
}

/** A built-in ClusterRole: its own rules, or those of the roles labelled `aggregate-to-<aggregateFrom>`; `aggregateTo` labels it so. */
export interface BootstrapRole {
  name: string;
  rules?: PolicyRule[];
  aggregateFrom?: string;
  aggregateTo?: string;
}

export const aggregateLabel = (to: string) => `rbac.authorization.k8s.io/aggregate-to-${to}`;

/** Who gets the built-in roles everywhere: system:masters everything, every authenticated user the review APIs. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS = [
  { name: 'cluster-admin', role: 'cluster-admin', group: 'system:masters' },
  { name: 'system:basic-user', role: 'system:basic-user', group: 'system:authenticated' },
  { name: 'system:monitoring', role: 'system:monitoring', group: 'system:monitoring' },
  { name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery', group: 'system:serviceaccounts' },
];

export function bootstrapObjects(defs: ResourceDefinition[]): Array<{ resource: string; object: any }> {
  const metadata = (name: string, labels: Record<string, string> = {}) => ({ name, labels: { ...BOOTSTRAP_LABELS, ...labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } });
  const roles = bootstrapClusterRoles(defs).map((r) => ({
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: metadata(r.name, r.aggregateTo ? { [aggregateLabel(r.aggregateTo)]: 'true' } : {}),
    ...(r.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateLabel(r.aggregateFrom)]: 'true' } }] } } : { rules: r.rules }),
  }));
  // Aggregated roles start with the rules of the built-in roles they gather (edit's include view's, admin's edit's),
  // so that no start of the gateway leaves them empty until the aggregator has run; it adds others' from then on.
  // Passes until nothing changes: view settles first, then edit, then admin (a chain as long as the passes).
  for (let pass = 0; pass < 4; pass++) for (const role of roles) if (isAggregated(role)) (role as any).rules = aggregatedRules(role, roles);
  return [
    ...roles.map((object) => ({ resource: `clusterroles.${RBAC_GROUP}`, object })),
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
