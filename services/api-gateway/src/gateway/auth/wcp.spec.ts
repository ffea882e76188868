import { generateKeyPairSync, scryptSync } from 'node:crypto';
import { createServer, request, Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { staticLookups } from '@openpacific/authz';
import { signerFromPem } from '../../pki';
import { Authenticator } from '../http/authenticator';
import { API_AUDIENCE, ISSUER } from './bound-tokens';
import { hashPassword, parsePasswordHash, verifyPassword } from './passwords';
import { parseUsersFile, UsersFile } from './users-file';
import { basicCredentials, BAD_CREDENTIALS, WcpApi } from './wcp-api';
import { namespacesFor } from './wcp-namespaces';
import { issueSession, SESSION_SECONDS, sessionTokenSource } from './wcp-sessions';

const signer = signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
// Small N keeps the suite fast; the format and the check are the same at any cost.
const FAST = { N: 1024 };

describe('password hashes', () => {
  it('writes scrypt$N$r$p$salt$hash that Node scrypt reproduces, and verifies only the right password', async () => {
    const stored = await hashPassword('s3cret pass', FAST);
    const [alg, N, r, p, salt, hash] = stored.split('$');
    expect([alg, N, r, p]).toEqual(['scrypt', '1024', '8', '1']);
    expect(Buffer.from(hash, 'base64')).toHaveLength(64);
    expect(scryptSync('s3cret pass', Buffer.from(salt, 'base64'), 64, { N: 1024, r: 8, p: 1 }).toString('base64')).toBe(hash);
    expect(await verifyPassword('s3cret pass', parsePasswordHash(stored))).toBe(true);
    expect(await verifyPassword('s3cret pasS', parsePasswordHash(stored))).toBe(false);
    expect(await verifyPassword('', parsePasswordHash(stored))).toBe(false);
  });

  it('verifies a hash made elsewhere with other parameters and length', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const stored = `scrypt$2048$4$2$${salt.toString('base64')}$${scryptSync('pw', salt, 32, { N: 2048, r: 4, p: 2 }).toString('base64')}`;
    expect(await verifyPassword('pw', parsePasswordHash(stored))).toBe(true);
  });

  it('refuses malformed hashes and costs a file typo could blow up', () => {
    const b = Buffer.alloc(16).toString('base64');
    expect(() => parsePasswordHash('bcrypt$x')).toThrow('must be scrypt$');
    expect(() => parsePasswordHash(`scrypt$1000$8$1$${b}$${b}`)).toThrow('N must be a power of 2');
    expect(() => parsePasswordHash(`scrypt$${2 ** 24}$8$1$${b}$${b}`)).toThrow('N must be a power of 2');
    expect(() => parsePasswordHash(`scrypt$1024$0$1$${b}$${b}`)).toThrow('r and p');
    expect(() => parsePasswordHash(`scrypt$1024$8$1$not base64!$${b}`)).toThrow('base64');
    expect(() => parsePasswordHash(`scrypt$1024$8$1$AAAA$${b}`)).toThrow('the salt must have 8 bytes');
  });
});

describe('users.json with passwords', () => {
  it('keeps token-only entries, adds password users by name, and names the broken entry', async () => {
    const passwordHash = await hashPassword('pw', FAST);
    const parsed = parseUsersFile({ users: [{ name: 'old', tokenSha256: 'a'.repeat(64) }, { name: 'dev', groups: ['developers'], passwordHash }] });
    expect(parsed.byDigest.get('a'.repeat(64))).toEqual({ username: 'old', groups: ['system:authenticated'] });
    expect(parsed.byName.get('dev')).toMatchObject({ username: 'dev', groups: ['developers', 'system:authenticated'] });
    expect(parsed.byName.has('old')).toBe(false);
    expect(() => parseUsersFile({ users: [{ name: 'x' }] })).toThrow('users[0] needs a tokenSha256 or a passwordHash');
    expect(() => parseUsersFile({ users: [{ name: 'x', passwordHash: 'plain' }] })).toThrow('users[0].passwordHash must be scrypt$');
    expect(() => parseUsersFile({ users: [{ name: 'x', passwordHash }, { name: 'x', passwordHash }] })).toThrow('users[1].passwordHash: user "x" already has a password');
  });
});

