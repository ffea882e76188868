import { createPublicKey, KeyObject, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import jwt from 'jsonwebtoken';
import type { ServiceAccountSigner } from '../../pki';
import type { Actor } from '../store/object-writer';
import { API_AUDIENCE, ISSUER, verifySignedJwt } from './bound-tokens';
import type { PasswordUser } from './users-file';

/**
 * Sessions of `kubectl vsphere login` (POST /wcp/login): RS256 JWTs signed with the ServiceAccount issuer's key, as
 * bound tokens are, naming the user (`sub`) and its groups, for this API server's audience, good for 10 hours. Nothing
 * is stored: the signature and users.json decide, so a user taken out of the file (or whose entry expires) loses its
 * sessions at the file's next reload.
 */
export const SESSION_SECONDS = 10 * 60 * 60;

interface SessionClaims {
  iss: string;
  sub: string;
  aud: string[];
  groups?: string[];
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Bound ServiceAccount tokens carry this; a session never does, so neither kind passes for the other. */
  'kubernetes.io'?: unknown;
}

/**
 * A session token for `user` (its groups as users.json gives them, without the implicit system:authenticated), for
 * this API server, or for the guest cluster whose audience (`guestSessionAudience`) is given.
 */
export function issueSession(signer: ServiceAccountSigner, user: Actor, now = new Date(), audience = API_AUDIENCE): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: SessionClaims = {
    iss: ISSUER,
    sub: user.username,
    aud: [audience],
    groups: user.groups.filter((g) => g !== 'system:authenticated'),
    jti: randomUUID(),
    iat,
    nbf: iat,
    exp: iat + SESSION_SECONDS,
  };
  return jwt.sign(claims, signer.privateKey, { algorithm: 'RS256', keyid: signer.kid });
}

/**
 * The authenticator's source for sessions: a JWT of this server's signature, unexpired, for one of the audiences asked,
 * whose user still has a password in users.json. The user's groups are the file's now (a group taken away applies
 * from the next reload on, not from the next login).
 */
export function sessionTokenSource(
  signer: ServiceAccountSigner,
  users: { passwordUser(name: string, now?: number): PasswordUser | undefined },
): (token: string, digest?: unknown, audiences?: readonly string[]) => (Actor & { audiences: string[] }) | undefined {
  return (token, _digest, audiences = [API_AUDIENCE]) => {
    const claims = verifySignedJwt<SessionClaims>(token, signer.publicKey, audiences);
    if (!claims || claims['kubernetes.io'] !== undefined || typeof claims.sub !== 'string') return undefined;
    const user = users.passwordUser(claims.sub);
    if (!user) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return { username: user.username, groups: user.groups, audiences: audiences.filter((a) => aud.includes(a)) };
  };
}

/** How a guest cluster's users of the Supervisor are named there, as vSphere's auth sync names them (`sso:<name>`). */
export const SSO_PREFIX = 'sso:';

/** What a guest cluster's gateway knows of the Supervisor's sessions for it (its bootstrap's `supervisorSessions`). */
export interface SupervisorSessions {
  issuer: string;
  audience: string;
  publicKeyPem: string;
}

/**
 * A guest cluster's source for the Supervisor's sessions (POST /wcp/login with a guest cluster named): a JWT the
 * Supervisor's issuer signed, unexpired, for this cluster's audience, never a ServiceAccount token. The user is the
 * session's `sso:<sub>` with `sso:<group>` for each of its groups: the guest has no users file, the Supervisor vouched
 * for them at login, and the names keep them apart from the guest's own users. The source checks its own audience
 * rather than the API server's (as kube-apiserver's JWT authenticators do), so it is audience-agnostic to the caller.
 */
export function guestSessionTokenSource(sessions: SupervisorSessions): (token: string) => Actor | undefined {
  const publicKey: KeyObject = createPublicKey(sessions.publicKeyPem);
  return (token) => {
    const claims = verifySignedJwt<SessionClaims>(token, publicKey, [sessions.audience], sessions.issuer);
    if (!claims || claims['kubernetes.io'] !== undefined || typeof claims.sub !== 'string' || claims.sub === '') return undefined;
    const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string' && g !== '') : [];
    return { username: `${SSO_PREFIX}${claims.sub}`, groups: [...groups.map((g) => `${SSO_PREFIX}${g}`), 'system:authenticated'] };
  };
}

/**
 * The Supervisor's sessions a guest cluster's gateway is configured for (SUPERVISOR_ISSUER_PUBLIC_KEY_FILE and
 * SUPERVISOR_SESSION_AUDIENCE, the issuer defaulting to the Supervisor's): undefined when not; a half-set
 * configuration or an unreadable key stops the gateway, as a guest whose logins silently fail would be worse.
 */
export async function supervisorSessionsOf(config: { SUPERVISOR_ISSUER_PUBLIC_KEY_FILE?: string; SUPERVISOR_ISSUER?: string; SUPERVISOR_SESSION_AUDIENCE?: string }): Promise<SupervisorSessions | undefined> {
  const file = config.SUPERVISOR_ISSUER_PUBLIC_KEY_FILE;
  const audience = config.SUPERVISOR_SESSION_AUDIENCE;
  if (!file && !audience) return undefined;
  if (!file || !audience) throw new Error('SUPERVISOR_ISSUER_PUBLIC_KEY_FILE and SUPERVISOR_SESSION_AUDIENCE must be set together');
  const publicKeyPem = await readFile(file, 'utf8');
  createPublicKey(publicKeyPem); // fails here, at boot, on a file that holds no key
  return { issuer: config.SUPERVISOR_ISSUER ?? ISSUER, audience, publicKeyPem };
}
