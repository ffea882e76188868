import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Actor } from '../store/object-writer';
import { parsePasswordHash, PasswordHash } from './passwords';

export interface UsersFileEntry {
  name: string;
  groups?: string[];
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  tokenSha256?: string;
  /** `scrypt$N$r$p$salt$hash` (passwords.ts): the user may sign in with a password (`POST /wcp/login`). */
  passwordHash?: string;
  /** RFC 3339: after this the token is refused (401), as an expired token is; so are the password and its sessions. */
  expiresAt?: string;
}

/** A user of the file, with the time its token stops working (ms since the epoch), if any. */
export interface FileUser extends Actor {
  expiresAtMs?: number;
}

/** A user who may sign in with a password, by name. */
export interface PasswordUser extends FileUser {
  password: PasswordHash;
}

export interface ParsedUsers {
  byDigest: Map<string, FileUser>;
  byName: Map<string, PasswordUser>;
}

/**
 * `DATA_DIR/users.json`: `{ "users": [{ "name", "groups", "tokenSha256", "passwordHash" }] }`, read at start and again
 * whenever it changes (polled every 2 s). A missing file means no users; an unreadable one keeps the last good list.
 */
export class UsersFile {
  private users: ParsedUsers = { byDigest: new Map(), byName: new Map() };

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
    const user = this.users.byDigest.get(digestHex);
    if (!user || expired(user, now)) return undefined;
    return { username: user.username, groups: user.groups };
  }

  /** The user of that name who has a password, unless the entry has expired (a removed user is no longer here). */
  passwordUser(name: string, now = Date.now()): PasswordUser | undefined {
    const user = this.users.byName.get(name);
    return user && !expired(user, now) ? user : undefined;
  }

  load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.users = { byDigest: new Map(), byName: new Map() };
      else this.onError(`cannot read ${this.file}: ${(err as Error).message}`);
      return;
    }
    try {
      this.users = parseUsersFile(JSON.parse(text));
    } catch (err) {
      this.onError(`ignoring ${this.file}: ${(err as Error).message}`);
    }
  }
}

const expired = (user: FileUser, now: number) => user.expiresAtMs !== undefined && now >= user.expiresAtMs;

/** The users of the file by token digest (the bearer tokens it holds). */
export function parseUsers(doc: unknown): Map<string, FileUser> {
  return parseUsersFile(doc).byDigest;
}

/**
 * Every entry needs a name and a token digest, a password hash or both. A name may carry a password once: two
 * entries with a password for one name would make a login's groups depend on which one matched.
 */
export function parseUsersFile(doc: unknown): ParsedUsers {
  const users = (doc as { users?: unknown })?.users;
  if (!Array.isArray(users)) throw new Error('"users" must be a list');
  const out: ParsedUsers = { byDigest: new Map(), byName: new Map() };
  users.forEach((u: UsersFileEntry, i) => {
    if (!u || typeof u.name !== 'string' || !u.name) throw new Error(`users[${i}].name must be a non-empty string`);
    if (u.tokenSha256 === undefined && u.passwordHash === undefined) throw new Error(`users[${i}] needs a tokenSha256 or a passwordHash`);
    if (u.tokenSha256 !== undefined && (typeof u.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(u.tokenSha256))) throw new Error(`users[${i}].tokenSha256 must be 64 hex digits`);
    const groups = Array.isArray(u.groups) ? u.groups.filter((g) => typeof g === 'string') : [];
    const expiresAtMs = u.expiresAt === undefined ? undefined : Date.parse(u.expiresAt);
    if (expiresAtMs !== undefined && (typeof u.expiresAt !== 'string' || Number.isNaN(expiresAtMs))) throw new Error(`users[${i}].expiresAt must be an RFC 3339 time`);
    const user: FileUser = { username: u.name, groups: [...new Set([...groups, 'system:authenticated'])], ...(expiresAtMs !== undefined ? { expiresAtMs } : {}) };
    if (u.tokenSha256 !== undefined) out.byDigest.set(u.tokenSha256.toLowerCase(), user);
    if (u.passwordHash !== undefined) {
      let password: PasswordHash;
      try {
        password = parsePasswordHash(u.passwordHash);
      } catch (err) {
        throw new Error(`users[${i}].passwordHash ${(err as Error).message}`);
      }
      if (out.byName.has(u.name)) throw new Error(`users[${i}].passwordHash: user ${JSON.stringify(u.name)} already has a password`);
      out.byName.set(u.name, { ...user, password });
    }
  });
  return out;
}
