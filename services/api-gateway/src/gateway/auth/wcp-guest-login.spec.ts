import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { staticLookups } from '@openpacific/authz';
import { guestSessionAudience } from '@openpacific/contracts';
import { signerFromPem } from '../../pki';
import { Authenticator } from '../http/authenticator';
import { ISSUER } from './bound-tokens';
import { hashPassword } from './passwords';
import { UsersFile } from './users-file';
import { guestServer, parseLoginBody, WcpApi } from './wcp-api';
import { guestSessionTokenSource, issueSession, SESSION_SECONDS, sessionTokenSource, supervisorSessionsOf } from './wcp-sessions';

const newSigner = () => signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
const signer = newSigner();
const publicKeyPem = signer.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('the login body', () => {
  it('is empty or {} for the Supervisor, and names both the cluster and its namespace for a guest', () => {
    expect(parseLoginBody(Buffer.from(''))).toEqual({});
    expect(parseLoginBody(Buffer.from('{}'))).toEqual({});
    expect(parseLoginBody(Buffer.from('{"guest_cluster_name":"tkc-1","guest_cluster_namespace":"tkg"}'))).toEqual({ guest: { name: 'tkc-1', namespace: 'tkg' } });
  });

  it('names what is wrong', () => {
    expect(parseLoginBody(Buffer.from('{"guest_cluster_name":"tkc-1"}'))).toEqual({ error: 'guest_cluster_namespace is required with guest_cluster_name' });
    expect(parseLoginBody(Buffer.from('{"guest_cluster_namespace":"tkg"}'))).toEqual({ error: 'guest_cluster_name is required with guest_cluster_namespace' });
    expect(parseLoginBody(Buffer.from('{"guest_cluster_name":"","guest_cluster_namespace":"tkg"}'))).toEqual({ error: 'guest_cluster_name must be a non-empty string' });
    expect(parseLoginBody(Buffer.from('{"guest_cluster_name":"a","guest_cluster_namespace":7}'))).toEqual({ error: 'guest_cluster_namespace must be a non-empty string' });
    expect(parseLoginBody(Buffer.from('[1]'))).toEqual({ error: 'the request body must be a JSON object' });
    expect(parseLoginBody(Buffer.from('name=tkc-1'))).toEqual({ error: 'the request body must be a JSON object' });
  });

  it('answers the endpoint as the host alone on 6443 and host:port otherwise', () => {
    expect(guestServer({ host: '127.200.0.3', port: 6443 })).toBe('127.200.0.3');
    expect(guestServer({ host: '127.200.0.3' })).toBe('127.200.0.3');
    expect(guestServer({ host: '127.200.0.3', port: 7443 })).toBe('127.200.0.3:7443');
    expect(guestServer({ host: 'fd00::3', port: 7443 })).toBe('[fd00::3]:7443');
  });
});

