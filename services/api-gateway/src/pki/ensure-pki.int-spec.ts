import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { certificateSans, ensurePki, servingCertificateSans } from './ensure-pki';

describe('ensurePki', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pki-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a CA and a serving certificate for the DNS names and IPs given, signed by that CA', async () => {
    const pki = await ensurePki(dir, ['localhost', '127.0.0.1', 'api-gateway']);
    const ca = new X509Certificate(pki.caCertPem);
    const cert = new X509Certificate(pki.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(pki.keyPem))).toBe(true);
    expect(certificateSans(cert).sort()).toEqual(['127.0.0.1', 'api-gateway', 'localhost']);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('api-gateway')).toBe('api-gateway');
    const years = (d: string) => new Date(d).getUTCFullYear();
    expect(years(ca.validTo) - years(ca.validFrom)).toBe(10);
    expect(years(cert.validTo) - years(cert.validFrom)).toBe(1);
  });

  it('stores keys readable by the owner only', async () => {
    await ensurePki(dir, ['localhost']);
    expect(statSync(join(dir, 'pki', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'pki', 'serving.key')).mode & 0o777).toBe(0o600);
  });

  it('reuses the files on a second call', async () => {
    const first = await ensurePki(dir, ['localhost', '127.0.0.1']);
    const second = await ensurePki(dir, ['127.0.0.1', 'localhost']);
    expect(second).toEqual(first);
  });

  it('reissues only the serving certificate when the SANs change', async () => {
    const first = await ensurePki(dir, ['localhost']);
    const second = await ensurePki(dir, ['localhost', 'gateway.example.com', '::1']);
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.certPem).not.toBe(first.certPem);
    expect(certificateSans(new X509Certificate(second.certPem))).toContain('gateway.example.com');
    expect((await ensurePki(dir, ['localhost', 'gateway.example.com', '::1'])).certPem).toBe(second.certPem);
  });

  it('gives a data directory from before the kubernetes Service names a serving certificate with them, by the same CA', async () => {
    const before = await ensurePki(dir, ['localhost', '127.0.0.1', 'api-gateway']);
    const caKey = readFileSync(join(dir, 'pki', 'ca.key'), 'utf8');
    const sans = servingCertificateSans(['localhost', '127.0.0.1', 'api-gateway'], '10.96.0.0/16');
    const after = await ensurePki(dir, sans);
    expect(after.caCertPem).toBe(before.caCertPem);
    expect(readFileSync(join(dir, 'pki', 'ca.key'), 'utf8')).toBe(caKey);
    expect(after.certPem).not.toBe(before.certPem);
    const cert = new X509Certificate(after.certPem);
    expect(cert.verify(new X509Certificate(after.caCertPem).publicKey)).toBe(true);
    expect(certificateSans(cert).sort()).toEqual([...sans].sort());
    expect(cert.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(cert.checkIP('10.96.0.1')).toBe('10.96.0.1');
    // Started again with the same configuration: the new certificate is kept.
    expect((await ensurePki(dir, sans)).certPem).toBe(after.certPem);
    expect(readFileSync(join(dir, 'pki', 'serving.crt'), 'utf8')).toBe(after.certPem);
  });

  it('serves TLS that a client trusting only the CA accepts', async () => {
    const pki = await ensurePki(dir, ['localhost', '127.0.0.1']);
    const server = createServer({ key: pki.keyPem, cert: pki.certPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const servername of ['localhost', undefined]) {
        const authorized = await new Promise<boolean>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: pki.caCertPem, servername }, () => {
            resolve(socket.authorized);
            socket.end();
          });
          socket.on('error', reject);
        });
        expect(authorized).toBe(true);
      }
    } finally {
      server.close();
    }
  });
});
