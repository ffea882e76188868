import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from './pki-files';

/**
 * The key the gateway signs ServiceAccount tokens with (TokenRequest, `kubectl create token`): 32 random bytes in
 * DATA_DIR/pki/service-account.key, made on first start and shared by the gateway's replicas as its PKI is. Only
 * the gateway holds it: the other services never see a token they could not have been given.
 */
export async function ensureServiceAccountKey(dir: string): Promise<Buffer> {
  const file = join(dir, 'pki', 'service-account.key');
  const existing = (await readIfExists(file))?.trim();
  if (existing) return Buffer.from(existing, 'base64');
  const key = randomBytes(32);
  await writeFileAtomic(file, `${key.toString('base64')}\n`, 0o600);
  return key;
}
