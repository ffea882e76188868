import { createServer as createHttpServer, IncomingHttpHeaders, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import { execProbeResult, goQuote, probeResult, ProbeTarget, runProbe } from './probes';

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

  it('follows a redirect to the same host, passes one to another host with a warning, and gives up after ten', async () => {
    const server = createHttpServer((req, res) => {
      const to: Record<string, string> = { '/old': '/healthz', '/away': 'http://example.invalid/healthz', '/loop': '/loop' };
      if (req.url === '/healthz') return res.writeHead(503).end();
      res.writeHead(302, { location: to[req.url ?? ''] }).end('moved');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    expect(await probeResult({ httpGet: { port, path: '/old' } }, target)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
    expect(await probeResult({ httpGet: { port, path: '/away' } }, target)).toEqual({ ok: true, warning: true, message: 'Probe terminated redirects, Response body: moved' });
    expect(await probeResult({ httpGet: { port, path: '/loop' } }, target)).toEqual({ ok: false, message: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
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

describe('a grpc probe', () => {
  /** A grpc.health.v1 server over HTTP/2 without TLS, answering each service as `statuses` says (a missing one: NOT_FOUND). */
  async function healthServer(statuses: Record<string, number>, implemented = true) {
    const seen: string[] = [];
    const server = createHttp2Server((req, res) => {
      seen.push(String(req.headers['user-agent']));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const frame = Buffer.concat(chunks);
        const body = frame.subarray(5);
        const service = body.length ? body.subarray(2, 2 + body[1]).toString() : '';
        res.addTrailers({});
        res.writeHead(200, { 'content-type': 'application/grpc' });
        const status = statuses[service];
        if (!implemented || req.url !== '/grpc.health.v1.Health/Check') {
          res.addTrailers({ 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' });
          return res.end();
        }
        if (status === undefined) {
          res.addTrailers({ 'grpc-status': '5', 'grpc-message': 'unknown service' });
          return res.end();
        }
        const message = status === 0 ? Buffer.alloc(0) : Buffer.from([0x08, status]);
        const head = Buffer.alloc(5);
        head.writeUInt32BE(message.length, 1);
        res.addTrailers({ 'grpc-status': '0' });
        res.end(Buffer.concat([head, message]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port, seen };
  }

  it('is healthy when the health check of its service says SERVING, and words every other answer as kubelet does', async () => {
    const { server, port, seen } = await healthServer({ '': 1, db: 1, down: 2, half: 0 });
    try {
      expect(await probeResult({ grpc: { port } }, target)).toEqual({ ok: true, message: '' });
      expect(await probeResult({ grpc: { port, service: 'db' } }, target)).toEqual({ ok: true, message: '' });
      expect(await probeResult({ grpc: { port, service: 'down' } }, target)).toEqual({ ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
      expect(await probeResult({ grpc: { port, service: 'half' } }, target)).toEqual({ ok: false, message: 'service unhealthy (responded with "UNKNOWN")' });
      expect(await probeResult({ grpc: { port, service: 'ghost' } }, target)).toEqual({ ok: false, message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
      expect(seen[0]).toBe('kube-probe/1.32');
    } finally {
      server.close();
    }
  });

  it('says a server without the health protocol does not implement it, and a closed port did not connect in time', async () => {
    const { server, port } = await healthServer({}, false);
    try {
      expect(await probeResult({ grpc: { port } }, target)).toEqual({ ok: false, message: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health' });
    } finally {
      server.close();
    }
    expect(await probeResult({ grpc: { port }, timeoutSeconds: 2 }, target)).toEqual({ ok: false, message: `timeout: failed to connect service "127.0.0.1:${port}" within 2s` });
  });
});


describe('an exec probe\'s verdict, as kubelet\'s exec prober gives it', () => {
  const answer = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });

  it('passes on exit 0 and fails any other exit with what the command wrote', () => {
    expect(execProbeResult(['true'], 1, answer(0, 'fine\n'), 20)).toEqual({ ok: true, message: '' });
    expect(execProbeResult(['cat', '/tmp/healthy'], 1, answer(1, '', 'cat: can\'t open \'/tmp/healthy\': No such file or directory\n'), 30))
      .toEqual({ ok: false, message: 'cat: can\'t open \'/tmp/healthy\': No such file or directory\n' });
  });

  it('fails a command that ran out of its timeoutSeconds with `command "…" timed out`, not its exit code or output', () => {
    // crx-runtime kills it at its timeout and answers 126, with whatever it wrote by then.
    expect(execProbeResult(['sleep', '5'], 1, answer(126, 'partial'), 1004)).toEqual({ ok: false, message: 'command "sleep 5" timed out' });
    // Killed at its timeout by a runtime whose timer fired by its loop's lagging clock: a hair early by the agent's.
    expect(execProbeResult(['sleep', '5'], 1, answer(126), 999)).toEqual({ ok: false, message: 'command "sleep 5" timed out' });
    expect(execProbeResult(['sh', '-c', 'echo "busy"; sleep 9'], 3, answer(143), 3010)).toEqual({ ok: false, message: 'command "sh -c echo \\"busy\\"; sleep 9" timed out' });
    // A runtime that says so itself is believed, whatever the time.
    expect(execProbeResult(['sleep', '5'], 1, { ...answer(0), timedOut: true }, 5)).toEqual({ ok: false, message: 'command "sleep 5" timed out' });
    // One that failed within its time is the command's own failure.
    expect(execProbeResult(['sleep', '5'], 2, answer(126, '', 'sleep: permission denied\n'), 1500)).toEqual({ ok: false, message: 'sleep: permission denied\n' });
  });

  it("quotes as Go's %q does", () => {
    expect(goQuote('sleep 5')).toBe('"sleep 5"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('tab\there\nand\u001bbell\u0007')).toBe('"tab\\there\\nand\\x1bbell\\a"');
    expect(goQuote('héllo ✓')).toBe('"héllo ✓"');
  });
});
