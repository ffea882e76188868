import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from './pki-files';

/** The admin's bearer token: 32 random bytes, base64url, created once in `${dir}/admin.token`. */
export async function ensureAdminToken(dir: string): Promise<string> {
  const file = join(dir, 'admin.token');
  const existing = (await readIfExists(file))?.trim();
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(file, `${token}\n`, 0o600);
  return token;
}
