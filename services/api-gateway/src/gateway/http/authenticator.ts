import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '@openpacific/kube-api';
import { Actor } from '../store/object-writer';

interface TokenEntry {
  digest: Buffer;
  user: Actor;
}

/** Bearer tokens, kept as SHA-256 digests and compared in constant time. */
export class Authenticator {
  private readonly tokens: TokenEntry[] = [];

  addToken(token: string, user: Actor): void {
    this.tokens.push({ digest: digest(token), user });
  }

  authenticate(req: IncomingMessage): Actor {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized();
    const d = digest(match[1]);
    const entry = this.tokens.find((t) => timingSafeEqual(t.digest, d));
    if (!entry) throw unauthorized();
    return entry.user;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