describe('kubectl vsphere login sessions', () => {
  const dev = { username: 'dev', groups: ['developers', 'system:authenticated'], password: parsePasswordHash(`scrypt$1024$8$1$${'A'.repeat(24)}$${'A'.repeat(24)}`) };
  let present = true;
  const users = { passwordUser: (name: string) => (present && name === 'dev' ? dev : undefined) };

  it('signs RS256 with the issuer key: iss, sub, aud, groups, iat = nbf, exp 10 hours on', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const token = issueSession(signer, dev, now);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: signer.kid });
    const claims = jwt.verify(token, signer.publicKey, { clockTimestamp: now.getTime() / 1000 }) as any;
    expect(claims).toMatchObject({ iss: ISSUER, sub: 'dev', aud: [API_AUDIENCE], groups: ['developers'], iat: now.getTime() / 1000, nbf: now.getTime() / 1000 });
    expect(claims.exp - claims.iat).toBe(SESSION_SECONDS);
    expect(SESSION_SECONDS).toBe(36000);
  });

  it('authenticates the session as the file user while the user has a password there', () => {
    present = true;
    const auth = new Authenticator();
    auth.addSource(sessionTokenSource(signer, users));
    const token = issueSession(signer, dev);
    expect(auth.authenticateToken(token)).toEqual({ username: 'dev', groups: ['developers', 'system:authenticated'] });
    present = false;
    expect(auth.authenticateToken(token)).toBeUndefined();
    present = true;
  });

  it('refuses expired sessions, other keys, other audiences and ServiceAccount tokens', () => {
    const source = sessionTokenSource(signer, users);
    const past = issueSession(signer, dev, new Date(Date.now() - (SESSION_SECONDS + 5) * 1000));
    expect(source(past)).toBeUndefined();
    const other = signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    expect(source(issueSession(other, dev))).toBeUndefined();
    expect(source(issueSession(signer, dev), undefined, ['vault'])).toBeUndefined();
    const iat = Math.floor(Date.now() / 1000);
    const saToken = jwt.sign({ iss: ISSUER, sub: 'dev', aud: [API_AUDIENCE], iat, exp: iat + 600, 'kubernetes.io': { namespace: 'a' } }, signer.privateKey, { algorithm: 'RS256' });
    expect(source(saToken)).toBeUndefined();
  });
});

describe('namespaces for the per-namespace contexts', () => {
  const all = ['default', 'kube-system', 'team-a', 'team-b', 'team-c'];
  const namespaced = (groups: readonly string[], resource: string) => resource === '*' || ((groups.includes('') || groups.includes('*')) && ['pods', 'configmaps'].includes(resource));
  const user = { username: 'dev', groups: ['developers', 'system:authenticated'] };
  const crb = (name: string, role: string, subject: { kind: string; name: string }) => ({ metadata: { name }, roleRef: { kind: 'ClusterRole', name: role }, subjects: [subject] });
  const rb = (ns: string, role: string, subject: { kind: string; name: string }, kind = 'ClusterRole') => ({ metadata: { name: `b-${ns}`, namespace: ns }, roleRef: { kind, name: role }, subjects: [subject] });
  const clusterRoles = [
    { metadata: { name: 'edit' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] },
    { metadata: { name: 'system:basic-user' }, rules: [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] }] },
    { metadata: { name: 'metrics' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] },
  ];
  const basic = crb('system:basic-user', 'system:basic-user', { kind: 'Group', name: 'system:authenticated' });

  it('lists the namespaces whose RoleBindings name the user or a group of it, to a role that exists', () => {
    const rbac = staticLookups({
      clusterRoles,
      roles: [{ metadata: { name: 'mine', namespace: 'team-c' }, rules: [] }],
      clusterRoleBindings: [basic, crb('m', 'metrics', { kind: 'User', name: 'dev' })],
      roleBindings: [rb('team-b', 'edit', { kind: 'User', name: 'dev' }), rb('team-a', 'edit', { kind: 'Group', name: 'developers' }), rb('kube-system', 'missing', { kind: 'User', name: 'dev' }), rb('team-c', 'mine', { kind: 'User', name: 'other' }, 'Role')],
    });
    expect(namespacesFor(user, all, rbac, namespaced)).toEqual(['team-a', 'team-b']);
  });

  it('lists every namespace but the system ones when a ClusterRoleBinding grants a namespaced kind, and those bound', () => {
    const rbac = staticLookups({ clusterRoles, clusterRoleBindings: [basic, crb('dev-edit', 'edit', { kind: 'Group', name: 'developers' })], roleBindings: [rb('kube-system', 'edit', { kind: 'User', name: 'dev' })] });
    expect(namespacesFor(user, all, rbac, namespaced)).toEqual(['kube-system', 'team-a', 'team-b', 'team-c']);
    expect(namespacesFor({ username: 'other', groups: ['system:authenticated'] }, all, rbac, namespaced)).toEqual([]);
  });
});

