import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import { eventually } from '@openpacific/testing';
import { BenchClient } from './https-client';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A real node:https server on 127.0.0.1 with a certificate from its own CA; `handle` answers each request. */
async function tlsServer(handle: Handler): Promise<{ url: string; ca: string; server: Server; connections: () => number }> {
  const ca = await createCertificateAuthority();
  const serving = await issueServingCertificate(ca, ['127.0.0.1', 'localhost']);
  let connections = 0;
  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: ca.certPem, server, connections: () => connections };
}

/** Answers what it was sent: method, path, the headers a client chose, and the body. */
const echo: Handler = (req, body, res) => {
  const { authorization, accept, host } = req.headers;
  const json = JSON.stringify({ method: req.method, url: req.url, authorization, accept, host, type: req.headers['content-type'], length: req.headers['content-length'], body });
  res.writeHead(req.url === '/created' ? 201 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
};

describe('BenchClient (undici pool of keep-alive TLS connections)', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
  const start = async (handle: Handler) => {
    const s = await tlsServer(handle);
    servers.push(s.server);
    return s;
  };

  it('sends the method, path, token, Host and a JSON body with its type and byte length, and reads the answer', async () => {
    const s = await start(echo);
    const client = new BenchClient(s.url, s.ca, 'tok-1');
    try {
      const get = await client.call('GET', '/api/v1/namespaces/a/configmaps?limit=5');
      expect(get.status).toBe(200);
      expect(JSON.parse(get.body)).toEqual({ method: 'GET', url: '/api/v1/namespaces/a/configmaps?limit=5', authorization: 'Bearer tok-1', accept: 'application/json', host: new URL(s.url).host, body: '' });
      const patch = await client.call('PATCH', '/created', { data: { k: 'välue ✓' } }, 'application/merge-patch+json');
      expect(patch.status).toBe(201);
      const seen = JSON.parse(patch.body);
      expect(seen).toMatchObject({ method: 'PATCH', type: 'application/merge-patch+json', body: '{"data":{"k":"välue ✓"}}' });
      expect(Number(seen.length)).toBe(Buffer.byteLength(seen.body));
    } finally {
      client.close();
    }
  });

  it('keeps at most `sockets` connections, queues callers beyond them, and reuses the connections', async () => {
    let inFlight = 0;
    let most = 0;
    const s = await start((req, body, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        echo(req, body, res);
      }, 5);
    });
    const client = new BenchClient(s.url, s.ca, undefined, 3);
    try {
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => client.call('POST', `/n/${i}`, { i })));
      expect(answers.map((a) => JSON.parse(a.body).url)).toEqual(Array.from({ length: 30 }, (_, i) => `/n/${i}`));
      expect(answers.every((a) => JSON.parse(a.body).authorization === undefined)).toBe(true);
      expect(most).toBe(3);
      expect(s.connections()).toBe(3);
    } finally {
      client.close();
    }
  });

  it('reads chunked answers spanning many TLS records', async () => {
    const big = 'x'.repeat(100_000);
    const s = await start((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 4; i++) res.write(big);
      res.end('!');
    });
    const client = new BenchClient(s.url, s.ca);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await client.call('GET', '/big');
        expect(r.status).toBe(200);
        expect(r.body.length).toBe(400_001);
        expect(r.body.endsWith('x!')).toBe(true);
      }
    } finally {
      client.close();
    }
  });

  it('opens a new connection after the server said Connection: close, or closed an idle one', async () => {
    const s = await start((req, body, res) => {
      if (req.url === '/last') res.setHeader('connection', 'close');
      echo(req, body, res);
    });
    const client = new BenchClient(s.url, s.ca, undefined, 1);
    try {
      expect((await client.call('GET', '/last')).status).toBe(200);
      expect((await client.call('GET', '/next')).status).toBe(200);
      expect(s.connections()).toBe(2);
      // The server drops its idle keep-alive connection (as the gateway does after its keep-alive timeout). A request
      // sent before the client has read that close fails, as with node's agent; once it has, one goes out on a new one.
      s.server.closeIdleConnections();
      await eventually(async () => expect((await client.call('GET', '/after-idle-close')).status).toBe(200));
      expect(s.connections()).toBe(3);
    } finally {
      client.close();
    }
  });

  it('rejects a request whose connection ends before its answer, and serves the next one', async () => {
    const s = await start((req, body, res) => {
      if (req.url === '/drop') req.socket.destroy();
      else echo(req, body, res);
    });
    const client = new BenchClient(s.url, s.ca, undefined, 1);
    try {
      await expect(client.call('GET', '/drop')).rejects.toThrow();
      expect(JSON.parse((await client.call('GET', '/fine')).body).url).toBe('/fine');
    } finally {
      client.close();
    }
  });

  it('refuses a server whose certificate its CA did not sign', async () => {
    const s = await start(echo);
    const other = await createCertificateAuthority();
    const client = new BenchClient(s.url, other.certPem);
    try {
      await expect(client.call('GET', '/')).rejects.toThrow(/certificate/);
    } finally {
      client.close();
    }
  });
});
