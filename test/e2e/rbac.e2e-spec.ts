import { createHash, createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * Who is calling and what they may do: the local users the launcher makes (developer, viewer), a user added to
 * users.json while the cluster runs, a ServiceAccount's token Secret, and RBAC over all of them, through kubectl.
 */
describe('identity and RBAC through kubectl', () => {
  let cluster: TestCluster;
  const DEV = 'developer@openpacific';
  const VIEWER = 'viewer@openpacific';
  const apply = async (yaml: string, context?: string) => {
    const res = await cluster.kubectl(['apply', '-f', '-', ...(context ? ['--context', context] : [])], { input: yaml });
    if (res.code !== 0) throw new Error(`kubectl apply failed: ${res.stderr}`);
    return res;
  };
  const whoami = async (args: string[]) => {
    const res = await cluster.kubectl(['auth', 'whoami', '-o', 'json', ...args]);
    if (res.code !== 0) throw new Error(`kubectl auth whoami failed: ${res.stderr}`);
    return JSON.parse(res.stdout).status.userInfo;
  };
  const binding = (name: string, ns: string, role: string, subject: string, kind = 'User', roleKind = 'ClusterRole') => `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: ${name}, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${role} }
subjects: [{ kind: ${kind}, name: ${subject}${kind === 'User' ? ', apiGroup: rbac.authorization.k8s.io' : ''} }]
`;

  /** A user added to users.json while the cluster runs (the gateway re-reads it); answers its token. */
  const addUser = (name: string, groups: string[] = []): string => {
    const token = randomBytes(24).toString('base64url');
    const file = join(cluster.dataDir, 'users.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.users.push({ name, groups, tokenSha256: createHash('sha256').update(token).digest('hex') });
    writeFileSync(file, JSON.stringify(doc));
    return token;
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'rbac', hostCount: 1 });
    await apply(`
apiVersion: v1
kind: Namespace
metadata: { name: team-a }
---
apiVersion: v1
kind: Namespace
metadata: { name: team-b }
`);
    // What the admin does to let them in: viewer reads team-a, developer edits team-a.
    await apply(binding('viewer-view', 'team-a', 'view', 'viewer') + '---' + binding('developer-edit', 'team-a', 'edit', 'developer'));
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('keeps the users hashed in users.json and adds a context per user, the admin context staying current', () => {
    const users = JSON.parse(readFileSync(join(cluster.dataDir, 'users.json'), 'utf8')).users;
    expect(users.map((u: any) => u.name).sort()).toEqual(['developer', 'viewer']);
    const devToken = readFileSync(join(cluster.dataDir, 'user-tokens', 'developer.token'), 'utf8').trim();
    expect(users.find((u: any) => u.name === 'developer')).toEqual({ name: 'developer', groups: ['developers'], tokenSha256: createHash('sha256').update(devToken).digest('hex'), passwordHash: expect.stringMatching(/^scrypt\$32768\$8\$1\$/) });
    expect(readFileSync(join(cluster.dataDir, 'users.json'), 'utf8')).not.toContain(devToken);
    const kubeconfig = readFileSync(cluster.kubeconfig, 'utf8');
    expect(kubeconfig).toMatch(/current-context: openpacific$/m);
    expect(kubeconfig).toContain(`name: ${DEV}`);
    expect(kubeconfig).toContain(`name: ${VIEWER}`);
  });

  it('answers kubectl auth whoami for each context', async () => {
    expect(await whoami([])).toEqual({ username: 'admin', groups: ['system:masters', 'system:authenticated'] });
    expect(await whoami(['--context', DEV])).toEqual({ username: 'developer', groups: ['developers', 'system:authenticated'] });
    expect(await whoami(['--context', VIEWER])).toEqual({ username: 'viewer', groups: ['viewers', 'system:authenticated'] });
  });

  it('serves the built-in ClusterRoles and the cluster-admin binding of system:masters', async () => {
    const roles = await cluster.kubectl(['get', 'clusterroles', '-l', 'kubernetes.io/bootstrapping=rbac-defaults', '-o', 'name']);
    expect(roles.stdout.split('\n')).toEqual(expect.arrayContaining(['clusterrole.rbac.authorization.k8s.io/cluster-admin', 'clusterrole.rbac.authorization.k8s.io/admin', 'clusterrole.rbac.authorization.k8s.io/edit', 'clusterrole.rbac.authorization.k8s.io/view']));
    const crb = JSON.parse((await cluster.kubectl(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json'])).stdout);
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(crb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  });

  it('takes RBAC names that are path segments, not DNS names (system:…), and refuses one with a slash', async () => {
    const made = await cluster.kubectl(['create', 'clusterrole', 'system:e2e-pod-reader', '--verb=get', '--resource=pods']);
    expect(made.stdout.trim()).toBe('clusterrole.rbac.authorization.k8s.io/system:e2e-pod-reader created');
    const labelled = await cluster.kubectl(['label', 'clusterrole', 'system:e2e-pod-reader', 'team=e2e']);
    expect(labelled.stdout.trim()).toBe('clusterrole.rbac.authorization.k8s.io/system:e2e-pod-reader labeled');
    const bound = await cluster.kubectl(['create', 'rolebinding', 'Team:Readers', '-n', 'default', '--clusterrole=system:e2e-pod-reader', '--group=readers']);
    expect(bound.stdout.trim()).toBe('rolebinding.rbac.authorization.k8s.io/Team:Readers created');
    const slash = await cluster.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: '..' }, rules: [] }),
    });
    expect(slash.stderr).toContain(`The ClusterRole ".." is invalid: metadata.name: Invalid value: "..": may not be '..'`);
  });

  it('lets the viewer list pods in team-a but not run one (403 worded as kube-apiserver does)', async () => {
    const list = await cluster.kubectl(['get', 'pods', '-n', 'team-a', '--context', VIEWER]);
    expect(list.code).toBe(0);
    const run = await cluster.kubectl(['run', 'nope', '--image=busybox', '--restart=Never', '-n', 'team-a', '--context', VIEWER]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "viewer" cannot create resource "pods" in API group "" in the namespace "team-a"');
    const secrets = await cluster.kubectl(['get', 'secrets', '-n', 'team-a', '--context', VIEWER]);
    expect(secrets.stderr).toContain('secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "team-a"');
  });

  it('lets the developer create in team-a and refuses it in team-b and at the cluster scope', async () => {
    const ok = await cluster.kubectl(['run', 'app', '--image=busybox', '--restart=Never', '-n', 'team-a', '--context', DEV, '--', 'sleep', '3600']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('pod/app created');
    const refused = await cluster.kubectl(['run', 'app', '--image=busybox', '--restart=Never', '-n', 'team-b', '--context', DEV]);
    expect(refused.stderr).toContain('pods is forbidden: User "developer" cannot create resource "pods" in API group "" in the namespace "team-b"');
    const nodes = await cluster.kubectl(['get', 'nodes', '--context', DEV]);
    expect(nodes.stderr).toContain('nodes is forbidden: User "developer" cannot list resource "nodes" in API group "" at the cluster scope');
    // edit has no RBAC rights: the developer cannot grant itself more.
    const escalate = await cluster.kubectl(['apply', '-f', '-', '--context', DEV], { input: binding('self-admin', 'team-a', 'admin', 'developer') });
    expect(escalate.stderr).toContain('User "developer" cannot');
    expect(escalate.stderr).toContain('resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "team-a"');
  });

  it('lets a namespace\'s admin grant only what it holds itself: no Role over its quotas, no binding of cluster-admin', async () => {
    await apply(binding('viewer-admin', 'team-b', 'admin', 'viewer'));
    const quotaRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: quota-editor, namespace: team-b }
rules: [{ apiGroups: [""], resources: [resourcequotas], verbs: [update] }]
`;
    const role = await cluster.kubectl(['apply', '-f', '-', '--context', VIEWER], { input: quotaRole });
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain('roles.rbac.authorization.k8s.io "quota-editor" is forbidden: user "viewer" (groups=["viewers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:');
    expect(role.stderr).toContain('{APIGroups:[""], Resources:["resourcequotas"], Verbs:["update"]}');
    const selfAdmin = await cluster.kubectl(['apply', '-f', '-', '--context', VIEWER], { input: binding('viewer-cluster-admin', 'team-b', 'cluster-admin', 'viewer') });
    expect(selfAdmin.code).not.toBe(0);
    expect(selfAdmin.stderr).toContain('rolebindings.rbac.authorization.k8s.io "viewer-cluster-admin" is forbidden: user "viewer"');
    expect((await cluster.kubectl(['get', 'rolebinding', 'viewer-cluster-admin', '-n', 'team-b'])).stderr).toContain('not found');
    // What admin holds, it may grant: edit to the developer, and a Role within its own rights.
    expect((await cluster.kubectl(['apply', '-f', '-', '--context', VIEWER], { input: binding('developer-edit', 'team-b', 'edit', 'developer') })).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-', '--context', VIEWER], { input: quotaRole.replace('[update]', '[get, list]').replace('quota-editor', 'quota-reader') })).code).toBe(0);
    // With bind on cluster-admin in team-b (which the Supervisor's admin may give), the binding is taken.
    await apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: bind-cluster-admin, namespace: team-b }
rules: [{ apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin] }]
---${binding('viewer-bind', 'team-b', 'bind-cluster-admin', 'viewer', 'User', 'Role')}`);
    expect((await cluster.kubectl(['apply', '-f', '-', '--context', VIEWER], { input: binding('viewer-cluster-admin', 'team-b', 'cluster-admin', 'viewer') })).code).toBe(0);
    await cluster.kubectl(['delete', 'rolebinding', 'developer-edit', 'viewer-cluster-admin', 'viewer-bind', 'viewer-admin', '-n', 'team-b']);
  });

  it('answers a namespace admin\'s binding of a role that does not exist with the role\'s 404, and writes nothing', async () => {
    // Taken, it would grant whatever a role created later under that name holds: a role the admin could never bind.
    await apply(binding('viewer-admin', 'team-b', 'admin', 'viewer'));
    const role = await cluster.kubectl(['apply', '-f', '-', '--context', VIEWER], { input: binding('viewer-later', 'team-b', 'later-role', 'viewer', 'User', 'Role') });
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain('Error from server (NotFound): error when creating "STDIN": roles.rbac.authorization.k8s.io "later-role" not found');
    const clusterRole = await cluster.kubectl(['create', 'rolebinding', 'viewer-later', '-n', 'team-b', '--clusterrole=later-cluster-role', '--user=viewer', '--context', VIEWER]);
    expect(clusterRole.stderr).toContain('error: failed to create rolebinding: clusterroles.rbac.authorization.k8s.io "later-cluster-role" not found');
    expect((await cluster.kubectl(['get', 'rolebinding', 'viewer-later', '-n', 'team-b'])).stderr).toContain('rolebindings.rbac.authorization.k8s.io "viewer-later" not found');
    // The cluster's admin (system:masters) may bind a role before it exists.
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: binding('viewer-later', 'team-b', 'later-role', 'viewer', 'User', 'Role') })).code).toBe(0);
    await cluster.kubectl(['delete', 'rolebinding', 'viewer-later', 'viewer-admin', '-n', 'team-b']);
  });

  it('validates roles and bindings as kube-apiserver does (422 naming each field), a subject\'s group defaulted', async () => {
    const role = await cluster.kubectl(['create', '-f', '-'], { input: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: health-reader, namespace: team-a }
rules: [{ nonResourceURLs: [/healthz], verbs: [get] }, { apiGroups: [""], resources: [pods] }]
` });
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain('The Role "health-reader" is invalid:');
    expect(role.stderr).toContain('rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs');
    expect(role.stderr).toContain('rules[1].verbs: Required value: verbs must contain at least one value');
    const crb = await cluster.kubectl(['create', '-f', '-'], { input: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: e2e-role-everywhere }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-such-role }
subjects: [{ kind: User, name: viewer }]
` });
    expect(crb.stderr).toContain('The ClusterRoleBinding "e2e-role-everywhere" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"');
    // A User subject (and the roleRef) without apiGroup get rbac.authorization.k8s.io, as kube-apiserver defaults them.
    const made = await cluster.kubectl(['create', '-f', '-', '-o', 'json'], { input: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: e2e-viewer-basic }
roleRef: { kind: ClusterRole, name: system:basic-user }
subjects: [{ kind: User, name: viewer }]
` });
    expect(made.stderr).toBe('');
    expect(JSON.parse(made.stdout)).toMatchObject({ roleRef: { apiGroup: 'rbac.authorization.k8s.io' }, subjects: [{ kind: 'User', name: 'viewer', apiGroup: 'rbac.authorization.k8s.io' }] });
    await cluster.kubectl(['delete', 'clusterrolebinding', 'e2e-viewer-basic']);
  });

  it('answers kubectl auth can-i from the same rules', async () => {
    const yes = await cluster.kubectl(['auth', 'can-i', 'create', 'pods', '-n', 'team-a', '--context', DEV]);
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    const no = await cluster.kubectl(['auth', 'can-i', 'create', 'pods', '-n', 'team-b', '--context', DEV]);
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    const viewer = await cluster.kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'team-a', '--context', VIEWER]);
    expect(viewer.stdout.trim()).toBe('no');
    const admin = await cluster.kubectl(['auth', 'can-i', '*', '*']);
    expect(admin.stdout.trim()).toBe('yes');
    // The API's HTTP proxy to pods and Services: edit may use it, view may not (as kube-apiserver's roles).
    const proxy = await cluster.kubectl(['auth', 'can-i', 'get', 'services', '--subresource=proxy', '-n', 'team-a', '--context', DEV]);
    expect(proxy.stdout.trim()).toBe('yes');
    const viewerProxy = await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/team-a/pods/web:8080/proxy/', '--context', VIEWER]);
    expect(viewerProxy.stderr).toContain('User "viewer" cannot get resource "pods/proxy" in API group "" in the namespace "team-a"');
    // What the Supervisor's admin sets for a namespace the namespace's editors read and cannot change: its zones and
    // its storage policy quotas (which decide the storage classes it may use).
    for (const [verb, resource, answer] of [
      ['create', 'storagepolicyquotas.cns.vmware.com', 'no'],
      ['delete', 'zones.topology.tanzu.vmware.com', 'no'],
      ['list', 'storagepolicyquotas.cns.vmware.com', 'yes'],
      ['get', 'zones.topology.tanzu.vmware.com', 'yes'],
    ]) {
      const res = await cluster.kubectl(['auth', 'can-i', verb, resource, '-n', 'team-a', '--context', DEV]);
      expect([verb, resource, res.stdout.trim()]).toEqual([verb, resource, answer]);
    }
  });

  it('lists what a user may do in a namespace with kubectl auth can-i --list', async () => {
    const dev = await cluster.kubectl(['auth', 'can-i', '--list', '-n', 'team-a', '--context', DEV]);
    expect(dev.code).toBe(0);
    expect(dev.stdout.split('\n')[0].trim().split(/\s{2,}/)).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    const pods = dev.stdout.split('\n').find((l) => /^pods\s/.test(l));
    expect(pods).toMatch(/\[\]\s+\[\]\s+\[.*create.*delete.*\]/);
    expect(dev.stdout).toMatch(/^jobs\.batch\s/m);
    // In team-b the developer has only what every signed-in user has.
    const elsewhere = await cluster.kubectl(['auth', 'can-i', '--list', '-n', 'team-b', '--context', DEV]);
    expect(elsewhere.stdout).not.toMatch(/^pods\s/m);
    expect(elsewhere.stdout).toMatch(/^selfsubjectrulesreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/m);
    const viewer = await cluster.kubectl(['auth', 'can-i', '--list', '-n', 'team-a', '--context', VIEWER]);
    expect(viewer.stdout.split('\n').find((l) => /^pods\s/.test(l))).toMatch(/\[get list watch\]/);
  });

  it('lets cluster-admin impersonate (--as, --as-group) and refuses it to others', async () => {
    expect(await whoami(['--as', 'developer', '--as-group', 'developers'])).toEqual({ username: 'developer', groups: ['developers', 'system:authenticated'] });
    const asDev = await cluster.kubectl(['run', 'x', '--image=busybox', '-n', 'team-b', '--as', 'developer']);
    expect(asDev.stderr).toContain('pods is forbidden: User "developer" cannot create resource "pods" in API group "" in the namespace "team-b"');
    const refused = await cluster.kubectl(['get', 'pods', '-n', 'team-a', '--context', DEV, '--as', 'admin']);
    expect(refused.stderr).toContain('users "admin" is forbidden: User "developer" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('answers 401 to an unknown token', async () => {
    const res = await cluster.request('GET', '/api/v1/namespaces', { token: 'not-a-token' });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
  });

  it('answers 401 to a token past its expiresAt in users.json', async () => {
    const token = randomBytes(24).toString('base64url');
    const file = join(cluster.dataDir, 'users.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.users.push({ name: 'expired', tokenSha256: createHash('sha256').update(token).digest('hex'), expiresAt: '2020-01-01T00:00:00Z' });
    const fresh = randomBytes(24).toString('base64url');
    doc.users.push({ name: 'fresh', tokenSha256: createHash('sha256').update(fresh).digest('hex'), expiresAt: '2999-01-01T00:00:00Z' });
    writeFileSync(file, JSON.stringify(doc));
    // Once the gateway has read the file (the fresh token works), the expired one still does not.
    await eventually(async () => expect((await cluster.request('GET', '/api', { token: fresh })).status).toBe(200), { timeoutMs: 15_000 });
    const res = await cluster.request('GET', '/api', { token });
    expect(res.status).toBe(401);
  });

  it('refuses requests crafted to leave the developer\'s namespace, and writes nothing', async () => {
    const token = readFileSync(join(cluster.dataDir, 'user-tokens', 'developer.token'), 'utf8').trim();
    const cm = (ns: string, name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { k: 'v' } });
    // A namespace in the body other than the path's.
    const other = await cluster.request('POST', '/api/v1/namespaces/team-a/configmaps', { token, body: cm('team-b', 'escape') });
    expect(other.status).toBe(400);
    expect(other.json().message).toBe('the namespace of the provided object does not match the namespace sent on the request');
    // Names with a slash, dots or encoded slashes.
    for (const name of ['a/b', '..', '.']) {
      const res = await cluster.request('POST', '/api/v1/namespaces/team-a/configmaps', { token, body: cm('team-a', name) });
      expect({ name, status: res.status }).toEqual({ name, status: 422 });
    }
    for (const path of ['/api/v1/namespaces/team-a/configmaps/..%2F..%2Fteam-b%2Fconfigmaps', '/api/v1/namespaces/team-a%2F..%2Fteam-b/configmaps', '/api/v1/namespaces/team-a/configmaps/a%2Fb']) {
      const res = await cluster.request('GET', path, { token });
      expect({ path, refused: res.status >= 400 && res.status < 500 }).toEqual({ path, refused: true });
    }
    // Dot segments resolve before routing: what is left is team-b, which the developer may not read.
    const dotted = await cluster.request('GET', '/api/v1/namespaces/team-a/../team-b/configmaps', { token });
    expect(dotted.status).toBe(403);
    const inB = await cluster.request('GET', '/api/v1/namespaces/team-b/configmaps');
    expect(inB.json().items.map((i: any) => i.metadata.name)).not.toContain('escape');
  });

  it('picks up a user added to users.json: discovery works, resources are 403, a binding to a missing role grants nothing', async () => {
    const token = addUser('nobody', ['contractors']);
    await eventually(async () => expect((await cluster.request('GET', '/api', { token })).status).toBe(200), { timeoutMs: 15_000 });
    const resources = await cluster.kubectl(['api-resources', '--token', token]);
    expect(resources.code).toBe(0);
    expect(resources.stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    const version = await cluster.request('GET', '/version', { token });
    expect(version.status).toBe(200);

    const pods = await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token });
    expect(pods.status).toBe(403);
    expect(pods.json()).toMatchObject({
      kind: 'Status', code: 403, reason: 'Forbidden',
      message: 'pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "team-a"',
      details: { group: '', kind: 'pods' },
    });
    const one = await cluster.request('GET', '/api/v1/namespaces/team-a/pods/app', { token });
    expect(one.json().message).toBe('pods "app" is forbidden: User "nobody" cannot get resource "pods" in API group "" in the namespace "team-a"');

    // The cluster's admin may bind a role that does not exist yet; the binding grants nothing.
    await apply(binding('ghost', 'team-a', 'no-such-role', 'contractors', 'Group', 'Role'));
    const still = await cluster.kubectl(['get', 'pods', '-n', 'team-a', '--token', token]);
    expect(still.stderr).toContain('pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "team-a"');
    // Once the role exists, the same binding grants it.
    await apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: no-such-role, namespace: team-a }
rules: [{ apiGroups: [""], resources: [pods], verbs: [list] }]
`);
    const now = await cluster.kubectl(['get', 'pods', '-n', 'team-a', '--token', token, '-o', 'name']);
    expect([now.stderr, now.stdout.trim()]).toEqual(['', 'pod/app']);
  });

  it('refuses to change a binding\'s roleRef (422)', async () => {
    const res = await cluster.kubectl(['apply', '-f', '-'], { input: binding('viewer-view', 'team-a', 'edit', 'viewer') });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('roleRef: Invalid value');
    expect(res.stderr).toContain('cannot change roleRef');
  });

  it('authenticates a ServiceAccount by its token Secret until the Secret is deleted', async () => {
    await apply(`
apiVersion: v1
kind: ServiceAccount
metadata: { name: robot, namespace: team-a }
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: robot-token
  namespace: team-a
  annotations: { kubernetes.io/service-account.name: robot }
`);
    await apply(binding('robot-view', 'team-a', 'view', 'robot', 'ServiceAccount'));
    expect((await cluster.kubectl(['get', 'sa', '-n', 'team-a', '-o', 'name'])).stdout).toContain('serviceaccount/robot');
    const secret = JSON.parse((await cluster.kubectl(['get', 'secret', 'robot-token', '-n', 'team-a', '-o', 'json'])).stdout);
    const token = Buffer.from(secret.data.token, 'base64').toString('utf8');
    expect(token.length).toBeGreaterThan(20);

    const review = await cluster.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(review.status).toBe(201);
    expect(review.json().status.userInfo).toEqual({
      username: 'system:serviceaccount:team-a:robot',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
    });
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token })).status).toBe(200);
    expect((await cluster.request('GET', '/api/v1/namespaces/team-b/pods', { token })).status).toBe(403);
    const access = await cluster.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } } },
    });
    expect(access.json().status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "robot-view/team-a" of ClusterRole "view" to ServiceAccount "robot/team-a"' });

    expect((await cluster.kubectl(['delete', 'secret', 'robot-token', '-n', 'team-a'])).code).toBe(0);
    const revoked = await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token });
    expect(revoked.status).toBe(401);
  });

  it('issues bound tokens with kubectl create token: they expire, name their audience, and die with what they are bound to', async () => {
    // robot (team-a, bound to view) exists from the test before; its token Secret is gone.
    const created = await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a']);
    expect(created.stderr).toBe('');
    const token = created.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: 'system:serviceaccount:team-a:robot', aud: ['https://kubernetes.default.svc.cluster.local'], 'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'robot' } } });
    expect(claims.exp - claims.iat).toBe(3600);
    const whoami = await cluster.kubectl(['auth', 'whoami', '--token', token, '-o', 'json']);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('system:serviceaccount:team-a:robot');
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token })).status).toBe(200);
    expect((await cluster.request('GET', '/api/v1/namespaces/team-b/pods', { token })).status).toBe(403);

    // The issuer's OIDC discovery, readable by every ServiceAccount: its key checks the token's RS256 signature.
    const discovery = JSON.parse((await cluster.kubectl(['get', '--raw', '/.well-known/openid-configuration', '--token', token])).stdout);
    expect(discovery).toMatchObject({ issuer: 'https://kubernetes.default.svc.cluster.local', jwks_uri: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/openid\/v1\/jwks$/), id_token_signing_alg_values_supported: ['RS256'] });
    const keySet = JSON.parse((await cluster.kubectl(['get', '--raw', '/openid/v1/jwks', '--token', token])).stdout);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toMatchObject({ alg: 'RS256', kid: keySet.keys[0].kid });
    const publicKey = createPublicKey({ key: keySet.keys[0], format: 'jwk' });
    const [signed, signature] = [token.split('.').slice(0, 2).join('.'), Buffer.from(token.split('.')[2], 'base64url')];
    expect(createVerify('RSA-SHA256').update(signed).verify(publicKey, signature)).toBe(true);
    const devDiscovery = await cluster.kubectl(['get', '--raw', '/openid/v1/jwks', '--context', DEV]);
    expect(devDiscovery.stderr).toContain('Forbidden');

    // Another audience is not this server's; a tampered token is nobody's.
    const other = (await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a', '--audience', 'vault', '--duration', '20m'])).stdout.trim();
    const otherClaims = JSON.parse(Buffer.from(other.split('.')[1], 'base64url').toString('utf8'));
    expect(otherClaims.aud).toEqual(['vault']);
    expect(otherClaims.exp - otherClaims.iat).toBe(1200);
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token: other })).status).toBe(401);
    const [h, , sig] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, 'kubernetes.io': { ...claims['kubernetes.io'], namespace: 'team-b' } })).toString('base64url')}.${sig}`;
    expect((await cluster.request('GET', '/api/v1/namespaces/team-b/pods', { token: forged })).status).toBe(401);

    // Bound to a Node (kubectl's --bound-object-kind Node): the token names the node's uid.
    const hostUid = JSON.parse((await cluster.kubectl(['get', 'node', 'host-1', '-o', 'json'])).stdout).metadata.uid;
    const onNode = (await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a', '--bound-object-kind', 'Node', '--bound-object-name', 'host-1'])).stdout.trim();
    expect(JSON.parse(Buffer.from(onNode.split('.')[1], 'base64url').toString('utf8'))['kubernetes.io'].node).toEqual({ name: 'host-1', uid: hostUid });
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token: onNode })).status).toBe(200);
    expect((await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a', '--bound-object-kind', 'Node', '--bound-object-name', 'host-9'])).stderr).toContain('nodes "host-9" not found');

    // Bound to a Secret: good until the Secret goes.
    await apply('apiVersion: v1\nkind: Secret\nmetadata: { name: anchor, namespace: team-a }\nstringData: { a: b }\n');
    const bound = (await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a', '--bound-object-kind', 'Secret', '--bound-object-name', 'anchor'])).stdout.trim();
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token: bound })).status).toBe(200);
    expect((await cluster.kubectl(['delete', 'secret', 'anchor', '-n', 'team-a'])).code).toBe(0);
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token: bound })).status).toBe(401);

    // Bad input: a duration under ten minutes, a missing ServiceAccount or bound object, nothing issued.
    const short = await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a', '--duration', '5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    const nobody = await cluster.kubectl(['create', 'token', 'nobody', '-n', 'team-a']);
    expect(nobody.stderr).toContain('serviceaccounts "nobody" not found');
    const gone = await cluster.kubectl(['create', 'token', 'robot', '-n', 'team-a', '--bound-object-kind', 'Secret', '--bound-object-name', 'anchor']);
    expect(gone.stderr).toContain('secrets "anchor" not found');

    // Every namespace has its ServiceAccount `default` (made by the ServiceAccount controller), made again if deleted.
    await eventually(async () => expect((await cluster.kubectl(['create', 'token', 'default', '-n', 'team-b'])).stdout.trim().split('.')).toHaveLength(3), { timeoutMs: 15_000 });
    expect((await cluster.kubectl(['delete', 'sa', 'default', '-n', 'team-b'])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'sa', 'default', '-n', 'team-b', '-o', 'name'])).stdout.trim()).toBe('serviceaccount/default'), { timeoutMs: 15_000 });

    // Deleting the ServiceAccount ends every token it was given.
    expect((await cluster.kubectl(['delete', 'sa', 'robot', '-n', 'team-a'])).code).toBe(0);
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/pods', { token })).status).toBe(401);
  });

  it('answers access reviews and token reviews about others, to those RBAC lets ask', async () => {
    const review = (path: string, body: any, token?: string) => cluster.request('POST', path, { body, ...(token ? { token } : {}) });
    const ra = (namespace: string) => ({ namespace, verb: 'create', resource: 'pods' });
    const sar = (spec: any) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
    const yes = await review('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar({ user: 'developer', groups: ['developers'], resourceAttributes: ra('team-a') }));
    expect(yes.status).toBe(201);
    expect(yes.json().status).toEqual({ allowed: true, reason: expect.stringContaining('RoleBinding "developer-edit/team-a" of ClusterRole "edit"') });
    expect((await review('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar({ user: 'developer', resourceAttributes: ra('team-b') }))).json().status).toEqual({ allowed: false });
    const local = await review('/apis/authorization.k8s.io/v1/namespaces/team-a/localsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', spec: { user: 'viewer', resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } } });
    expect(local.status).toBe(201);
    expect(local.json()).toMatchObject({ metadata: { namespace: 'team-a' }, status: { allowed: true } });
    // Bad input: nobody to ask about, or a local review of another namespace.
    const nobody = await review('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar({ resourceAttributes: ra('team-a') }));
    expect(nobody.status).toBe(422);
    expect(nobody.json().message).toContain('spec.user: Invalid value: "": at least one of user or group must be specified');
    const elsewhere = await review('/apis/authorization.k8s.io/v1/namespaces/team-a/localsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', spec: { user: 'viewer', resourceAttributes: ra('team-b') } });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json().message).toBe('spec.resourceAttributes.namespace must match namespace: team-a');

    // TokenReview: who a token is, or that it is nobody.
    const devToken = readFileSync(join(cluster.dataDir, 'user-tokens', 'developer.token'), 'utf8').trim();
    const tr = (token: string) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const known = await review('/apis/authentication.k8s.io/v1/tokenreviews', tr(devToken));
    expect(known.json().status).toEqual({ authenticated: true, user: { username: 'developer', groups: ['developers', 'system:authenticated'] }, audiences: ['https://kubernetes.default.svc.cluster.local'] });
    expect((await review('/apis/authentication.k8s.io/v1/tokenreviews', tr('not-a-token'))).json().status).toEqual({ authenticated: false });
    // A token for another audience (as a secrets manager asks about the tokens it is shown): good for that audience only.
    const vault = (await cluster.kubectl(['create', 'token', 'default', '-n', 'team-b', '--audience', 'vault'])).stdout.trim();
    const forVault = (await review('/apis/authentication.k8s.io/v1/tokenreviews', { ...tr(vault), spec: { token: vault, audiences: ['vault', 'other'] } })).json().status;
    const sa = JSON.parse((await cluster.kubectl(['get', 'sa', 'default', '-n', 'team-b', '-o', 'json'])).stdout);
    expect(forVault).toMatchObject({
      authenticated: true, audiences: ['vault'],
      user: { username: 'system:serviceaccount:team-b:default', uid: sa.metadata.uid, extra: { 'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=/)] } },
    });
    expect((await review('/apis/authentication.k8s.io/v1/tokenreviews', tr(vault))).json().status).toEqual({ authenticated: false });
    expect((await review('/apis/authentication.k8s.io/v1/tokenreviews', { ...tr(devToken), spec: { token: devToken, audiences: ['vault'] } })).json().status).toEqual({ authenticated: false });

    // Asking about others is for those RBAC lets ask (system:auth-delegator): not the developer.
    const denied = await review('/apis/authentication.k8s.io/v1/tokenreviews', tr(devToken), devToken);
    expect(denied.status).toBe(403);
    expect((await review('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar({ user: 'viewer', resourceAttributes: ra('team-a') }), devToken)).status).toBe(403);
  });

  it('aggregates a labelled ClusterRole into view (and so edit and admin), and takes it out when it goes', async () => {
    const forbidden = await cluster.kubectl(['get', 'secrets', '-n', 'team-a', '--context', VIEWER]);
    expect(forbidden.stderr).toContain('cannot list resource "secrets"');
    await apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-readers
  labels: { rbac.authorization.k8s.io/aggregate-to-view: "true" }
rules:
- { apiGroups: [""], resources: [secrets], verbs: [get, list] }
`);
    const rule = { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] };
    await eventually(async () => {
      for (const role of ['view', 'edit', 'admin']) expect(JSON.parse((await cluster.kubectl(['get', 'clusterrole', role, '-o', 'json'])).stdout).rules).toContainEqual(rule);
    }, { timeoutMs: 15_000 });
    expect((await cluster.kubectl(['get', 'secrets', '-n', 'team-a', '--context', VIEWER])).code).toBe(0);
    expect((await cluster.kubectl(['get', 'secrets', '-n', 'team-b', '--context', VIEWER])).code).not.toBe(0);
    expect((await cluster.kubectl(['delete', 'clusterrole', 'secret-readers'])).code).toBe(0);
    await eventually(async () => expect(JSON.parse((await cluster.kubectl(['get', 'clusterrole', 'view', '-o', 'json'])).stdout).rules).not.toContainEqual(rule), { timeoutMs: 15_000 });
    expect((await cluster.kubectl(['get', 'secrets', '-n', 'team-a', '--context', VIEWER])).stderr).toContain('cannot list resource "secrets"');
  });
});
