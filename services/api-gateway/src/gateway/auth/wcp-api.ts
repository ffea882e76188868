import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RbacLookups } from '@openpacific/authz';
import type { ServiceAccountSigner } from '../../pki';
import { annotateAudit } from '../audit/audit-annotations';
import type { Actor } from '../store/object-writer';
import { DEFAULT_SCRYPT, PasswordHash, verifyPassword } from './passwords';
import type { PasswordUser } from './users-file';
import { NamespacedKind, namespacesFor } from './wcp-namespaces';
import { issueSession } from './wcp-sessions';

/** The supervisor's login API that `kubectl vsphere login` calls, and the namespace list it makes contexts from. */
export const WCP_LOGIN_PATH = '/wcp/login';
export const WCP_NAMESPACES_PATH = '/wcp/namespaces';
export const isWcpPath = (path: string) => path === WCP_LOGIN_PATH || path === WCP_NAMESPACES_PATH;

/** One answer for an unknown user and a wrong password, so that a caller cannot tell which names exist. */
export const BAD_CREDENTIALS = 'Invalid username or password';
/**
 * The audit record of a login names who signed in here (the request itself is recorded as system:anonymous's, as
 * it carries no token); a refused one names nobody, as a name typed there is now and then a password.
 */
export const LOGIN_USER_ANNOTATION = 'wcp.openpacific.io/login-user';

export interface WcpDeps {
  users: { passwordUser(name: string, now?: number): PasswordUser | undefined };
  signer?: ServiceAccountSigner;
  /** The gateway's authenticator (bearer tokens, certificates): a 401 Status for anyone else. */
  authenticate(req: IncomingMessage): Actor;
  rbac(): RbacLookups;
  /** Every namespace's name, from the read model. */
  namespaces(): string[];
  namespaced: NamespacedKind;
}

export class WcpApi {
  /** Checked in place of an unknown user's hash, so that its refusal costs what a wrong password's does. */
  private readonly decoy: PasswordHash = { N: DEFAULT_SCRYPT.N, r: DEFAULT_SCRYPT.r, p: DEFAULT_SCRYPT.p, salt: randomBytes(16), hash: randomBytes(DEFAULT_SCRYPT.keyBytes) };

  constructor(private readonly deps: WcpDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === WCP_LOGIN_PATH) {
      if (method !== 'POST') return send(res, 405, { message: `the method ${method} is not allowed on ${path}: use POST` }, { Allow: 'POST' });
      return this.login(req, res);
    }
    if (method !== 'GET') return send(res, 405, { message: `the method ${method} is not allowed on ${path}: use GET` }, { Allow: 'GET' });
    // Any authenticated caller may ask: the answer is about the caller alone, as a SelfSubjectRulesReview's is.
    const user = this.deps.authenticate(req);
    const names = namespacesFor(user, this.deps.namespaces(), this.deps.rbac(), this.deps.namespaced);
    send(res, 200, names.map((namespace) => ({ namespace })));
  }

  /** HTTP Basic user:password against users.json's password hashes; a session token for the user on success. */
  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const credentials = basicCredentials(req.headers.authorization);
    const challenge = { 'WWW-Authenticate': 'Basic realm="wcp"' };
    if (!credentials) return send(res, 401, { message: 'HTTP Basic authentication with a user name and password is required' }, challenge);
    if (!this.deps.signer) return send(res, 503, { message: 'this api-gateway has no key to sign sessions with' });
    // The name as users.json stores it, exactly: `dev@vsphere.local` signs in only if the file says so.
    const user = this.deps.users.passwordUser(credentials.username);
    const good = await verifyPassword(credentials.password, user?.password ?? this.decoy);
    if (!user || !good) return send(res, 401, { message: BAD_CREDENTIALS }, challenge);
    annotateAudit(res, { [LOGIN_USER_ANNOTATION]: user.username });
    send(res, 200, { session_id: issueSession(this.deps.signer, user) });
  }
}

/** `Authorization: Basic base64(user:password)`; the password is everything after the first colon. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The WCP API's answers are plain JSON, not Kubernetes Status objects (the token is not kept for the audit hook). */
function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}
