import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '@openpacific/kube-api';
import { Actor } from '../store/object-writer';
import { API_AUDIENCE } from '../auth/bound-tokens';

const API_AUDIENCES: readonly string[] = [API_AUDIENCE];

interface TokenEntry {
  digest: Buffer;
  user: Actor;
}

/** A token's user, and the audiences it was found good for when its source checks audiences (bound tokens do). */
export type TokenUser = Actor & { audiences?: string[] };

/**
 * Another source of tokens: the users file, ServiceAccount token Secrets, bound tokens. Given the token, its SHA-256
 * and the audiences it must be good for (one of them); a source that knows no audiences ignores them.
 */
export type TokenSource = (token: string, digest: Buffer, audiences: readonly string[]) => TokenUser | undefined;

/**
 * Client certificates signed by the cluster's CA (the TLS server asks for one and checks it against the CA): the
 * common name is the user, each organization a group, as kube-apiserver's x509 authenticator reads them; tried first,
 * as there. Then bearer tokens: the admin's (kept as a SHA-256 digest, compared in constant time), then each
 * source in turn. Every authenticated user is in `system:authenticated`. Unknown tokens are a 401.
 * A request is authenticated once however often it is asked about (the audit hook, then the router);
 * no user is kept across requests, so a revoked token (a users.json change, a deleted token Secret)
 * is refused from the next request on. Only the digest is: a keep-alive connection sends the same token
 * with every request, so each connection remembers its last token's SHA-256 (never shared between
 * connections, so no comparison ever involves another client's token).
 */
export class Authenticator {
  private readonly tokens: TokenEntry[] = [];
  private readonly sources: TokenSource[] = [];
  private readonly authenticated = new WeakMap<IncomingMessage, Actor>();
  private readonly connectionTokens = new WeakMap<Socket, { token: string; digest: Buffer }>();
  /** Each connection's certificate user (null: none, or not one the CA signed). */
  private readonly connectionCertificates = new WeakMap<Socket, Actor | null>();

  addToken(token: string, user: Actor): void {
    this.tokens.push({ digest: digest(token), user });
  }

  addSource(source: TokenSource): void {
    this.sources.push(source);
  }

  authenticate(req: IncomingMessage): Actor {
    const known = this.authenticated.get(req);
    if (known) return known;
    const certified = this.certificateUser(req.socket as TLSSocket | null);
    if (certified) {
      this.authenticated.set(req, certified);
      return certified;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized();
    const user = this.authenticateToken(match[1], this.digestOn(req.socket, match[1]));
    if (!user) throw unauthorized();
    this.authenticated.set(req, user);
    return user;
  }

  authenticateToken(token: string, d = digest(token)): Actor | undefined {
    const found = this.reviewToken(token, undefined, d);
    return found && found.user;
  }

  /**
   * A TokenReview's answer: the token's user and the audiences (of those asked, by default this API server's) it is
   * good for. A token its source checks no audience of (the admin's, the users file's, a token Secret's) is good for
   * this API server only, as kube-apiserver's audience-agnostic authenticators are.
   */
  reviewToken(token: string, audiences?: readonly string[], d = digest(token)): { user: Actor; audiences: readonly string[] } | undefined {
    const wanted = audiences?.length ? audiences : API_AUDIENCES;
    const entry = this.tokens.find((t) => timingSafeEqual(t.digest, d));
    const found: TokenUser | undefined = entry?.user ?? this.sources.reduce<TokenUser | undefined>((user, source) => user ?? source(token, d, wanted), undefined);
    if (!found) return undefined;
    // Every request asks this (with this server's audience): an audience-agnostic user is passed on as it is.
    let user: Actor = found;
    let good: readonly string[] = wanted.includes(API_AUDIENCE) ? API_AUDIENCES : [];
    if (found.audiences) ({ audiences: good, ...user } = found);
    if (!good.length) return undefined;
    return { user: user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] }, audiences: good };
  }

  /**
   * The user a verified client certificate names (CN, and O as groups); none without a certificate, or with one the
   * CA did not sign or that has expired (a bearer token may still authenticate the request then, as in kube-apiserver's
   * union of authenticators). Read once per connection.
   */
  private certificateUser(socket: TLSSocket | null): Actor | undefined {
    if (!socket || typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
    const cached = this.connectionCertificates.get(socket);
    if (cached !== undefined) return cached ?? undefined;
    const subject = socket.getPeerCertificate().subject as Record<string, string | string[]> | undefined;
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const name = list(subject?.CN)[0];
    const user = name ? { username: name, groups: [...list(subject?.O).filter((g) => g !== 'system:authenticated'), 'system:authenticated'] } : null;
    this.connectionCertificates.set(socket, user);
    return user ?? undefined;
  }

  /** The token's SHA-256, hashed again only when the connection sends another token than last time. */
  private digestOn(socket: Socket | null, token: string): Buffer {
    if (!socket) return digest(token);
    const last = this.connectionTokens.get(socket);
    if (last?.token === token) return last.digest;
    const d = digest(token);
    this.connectionTokens.set(socket, { token, digest: d });
    return d;
  }
}

export function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
