import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes of users.json: `scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>` (Node's crypto.scrypt, the hash
 * as long as it was made; 64 bytes by default). Only the hash is ever stored; checking a password costs one scrypt.
 */
export const PASSWORD_HASH_FORMAT = 'scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>';
/**
 * N = 2^15, r = 8, p = 1: 32 MiB and about 0.1-0.2 s of one core per check here. OWASP advises N = 2^17 (about a second on
 * these two loaded cores, which every login would then cost the gateway); a stored hash may name larger N.
 */
export const DEFAULT_SCRYPT = { N: 32768, r: 8, p: 1, saltBytes: 16, keyBytes: 64 };
/** Bounds a hash in the file may name: a typo of N must not make every login allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_RP = 64;

export interface PasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Parses a stored hash; throws with what is wrong (users.json's loader names the entry). */
export function parsePasswordHash(text: string): PasswordHash {
  const parts = typeof text === 'string' ? text.split('$') : [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new Error(`must be ${PASSWORD_HASH_FORMAT}`);
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^[1-9][0-9]*$/.test(x) ? Number(x) : NaN));
  if (!Number.isSafeInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) throw new Error(`N must be a power of 2 from 2 to ${MAX_N}`);
  if (!Number.isSafeInteger(r) || r > MAX_RP || !Number.isSafeInteger(p) || p > MAX_RP) throw new Error(`r and p must be integers from 1 to ${MAX_RP}`);
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!b64.test(parts[4]) || !b64.test(parts[5])) throw new Error('the salt and the hash must be base64');
  const salt = Buffer.from(parts[4], 'base64');
  const hash = Buffer.from(parts[5], 'base64');
  if (salt.length < 8 || hash.length < 16) throw new Error('the salt must have 8 bytes or more and the hash 16 or more');
  return { N, r, p, salt, hash };
}

function derive(password: string, h: Omit<PasswordHash, 'hash'>, length: number): Promise<Buffer> {
  // Node refuses parameters needing more than maxmem (32 MiB by default): allow what these parameters need.
  const maxmem = 128 * h.N * h.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), h.salt, length, { N: h.N, r: h.r, p: h.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new hash of `password` in the stored format, with a random salt. */
export async function hashPassword(password: string, params: Partial<typeof DEFAULT_SCRYPT> = {}): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = { ...DEFAULT_SCRYPT, ...params };
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, { N, r, p, salt }, keyBytes);
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Whether `password` is the one `stored` was made from; the comparison takes the same time wherever they differ. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const key = await derive(password, stored, stored.hash.length);
  return timingSafeEqual(key, stored.hash);
}
