import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RbacLookups } from '@openpacific/authz';
import type { ServiceAccountSigner } from '../../pki';
import { guestSessionAudience, rfc3339 } from '@openpacific/contracts';
import { annotateAudit } from '../audit/audit-annotations';
import { readBody } from '../http/read-body';
import type { Actor } from '../store/object-writer';
import { DEFAULT_SCRYPT, PasswordHash, verifyPassword } from './passwords';
import type { PasswordUser } from './users-file';
import { LoginLockoutUnavailableError } from './postgres-login-lockout';
import { LoginLockout, LoginOutcome, MemoryLoginLockout } from './wcp-login-lockout';
import { NamespacedKind, namespacesFor } from './wcp-namespaces';
import { issueSession } from './wcp-sessions';

/** The supervisor's login API that `kubectl vsphere login` calls, and the namespace list it makes contexts from. */
export const WCP_LOGIN_PATH = '/wcp/login';
export const WCP_NAMESPACES_PATH = '/wcp/namespaces';
export const isWcpPath = (path: string) => path === WCP_LOGIN_PATH || path === WCP_NAMESPACES_PATH;

/** One answer for an unknown user and a wrong password, so that a caller cannot tell which names exist. */
export const BAD_CREDENTIALS = 'Invalid username or password';
/** vCenter's answer to a locked account, in other words: the name is locked, whatever the password. */
export const ACCOUNT_LOCKED = 'User account is locked after too many failed logins: try again later or contact your administrator';
/**
 * The audit record of a login names who signed in here (the request itself is recorded as system:anonymous's, as
 * it carries no token). A refused one names the user only when users.json has it (LOGIN_REFUSED_USER_ANNOTATION): any
 * other typed name is now and then a password.
 */
export const LOGIN_USER_ANNOTATION = 'wcp.openpacific.io/login-user';
/** Why a login was refused: `InvalidCredentials` (a wrong password or an unknown name) or `AccountLocked`. */
export const LOGIN_REFUSED_ANNOTATION = 'wcp.openpacific.io/login-refused';
export const LOGIN_REFUSED_USER_ANNOTATION = 'wcp.openpacific.io/login-refused-user';
/** On the failure that locks the name: until when (RFC 3339), so that an admin sees the lock begin. */
export const LOGIN_LOCKED_UNTIL_ANNOTATION = 'wcp.openpacific.io/login-locked-until';
/** A login's body names a guest cluster at most: a few hundred bytes. */
const MAX_LOGIN_BODY_BYTES = 64 * 1024;

export interface WcpDeps {
  users: { passwordUser(name: string, now?: number): PasswordUser | undefined };
  signer?: ServiceAccountSigner;
  /** The gateway's authenticator (bearer tokens, certificates): a 401 Status for anyone else. */
  authenticate(req: IncomingMessage): Actor;
  rbac(): RbacLookups;
  /** Every namespace's name, from the read model. */
  namespaces(): string[];
  namespaced: NamespacedKind;
  /** An object of the read model (Secrets decrypted), for a guest cluster's login: its Cluster and `<cluster>-ca`. */
  object(resource: string, namespace: string, name: string): any | undefined;
  /** Failed logins per name: the gateway's is in Postgres, shared by its replicas; vCenter's defaults in memory when not given. */
  lockout?: LoginLockout;
}

/** The guest cluster a login names (`kubectl vsphere login --tanzu-kubernetes-cluster-name/-namespace`). */
export interface GuestLogin {
  name: string;
  namespace: string;
}

/** Where the read model keeps Cluster API Clusters (a TanzuKubernetesCluster makes one of its name). */
export const CLUSTERS_RESOURCE = 'clusters.cluster.x-k8s.io';
/** The audit record of a guest cluster's login names the cluster. */
export const LOGIN_GUEST_CLUSTER_ANNOTATION = 'wcp.openpacific.io/login-guest-cluster';

/**
 * The login's JSON body: none (or `{}`) for the Supervisor; `guest_cluster_name` and `guest_cluster_namespace`, both
 * non-empty strings, for a guest cluster. A message saying what is wrong otherwise.
 */
export function parseLoginBody(body: Buffer): { guest?: GuestLogin } | { error: string } {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: 'the request body must be a JSON object' };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { error: 'the request body must be a JSON object' };
  const { guest_cluster_name: name, guest_cluster_namespace: namespace } = doc as Record<string, unknown>;
  for (const [field, value] of [['guest_cluster_name', name], ['guest_cluster_namespace', namespace]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) return { error: `${field} must be a non-empty string` };
  }
  if (name === undefined && namespace === undefined) return {};
  if (name === undefined) return { error: 'guest_cluster_name is required with guest_cluster_namespace' };
  if (namespace === undefined) return { error: 'guest_cluster_namespace is required with guest_cluster_name' };
  return { guest: { name: name as string, namespace: namespace as string } };
}

/** The endpoint as the plugin's --server takes it: the host alone on 6443 (vSphere's answer), host:port otherwise. */
export function guestServer(endpoint: { host: string; port?: number }): string {
  const port = endpoint.port ?? 6443;
  if (port === 6443) return endpoint.host;
  return `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${port}`;
}

