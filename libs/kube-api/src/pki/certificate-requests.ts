import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, verify, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KeyAndCert } from './certificates';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** What a PKCS#10 request asks for, once its signature is checked. */
export interface CertificateRequestInfo {
  commonName?: string;
  organizations: string[];
  /** The request's own PEM, re-encoded (the key and subject the certificate will carry). */
  request: x509.Pkcs10CertificateRequest;
}

const REQUEST_BLOCK = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]+?-----END CERTIFICATE REQUEST-----/;

/**
 * Parses a PEM `CERTIFICATE REQUEST` and checks its signature with the key it carries (RSA or ECDSA), as
 * kube-apiserver does before it stores a CertificateSigningRequest. The error is the reason, worded as Go's.
 */
export function parseCertificateRequest(pem: string): CertificateRequestInfo | { error: string } {
  const block = REQUEST_BLOCK.exec(pem)?.[0];
  if (!block) return { error: 'PEM block type must be CERTIFICATE REQUEST' };
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(block);
  } catch (err) {
    return { error: `asn1: ${(err as Error).message}` };
  }
  try {
    const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
    const hash = (request.signatureAlgorithm as { hash?: { name?: string } }).hash?.name?.replace('-', '').toLowerCase() ?? 'sha256';
    if (!verify(hash, signedPart(Buffer.from(request.rawData)), key, Buffer.from(request.signature))) return { error: 'x509: signature verification failure' };
  } catch (err) {
    return { error: `x509: cannot verify signature: ${(err as Error).message}` };
  }
  return { commonName: request.subjectName.getField('CN')[0], organizations: request.subjectName.getField('O'), request };
}

/**
 * The DER of a request's CertificationRequestInfo (what its signature covers): the first element of the outer
 * SEQUENCE, taken as it was sent rather than encoded again.
 */
function signedPart(der: Buffer): Buffer {
  const header = (at: number) => {
    const first = der[at + 1];
    if (first < 0x80) return { start: at + 2, length: first };
    const count = first & 0x7f;
    let length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[at + 2 + i];
    return { start: at + 2 + count, length };
  };
  const inner = header(0).start;
  const info = header(inner);
  return der.subarray(inner, info.start + info.length);
}

/** Why `pem` is not one or more PEM CERTIFICATE blocks (kube-apiserver's check of `status.certificate`), if it is not. */
export function certificateChainProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g) ?? [];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const block of blocks) {
    const type = /-----BEGIN ([^-]+)-----/.exec(block)![1];
    if (type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${type}"`;
    try {
      new X509Certificate(block);
    } catch (err) {
      return `x509: malformed certificate: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** Key usages of a request (certificates.k8s.io's words) as X.509 key usage bits and extended key usages. */
const KEY_USAGE_BITS: Record<string, x509.KeyUsageFlags> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const EXTENDED_USAGES: Record<string, string> = {
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
};
// Tolerates clients whose clocks run a little behind ours, as the CA's own certificates do.
const BACKDATE_MS = 5 * 60_000;
const SUBJECT_ALT_NAME = '2.5.29.17';

/**
 * Signs the request's key and subject (its subjectAltName extension too) with the CA, for `durationSeconds` and the
 * given usages, never as a CA; the certificate's PEM.
 */
export async function signCertificateRequest(ca: KeyAndCert, requestPem: string, usages: string[], durationSeconds: number): Promise<string> {
  const parsed = parseCertificateRequest(requestPem);
  if ('error' in parsed) throw new Error(parsed.error);
  const caCert = new x509.X509Certificate(ca.certPem);
  const pkcs8 = createPrivateKey(ca.keyPem).export({ format: 'der', type: 'pkcs8' });
  const signingAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, signingAlgorithm, false, ['sign']);
  const bits = usages.reduce((flags, u) => flags | (KEY_USAGE_BITS[u] ?? 0), 0);
  const extended = usages.map((u) => EXTENDED_USAGES[u]).filter((u): u is string => !!u);
  const san = parsed.request.getExtension(SUBJECT_ALT_NAME) as x509.SubjectAlternativeNameExtension | null;
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    issuer: caCert.subject,
    subject: parsed.request.subject,
    notBefore,
    notAfter: new Date(Date.now() + durationSeconds * 1000),
    signingAlgorithm,
    publicKey: parsed.request.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(bits ? [new x509.KeyUsagesExtension(bits, true)] : []),
      ...(extended.length ? [new x509.ExtendedKeyUsageExtension(extended)] : []),
      ...(san ? [new x509.SubjectAlternativeNameExtension(san.names.toJSON())] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString('pem');
}
