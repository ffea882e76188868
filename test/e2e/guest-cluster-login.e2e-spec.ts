import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const NS = 'tkg-team';
const CLUSTER = 'tkc-1';
const manifests = readFileSync(join(__dirname, 'manifests', 'tkc-basics.yaml'), 'utf8');
const SYNCED = (kind: 'user' | 'group', name: string) => `vmware-system-auth-sync-wcp:${NS}:${kind}:${name}`;

/**
 * `kubectl vsphere login --tanzu-kubernetes-cluster-name`: a Supervisor user signs in to a guest cluster (a TKC) with
 * the Supervisor's password, and is `sso:<user>` there. Whoever may edit the vSphere Namespace is cluster-admin in its
 * guests through the bindings the Supervisor keeps there; a viewer signs in too (the login asks only that the user be
 * bound in the namespace), and the guest's RBAC then refuses it, as on vSphere.
 */
describe('signing in to a guest cluster as a Supervisor user', () => {
  let cluster: TestCluster;
  let home: string;
  let address: string;
  const BIN = resolve(__dirname, '../../bin');
  const password = (user: string) => readFileSync(join(cluster.dataDir, 'user-passwords', `${user}.password`), 'utf8').trim();
  /** kubectl with the plugin on its PATH and the user's own kubeconfig (never the admin's). */
  const as = (user: string, args: string[], env: Record<string, string> = {}) =>
    cluster.kubectl(args, { env: { PATH: [BIN, dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':'), KUBECONFIG: join(home, `${user}.kubeconfig`), ...env } });
  const login = (user: string) =>
    as(user, ['vsphere', 'login', `--server=${address}`, '--vsphere-username', user, '--insecure-skip-tls-verify', '--tanzu-kubernetes-cluster-name', CLUSTER, '--tanzu-kubernetes-cluster-namespace', NS], { KUBECTL_VSPHERE_PASSWORD: password(user) });
  let guestKubeconfig = '';
  /** kubectl against the guest as its admin (the `<cluster>-kubeconfig` Secret). */
  const admin = (args: string[]) => cluster.kubectl(['--kubeconfig', guestKubeconfig, ...args]);
  const binding = (name: string, role: string, user: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: ${name}, namespace: ${NS} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role} }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user} }]
