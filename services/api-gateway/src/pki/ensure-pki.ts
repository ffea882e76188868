import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate, KeyAndCert } from '@openpacific/kube-api';
import { readIfExists, writeFileAtomic } from './pki-files';

export interface Pki {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

// Renew the serving certificate well before clients would start refusing it.
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

/**
 * The gateway's CA and serving certificate under `${dir}/pki/`: created on
 * first start, reused after. The serving certificate is reissued when the
 * SANs change, when it nears expiry or when it was not signed by this CA.
 */
export async function ensurePki(dir: string, sans: string[]): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  const files = {
    caCert: join(pkiDir, 'ca.crt'),
    caKey: join(pkiDir, 'ca.key'),
    cert: join(pkiDir, 'serving.crt'),
    key: join(pkiDir, 'serving.key'),
  };
  let ca = await readPair(files.caKey, files.caCert);
  if (!ca) {
    ca = await createCertificateAuthority();
    await writeFileAtomic(files.caKey, ca.keyPem, 0o600);
    await writeFileAtomic(files.caCert, ca.certPem, 0o644);
  }
  let serving = await readPair(files.key, files.cert);
  if (!serving || !servingCertFits(serving.certPem, ca.certPem, sans)) {
    serving = await issueServingCertificate(ca, sans);
    await writeFileAtomic(files.key, serving.keyPem, 0o600);
    await writeFileAtomic(files.cert, serving.certPem, 0o644);
  }
  return { caCertPem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

async function readPair(keyFile: string, certFile: string): Promise<KeyAndCert | undefined> {
  const [keyPem, certPem] = await Promise.all([readIfExists(keyFile), readIfExists(certFile)]);
  return keyPem && certPem ? { keyPem, certPem } : undefined;
}

function servingCertFits(certPem: string, caCertPem: string, sans: string[]): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caCertPem);
  if (!cert.verify(ca.publicKey)) return false;
  if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
  return sameSet(certificateSans(cert).map(canonicalSan), sans.map(canonicalSan));
}

// Node prints IPv6 SANs in its own spelling; compare through one canonical form.
function canonicalSan(san: string): string {
  if (isIP(san) === 6) return new URL(`http://[${san}]/`).hostname;
  return san.toLowerCase();
}

/** The SANs of a certificate in our own notation: bare DNS names and IP addresses. */
export function certificateSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''));
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}
