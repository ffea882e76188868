import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * `kubectl vsphere login` as a vSphere with Tanzu developer runs it: bin/ on the PATH makes the plugin kubectl's,
 * the password of the launcher's `developer` user (DATA_DIR/user-passwords) signs in over HTTPS, and the kubeconfig
 * gets a context for the server and one per namespace the user is bound in; kubectl then works through them.
 */
describe('kubectl vsphere login', () => {
  /**
   * The lockout made small: 3 failures within a minute lock a name for 4 s (long enough for the next plugin run to
   * reach the gateway on a loaded machine, short enough to wait out).
   */
  const MAX_FAILURES = 3;
  const LOCKOUT_SECONDS = 4;
  let cluster: TestCluster;
  let home: string;
  /** host:port of the gateway, as --server takes it; the host alone names the server's context and cluster. */
  let address: string;
  let host: string;
  const BIN = resolve(__dirname, '../../bin');
  const kubeconfig = () => join(home, 'kubeconfig');
  const password = () => readFileSync(join(cluster.dataDir, 'user-passwords', 'developer.password'), 'utf8').trim();
  /** kubectl with the plugin on its PATH and the developer's own kubeconfig (never the admin's). */
  const asDeveloper = (args: string[], env: Record<string, string> = {}) =>
    // The plugin's `#!/usr/bin/env node` finds the node running this test first.
    cluster.kubectl(args, { env: { PATH: [BIN, dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':'), KUBECONFIG: kubeconfig(), ...env } });
  const login = (pw: string, extra: string[] = ['--insecure-skip-tls-verify']) =>
    asDeveloper(['vsphere', 'login', `--server=${address}`, '--vsphere-username', 'developer', ...extra], { KUBECTL_VSPHERE_PASSWORD: pw });
  const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
  const binding = (ns: string, role: string, kind: string, name: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: vsphere-${ns}, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role} }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: ${kind}, name: ${name} }]