`;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'guestlogin', env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    home = mkdtempSync(join(tmpdir(), 'guest-login-'));
    address = new URL(cluster.server).host;
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    const bound = await cluster.kubectl(['apply', '-f', '-'], { input: `${binding('developer-edit', 'edit', 'developer')}---${binding('viewer-view', 'view', 'viewer')}` });
    expect(bound.stderr).toBe('');
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
    expect(applied.stderr).toBe('');
    await eventually(async () => {
      const t = (await cluster.request('GET', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/${CLUSTER}`)).json();
      expect(t.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    const secret = (await cluster.request('GET', `/api/v1/namespaces/${NS}/secrets/${CLUSTER}-kubeconfig`)).json();
    guestKubeconfig = join(home, 'admin.kubeconfig');
    writeFileSync(guestKubeconfig, Buffer.from(secret.data.value, 'base64'));
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('keeps a cluster-admin binding in the guest for the editor of the namespace, none for its viewer', async () => {
    const crb = await eventually(async () => {
      const got = await admin(['get', 'clusterrolebinding', SYNCED('user', 'developer'), '-o', 'json']);
      expect(got.stderr).toBe('');
      return JSON.parse(got.stdout);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(crb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'sso:developer' }]);
    expect(crb.metadata.labels).toMatchObject({ 'openpacific.io/auth-sync': 'wcp', 'openpacific.io/auth-sync-namespace': NS });
    const names = (await admin(['get', 'clusterrolebindings', '-l', 'openpacific.io/auth-sync=wcp', '-o', 'name'])).stdout.trim().split('\n');
    expect(names).toEqual([`clusterrolebinding.rbac.authorization.k8s.io/${SYNCED('user', 'developer')}`]);
  });

  it('logs the developer in to the guest: a context named after the cluster, whoami sso:developer, the nodes listed', async () => {
    const res = await login('developer');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`   ${CLUSTER}\n`);
    const view = JSON.parse((await as('developer', ['config', 'view', '-o', 'json'])).stdout);
    expect(view['current-context']).toBe(CLUSTER);
    const endpoint = (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/${CLUSTER}`)).json().spec.controlPlaneEndpoint;
    expect(view.clusters.find((c: any) => c.name === CLUSTER).cluster).toEqual({ server: `https://${endpoint.host}:${endpoint.port}`, 'certificate-authority-data': 'DATA+OMITTED' });
    const whoami = await as('developer', ['--context', CLUSTER, 'auth', 'whoami', '-o', 'json']);
    expect(whoami.stderr).toBe('');
    expect(JSON.parse(whoami.stdout).status.userInfo).toEqual({ username: 'sso:developer', groups: ['sso:developers', 'system:authenticated'] });
    const nodes = await eventually(async () => {
      const got = await as('developer', ['--context', CLUSTER, 'get', 'nodes', '--no-headers']);
      expect(got.stderr).toBe('');
      return got.stdout;
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    expect(nodes.trim().split('\n')).toHaveLength(3);
    // The guest's session is good there only: the Supervisor refuses it.
    const token = JSON.parse((await as('developer', ['config', 'view', '--raw', '-o', 'json'])).stdout).users.find((u: any) => u.name.endsWith(`/${NS}/${CLUSTER}`)).user.token;
    expect((await cluster.request('GET', '/api/v1/namespaces', { token })).status).toBe(401);
  });

  it('logs the viewer in as well, whom the guest then refuses (403): "Can view" grants nothing in a guest', async () => {
    const res = await login('viewer');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const whoami = await as('viewer', ['--context', CLUSTER, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.stdout).toBe('sso:viewer');
    const nodes = await as('viewer', ['--context', CLUSTER, 'get', 'nodes']);
    expect(nodes.code).not.toBe(0);
    expect(nodes.stderr).toContain('nodes is forbidden: User "sso:viewer" cannot list resource "nodes" in API group "" at the cluster scope');
  });

  it('refuses a user bound nowhere in the namespace, and a cluster that does not exist', async () => {
    const missing = await as('developer', ['vsphere', 'login', `--server=${address}`, '--vsphere-username', 'developer', '--insecure-skip-tls-verify', '--tanzu-kubernetes-cluster-name', 'nope', '--tanzu-kubernetes-cluster-namespace', NS], { KUBECTL_VSPHERE_PASSWORD: password('developer') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`clusters.cluster.x-k8s.io "nope" not found in the namespace "${NS}"`);
    const basic = `Basic ${Buffer.from(`viewer:${password('viewer')}`).toString('base64')}`;
    const other = await cluster.request('POST', '/wcp/login', { token: null, headers: { authorization: basic, 'content-type': 'application/json' }, body: { guest_cluster_name: CLUSTER, guest_cluster_namespace: 'nowhere' } });
    expect([other.status, other.json()]).toEqual([403, { message: 'user "viewer" has no access to the namespace "nowhere"' }]);
  });

  it('takes the guest binding away with the RoleBinding, and the guest then refuses the developer', async () => {
    expect((await cluster.kubectl(['delete', 'rolebinding', 'developer-edit', '-n', NS])).code).toBe(0);
    await eventually(async () => {
      const got = await admin(['get', 'clusterrolebinding', SYNCED('user', 'developer')]);
      expect(got.stderr).toContain('NotFound');
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    const nodes = await as('developer', ['--context', CLUSTER, 'get', 'nodes']);
    expect(nodes.code).not.toBe(0);
    expect(nodes.stderr).toContain('nodes is forbidden: User "sso:developer" cannot list resource "nodes" in API group "" at the cluster scope');
    // What the guest's admin made itself is left alone.
    expect((await admin(['get', 'clusterrolebinding', 'cluster-admin'])).code).toBe(0);
  });
});
