import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject, randomBytes } from 'node:crypto';
import { link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readIfExists, writeFileAtomic } from './pki-files';

/** The key pair ServiceAccount tokens are signed with (RS256) and verified by, with the key id their header names. */
export interface ServiceAccountSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** kube-apiserver's key id: the SHA-256 of the public key's DER (PKIX) form, base64url without padding. */
  kid: string;
}

/** The signer of a private key in PEM. */
export function signerFromPem(pem: string): ServiceAccountSigner {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  return { privateKey, publicKey, kid };
}

/**
 * The key the gateway signs ServiceAccount tokens with (TokenRequest, `kubectl create token`, pods' projected
 * tokens): an RSA 2048 private key in DATA_DIR/pki/sa.key (PKCS#8 PEM), made on first start and shared by the
 * gateway's replicas as its PKI is. Whoever holds the public half (served at /openid/v1/jwks) can check a token;
 * only the gateway can sign one. Of two replicas starting at once, the first key written is the one both use.
 */
export async function ensureServiceAccountKey(dir: string): Promise<ServiceAccountSigner> {
  const file = join(dir, 'pki', 'sa.key');
  const existing = await readIfExists(file);
  if (existing?.trim()) return signerFromPem(existing);
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const tmp = `${file}.${randomBytes(4).toString('hex')}.new`;
  await writeFileAtomic(tmp, pem, 0o600);
  try {
    // A hard link never replaces a file: a key another replica wrote first stays, and is read back.
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return signerFromPem((await readIfExists(file))!);
}

/**
 * DATA_DIR/pki/sa.pub: the public half in PEM, for what checks the issuer's tokens outside the gateway (cluster-api
 * gives it to guest clusters, whose gateways take the Supervisor's `kubectl vsphere login` sessions). Rewritten only
 * when it differs.
 */
export async function publishServiceAccountPublicKey(dir: string, signer: ServiceAccountSigner): Promise<string> {
  const file = join(dir, 'pki', 'sa.pub');
  const pem = signer.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  if ((await readIfExists(file)) !== pem) await writeFileAtomic(file, pem, 0o644);
  return file;
}
