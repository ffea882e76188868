import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ServiceAccountSigner } from '../../pki';
import type { Actor } from '../store/object-writer';
import { API_AUDIENCE, ISSUER } from './bound-tokens';
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

/** A session token for `user` (its groups as users.json gives them, without the implicit system:authenticated). */
export function issueSession(signer: ServiceAccountSigner, user: Actor, now = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: SessionClaims = {
    iss: ISSUER,
    sub: user.username,
    aud: [API_AUDIENCE],
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
    if (token.split('.').length !== 3) return undefined;
    let claims: SessionClaims;
    try {
      claims = jwt.verify(token, signer.publicKey, { algorithms: ['RS256'], audience: audiences as [string, ...string[]], issuer: ISSUER }) as unknown as SessionClaims;
    } catch {
      return undefined;
    }
    if (claims['kubernetes.io'] !== undefined || typeof claims.sub !== 'string') return undefined;
    const user = users.passwordUser(claims.sub);
    if (!user) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return { username: user.username, groups: user.groups, audiences: audiences.filter((a) => aud.includes(a)) };
  };
}
