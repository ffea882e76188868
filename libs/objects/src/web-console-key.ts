import { constants, createPublicKey, createHash, KeyObject, publicEncrypt, randomBytes } from 'node:crypto';

/**
 * The public key of a web console request, as VM Operator reads it: the first PEM block must be a `PUBLIC KEY`
 * whose body is an RSA key in PKCS#1 form (Go's `x509.ParsePKCS1PublicKey`; the kubectl-vsphere plugin sends its key
 * so). The two refusals are the validating webhook's wordings.
 */
export function webConsolePublicKey(pem: string): KeyObject | { invalid: 'invalid public key format' | 'invalid public key' } {
  const block = /-----BEGIN ([^\n-]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!block || block[1] !== 'PUBLIC KEY') return { invalid: 'invalid public key format' };
  const body = block[2].replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return { invalid: 'invalid public key format' };
  try {
    return createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'pkcs1' });
  } catch {
    return { invalid: 'invalid public key' };
  }
}

/**
 * A console ticket URL encrypted for the requester, as VM Operator's EncryptWebMKS does: RSA-OAEP with SHA-512 (as
 * the OAEP and the MGF1 digest), no label, base64. Only the holder of the private key reads the URL.
 */
export function encryptWebConsoleResponse(publicKeyPem: string, plaintext: string): string {
  const key = webConsolePublicKey(publicKeyPem);
  if (!(key instanceof KeyObject)) throw Object.assign(new Error(`failed to decode PEM block containing public key: ${key.invalid}`), { code: 'WEBCONSOLE.INVALID_KEY' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' }, Buffer.from(plaintext)).toString('base64');
}

/** A new one-time console ticket: 24 random bytes, URL-safe base64 (32 characters). */
export function newWebConsoleTicket(): string {
  return randomBytes(24).toString('base64url');
}

/** What a request keeps of its ticket (the ticket itself is only in the encrypted response): its SHA-256, hex. */
export function webConsoleTicketHash(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

/** The console's URL for a ticket, as VM Operator's is (`wss://<host>:<port>/ticket/<ticket>`), at the proxy clients reach. */
export function webConsoleTicketUrl(proxyAddr: string, ticket: string): string {
  return `wss://${proxyAddr}/ticket/${ticket}`;
}
