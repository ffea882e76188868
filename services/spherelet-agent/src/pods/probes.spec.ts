import { createServer as createHttpServer, IncomingHttpHeaders, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import { probeResult, ProbeTarget, runProbe } from './probes';

/** A server answering `status` to every GET, remembering the headers it got. */
async function listening(make: (handler: (req: any, res: any) => void) => Server, status = 200): Promise<{ server: Server; port: number; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = make((req, res) => {
    seen.push(req.headers);
    res.writeHead(status).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => ({ ok: true, message: '' }) };

describe('an httpGet probe or hook', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it("names itself as kubelet's prober does, or as its hook runner, and lets the probe's own headers replace kubelet's", async () => {
    const { server, port, seen } = await listening((h) => createHttpServer(h));
    servers.push(server);
    expect(await runProbe({ httpGet: { port, path: '/healthz' } }, target)).toBe(true);
    expect(await runProbe({ httpGet: { port } }, target, 'kube-lifecycle')).toBe(true);
    expect(await runProbe({ httpGet: { port, httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'X-Probe', value: '1' }] } }, target)).toBe(true);
    expect(seen.map((h) => h['user-agent'])).toEqual(['kube-probe/1.32', 'kube-lifecycle/1.32', 'mine']);
    expect(seen[0].accept).toBe('*/*');
    expect(seen[2]['x-probe']).toBe('1');
  });

  it('speaks TLS for scheme HTTPS without checking the certificate (as kubelet), and plain HTTP to a TLS port fails', async () => {
    const ca = await createCertificateAuthority('probe-spec-ca');
    const cert = await issueServingCertificate(ca, ['127.0.0.1']);
    const { server, port, seen } = await listening((h) => createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, h));
    servers.push(server);
    expect(await runProbe({ httpGet: { port, scheme: 'HTTPS', path: '/' }, timeoutSeconds: 2 }, target)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(await runProbe({ httpGet: { port, path: '/' }, timeoutSeconds: 2 }, target)).toBe(false);
  });

  it('fails on an answer outside 2xx/3xx and on a closed port', async () => {
    const { server, port } = await listening((h) => createHttpServer(h), 500);
    servers.push(server);
    expect(await runProbe({ httpGet: { port } }, target)).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await runProbe({ httpGet: { port } }, target)).toBe(false);
  });
});

describe("a failed probe's reason, in kubelet's words", () => {
  it('names the status of an HTTP answer, and the refused connection of an HTTP or TCP probe', async () => {
    const { server, port } = await listening((h) => createHttpServer(h), 503);
    expect(await probeResult({ httpGet: { port, path: '/healthz' } }, target)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
    expect(await probeResult({ tcpSocket: { port } }, target)).toEqual({ ok: true, message: '' });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probeResult({ httpGet: { port, path: '/healthz' } }, target)).toEqual({
      ok: false,
      message: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
    expect(await probeResult({ tcpSocket: { port } }, target)).toEqual({ ok: false, message: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });

  it('says an HTTP probe timed out as Go\'s client does, and passes an exec probe\'s output on', async () => {
    const { server, port } = await listening((h) => createHttpServer((req, res) => setTimeout(() => h(req, res), 1500)));
    try {
      expect(await probeResult({ httpGet: { port }, timeoutSeconds: 1 }, target)).toEqual({
        ok: false,
        message: `Get "http://127.0.0.1:${port}/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const failing: ProbeTarget = { ...target, exec: async (command) => ({ ok: false, message: `${command[1]}: No such file or directory\n` }) };
    expect(await probeResult({ exec: { command: ['cat', '/tmp/healthy'] } }, failing)).toEqual({ ok: false, message: '/tmp/healthy: No such file or directory\n' });
    expect(await runProbe({ exec: { command: ['cat', '/tmp/healthy'] } }, failing)).toBe(false);
  });
});
