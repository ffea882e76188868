import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfPresent, writeJsonAtomic } from './json-file';

/** The users a local cluster comes with besides admin; what they may do is up to the bindings an admin makes. */
export const LOCAL_USERS = [
  { name: 'developer', groups: ['developers'] },
  { name: 'viewer', groups: ['viewers'] },
];

interface UsersDoc {
  users: Array<{ name: string; groups?: string[]; tokenSha256: string }>;
}

/**
 * Makes each local user's token once (DATA_DIR/user-tokens/<name>.token, 0600: the gateway copies it into
 * the kubeconfig as context `<name>@openpacific`) and puts its SHA-256 in DATA_DIR/users.json, keeping
 * every other user of that file as it is.
 */
export function ensureLocalUsers(dataDir: string, users = LOCAL_USERS): void {
  const dir = join(dataDir, 'user-tokens');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'users.json');
  const doc = readJsonIfPresent<UsersDoc>(file) ?? { users: [] };
  if (!Array.isArray(doc.users)) doc.users = [];
  let changed = !existsSync(file);
  for (const u of users) {
    const tokenFile = join(dir, `${u.name}.token`);
    if (!existsSync(tokenFile)) writeFileSync(tokenFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    const tokenSha256 = createHash('sha256').update(readFileSync(tokenFile, 'utf8').trim()).digest('hex');
    const entry = { name: u.name, groups: u.groups, tokenSha256 };
    const at = doc.users.findIndex((x) => x?.name === u.name);
    if (at >= 0 && JSON.stringify(doc.users[at]) === JSON.stringify(entry)) continue;
    if (at >= 0) doc.users[at] = entry;
    else doc.users.push(entry);
    changed = true;
  }
  if (changed) writeJsonAtomic(file, doc);
}
