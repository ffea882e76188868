import { authorize, staticLookups } from '@openpacific/authz';
import { resourceDefinitions } from '@openpacific/contracts';
import { ResourceRegistry } from '../registry/registry';
import { parseResourcePath } from '../http/resource-path';
import { Authenticator, digest } from '../http/authenticator';
import { bootstrapObjects } from './bootstrap-policy';
import { aggregatedRules } from './role-aggregation';
import { validateBindingUpdate } from './rbac.strategy';
import { validateClusterRoleBinding } from './rbac.validation';
import { nonResourceAttributes, resourceAttributes } from './request-attributes';
import { fillServiceAccountToken, validateServiceAccountTokenSecret } from './service-account-tokens';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUsers, UsersFile } from './users-file';

const registry = new ResourceRegistry();
const user = { username: 'dev', groups: ['system:authenticated'] };
const attrs = (method: string, url: string) => {
  const u = new URL(url, 'https://x');
  const history = u.pathname.endsWith('/history');
  const target = parseResourcePath(registry, history ? u.pathname.slice(0, -'/history'.length) : u.pathname)!;
  const { user: _u, ...rest } = resourceAttributes(user, method, u.searchParams, target, history);
  return rest;
};

describe('request attributes', () => {
  it('derives the verb from method, name and watch', () => {
    expect(attrs('GET', '/api/v1/namespaces/a/pods')).toMatchObject({ verb: 'list', resource: 'pods', namespace: 'a', apiGroup: '' });
    expect(attrs('GET', '/api/v1/namespaces/a/pods?watch=1')).toMatchObject({ verb: 'watch' });
    expect(attrs('GET', '/api/v1/namespaces/a/pods?watch=true&fieldSelector=metadata.name%3Dp')).toMatchObject({ verb: 'watch', name: 'p' });
    expect(attrs('GET', '/api/v1/namespaces/a/pods/p')).toMatchObject({ verb: 'get', name: 'p' });
    expect(attrs('POST', '/api/v1/namespaces/a/pods')).toMatchObject({ verb: 'create' });
    expect(attrs('PUT', '/api/v1/namespaces/a/pods/p')).toMatchObject({ verb: 'update' });
    expect(attrs('PATCH', '/api/v1/namespaces/a/pods/p')).toMatchObject({ verb: 'patch' });
    expect(attrs('DELETE', '/api/v1/namespaces/a/pods/p')).toMatchObject({ verb: 'delete' });
    expect(attrs('DELETE', '/api/v1/namespaces/a/pods')).toMatchObject({ verb: 'deletecollection' });
    expect(attrs('GET', '/api/v1/pods')).toMatchObject({ verb: 'list', namespace: undefined });
  });

  it('names subresources: log, status, scale and our history', () => {
    expect(attrs('GET', '/api/v1/namespaces/a/pods/p/log')).toMatchObject({ verb: 'get', resource: 'pods', subresource: 'log' });
    expect(attrs('PUT', '/api/v1/namespaces/a/pods/p/status')).toMatchObject({ verb: 'update', subresource: 'status' });
    expect(attrs('PATCH', '/apis/cluster.x-k8s.io/v1beta1/namespaces/a/machinedeployments/m/scale')).toMatchObject({ verb: 'patch', apiGroup: 'cluster.x-k8s.io', subresource: 'scale' });
    expect(attrs('GET', '/api/v1/namespaces/a/configmaps/c/history')).toMatchObject({ verb: 'get', resource: 'configmaps', subresource: 'history', name: 'c' });
  });

  it('names the proxy subresource of pods and Services by the object segment as sent, whatever path follows it', () => {
    expect(attrs('GET', '/api/v1/namespaces/a/pods/web:8080/proxy/metrics/x')).toMatchObject({ verb: 'get', resource: 'pods', subresource: 'proxy', name: 'web:8080', namespace: 'a' });
    expect(attrs('POST', '/api/v1/namespaces/a/services/https:web:api/proxy/')).toMatchObject({ verb: 'create', resource: 'services', subresource: 'proxy', name: 'https:web:api' });
    expect(parseResourcePath(registry, '/api/v1/namespaces/a/pods/web/proxy')).toMatchObject({ subresource: 'proxy', proxyPath: '' });
    expect(parseResourcePath(registry, '/api/v1/namespaces/a/pods/web/proxy/')).toMatchObject({ proxyPath: '/' });
    // Still percent-encoded, the trailing slash kept: the backend gets the path as the caller wrote it.
    expect(parseResourcePath(registry, '/api/v1/namespaces/a/pods/web/proxy/a%2Fb/c/')).toMatchObject({ proxyPath: '/a%2Fb/c/' });
    // Only pods and Services proxy; a longer path of another kind is not found.
    expect(() => parseResourcePath(registry, '/api/v1/namespaces/a/configmaps/c/proxy/x')).toThrow('the server could not find the requested resource');
    expect(() => parseResourcePath(registry, '/api/v1/namespaces//a/pods/web/proxy/x')).toThrow('the server could not find the requested resource');
  });

  it('decodes a percent-encoded segment of a resource path, and leaves a plain one as it is', () => {
    expect(parseResourcePath(registry, '/api/v1/namespaces/a/configmaps/c%2Dx')).toMatchObject({ namespace: 'a', name: 'c-x' });
    expect(parseResourcePath(registry, '/api/v1/namespaces/a/configmaps/c-x')).toMatchObject({ namespace: 'a', name: 'c-x' });
    expect(parseResourcePath(registry, '/api/v1/nodes/host-1%3A10250/proxy/')).toMatchObject({ name: 'host-1:10250', proxyPath: '/' });
    expect(() => parseResourcePath(registry, '/api/v1/namespaces/a/configmaps/c%E0%A4%A')).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400, reason: 'BadRequest' }) }));
  });

  it('puts a Namespace in its own namespace, and cluster kinds nowhere', () => {
    expect(attrs('GET', '/api/v1/namespaces/team-a')).toMatchObject({ resource: 'namespaces', name: 'team-a', namespace: 'team-a' });
    expect(attrs('GET', '/api/v1/namespaces')).toMatchObject({ resource: 'namespaces', namespace: undefined });
    expect(attrs('GET', '/api/v1/nodes/h1')).toMatchObject({ resource: 'nodes', namespace: undefined });
  });

  it('words non-resource requests by HTTP verb', () => {
    expect(nonResourceAttributes(user, 'GET', '/metrics')).toEqual({ user, verb: 'get', resourceRequest: false, path: '/metrics' });
  });
});

