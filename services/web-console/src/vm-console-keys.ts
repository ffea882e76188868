import { base64ToBytes, pemBlock, spkiToPkcs1 } from './der';

/** RSA-OAEP with SHA-512 (for OAEP and, in WebCrypto, MGF1 too): how VM Operator encrypts a console ticket URL. */
const OAEP: RsaHashedKeyGenParams = { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-512' };

export interface ConsoleKeys {
  /** The public key as VM Operator wants it in `spec.publicKey`: the PKCS#1 body in a `PUBLIC KEY` block. */
  publicKeyPem: string;
  /** Reads a request's `status.response` (base64 of the encrypted ticket URL). */
  decrypt(response: string): Promise<string>;
}

/**
 * A fresh key pair for one console request. The private key is made non-extractable: it never leaves the browser's
 * key store, not even to this page's script, and is dropped with the page.
 */
export async function newConsoleKeys(subtle: SubtleCrypto = crypto.subtle): Promise<ConsoleKeys> {
  const pair = (await subtle.generateKey(OAEP, false, ['encrypt', 'decrypt'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  return {
    publicKeyPem: pemBlock('PUBLIC KEY', spkiToPkcs1(spki)),
    async decrypt(response) {
      let cipher: Uint8Array;
      try {
        cipher = base64ToBytes(response);
      } catch {
        throw new Error('the console request\'s status.response is not base64');
      }
      try {
        return new TextDecoder().decode(await subtle.decrypt({ name: 'RSA-OAEP' }, pair.privateKey, cipher as BufferSource));
      } catch {
        throw new Error('the console request\'s status.response does not decrypt with this page\'s key (RSA-OAEP, SHA-512)');
      }
    },
  };
}