describe('POST /wcp/login and GET /wcp/namespaces', () => {
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'wcp-'));
  const file = join(dir, 'users.json');
  const users = new UsersFile(file);
  beforeAll(async () => {
    writeFileSync(file, JSON.stringify({ users: [{ name: 'dev', groups: ['developers'], passwordHash: await hashPassword('right', FAST) }, { name: 'dev@vsphere.local', passwordHash: await hashPassword('other', FAST) }] }));
    users.load();
    const auth = new Authenticator();
    auth.addSource(sessionTokenSource(signer, users));
    const rbac = staticLookups({ clusterRoles: [{ metadata: { name: 'edit' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }], roleBindings: [{ metadata: { name: 'b', namespace: 'team-a' }, roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'dev' }] }] });
    const api = new WcpApi({ users, signer, authenticate: (req) => auth.authenticate(req), rbac: () => rbac, namespaces: () => ['team-a', 'team-b'], namespaced: () => true, object: () => undefined });
    server = createServer((req, res) => api.handle(req, res, new URL(req.url!, 'http://x').pathname).catch((err) => {
      // The gateway's router answers the Authenticator's refusal with a Status; here its code and message do.
      res.writeHead(err.code ?? 500).end(JSON.stringify({ message: err.message }));
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  const call = (method: string, path: string, authorization?: string) =>
    new Promise<{ status: number; body: any; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers: authorization ? { authorization } : {} }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('answers a session for the right password, the same 401 for a wrong one and an unknown user', async () => {
    const ok = await call('POST', '/wcp/login', basic('dev', 'right'));
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body)).toEqual(['session_id']);
    expect((jwt.decode(ok.body.session_id) as any).sub).toBe('dev');
    const wrong = await call('POST', '/wcp/login', basic('dev', 'wrong'));
    const unknown = await call('POST', '/wcp/login', basic('nobody', 'right'));
    expect([wrong.status, wrong.body]).toEqual([401, { message: BAD_CREDENTIALS }]);
    expect([unknown.status, unknown.body]).toEqual([401, { message: BAD_CREDENTIALS }]);
    // Names are taken as stored: the domain form is another user, with its own password.
    expect((await call('POST', '/wcp/login', basic('dev@vsphere.local', 'right'))).status).toBe(401);
    expect((await call('POST', '/wcp/login', basic('dev@vsphere.local', 'other'))).status).toBe(200);
  });

  it('wants Basic credentials and a POST', async () => {
    const none = await call('POST', '/wcp/login');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="wcp"');
    expect((await call('POST', '/wcp/login', 'Bearer abc')).status).toBe(401);
    const get = await call('GET', '/wcp/login', basic('dev', 'right'));
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('lists the namespaces of the session user, and refuses callers without a token', async () => {
    const { body } = await call('POST', '/wcp/login', basic('dev', 'right'));
    expect(await call('GET', '/wcp/namespaces', `Bearer ${body.session_id}`)).toMatchObject({ status: 200, body: [{ namespace: 'team-a' }] });
    expect((await call('GET', '/wcp/namespaces')).status).toBe(401);
  });

  it('ends the sessions of a user taken out of users.json at its next load', async () => {
    const { body } = await call('POST', '/wcp/login', basic('dev', 'right'));
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ users: JSON.parse(before).users.filter((u: any) => u.name !== 'dev') }));
    users.load();
    expect((await call('GET', '/wcp/namespaces', `Bearer ${body.session_id}`)).status).toBe(401);
    expect((await call('POST', '/wcp/login', basic('dev', 'right'))).status).toBe(401);
    writeFileSync(file, before);
    users.load();
  });

  it('splits Basic credentials at the first colon', () => {
    expect(basicCredentials(`Basic ${Buffer.from('u:p:q').toString('base64')}`)).toEqual({ username: 'u', password: 'p:q' });
    expect(basicCredentials(`Basic ${Buffer.from(':p').toString('base64')}`)).toBeUndefined();
  });
});
