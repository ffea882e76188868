import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Actor } from '../store/object-writer';

export interface UsersFileEntry {
  name: string;
  groups?: string[];
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  tokenSha256: string;
  /** RFC 3339: after this the token is refused (401), as an expired token is. */
  expiresAt?: string;
}

/** A user of the file, with the time its token stops working (ms since the epoch), if any. */
export interface FileUser extends Actor {
  expiresAtMs?: number;
}

/**
 * `DATA_DIR/users.json`: `{ "users": [{ "name", "groups", "tokenSha256" }] }`, read at start and again whenever
 * it changes (polled every 2 s). A missing file means no users; an unreadable one keeps the last good list.
 */
export class UsersFile {
  private byDigest = new Map<string, FileUser>();

  constructor(private readonly file: string, private readonly onError: (message: string) => void = () => undefined) {}

  start(): void {
    this.load();
    watchFile(this.file, { interval: 2000 }, () => this.load());
  }

  stop(): void {
    unwatchFile(this.file);
  }

  /** The user of a token digest, unless its token has expired. */
  lookup(digestHex: string, now = Date.now()): Actor | undefined {
    const user = this.byDigest.get(digestHex);
    if (!user || (user.expiresAtMs !== undefined && now >= user.expiresAtMs)) return undefined;
    return { username: user.username, groups: user.groups };
  }

  load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.byDigest = new Map();
      else this.onError(`cannot read ${this.file}: ${(err as Error).message}`);
      return;
    }
    try {
      this.byDigest = parseUsers(JSON.parse(text));
    } catch (err) {
      this.onError(`ignoring ${this.file}: ${(err as Error).message}`);
    }
  }
}

export function parseUsers(doc: unknown): Map<string, FileUser> {
  const users = (doc as { users?: unknown })?.users;
  if (!Array.isArray(users)) throw new Error('"users" must be a list');
  const out = new Map<string, FileUser>();
  users.forEach((u: UsersFileEntry, i) => {
    if (!u || typeof u.name !== 'string' || !u.name) throw new Error(`users[${i}].name must be a non-empty string`);
    if (typeof u.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(u.tokenSha256)) throw new Error(`users[${i}].tokenSha256 must be 64 hex digits`);
    const groups = Array.isArray(u.groups) ? u.groups.filter((g) => typeof g === 'string') : [];
    const expiresAtMs = u.expiresAt === undefined ? undefined : Date.parse(u.expiresAt);
    if (expiresAtMs !== undefined && (typeof u.expiresAt !== 'string' || Number.isNaN(expiresAtMs))) throw new Error(`users[${i}].expiresAt must be an RFC 3339 time`);
    out.set(u.tokenSha256.toLowerCase(), { username: u.name, groups: [...new Set([...groups, 'system:authenticated'])], ...(expiresAtMs !== undefined ? { expiresAtMs } : {}) });
  });
  return out;
}