export class WcpApi {
  /** Checked in place of an unknown user's hash, so that its refusal costs what a wrong password's does. */
  private readonly decoy: PasswordHash = { N: DEFAULT_SCRYPT.N, r: DEFAULT_SCRYPT.r, p: DEFAULT_SCRYPT.p, salt: randomBytes(16), hash: randomBytes(DEFAULT_SCRYPT.keyBytes) };

  private readonly lockout: LoginLockout;

  constructor(private readonly deps: WcpDeps) {
    this.lockout = deps.lockout ?? new MemoryLoginLockout();
  }

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
    const body = await readBody(req, MAX_LOGIN_BODY_BYTES);
    const credentials = basicCredentials(req.headers.authorization);
    const challenge = { 'WWW-Authenticate': 'Basic realm="wcp"' };
    if (!credentials) return send(res, 401, { message: 'HTTP Basic authentication with a user name and password is required' }, challenge);
    if (!this.deps.signer) return send(res, 503, { message: 'this api-gateway has no key to sign sessions with' });
    // The name as users.json stores it, exactly: `dev@vsphere.local` signs in only if the file says so. Known or not,
    // the name is counted and locked alike; a locked one costs no scrypt.
    let outcome: LoginOutcome<PasswordUser>;
    try {
      outcome = await this.lockout.attempt(credentials.username, async () => {
        const user = this.deps.users.passwordUser(credentials.username);
        const good = await verifyPassword(credentials.password, user?.password ?? this.decoy);
        return good ? user : undefined;
      });
    } catch (err) {
      // A guess the lockout cannot judge is not let through: the client may try again.
      if (err instanceof LoginLockoutUnavailableError) return send(res, 503, { message: `${err.message}; try again later` }, { 'Retry-After': '1' });
      throw err;
    }
    if (outcome.result !== 'ok') {
      const known = this.deps.users.passwordUser(credentials.username);
      annotateAudit(res, {
        [LOGIN_REFUSED_ANNOTATION]: outcome.result === 'locked' ? 'AccountLocked' : 'InvalidCredentials',
        ...(known ? { [LOGIN_REFUSED_USER_ANNOTATION]: known.username } : {}),
        ...(outcome.result === 'failed' && outcome.lockedUntil !== undefined ? { [LOGIN_LOCKED_UNTIL_ANNOTATION]: rfc3339(outcome.lockedUntil) } : {}),
      });
      return send(res, 401, { message: outcome.result === 'locked' ? ACCOUNT_LOCKED : BAD_CREDENTIALS }, challenge);
    }
    const user = outcome.value;
    annotateAudit(res, { [LOGIN_USER_ANNOTATION]: user.username });
    // The body is judged only after the password: a caller without one learns nothing from it.
    const parsed = parseLoginBody(body);
    if ('error' in parsed) return send(res, 400, { message: parsed.error });
    if (!parsed.guest) return send(res, 200, { session_id: issueSession(this.deps.signer, user) });
    annotateAudit(res, { [LOGIN_GUEST_CLUSTER_ANNOTATION]: `${parsed.guest.namespace}/${parsed.guest.name}` });
    const guest = this.guestSession(user, parsed.guest);
    if ('code' in guest) return send(res, guest.code, { message: guest.message });
    send(res, 200, guest);
  }

  /**
   * A session for a guest cluster, as vSphere's login answers it: the user must be bound in the cluster's namespace
   * (what makes its contexts), and the Cluster must be up far enough to be reached (its control-plane endpoint) and
   * trusted (its `<cluster>-ca`). The token's audience is that cluster's alone, so the Supervisor takes it nowhere.
   */
  guestSession(user: PasswordUser, guest: GuestLogin, now = new Date()): { session_id: string; guest_cluster_server: string; guest_cluster_ca: string } | { code: number; message: string } {
    const { namespace, name } = guest;
    // Whether the namespace exists is told only to those bound in it.
    const bound = namespacesFor(user, this.deps.namespaces().filter((n) => n === namespace), this.deps.rbac(), this.deps.namespaced).includes(namespace);
    if (!bound) return { code: 403, message: `user "${user.username}" has no access to the namespace "${namespace}"` };
    const cluster = this.deps.object(CLUSTERS_RESOURCE, namespace, name);
    if (!cluster || cluster.metadata?.deletionTimestamp) return { code: 404, message: `clusters.cluster.x-k8s.io "${name}" not found in the namespace "${namespace}"` };
    const endpoint = cluster.spec?.controlPlaneEndpoint;
    if (!endpoint?.host) return { code: 404, message: `the cluster "${name}" has no control plane endpoint yet` };
    const caName = `${name}-ca`;
    const ca = this.deps.object('secrets', namespace, caName)?.data?.['tls.crt'];
    if (typeof ca !== 'string' || ca === '') return { code: 404, message: `the cluster "${name}" has no certificate authority yet: secrets "${caName}" not found or without tls.crt` };
    const audience = guestSessionAudience({ namespace, name, uid: cluster.metadata.uid });
    // data['tls.crt'] is the PEM in base64 already: the answer's form.
    return { session_id: issueSession(this.deps.signer!, user, now, audience), guest_cluster_server: guestServer(endpoint), guest_cluster_ca: ca };
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
