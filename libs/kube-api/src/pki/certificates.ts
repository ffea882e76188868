import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

const CA_YEARS = 10;
const SERVING_YEARS = 1;
// Tolerates clients whose clocks run a little behind ours.
const BACKDATE_MS = 5 * 60_000;

function generateKeyPair(): Promise<forge.pki.rsa.KeyPair> {
  // With a callback forge uses Node's native generator, which is fast and does not block.
  return new Promise((resolve, reject) =>
    forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 }, (err, keys) => (err ? reject(err) : resolve(keys))),
  );
}

function newCertificate(publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: clear the top bit of the first byte.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - BACKDATE_MS);
  cert.validity.notAfter = new Date(cert.validity.notBefore);
  cert.validity.notAfter.setFullYear(cert.validity.notAfter.getFullYear() + years);
  return cert;
}

/** A self-signed certificate authority that signs the gateway's serving certificates. */
export async function createCertificateAuthority(commonName = 'openpacific-ca'): Promise<KeyAndCert> {
  const keys = await generateKeyPair();
  const cert = newCertificate(keys.publicKey, CA_YEARS);
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'OpenPacific' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keyPem: forge.pki.privateKeyToPem(keys.privateKey), certPem: forge.pki.certificateToPem(cert) };
}

/** A TLS server certificate for `sans` (DNS names and IP addresses), signed by the CA. */
export async function issueServingCertificate(ca: KeyAndCert, sans: string[]): Promise<KeyAndCert> {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = await generateKeyPair();
  const cert = newCertificate(keys.publicKey, SERVING_YEARS);
  cert.setSubject([{ name: 'commonName', value: sans.find((s) => !isIP(s)) ?? 'api-gateway' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: sans.map(altName) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: forge.pki.privateKeyToPem(keys.privateKey), certPem: forge.pki.certificateToPem(cert) };
}

function altName(san: string): { type: number; value?: string; ip?: string } {
  // GeneralName tags: 2 = dNSName, 7 = iPAddress.
  return isIP(san) ? { type: 7, ip: san } : { type: 2, value: san };
}
