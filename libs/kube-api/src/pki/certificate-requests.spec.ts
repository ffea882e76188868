import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCertificateAuthority } from './certificates';
import { certificateChainProblem, parseCertificateRequest, signCertificateRequest } from './certificate-requests';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function requestPem(name: string, algorithm: typeof RSA | typeof EC, extensions: x509.Extension[] = []): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: algorithm, extensions });
  return csr.toString('pem');
}

describe('certificate requests', () => {
  it('reads the subject of RSA and ECDSA requests whose signatures hold', async () => {
    const rsa = parseCertificateRequest(await requestPem('CN=jane, O=dev, O=ops', RSA));
    expect(rsa).toMatchObject({ commonName: 'jane', organizations: ['dev', 'ops'] });
    const ec = parseCertificateRequest(await requestPem('CN=bob', EC));
    expect(ec).toMatchObject({ commonName: 'bob', organizations: [] });
  });

  it('refuses what is no request, and a request whose signature does not match its content', async () => {
    expect(parseCertificateRequest('hello')).toEqual({ error: 'PEM block type must be CERTIFICATE REQUEST' });
    expect(parseCertificateRequest('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----')).toMatchObject({ error: expect.stringMatching(/^asn1: /) });
    const pem = await requestPem('CN=jane', RSA);
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    // The subject's "jane" becomes "jama": the content the signature covers changed.
    const at = der.indexOf(Buffer.from('jane'));
    der.write('jama', at);
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
    expect(parseCertificateRequest(tampered)).toEqual({ error: 'x509: signature verification failure' });
  });

  it('signs a client certificate from the CA with the subject, SANs, usages and lifetime asked for, never as a CA', async () => {
    const ca = await createCertificateAuthority();
    const san = new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'jane.example.com' }]);
    const pem = await signCertificateRequest(ca, await requestPem('CN=jane, O=dev', EC, [san]), ['digital signature', 'client auth'], 3600);
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe('CN=jane\nO=dev');
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.subjectAltName).toBe('DNS:jane.example.com');
    const lifetime = Date.parse(cert.validTo) - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    expect(certificateChainProblem(pem)).toBeUndefined();
    expect(certificateChainProblem(`${pem}${ca.certPem}`)).toBeUndefined();
  });

  it("says why a status certificate is not PEM certificates, as kube-apiserver's check does", () => {
    expect(certificateChainProblem('')).toBe('must contain at least one CERTIFICATE PEM block');
    expect(certificateChainProblem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).toBe('only CERTIFICATE PEM blocks are allowed, found "PRIVATE KEY"');
    expect(certificateChainProblem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toMatch(/^x509: malformed certificate: /);
  });
});