describe('bootstrap ClusterRoles', () => {
  const objects = bootstrapObjects(resourceDefinitions);
  const roles = objects.filter((o) => o.object.kind === 'ClusterRole').map((o) => o.object);
  const lookups = staticLookups({
    clusterRoles: roles,
    roleBindings: ['view', 'edit', 'admin'].map((r) => ({ metadata: { name: r, namespace: `ns-${r}` }, roleRef: { kind: 'ClusterRole', name: r }, subjects: [{ kind: 'User', name: 'dev' }] })),
    clusterRoleBindings: objects.filter((o) => o.object.kind === 'ClusterRoleBinding').map((o) => o.object),
  });
  const can = (verb: string, resource: string, namespace?: string, apiGroup = '', subresource?: string, u = user) =>
    authorize({ user: u, verb, resourceRequest: true, resource, namespace, apiGroup, subresource }, lookups).allowed;

  it('are labelled as rbac-defaults', () => {
    expect(roles.map((r) => r.metadata.name)).toEqual([
      'cluster-admin', 'admin', 'edit', 'view', 'system:aggregate-to-admin', 'system:aggregate-to-edit', 'system:aggregate-to-view', 'system:aggregated-metrics-reader',
      'system:openpacific:aggregate-to-edit-volumesnapshots', 'system:openpacific:aggregate-to-view-volumesnapshots',
      'system:auth-delegator', 'system:monitoring', 'system:kubelet-api-admin', 'system:service-account-issuer-discovery', 'system:certificates.k8s.io:kube-apiserver-client-approver',
      'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', 'system:certificates.k8s.io:kubelet-serving-approver',
      'system:certificates.k8s.io:legacy-unknown-approver', 'system:basic-user',
    ]);
    for (const o of objects) expect(o.object.metadata.labels['kubernetes.io/bootstrapping']).toBe('rbac-defaults');
  });

  it('lets edit, not view, proxy to pods and Services (as kube-apiserver\'s edit role)', () => {
    for (const verb of ['get', 'create', 'update', 'patch', 'delete']) {
      expect(can(verb, 'pods', 'ns-edit', '', 'proxy')).toBe(true);
      expect(can(verb, 'services', 'ns-admin', '', 'proxy')).toBe(true);
      expect(can(verb, 'pods', 'ns-view', '', 'proxy')).toBe(false);
      expect(can(verb, 'services', 'ns-view', '', 'proxy')).toBe(false);
    }
  });

  it('aggregate admin ⊇ edit ⊇ view from the roles labelled for them, as in Kubernetes', () => {
    const role = (name: string) => roles.find((r) => r.metadata.name === name);
    expect(role('admin').aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] });
    expect(role('edit').metadata.labels['rbac.authorization.k8s.io/aggregate-to-admin']).toBe('true');
    expect(role('view').metadata.labels['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
    // The built-in aggregated roles start with what they gather: every view rule is in edit, every edit rule in admin.
    for (const rule of role('view').rules) expect(role('edit').rules).toContainEqual(rule);
    for (const rule of role('edit').rules) expect(role('admin').rules).toContainEqual(rule);
    expect(role('view').rules).toEqual([
      ...role('system:aggregate-to-view').rules, ...role('system:aggregated-metrics-reader').rules, ...role('system:openpacific:aggregate-to-view-volumesnapshots').rules,
    ]);
    // A role an admin labels joins them; a role it does not label does not.
    const widget = { metadata: { name: 'widgets-edit', labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }, rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['*'] }] };
    const other = { metadata: { name: 'other', labels: {} }, rules: [{ apiGroups: ['x'], resources: ['y'], verbs: ['get'] }] };
    const edit = aggregatedRules(role('edit'), [...roles, widget, other]);
    expect(edit).toContainEqual(widget.rules[0]);
    expect(edit).not.toContainEqual(other.rules[0]);
    expect(new Set(edit.map((r) => JSON.stringify(r))).size).toBe(edit.length);
  });

  it('grant no Leases in view, edit or admin, as Kubernetes\' roles grant none', () => {
    for (const r of ['view', 'edit', 'admin']) {
      expect(can('get', 'leases', `ns-${r}`, 'coordination.k8s.io')).toBe(false);
      expect(can('update', 'leases', `ns-${r}`, 'coordination.k8s.io')).toBe(false);
    }
  });

  it('view reads but does not write and never reads Secrets', () => {
    expect(can('list', 'pods', 'ns-view')).toBe(true);
    expect(can('get', 'pods', 'ns-view', '', 'log')).toBe(true);
    expect(can('watch', 'virtualmachines', 'ns-view', 'vmoperator.vmware.com')).toBe(true);
    expect(can('create', 'pods', 'ns-view')).toBe(false);
    expect(can('get', 'secrets', 'ns-view')).toBe(false);
    expect(can('list', 'rolebindings', 'ns-view', 'rbac.authorization.k8s.io')).toBe(false);
  });

  it('view, edit and admin read pods\' usage (kubectl top) in metrics.k8s.io and nothing more of it', () => {
    for (const ns of ['ns-view', 'ns-edit', 'ns-admin']) {
      expect(can('list', 'pods', ns, 'metrics.k8s.io')).toBe(true);
      expect(can('get', 'pods', ns, 'metrics.k8s.io')).toBe(true);
      expect(can('create', 'pods', ns, 'metrics.k8s.io')).toBe(false);
      expect(can('get', 'pods', ns, 'metrics.k8s.io', 'history')).toBe(false);
    }
    // Nodes are cluster-wide: a binding in a namespace does not reach them.
    expect(can('list', 'nodes', undefined, 'metrics.k8s.io')).toBe(false);
  });

  it('edit writes workloads and Secrets but not roles, bindings or quotas', () => {
    expect(can('create', 'pods', 'ns-edit')).toBe(true);
    expect(can('delete', 'secrets', 'ns-edit')).toBe(true);
    expect(can('patch', 'tanzukubernetesclusters', 'ns-edit', 'run.tanzu.vmware.com')).toBe(true);
    expect(can('create', 'virtualmachinegrouppublishrequests', 'ns-edit', 'vmoperator.vmware.com')).toBe(true);
    expect(can('create', 'virtualmachinegrouppublishrequests', 'ns-view', 'vmoperator.vmware.com')).toBe(false);
    expect(can('get', 'virtualmachinegrouppublishrequests', 'ns-view', 'vmoperator.vmware.com', 'status')).toBe(true);
    expect(can('update', 'machinedeployments', 'ns-edit', 'cluster.x-k8s.io', 'scale')).toBe(true);
    expect(can('create', 'rolebindings', 'ns-edit', 'rbac.authorization.k8s.io')).toBe(false);
    expect(can('update', 'resourcequotas', 'ns-edit')).toBe(false);
    expect(can('get', 'resourcequotas', 'ns-edit')).toBe(true);
    expect(can('delete', 'zones', 'ns-edit', 'topology.tanzu.vmware.com')).toBe(false);
    expect(can('list', 'zones', 'ns-view', 'topology.tanzu.vmware.com')).toBe(true);
    // A storage policy quota decides which storage classes the namespace may use: not a namespace user's to grant.
    expect(can('create', 'storagepolicyquotas', 'ns-edit', 'cns.vmware.com')).toBe(false);
    expect(can('patch', 'storagepolicyusages', 'ns-edit', 'cns.vmware.com', 'status')).toBe(false);
    expect(can('get', 'storagepolicyquotas', 'ns-view', 'cns.vmware.com')).toBe(true);
    expect(can('list', 'storagepolicyusages', 'ns-view', 'cns.vmware.com')).toBe(true);
    expect(can('create', 'pods', 'ns-view')).toBe(false);
  });

  it('admin adds roles and bindings in its namespace, still no quota edit and nothing cluster-wide', () => {
    expect(can('create', 'rolebindings', 'ns-admin', 'rbac.authorization.k8s.io')).toBe(true);
    expect(can('delete', 'roles', 'ns-admin', 'rbac.authorization.k8s.io')).toBe(true);
    expect(can('update', 'resourcequotas', 'ns-admin')).toBe(false);
    expect(can('create', 'zones', 'ns-admin', 'topology.tanzu.vmware.com')).toBe(false);
    expect(can('delete', 'storagepolicyquotas', 'ns-admin', 'cns.vmware.com')).toBe(false);
    expect(can('list', 'nodes')).toBe(false);
    expect(can('create', 'namespaces')).toBe(false);
  });

  it("lets none of view, edit or admin call a host's kubelet API (nodes/proxy), and system:kubelet-api-admin do all of it", () => {
    for (const ns of ['ns-view', 'ns-edit', 'ns-admin']) expect(can('get', 'nodes', ns, '', 'proxy')).toBe(false);
    expect(can('get', 'nodes', undefined, '', 'proxy')).toBe(false);
    const kubeletAdmin = roles.find((r) => r.metadata.name === 'system:kubelet-api-admin');
    const only = staticLookups({
      clusterRoles: [kubeletAdmin],
      clusterRoleBindings: [{ metadata: { name: 'x' }, roleRef: { kind: 'ClusterRole', name: 'system:kubelet-api-admin' }, subjects: [{ kind: 'User', name: 'dev' }] }],
    });
    const may = (verb: string, resource: string, subresource?: string) => authorize({ user, verb, resourceRequest: true, resource, apiGroup: '', subresource }, only).allowed;
    expect(['get', 'create', 'update', 'patch', 'delete'].every((verb) => may(verb, 'nodes', 'proxy'))).toBe(true);
    expect(may('list', 'nodes')).toBe(true);
    expect(may('update', 'nodes')).toBe(false);
    expect(may('get', 'pods')).toBe(false);
  });

  it('cluster-admin (system:masters) does everything; every authenticated user may create reviews', () => {
    const root = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
    expect(can('delete', 'nodes', undefined, '', undefined, root)).toBe(true);
    expect(can('create', 'selfsubjectaccessreviews', undefined, 'authorization.k8s.io')).toBe(true);
    expect(can('create', 'selfsubjectreviews', undefined, 'authentication.k8s.io')).toBe(true);
  });
});

