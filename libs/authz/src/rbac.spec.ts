import { authorize, BindingLike, forbiddenMessage, RequestAttributes, RoleLike, ruleAllows, rulesFor, staticLookups } from './rbac';

const dev = { username: 'dev', groups: ['developers', 'system:authenticated'] };
const sa = { username: 'system:serviceaccount:team-a:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'] };

function req(over: Partial<RequestAttributes>): RequestAttributes {
  return { user: dev, verb: 'get', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'team-a', ...over };
}

const clusterRole = (name: string, rules: RoleLike['rules']): RoleLike => ({ metadata: { name }, rules });
const role = (namespace: string, name: string, rules: RoleLike['rules']): RoleLike => ({ metadata: { name, namespace }, rules });
const binding = (name: string, roleRef: BindingLike['roleRef'], subjects: BindingLike['subjects'], namespace?: string): BindingLike => ({
  metadata: { name, namespace },
  roleRef,
  subjects,
});

describe('ruleAllows', () => {
  it('matches verbs exactly or by *', () => {
    expect(ruleAllows(req({ verb: 'list' }), { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] })).toBe(true);
    expect(ruleAllows(req({ verb: 'delete' }), { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] })).toBe(false);
    expect(ruleAllows(req({ verb: 'deletecollection' }), { verbs: ['*'], apiGroups: [''], resources: ['pods'] })).toBe(true);
  });

  it('matches API groups exactly or by *; the core group is the empty string', () => {
    expect(ruleAllows(req({ apiGroup: 'apps', resource: 'deployments' }), { verbs: ['get'], apiGroups: [''], resources: ['deployments'] })).toBe(false);
    expect(ruleAllows(req({ apiGroup: 'apps', resource: 'deployments' }), { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] })).toBe(true);
    expect(ruleAllows(req({ apiGroup: 'apps', resource: 'deployments' }), { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] })).toBe(true);
    expect(ruleAllows(req({}), { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] })).toBe(false);
    expect(ruleAllows(req({}), { verbs: ['get'], resources: ['pods'] })).toBe(false);
  });

  it('matches resources, resource/subresource, */subresource and *', () => {
    const logs = req({ resource: 'pods', subresource: 'log' });
    expect(ruleAllows(logs, { verbs: ['get'], apiGroups: [''], resources: ['pods'] })).toBe(false);
    expect(ruleAllows(logs, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] })).toBe(true);
    expect(ruleAllows(logs, { verbs: ['get'], apiGroups: [''], resources: ['*/log'] })).toBe(true);
    expect(ruleAllows(logs, { verbs: ['get'], apiGroups: [''], resources: ['*/status'] })).toBe(false);
    expect(ruleAllows(logs, { verbs: ['get'], apiGroups: [''], resources: ['*'] })).toBe(true);
    expect(ruleAllows(req({}), { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] })).toBe(false);
    expect(ruleAllows(req({}), { verbs: ['get'], apiGroups: [''], resources: ['*/log'] })).toBe(false);
    expect(ruleAllows(req({ resource: 'secrets' }), { verbs: ['get'], apiGroups: [''], resources: ['pods'] })).toBe(false);
  });

  it('limits to resourceNames when given: a request without a name (list, create) does not match them', () => {
    const rule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'] };
    expect(ruleAllows(req({ resource: 'configmaps', name: 'app' }), rule)).toBe(true);
    expect(ruleAllows(req({ resource: 'configmaps', name: 'other' }), rule)).toBe(false);
    expect(ruleAllows(req({ resource: 'configmaps', verb: 'list' }), rule)).toBe(false);
  });

  it('matches non-resource URLs exactly, by prefix* and by *, and never resource rules', () => {
    const nr = (path: string) => ({ user: dev, verb: 'get', resourceRequest: false, path });
    expect(ruleAllows(nr('/healthz'), { verbs: ['get'], nonResourceURLs: ['/healthz'] })).toBe(true);
    expect(ruleAllows(nr('/healthz/etcd'), { verbs: ['get'], nonResourceURLs: ['/healthz/*'] })).toBe(true);
    expect(ruleAllows(nr('/metrics'), { verbs: ['get'], nonResourceURLs: ['/healthz/*'] })).toBe(false);
    expect(ruleAllows(nr('/metrics'), { verbs: ['*'], nonResourceURLs: ['*'] })).toBe(true);
    expect(ruleAllows(nr('/metrics'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(false);
    expect(ruleAllows(req({}), { verbs: ['*'], nonResourceURLs: ['*'] })).toBe(false);
  });
});

describe('authorize', () => {
  const view = clusterRole('view', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'configmaps'] }]);
  const edit = clusterRole('edit', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }]);
  const admin = clusterRole('cluster-admin', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }]);

  it('allows through a ClusterRoleBinding everywhere, including the cluster scope and non-resource URLs', () => {
    const lookups = staticLookups({ clusterRoles: [admin], clusterRoleBindings: [binding('cluster-admin', { kind: 'ClusterRole', name: 'cluster-admin', apiGroup: 'rbac.authorization.k8s.io' }, [{ kind: 'Group', name: 'system:masters' }])] });
    const root = { username: 'admin', groups: ['system:masters'] };
    expect(authorize(req({ user: root, namespace: 'anything', verb: 'delete' }), lookups).allowed).toBe(true);
    expect(authorize(req({ user: root, namespace: undefined, resource: 'namespaces', verb: 'create' }), lookups).allowed).toBe(true);
    expect(authorize({ user: root, verb: 'get', resourceRequest: false, path: '/metrics' }, lookups).allowed).toBe(true);
    const d = authorize(req({ user: root }), lookups);
    expect(d.reason).toBe('RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"');
    expect(authorize(req({}), lookups).allowed).toBe(false);
  });

  it('allows through a RoleBinding only in its namespace, never at the cluster scope', () => {
    const lookups = staticLookups({
      clusterRoles: [view],
      roleBindings: [binding('dev-view', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'dev' }], 'team-a')],
    });
    expect(authorize(req({ verb: 'list' }), lookups).allowed).toBe(true);
    expect(authorize(req({ verb: 'list', namespace: 'team-b' }), lookups).allowed).toBe(false);
    expect(authorize(req({ verb: 'list', namespace: undefined }), lookups).allowed).toBe(false);
    expect(authorize(req({ verb: 'create' }), lookups).allowed).toBe(false);
    expect(authorize(req({ verb: 'list' }), lookups).reason).toBe('RBAC: allowed by RoleBinding "dev-view/team-a" of ClusterRole "view" to User "dev"');
  });

  it('binds a namespaced Role from the same namespace only', () => {
    const lookups = staticLookups({
      roles: [role('team-a', 'pod-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), role('team-b', 'writer', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])],
      roleBindings: [binding('rb', { kind: 'Role', name: 'pod-reader' }, [{ kind: 'User', name: 'dev' }], 'team-a'), binding('rb2', { kind: 'Role', name: 'writer' }, [{ kind: 'User', name: 'dev' }], 'team-a')],
    });
    expect(authorize(req({}), lookups).allowed).toBe(true);
    expect(authorize(req({ verb: 'delete' }), lookups).allowed).toBe(false); // the Role "writer" is in team-b, not team-a
  });

  it('grants nothing through a binding to a missing role', () => {
    const lookups = staticLookups({
      roleBindings: [binding('ghost', { kind: 'ClusterRole', name: 'does-not-exist' }, [{ kind: 'User', name: 'dev' }], 'team-a'), binding('ghost2', { kind: 'Role', name: 'nope' }, [{ kind: 'User', name: 'dev' }], 'team-a')],
      clusterRoleBindings: [binding('ghost3', { kind: 'ClusterRole', name: 'missing' }, [{ kind: 'User', name: 'dev' }])],
    });
    expect(authorize(req({}), lookups)).toEqual({ allowed: false, reason: '' });
  });

  it('ignores a ClusterRoleBinding whose roleRef is a Role', () => {
    const lookups = staticLookups({ roles: [role('team-a', 'r', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])], clusterRoleBindings: [binding('x', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'dev' }])] });
    expect(authorize(req({}), lookups).allowed).toBe(false);
  });

  it('matches subjects by user name, group, and service account (namespace defaulting to the binding\'s)', () => {
    const rb = (subjects: BindingLike['subjects']) => staticLookups({ clusterRoles: [edit], roleBindings: [binding('b', { kind: 'ClusterRole', name: 'edit' }, subjects, 'team-a')] });
    expect(authorize(req({}), rb([{ kind: 'Group', name: 'developers' }])).allowed).toBe(true);
    expect(authorize(req({}), rb([{ kind: 'Group', name: 'viewers' }])).allowed).toBe(false);
    expect(authorize(req({}), rb([{ kind: 'User', name: 'Dev' }])).allowed).toBe(false);
    expect(authorize(req({ user: sa }), rb([{ kind: 'ServiceAccount', name: 'robot' }])).allowed).toBe(true);
    expect(authorize(req({ user: sa }), rb([{ kind: 'ServiceAccount', name: 'robot', namespace: 'team-a' }])).allowed).toBe(true);
    expect(authorize(req({ user: sa }), rb([{ kind: 'ServiceAccount', name: 'robot', namespace: 'team-b' }])).allowed).toBe(false);
    expect(authorize(req({ user: sa }), rb([{ kind: 'Group', name: 'system:serviceaccounts:team-a' }])).allowed).toBe(true);
    // A user literally named like a service account but bound as a ServiceAccount without namespace at cluster scope matches nothing.
    const crb = staticLookups({ clusterRoles: [edit], clusterRoleBindings: [binding('c', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'ServiceAccount', name: 'robot' }])] });
    expect(authorize(req({ user: sa }), crb).allowed).toBe(false);
  });

  it('treats null subjects and rules as empty', () => {
    const lookups = staticLookups({ clusterRoles: [clusterRole('empty', null)], roleBindings: [binding('b', { kind: 'ClusterRole', name: 'empty' }, null, 'team-a'), binding('c', { kind: 'ClusterRole', name: 'empty' }, [{ kind: 'User', name: 'dev' }], 'team-a')] });
    expect(authorize(req({}), lookups).allowed).toBe(false);
  });
});

