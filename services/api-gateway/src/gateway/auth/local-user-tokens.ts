import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the local launcher keeps the tokens of the users it made (`<user>.token`, 0600), for the kubeconfig. */
export const USER_TOKENS_DIR = 'user-tokens';

/**
 * The local users whose tokens the gateway puts in its kubeconfig as extra contexts (`developer@openpacific`).
 * Which of them exist is users.json's business: a token here that is not in users.json just gets a 401.
 */
export async function localUserTokens(dataDir: string): Promise<Array<{ name: string; token: string }>> {
  const dir = join(dataDir, USER_TOKENS_DIR);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.token')).sort();
  } catch {
    return [];
  }
  const out: Array<{ name: string; token: string }> = [];
  for (const f of files) {
    const token = (await readFile(join(dir, f), 'utf8')).trim();
    if (token) out.push({ name: f.slice(0, -'.token'.length), token });
  }
  return out;
}
