import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets are encrypted at rest in the event log: before a Secret is appended its `data`, `stringData` and
 * annotations are replaced by `encrypted`, `openpacific:enc:aes-256-gcm:v1:<key id>:<base64 of iv, tag, ciphertext>`,
 * and whoever reads Secrets from the log (the gateway's read model, the controllers that resolve
 * bootstrap data) decrypts them with the same key. The key id is the first bytes of the key's hash, so a
 * key change is noticed rather than mistaken for corruption.
 */
const PREFIX = 'openpacific:enc:aes-256-gcm:v1:';

export interface SecretKey {
  id: string;
  key: Buffer;
}

/** From config: 32 bytes, base64. */
export function secretKeyFrom(base64: string): SecretKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`the secrets encryption key must be 32 bytes of base64, got ${key.length} bytes`);
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export function encryptSecret(secret: any, k: SecretKey): any {
  const annotations = secret.metadata?.annotations;
  if (secret.encrypted || (secret.data === undefined && secret.stringData === undefined && annotations === undefined)) return secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv);
  // Annotations too: `kubectl apply` keeps the whole manifest, values included, in one of them.
  const plain = Buffer.from(JSON.stringify({ data: secret.data, stringData: secret.stringData, annotations }));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const { data: _d, stringData: _s, ...rest } = secret;
  const { annotations: _a, ...metadata } = secret.metadata ?? {};
  return { ...rest, metadata, encrypted: `${PREFIX}${k.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}` };
}

export function decryptSecret(secret: any, k: SecretKey): any {
  if (typeof secret?.encrypted !== 'string' || !secret.encrypted.startsWith(PREFIX)) return secret;
  const [keyId, payload] = secret.encrypted.slice(PREFIX.length).split(':');
  if (keyId !== k.id) throw new Error(`Secret ${secret.metadata?.namespace}/${secret.metadata?.name} was encrypted with key ${keyId}, not the configured key ${k.id}`);
  const raw = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', k.key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  const { data, stringData, annotations } = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  const { encrypted: _e, ...rest } = secret;
  const metadata = annotations !== undefined ? { ...rest.metadata, annotations } : rest.metadata;
  return { ...rest, metadata, ...(data !== undefined ? { data } : {}), ...(stringData !== undefined ? { stringData } : {}) };
}

/** A log event with its Secret decrypted (other events as they are), for read models. */
export function decryptedEvent<E extends { data: any }>(event: E, k: SecretKey | undefined): E {
  if (!k || event.data?.resource !== 'secrets' || !event.data.object?.encrypted) return event;
  return { ...event, data: { ...event.data, object: decryptSecret(event.data.object, k) } };
}