describe('forbiddenMessage', () => {
  it('words a namespaced refusal as kube-apiserver does', () => {
    expect(forbiddenMessage(req({ verb: 'list', namespace: 'team-b' }))).toBe('pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "team-b"');
  });

  it('names the object and the qualified resource when there is one', () => {
    expect(forbiddenMessage(req({ verb: 'delete', apiGroup: 'vmoperator.vmware.com', resource: 'virtualmachines', name: 'web-1' }))).toBe(
      'virtualmachines.vmoperator.vmware.com "web-1" is forbidden: User "dev" cannot delete resource "virtualmachines" in API group "vmoperator.vmware.com" in the namespace "team-a"',
    );
  });

  it('shows the subresource in the resource and uses the cluster-scope form without a namespace', () => {
    expect(forbiddenMessage(req({ verb: 'get', resource: 'nodes', subresource: 'status', name: 'h1', namespace: undefined }))).toBe(
      'nodes "h1" is forbidden: User "dev" cannot get resource "nodes/status" in API group "" at the cluster scope',
    );
  });

  it('words a non-resource refusal with the path', () => {
    expect(forbiddenMessage({ user: dev, verb: 'get', resourceRequest: false, path: '/metrics' })).toBe('forbidden: User "dev" cannot get path "/metrics"');
  });
});

describe('rulesFor', () => {
  const basic = clusterRole('basic', [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
  const edit = clusterRole('edit', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'], resourceNames: ['only-this'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
  const lookups = staticLookups({
    clusterRoles: [basic, edit],
    clusterRoleBindings: [binding('basic', { kind: 'ClusterRole', name: 'basic' }, [{ kind: 'Group', name: 'system:authenticated' }])],
    roleBindings: [binding('dev-edit', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'dev' }], 'team-a')],
  });

  it('lists the rules of the cluster bindings, and of the namespace bindings without their non-resource URLs', () => {
    expect(rulesFor(dev, 'team-a', lookups)).toEqual({
      resourceRules: [
        { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'] },
        { verbs: ['*'], apiGroups: [''], resources: ['pods'], resourceNames: ['only-this'] },
      ],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    });
    expect(rulesFor(dev, 'team-b', lookups).resourceRules).toHaveLength(1);
    expect(rulesFor(sa, 'team-a', lookups).resourceRules).toHaveLength(1);
  });
});
