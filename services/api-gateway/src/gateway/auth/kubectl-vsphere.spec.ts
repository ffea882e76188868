import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { staticLookups } from '@openpacific/authz';
import { ensurePki, ensureServiceAccountKey } from '../../pki';
import { Authenticator } from '../http/authenticator';
import { hashPassword } from './passwords';
import { UsersFile } from './users-file';
import { WcpApi } from './wcp-api';
import { sessionTokenSource } from './wcp-sessions';

const PLUGIN = resolve(__dirname, '../../../../../bin/kubectl-vsphere');

/**
 * The plugin (bin/kubectl-vsphere, as kubectl runs it) against the gateway's /wcp API over real HTTPS, with the real
 * kubectl reading what it wrote. The e2e spec does the same against a whole cluster.
 */
describe('bin/kubectl-vsphere', () => {
  let dir: string;
  let server: Server;
  let address: string;
  let caFile: string;
  const kubeconfig = () => join(dir, 'kube', 'config');
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [PLUGIN, ...args], { env: { ...process.env, KUBECONFIG: `${kubeconfig()}:${join(dir, 'other')}`, ...env } }, (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const kubectl = (args: string[]) =>
    new Promise<string>((done, fail) => execFile('kubectl', [...args, '--kubeconfig', kubeconfig()], (err, stdout, stderr) => (err ? fail(new Error(stderr)) : done(stdout))));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubectl-vsphere-'));
    const pki = await ensurePki(dir, ['127.0.0.1', 'localhost']);
    caFile = join(dir, 'pki', 'ca.crt');
    const signer = await ensureServiceAccountKey(dir);
    writeFileSync(join(dir, 'users.json'), JSON.stringify({ users: [{ name: 'developer', groups: ['developers'], passwordHash: await hashPassword('pa:ss word', { N: 1024 }) }] }));
    const users = new UsersFile(join(dir, 'users.json'));
    users.load();
    const auth = new Authenticator();
    auth.addSource(sessionTokenSource(signer, users));
    const rbac = staticLookups({
      clusterRoles: [{ metadata: { name: 'edit' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] }],
      roleBindings: ['team-a', 'team-b'].map((ns) => ({ metadata: { name: 'dev', namespace: ns }, roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'Group', name: 'developers' }] })),
    });
    const api = new WcpApi({ users, signer, authenticate: (req) => auth.authenticate(req), rbac: () => rbac, namespaces: () => ['team-a', 'team-b', 'team-c'], namespaced: () => true,
      // One guest cluster, tkc-1 in team-a, on a port other than 6443; its CA is the test server's own.
      object: (resource, ns, name) =>
        resource === 'clusters.cluster.x-k8s.io' && ns === 'team-a' && name === 'tkc-1' ? { metadata: { name, namespace: ns, uid: 'uid-1' }, spec: { controlPlaneEndpoint: { host: '127.0.0.9', port: 7443 } } }
          : resource === 'secrets' && ns === 'team-a' && name === 'tkc-1-ca' ? { metadata: { name, namespace: ns }, data: { 'tls.crt': Buffer.from(pki.caCertPem).toString('base64') } }
            : undefined,
    });
    server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
      api.handle(req, res, new URL(req.url!, 'https://x').pathname).catch((err) => res.writeHead(err.code ?? 500).end(JSON.stringify({ message: err.message })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password with the server\'s message, exit 1, and writes nothing', async () => {
    const out = await run(['login', `--server=${address}`, '--vsphere-username', 'developer', '--insecure-skip-tls-verify'], { KUBECTL_VSPHERE_PASSWORD: 'wrong' });
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`Error: could not log in to ${address} as developer: Invalid username or password\n`);
    expect(() => statSync(kubeconfig())).toThrow();
  });

  it('logs in with the CA, writes the server and namespace contexts (YAML, 0600) that kubectl reads, and keeps other entries', async () => {
    const out = await run(['login', '--server', address, '-u', 'developer', '--certificate-authority', caFile], { KUBECTL_VSPHERE_PASSWORD: 'pa:ss word' });
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toContain('Logged in successfully.\n\nYou have access to the following contexts:\n   127.0.0.1\n   team-a\n   team-b\n');
    expect(statSync(kubeconfig()).mode & 0o777).toBe(0o600);
    expect(readFileSync(kubeconfig(), 'utf8')).toMatch(/^apiVersion: "v1"$/m);
    const view = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json']));
    expect(view['current-context']).toBe('127.0.0.1');
    expect(view.clusters).toEqual([{ name: '127.0.0.1', cluster: { server: `https://${address}`, 'certificate-authority-data': Buffer.from(readFileSync(caFile)).toString('base64') } }]);
    expect(view.users).toEqual([{ name: 'wcp:127.0.0.1:developer', user: { token: expect.stringMatching(/^ey/) } }]);
    expect(view.contexts).toEqual([
      { name: '127.0.0.1', context: { cluster: '127.0.0.1', user: 'wcp:127.0.0.1:developer' } },
      { name: 'team-a', context: { cluster: '127.0.0.1', user: 'wcp:127.0.0.1:developer', namespace: 'team-a' } },
      { name: 'team-b', context: { cluster: '127.0.0.1', user: 'wcp:127.0.0.1:developer', namespace: 'team-b' } },
    ]);
    // Another login keeps what others wrote, and replaces this user's entries rather than adding more.
    await kubectl(['config', 'set-context', 'mine', '--cluster=elsewhere', '--user=me']);
    const again = await run(['login', `--server=${address}`, '--vsphere-username=developer', '--insecure-skip-tls-verify'], { KUBECTL_VSPHERE_PASSWORD: 'pa:ss word' });
    expect(again.code).toBe(0);
    const after = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json']));
    expect(after.contexts.map((c: any) => c.name).sort()).toEqual(['127.0.0.1', 'mine', 'team-a', 'team-b']);
    expect(after.clusters).toEqual([{ name: '127.0.0.1', cluster: { server: `https://${address}`, 'insecure-skip-tls-verify': true } }]);
    expect(after.users).toHaveLength(1);
  });

  it('logs out: this user\'s contexts, user and cluster go, the rest stays', async () => {
    const out = await run(['logout']);
    expect(out).toMatchObject({ code: 0, stdout: 'Your KUBECONFIG context has changed.\nLogged out successfully.\n' });
    const view = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json']));
    expect(view.contexts).toEqual([{ name: 'mine', context: { cluster: 'elsewhere', user: 'me' } }]);
    expect(view.users ?? []).toEqual([]);
    expect(view.clusters ?? []).toEqual([]);
    expect(view['current-context'] ?? '').toBe('');
  });

  it('says what is missing', async () => {
    const out = await run(['login', '--server=127.0.0.1'], { KUBECTL_VSPHERE_PASSWORD: 'x' });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('Error: --vsphere-username is required');
  });

  it('wants both Tanzu Kubernetes cluster flags or neither', async () => {
    const name = await run(['login', `--server=${address}`, '-u', 'developer', '--tanzu-kubernetes-cluster-name', 'tkc-1'], { KUBECTL_VSPHERE_PASSWORD: 'pa:ss word' });
    expect(name.code).toBe(1);
    expect(name.stderr).toContain('Error: --tanzu-kubernetes-cluster-namespace is required with --tanzu-kubernetes-cluster-name');
    const ns = await run(['login', `--server=${address}`, '-u', 'developer', '--tanzu-kubernetes-cluster-namespace=team-a'], { KUBECTL_VSPHERE_PASSWORD: 'pa:ss word' });
    expect(ns.stderr).toContain('Error: --tanzu-kubernetes-cluster-name is required with --tanzu-kubernetes-cluster-namespace');
  });

  it('logs in to a guest cluster too: a context named after it, with its CA even when the supervisor is not verified', async () => {
    const guest = ['--tanzu-kubernetes-cluster-name', 'tkc-1', '--tanzu-kubernetes-cluster-namespace', 'team-a'];
    const missing = await run(['login', `--server=${address}`, '-u', 'developer', '--insecure-skip-tls-verify', '--tanzu-kubernetes-cluster-name=nope', '--tanzu-kubernetes-cluster-namespace=team-a'], { KUBECTL_VSPHERE_PASSWORD: 'pa:ss word' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: could not log in to the cluster nope in the namespace team-a as developer: clusters.cluster.x-k8s.io "nope" not found in the namespace "team-a"\n');
    const out = await run(['login', `--server=${address}`, '-u', 'developer', '--insecure-skip-tls-verify', ...guest], { KUBECTL_VSPHERE_PASSWORD: 'pa:ss word' });
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toContain('You have access to the following contexts:\n   127.0.0.1\n   team-a\n   team-b\n   tkc-1\n');
    const view = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json']));
    expect(view['current-context']).toBe('tkc-1');
    expect(view.clusters.find((c: any) => c.name === 'tkc-1').cluster).toEqual({ server: 'https://127.0.0.9:7443', 'certificate-authority-data': Buffer.from(readFileSync(caFile)).toString('base64') });
    expect(view.contexts.find((c: any) => c.name === 'tkc-1').context).toEqual({ cluster: 'tkc-1', user: 'wcp:127.0.0.1:developer/team-a/tkc-1' });
    const token = view.users.find((u: any) => u.name === 'wcp:127.0.0.1:developer/team-a/tkc-1').user.token;
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ sub: 'developer', aud: ['wcp:team-a/tkc-1/uid-1'] });
    // Logging out of the supervisor takes the guest's entries with it.
    expect((await run(['logout', `--server=${address}`])).code).toBe(0);
    const after = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json']));
    expect((after.contexts ?? []).map((c: any) => c.name)).not.toContain('tkc-1');
    expect(after.users ?? []).toEqual([]);
    expect((after.clusters ?? []).map((c: any) => c.name)).not.toContain('tkc-1');
  });
});