describe('users.json', () => {
  const sha = 'a'.repeat(64);
  it('maps token digests to users, adding system:authenticated', () => {
    const users = parseUsers({ users: [{ name: 'dev', groups: ['developers'], tokenSha256: sha.toUpperCase() }] });
    expect(users.get(sha)).toEqual({ username: 'dev', groups: ['developers', 'system:authenticated'] });
  });

  it('refuses a file without a users list, a nameless user or a token that is not a SHA-256', () => {
    expect(() => parseUsers({})).toThrow('"users" must be a list');
    expect(() => parseUsers({ users: [{ tokenSha256: sha }] })).toThrow('users[0].name');
    expect(() => parseUsers({ users: [{ name: 'x', tokenSha256: 'secret' }] })).toThrow('users[0].tokenSha256 must be 64 hex digits');
    expect(() => parseUsers({ users: [{ name: 'x', tokenSha256: sha, expiresAt: 'soon' }] })).toThrow('users[0].expiresAt must be an RFC 3339 time');
  });

  it('stops answering for a token once its expiresAt has passed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'users-'));
    const file = join(dir, 'users.json');
    writeFileSync(file, JSON.stringify({ users: [{ name: 'temp', tokenSha256: sha, expiresAt: '2030-01-01T00:00:00Z' }, { name: 'dev', tokenSha256: 'b'.repeat(64) }] }));
    const users = new UsersFile(file);
    users.load();
    expect(users.lookup(sha, Date.parse('2029-12-31T23:59:59Z'))).toEqual({ username: 'temp', groups: ['system:authenticated'] });
    expect(users.lookup(sha, Date.parse('2030-01-01T00:00:00Z'))).toBeUndefined();
    expect(users.lookup('b'.repeat(64), Date.parse('2099-01-01T00:00:00Z'))).toEqual({ username: 'dev', groups: ['system:authenticated'] });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('Authenticator', () => {
  const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as any;
  it('tries the admin token, then the sources, and answers 401 to the rest', () => {
    const auth = new Authenticator();
    auth.addToken('root', { username: 'admin', groups: ['system:masters', 'system:authenticated'] });
    auth.addSource((_t, d) => (d.equals(digest('devtoken')) ? { username: 'dev', groups: [] } : undefined));
    expect(auth.authenticate(req('Bearer root')).username).toBe('admin');
    expect(auth.authenticate(req('Bearer devtoken'))).toEqual({ username: 'dev', groups: ['system:authenticated'] });
    expect(() => auth.authenticate(req('Bearer other'))).toThrow('Unauthorized');
    expect(() => auth.authenticate(req())).toThrow('Unauthorized');
  });

  it('reviews a token for audiences: one that names none is good for this API server only', () => {
    const auth = new Authenticator();
    const API = 'https://kubernetes.default.svc.cluster.local';
    auth.addToken('root', { username: 'admin', groups: ['system:masters'] });
    auth.addSource((t, _d, audiences) => (t === 'bound' ? { username: 'sa', groups: [], audiences: audiences.filter((a) => a === 'vault') } : undefined));
    expect(auth.reviewToken('root')).toEqual({ user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] }, audiences: [API] });
    expect(auth.reviewToken('root', ['vault', API])?.audiences).toEqual([API]);
    expect(auth.reviewToken('root', ['vault'])).toBeUndefined();
    expect(auth.reviewToken('bound', ['vault'])).toEqual({ user: { username: 'sa', groups: ['system:authenticated'] }, audiences: ['vault'] });
    expect(auth.reviewToken('bound')).toBeUndefined();
  });

  it('authenticates a request once however often it is asked, and every new request afresh', () => {
    const auth = new Authenticator();
    let lookups = 0;
    let revoked = false;
    auth.addSource((_t, d) => (lookups++, !revoked && d.equals(digest('devtoken')) ? { username: 'dev', groups: [] } : undefined));
    const first = req('Bearer devtoken');
    expect(auth.authenticate(first)).toBe(auth.authenticate(first));
    expect(lookups).toBe(1);
    revoked = true;
    expect(() => auth.authenticate(req('Bearer devtoken'))).toThrow('Unauthorized');
  });

  it('hashes a token once per connection, but asks the sources on every request and follows a changed token', () => {
    const auth = new Authenticator();
    const digests: Buffer[] = [];
    let revoked = false;
    auth.addSource((t, d) => (digests.push(d), revoked ? undefined : { username: `user-of-${t}`, groups: [] }));
    const socket = {};
    const on = (s: object, authorization: string) => ({ headers: { authorization }, socket: s }) as any;
    expect(auth.authenticate(on(socket, 'Bearer a')).username).toBe('user-of-a');
    expect(auth.authenticate(on(socket, 'Bearer a')).username).toBe('user-of-a');
    expect(digests[1]).toBe(digests[0]);
    expect(digests[0].equals(digest('a'))).toBe(true);
    // Another connection with the same token hashes it itself.
    auth.authenticate(on({}, 'Bearer a'));
    expect(digests[2]).not.toBe(digests[0]);
    expect(digests[2].equals(digest('a'))).toBe(true);
    // The same connection with another token: that token's user.
    expect(auth.authenticate(on(socket, 'Bearer b')).username).toBe('user-of-b');
    expect(digests[3].equals(digest('b'))).toBe(true);
    revoked = true;
    expect(() => auth.authenticate(on(socket, 'Bearer b'))).toThrow('Unauthorized');
  });
});

describe('RBAC and ServiceAccount token rules', () => {
  const ref = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' };
  it('refuses a changed roleRef', () => {
    expect(validateBindingUpdate({ roleRef: ref }, { roleRef: { ...ref } })).toEqual([]);
    expect(validateBindingUpdate({ roleRef: ref }, { roleRef: { ...ref, name: 'edit' } })).toEqual([
      { field: 'roleRef', reason: 'FieldValueInvalid', message: 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef' },
    ]);
  });

  it('wants the namespace of a ServiceAccount subject in a ClusterRoleBinding', () => {
    expect(validateClusterRoleBinding({ roleRef: ref, subjects: [{ kind: 'User', name: 'a', apiGroup: ref.apiGroup }, { kind: 'ServiceAccount', name: 'b' }] })).toEqual([{ field: 'subjects[1].namespace', reason: 'FieldValueRequired', message: 'Required value' }]);
  });

  it('fills a random token into a service-account-token Secret once, and wants the ServiceAccount annotation', () => {
    const make = () => ({ type: 'kubernetes.io/service-account-token', metadata: { namespace: 'a', annotations: { 'kubernetes.io/service-account.name': 'robot' } } });
    const a = fillServiceAccountToken(make());
    const b = fillServiceAccountToken(make());
    expect(Buffer.from(a.data.token, 'base64').toString().length).toBeGreaterThan(30);
    expect(a.data.token).not.toBe(b.data.token);
    expect(Buffer.from(a.data.namespace, 'base64').toString()).toBe('a');
    expect(fillServiceAccountToken({ ...make(), data: { token: 'eA==' } }).data.token).toBe('eA==');
    expect(fillServiceAccountToken({ type: 'Opaque', metadata: {} })).toEqual({ type: 'Opaque', metadata: {} });
    expect(validateServiceAccountTokenSecret(make())).toEqual([]);
    expect(validateServiceAccountTokenSecret({ type: 'kubernetes.io/service-account-token', metadata: {} })[0].field).toBe('metadata.annotations[kubernetes.io/service-account.name]');
  });
});
