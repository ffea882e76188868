import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfPresent, writeJsonAtomic } from './json-file';

/** The users a local cluster comes with besides admin; what they may do is up to the bindings an admin makes. */
export const LOCAL_USERS = [
  { name: 'developer', groups: ['developers'] },
  { name: 'viewer', groups: ['viewers'] },
];

interface UsersDoc {
  users: Array<{ name: string; groups?: string[]; tokenSha256: string; passwordHash?: string }>;
}

/** The gateway's users.json password format (services/api-gateway auth/passwords.ts): scrypt$N$r$p$salt$hash. */
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function hashPassword(password: string, salt = randomBytes(16)): string {
  const hash = scryptSync(password.normalize('NFC'), salt, 64, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Whether `stored` (this format, any parameters) was made from `password`; false for anything unreadable. */
function hashMatches(password: string, stored: string | undefined): boolean {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  try {
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const want = Buffer.from(parts[5], 'base64');
    const got = scryptSync(password.normalize('NFC'), Buffer.from(parts[4], 'base64'), want.length, { N, r, p, maxmem: 128 * N * r * 2 + 1024 * 1024 });
    return want.length > 0 && timingSafeEqual(got, want);
  } catch {
    return false;
  }
}

/** A random password that is easy to paste (no characters a shell or a prompt treats specially). */
const newPassword = () => randomBytes(18).toString('base64url');

/**
 * Makes each local user's token and password once (DATA_DIR/user-tokens/<name>.token and
 * DATA_DIR/user-passwords/<name>.password, 0600; the gateway copies the token into the kubeconfig as context
 * `<name>@openpacific`, the password is for `kubectl vsphere login`) and puts the token's SHA-256 and the
 * password's scrypt hash in DATA_DIR/users.json, keeping every other user of that file as it is. A password
 * file edited by hand is hashed again at the next start.
 */
export function ensureLocalUsers(dataDir: string, users = LOCAL_USERS): void {
  const dir = join(dataDir, 'user-tokens');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwords = join(dataDir, 'user-passwords');
  mkdirSync(passwords, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'users.json');
  const doc = readJsonIfPresent<UsersDoc>(file) ?? { users: [] };
  if (!Array.isArray(doc.users)) doc.users = [];
  let changed = !existsSync(file);
  for (const u of users) {
    const tokenFile = join(dir, `${u.name}.token`);
    if (!existsSync(tokenFile)) writeFileSync(tokenFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    const tokenSha256 = createHash('sha256').update(readFileSync(tokenFile, 'utf8').trim()).digest('hex');
    const passwordFile = join(passwords, `${u.name}.password`);
    if (!existsSync(passwordFile)) writeFileSync(passwordFile, `${newPassword()}\n`, { mode: 0o600 });
    const password = readFileSync(passwordFile, 'utf8').trim();
    const at = doc.users.findIndex((x) => x?.name === u.name);
    // Hashed again only when the stored hash is not the password's (a new salt would rewrite the file every start).
    const known = at >= 0 ? doc.users[at].passwordHash : undefined;
    const entry = { name: u.name, groups: u.groups, tokenSha256, passwordHash: hashMatches(password, known) ? known! : hashPassword(password) };
    if (at >= 0 && JSON.stringify(doc.users[at]) === JSON.stringify(entry)) continue;
    if (at >= 0) doc.users[at] = entry;
    else doc.users.push(entry);
    changed = true;
  }
  if (changed) writeJsonAtomic(file, doc);
}
