import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { kubernetesServiceAddress, LOOPBACK_NETWORK } from '@openpacific/contracts';
import { createCertificateAuthority, issueServingCertificate, KeyAndCert } from '@openpacific/kube-api';
import { readIfExists, writeFileAtomic } from './pki-files';

export interface Pki {
  caCertPem: string;
  /** The CA's key: the gateway that leads signs approved client certificate requests with it (controllers/csr-signer.ts). */
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

// Renew the serving certificate well before clients would start refusing it.
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

/** The names pods reach the API by through the `kubernetes` Service in `default` (kube-apiserver's own). */
export const KUBERNETES_SERVICE_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/**
 * What the serving certificate names: the configured SANs (TLS_SANS), then the `kubernetes` Service's DNS names and
 * cluster IP (the service range's first address), as kube-apiserver adds them to its own; each once.
 */
export function servingCertificateSans(configured: string[], serviceCIDR: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const san of [...configured, ...KUBERNETES_SERVICE_NAMES, kubernetesServiceAddress({ ...LOOPBACK_NETWORK, serviceCIDR })]) {
    const key = canonicalSan(san);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(san);
  }
  return out;
}

/**
 * The gateway's CA and serving certificate under `${dir}/pki/`: created on
 * first start, reused after. The serving certificate is reissued (by the same
 * CA, which is never replaced while its files are there) when its SANs differ
 * from `sans` (a data directory from before the `kubernetes` Service names gets
 * them so), when it nears expiry or when it was not signed by this CA.
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
  return { caCertPem: ca.certPem, caKeyPem: ca.keyPem, certPem: serving.certPem, keyPem: serving.keyPem };
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