describe('Supervisor sessions in a guest cluster', () => {
  const dev = { username: 'dev', groups: ['developers', 'system:authenticated'] };
  const audience = guestSessionAudience({ namespace: 'tkg', name: 'tkc-1', uid: 'u-1' });
  const source = guestSessionTokenSource({ issuer: ISSUER, audience, publicKeyPem });

  it('names each cluster by namespace, name and uid', () => {
    expect(audience).toBe('wcp:tkg/tkc-1/u-1');
  });

  it('authenticates a session for its audience as sso:<user> with sso:<group>s', () => {
    expect(source(issueSession(signer, dev, new Date(), audience))).toEqual({ username: 'sso:dev', groups: ['sso:developers', 'system:authenticated'] });
    const auth = new Authenticator();
    auth.addSource(source);
    // Audience-agnostic to the API server, as kube-apiserver's JWT authenticators: the token's own audience was checked.
    expect(auth.authenticateToken(issueSession(signer, dev, new Date(), audience))).toEqual({ username: 'sso:dev', groups: ['sso:developers', 'system:authenticated'] });
  });

  it('refuses the Supervisor\'s own sessions, another cluster\'s, other keys, expired ones and ServiceAccount tokens', () => {
    expect(source(issueSession(signer, dev))).toBeUndefined();
    expect(source(issueSession(signer, dev, new Date(), guestSessionAudience({ namespace: 'tkg', name: 'tkc-1', uid: 'u-2' })))).toBeUndefined();
    expect(source(issueSession(newSigner(), dev, new Date(), audience))).toBeUndefined();
    expect(source(issueSession(signer, dev, new Date(Date.now() - (SESSION_SECONDS + 5) * 1000), audience))).toBeUndefined();
    const iat = Math.floor(Date.now() / 1000);
    const sa = jwt.sign({ iss: ISSUER, sub: 'system:serviceaccount:a:b', aud: [audience], iat, exp: iat + 600, 'kubernetes.io': { namespace: 'a' } }, signer.privateKey, { algorithm: 'RS256' });
    expect(source(sa)).toBeUndefined();
    const otherIssuer = jwt.sign({ iss: 'https://elsewhere', sub: 'dev', aud: [audience], iat, exp: iat + 600 }, signer.privateKey, { algorithm: 'RS256' });
    expect(source(otherIssuer)).toBeUndefined();
    expect(source('not-a-jwt')).toBeUndefined();
  });

  it('is not taken by the Supervisor itself', () => {
    const users = { passwordUser: (name: string) => (name === 'dev' ? { ...dev, password: undefined as never } : undefined) };
    expect(sessionTokenSource(signer, users)(issueSession(signer, dev, new Date(), audience))).toBeUndefined();
  });

  it('is configured from the key file and audience together, or not at all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wcp-guest-'));
    try {
      writeFileSync(join(dir, 'sa.pub'), publicKeyPem);
      writeFileSync(join(dir, 'junk.pub'), 'nothing');
      expect(await supervisorSessionsOf({})).toBeUndefined();
      expect(await supervisorSessionsOf({ SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: join(dir, 'sa.pub'), SUPERVISOR_SESSION_AUDIENCE: audience })).toEqual({ issuer: ISSUER, audience, publicKeyPem });
      await expect(supervisorSessionsOf({ SUPERVISOR_SESSION_AUDIENCE: audience })).rejects.toThrow('must be set together');
      await expect(supervisorSessionsOf({ SUPERVISOR_ISSUER_PUBLIC_KEY_FILE: join(dir, 'junk.pub'), SUPERVISOR_SESSION_AUDIENCE: audience })).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('POST /wcp/login for a guest cluster', () => {
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'wcp-guest-login-'));
  const file = join(dir, 'users.json');
  const users = new UsersFile(file);
  const objects = new Map<string, any>();
  const put = (resource: string, ns: string, o: any) => objects.set(`${resource}/${ns}/${o.metadata.name}`, o);
  const cluster = (ns: string, name: string, uid: string, endpoint?: { host: string; port: number }) => ({ metadata: { name, namespace: ns, uid }, spec: endpoint ? { controlPlaneEndpoint: endpoint } : {} });
  const caSecret = (ns: string, name: string) => ({ metadata: { name: `${name}-ca`, namespace: ns }, data: { 'tls.crt': Buffer.from(CA_PEM).toString('base64'), 'tls.key': 'a2V5' } });

  beforeAll(async () => {
    writeFileSync(file, JSON.stringify({ users: [{ name: 'dev', groups: ['developers'], passwordHash: await hashPassword('right', { N: 1024 }) }, { name: 'other', passwordHash: await hashPassword('pw', { N: 1024 }) }] }));
    users.load();
    const rbac = staticLookups({
      clusterRoles: [{ metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }],
      roleBindings: ['tkg', 'half'].map((ns) => ({ metadata: { name: 'b', namespace: ns }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'developers' }] })),
    });
    put('clusters.cluster.x-k8s.io', 'tkg', cluster('tkg', 'tkc-1', 'uid-1', { host: '127.200.0.3', port: 6443 }));
    put('secrets', 'tkg', caSecret('tkg', 'tkc-1'));
    put('clusters.cluster.x-k8s.io', 'tkg', cluster('tkg', 'no-endpoint', 'uid-2'));
    put('secrets', 'tkg', caSecret('tkg', 'no-endpoint'));
    put('clusters.cluster.x-k8s.io', 'tkg', cluster('tkg', 'no-ca', 'uid-3', { host: '127.200.0.4', port: 7443 }));
    put('clusters.cluster.x-k8s.io', 'other-ns', cluster('other-ns', 'tkc-9', 'uid-9', { host: '127.200.0.9', port: 6443 }));
    put('secrets', 'other-ns', caSecret('other-ns', 'tkc-9'));
    const auth = new Authenticator();
    const api = new WcpApi({
      users, signer, authenticate: (req) => auth.authenticate(req), rbac: () => rbac, namespaces: () => ['tkg', 'half', 'other-ns'], namespaced: () => true,
      object: (resource, ns, name) => objects.get(`${resource}/${ns}/${name}`),
    });
    server = createServer((req, res) => api.handle(req, res, new URL(req.url!, 'http://x').pathname).catch((err) => res.writeHead(err.code ?? 500).end(JSON.stringify({ message: err.message }))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (user: string, password: string, body?: unknown) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(`${base}/wcp/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  const guest = (namespace: string, name: string) => ({ guest_cluster_name: name, guest_cluster_namespace: namespace });

  it('answers a session for that cluster alone, its endpoint and its CA', async () => {
    const res = await login('dev', 'right', guest('tkg', 'tkc-1'));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['guest_cluster_ca', 'guest_cluster_server', 'session_id']);
    expect(res.body.guest_cluster_server).toBe('127.200.0.3');
    expect(Buffer.from(res.body.guest_cluster_ca, 'base64').toString()).toBe(CA_PEM);
    const claims = jwt.verify(res.body.session_id, signer.publicKey) as any;
    expect(claims).toMatchObject({ iss: ISSUER, sub: 'dev', aud: ['wcp:tkg/tkc-1/uid-1'], groups: ['developers'] });
    expect(claims.exp - claims.iat).toBe(SESSION_SECONDS);
    // The guest's gateway takes it; the Supervisor does not.
    expect(guestSessionTokenSource({ issuer: ISSUER, audience: 'wcp:tkg/tkc-1/uid-1', publicKeyPem })(res.body.session_id)).toEqual({ username: 'sso:dev', groups: ['sso:developers', 'system:authenticated'] });
    expect(sessionTokenSource(signer, users)(res.body.session_id)).toBeUndefined();
  });

  it('still checks the password first, and a bad body after it', async () => {
    expect(await login('dev', 'wrong', guest('tkg', 'tkc-1'))).toEqual({ status: 401, body: { message: 'Invalid username or password' } });
    expect(await login('dev', 'wrong', 'not json')).toEqual({ status: 401, body: { message: 'Invalid username or password' } });
    expect(await login('dev', 'right', 'not json')).toEqual({ status: 400, body: { message: 'the request body must be a JSON object' } });
    expect(await login('dev', 'right', { guest_cluster_name: 'tkc-1' })).toEqual({ status: 400, body: { message: 'guest_cluster_namespace is required with guest_cluster_name' } });
    expect(Object.keys((await login('dev', 'right', {})).body)).toEqual(['session_id']);
  });

  it('refuses a user not bound in the namespace (403) before saying whether the cluster exists', async () => {
    expect(await login('other', 'pw', guest('tkg', 'tkc-1'))).toEqual({ status: 403, body: { message: 'user "other" has no access to the namespace "tkg"' } });
    expect(await login('dev', 'right', guest('other-ns', 'tkc-9'))).toEqual({ status: 403, body: { message: 'user "dev" has no access to the namespace "other-ns"' } });
    expect(await login('dev', 'right', guest('nowhere', 'tkc-1'))).toEqual({ status: 403, body: { message: 'user "dev" has no access to the namespace "nowhere"' } });
  });

  it('says what the cluster lacks (404): itself, its endpoint, its CA', async () => {
    expect(await login('dev', 'right', guest('half', 'tkc-1'))).toEqual({ status: 404, body: { message: 'clusters.cluster.x-k8s.io "tkc-1" not found in the namespace "half"' } });
    expect(await login('dev', 'right', guest('tkg', 'no-endpoint'))).toEqual({ status: 404, body: { message: 'the cluster "no-endpoint" has no control plane endpoint yet' } });
    expect(await login('dev', 'right', guest('tkg', 'no-ca'))).toEqual({ status: 404, body: { message: 'the cluster "no-ca" has no certificate authority yet: secrets "no-ca-ca" not found or without tls.crt' } });
  });
});