`;

  beforeAll(async () => {
    cluster = await startCluster({
      label: 'vsphere-login', hostCount: 1,
      env: { WCP_LOGIN_MAX_FAILURES: String(MAX_FAILURES), WCP_LOGIN_FAILURE_WINDOW_SECONDS: '60', WCP_LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS) },
    });
    home = mkdtempSync(join(tmpdir(), 'vsphere-login-'));
    address = new URL(cluster.server).host;
    host = new URL(cluster.server).hostname;
    const res = await cluster.kubectl(['apply', '-f', '-'], {
      input: ['vsl-a', 'vsl-b', 'vsl-c'].map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`).join('---\n') +
        `---${binding('vsl-a', 'edit', 'User', 'developer')}---${binding('vsl-b', 'view', 'Group', 'developers')}`,
    });
    if (res.code !== 0) throw new Error(`kubectl apply failed: ${res.stderr}`);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('makes a password for the local users, kept 0600 beside their tokens, only its scrypt hash in users.json', () => {
    const users = JSON.parse(readFileSync(join(cluster.dataDir, 'users.json'), 'utf8')).users;
    expect(users.find((u: any) => u.name === 'developer').passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(password()).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(readFileSync(join(cluster.dataDir, 'users.json'), 'utf8')).not.toContain(password());
  });

  it('refuses a wrong password: exit 1, the server\'s message, nothing written', async () => {
    const res = await login('not-the-password');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`Error: could not log in to ${address} as developer: Invalid username or password`);
    expect(existsSync(kubeconfig())).toBe(false);
  });

  it('logs in and writes the server context and one per namespace the developer is bound in', async () => {
    const res = await login(password(), ['--certificate-authority', join(cluster.dataDir, 'pki', 'ca.crt')]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Logged in successfully.');
    expect(res.stdout).toContain(`You have access to the following contexts:\n   ${host}\n   vsl-a\n   vsl-b\n\n`);
    const contexts = await asDeveloper(['config', 'get-contexts', '-o', 'name']);
    expect(contexts.stdout.split('\n').filter(Boolean).sort()).toEqual([host, 'vsl-a', 'vsl-b'].sort());
    const view = JSON.parse((await asDeveloper(['config', 'view', '-o', 'json'])).stdout);
    expect(view['current-context']).toBe(host);
    expect(view.contexts.find((c: any) => c.name === 'vsl-a').context).toEqual({ cluster: host, user: `wcp:${host}:developer`, namespace: 'vsl-a' });
    expect(view.clusters).toEqual([{ name: host, cluster: { server: `https://${address}`, 'certificate-authority-data': 'DATA+OMITTED' } }]);
  });

  it('authenticates kubectl through the per-namespace contexts as the developer, whom RBAC then governs', async () => {
    const whoami = await asDeveloper(['--context', 'vsl-a', 'auth', 'whoami', '-o', 'json']);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo).toEqual({ username: 'developer', groups: ['developers', 'system:authenticated'] });
    // The context's namespace applies: no -n needed.
    expect((await asDeveloper(['--context', 'vsl-a', 'create', 'configmap', 'from-vsphere-login', '--from-literal=k=v'])).code).toBe(0);
    expect((await asDeveloper(['--context', 'vsl-b', 'auth', 'can-i', 'create', 'configmaps'])).stdout.trim()).toBe('no');
    expect((await asDeveloper(['--context', 'vsl-b', 'get', 'configmaps'])).code).toBe(0);
    const refused = await asDeveloper(['--context', 'vsl-a', 'get', 'configmaps', '-n', 'vsl-c']);
    expect(refused.stderr).toContain('configmaps is forbidden: User "developer" cannot list resource "configmaps" in API group "" in the namespace "vsl-c"');
  });

  it('answers POST /wcp/login only: one 401 for a wrong password and an unknown user, 405 to a GET; audited without the password', async () => {
    const wrong = await cluster.request('POST', '/wcp/login', { token: null, headers: { authorization: basic('developer', 'nope') } });
    const unknown = await cluster.request('POST', '/wcp/login', { token: null, headers: { authorization: basic('nobody', password()) } });
    expect([wrong.status, wrong.json()]).toEqual([401, { message: 'Invalid username or password' }]);
    expect([unknown.status, unknown.json()]).toEqual([401, { message: 'Invalid username or password' }]);
    expect((await cluster.request('POST', '/wcp/login', { token: null })).status).toBe(401);
    expect((await cluster.request('GET', '/wcp/login', { token: null, headers: { authorization: basic('developer', password()) } })).status).toBe(405);
    const ok = await cluster.request('POST', '/wcp/login', { token: null, headers: { authorization: basic('developer', password()) } });
    expect(ok.status).toBe(200);
    const claims = JSON.parse(Buffer.from(ok.json().session_id.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'developer', groups: ['developers'] });
    expect(claims.exp - claims.iat).toBe(36_000);
    const auditId = String(ok.headers['audit-id']);
    const record = await eventually(async () => {
      const q = await cluster.request('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=requestID%3D${auditId}`);
      expect(q.json().items).toHaveLength(1);
      return q.json().items[0];
    });
    expect(record).toMatchObject({ path: '/wcp/login', verb: 'post', code: 200, user: 'system:anonymous', annotations: { 'wcp.openpacific.io/login-user': 'developer' } });
    expect(JSON.stringify(record)).not.toContain(password());
  });

  it('locks the name after too many wrong passwords: even the right one is refused as locked until the lockout ends', async () => {
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login(`wrong-${i}`)).stderr).toContain('Invalid username or password');
    const locked = await login(password());
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain(`Error: could not log in to ${address} as developer: User account is locked`);
    // An admin sees the refusal and whose account it was.
    await eventually(async () => {
      const q = await cluster.request('GET', '/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=code%3D401');
      expect(q.json().items.map((r: any) => r.annotations)).toContainEqual({ 'wcp.openpacific.io/login-refused': 'AccountLocked', 'wcp.openpacific.io/login-refused-user': 'developer' });
    });
    // Waiting is the only way out: the lockout ends on its own.
    await eventually(async () => expect((await login(password())).code).toBe(0), { timeoutMs: 30_000, intervalMs: 500 });
  });

  it('locks an unknown name as it locks a user, its audit record saying why but not the name', async () => {
    const attempt = () => cluster.request('POST', '/wcp/login', { token: null, headers: { authorization: basic('no-such-user', 'guess') } });
    for (let i = 0; i < MAX_FAILURES; i++) expect((await attempt()).json()).toEqual({ message: 'Invalid username or password' });
    const locked = await attempt();
    expect(locked.status).toBe(401);
    expect(locked.json().message).toMatch(/^User account is locked/);
    const auditId = String(locked.headers['audit-id']);
    const record = await eventually(async () => {
      const q = await cluster.request('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=requestID%3D${auditId}`);
      expect(q.json().items).toHaveLength(1);
      return q.json().items[0];
    });
    expect(record).toMatchObject({ path: '/wcp/login', code: 401, annotations: { 'wcp.openpacific.io/login-refused': 'AccountLocked' } });
    expect(JSON.stringify(record)).not.toContain('no-such-user');
  });

  it('lists the caller\'s namespaces at /wcp/namespaces', async () => {
    const token = readFileSync(join(cluster.dataDir, 'user-tokens', 'viewer.token'), 'utf8').trim();
    expect((await cluster.request('GET', '/wcp/namespaces', { token })).json()).toEqual([]);
    expect((await cluster.request('GET', '/wcp/namespaces', { token: null })).status).toBe(401);
  });

  it('logs out: the contexts and the session user leave the kubeconfig', async () => {
    const token = JSON.parse((await asDeveloper(['config', 'view', '--raw', '-o', 'json'])).stdout).users[0].user.token;
    const res = await asDeveloper(['vsphere', 'logout']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Logged out successfully.');
    expect((await asDeveloper(['config', 'get-contexts', '-o', 'name'])).stdout.trim()).toBe('');
    // The session itself lives until it expires or the user leaves users.json (re-read within 2 s).
    expect((await cluster.request('GET', '/wcp/namespaces', { token })).status).toBe(200);
    const file = join(cluster.dataDir, 'users.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ users: doc.users.filter((u: any) => u.name !== 'developer') }));
    await eventually(async () => expect((await cluster.request('GET', '/wcp/namespaces', { token })).status).toBe(401), { timeoutMs: 15_000 });
  });
});
