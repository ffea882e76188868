import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '@openpacific/kube-api';
import { Actor } from '../store/object-writer';

interface TokenEntry {
  digest: Buffer;
  user: Actor;
}

/** Another source of tokens: the users file, ServiceAccount token Secrets. Given the token and its SHA-256. */
export type TokenSource = (token: string, digest: Buffer) => Actor | undefined;

/**
 * Bearer tokens: the admin's (kept as a SHA-256 digest, compared in constant time), then each
 * source in turn. Every authenticated user is in `system:authenticated`. Unknown tokens are a 401.
 * A request is authenticated once however often it is asked about (the audit hook, then the router);
 * there is no cache across requests, so a revoked token (a users.json change, a deleted token Secret)
 * is refused from the next request on.
 */
export class Authenticator {
  private readonly tokens: TokenEntry[] = [];
  private readonly sources: TokenSource[] = [];
  private readonly authenticated = new WeakMap<IncomingMessage, Actor>();

  addToken(token: string, user: Actor): void {
    this.tokens.push({ digest: digest(token), user });
  }

  addSource(source: TokenSource): void {
    this.sources.push(source);
  }

  authenticate(req: IncomingMessage): Actor {
    const known = this.authenticated.get(req);
    if (known) return known;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized();
    const user = this.authenticateToken(match[1]);
    if (!user) throw unauthorized();
    this.authenticated.set(req, user);
    return user;
  }

  authenticateToken(token: string): Actor | undefined {
    const d = digest(token);
    const entry = this.tokens.find((t) => timingSafeEqual(t.digest, d));
    const user = entry?.user ?? this.sources.reduce<Actor | undefined>((found, source) => found ?? source(token, d), undefined);
    if (!user) return undefined;
    return user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] };
  }
}

export function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
