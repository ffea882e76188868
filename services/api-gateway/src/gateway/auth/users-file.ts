import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Actor } from '../store/object-writer';

export interface UsersFileEntry {
  name: string;
  groups?: string[];
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  tokenSha256: string;
}

/**
 * `DATA_DIR/users.json`: `{ "users": [{ "name", "groups", "tokenSha256" }] }`, read at start and again whenever
 * it changes (polled every 2 s). A missing file means no users; an unreadable one keeps the last good list.
 */
export class UsersFile {
  private byDigest = new Map<string, Actor>();

  constructor(private readonly file: string, private readonly onError: (message: string) => void = () => undefined) {}

  start(): void {
    this.load();
    watchFile(this.file, { interval: 2000 }, () => this.load());
  }

  stop(): void {
    unwatchFile(this.file);
  }

  lookup(digestHex: string): Actor | undefined {
    return this.byDigest.get(digestHex);
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

export function parseUsers(doc: unknown): Map<string, Actor> {
  const users = (doc as { users?: unknown })?.users;
  if (!Array.isArray(users)) throw new Error('"users" must be a list');
  const out = new Map<string, Actor>();
  users.forEach((u: UsersFileEntry, i) => {
    if (!u || typeof u.name !== 'string' || !u.name) throw new Error(`users[${i}].name must be a non-empty string`);
    if (typeof u.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(u.tokenSha256)) throw new Error(`users[${i}].tokenSha256 must be 64 hex digits`);
    const groups = Array.isArray(u.groups) ? u.groups.filter((g) => typeof g === 'string') : [];
    out.set(u.tokenSha256.toLowerCase(), { username: u.name, groups: [...new Set([...groups, 'system:authenticated'])] });
  });
  return out;
}
