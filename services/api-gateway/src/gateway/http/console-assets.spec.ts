import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleDistDir, isConsolePath, serveConsole } from './console-assets';

interface Answer {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path is sent exactly as written (no URL normalisation by the client). */
function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('console assets', () => {
  let root: string;
  let dist: string;
  let server: Server;
  let port: number;
  let servedDir: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'console-assets-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'app.js'), 'console.log(1)');
    writeFileSync(join(dist, 'app.css'), 'body{}');
    writeFileSync(join(dist, 'assets', 'logo.svg'), '<svg/>');
    writeFileSync(join(root, 'secret.txt'), 'outside the console');
    servedDir = dist;
    server = createServer((req, res) => {
      // the gateway routes on the URL's pathname, as api-server.ts does
      const path = new URL(req.url ?? '/', 'https://gateway').pathname;
      if (!isConsolePath(path, req.method)) {
        res.writeHead(401).end();
        return;
      }
      serveConsole(req, res, path, servedDir).catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => (servedDir = dist));

  it('serves index.html at /console/ with a strict Content-Security-Policy', async () => {
    const a = await get(port, '/console/');
    expect(a.code).toBe(200);
    expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(a.body).toContain('<title>console</title>');
    expect(a.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('serves each file with its content type', async () => {
    expect((await get(port, '/console/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(port, '/console/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await get(port, '/console/assets/logo.svg');
    expect([svg.code, svg.headers['content-type'], svg.body]).toEqual([200, 'image/svg+xml', '<svg/>']);
  });

  it('answers index.html for client-side routes, so deep links work on reload', async () => {
    const a = await get(port, '/console/r/api/v1/namespaces/team-a/pods/web');
    expect(a.code).toBe(200);
    expect(a.body).toContain('<title>console</title>');
  });

  it('answers 404 for a missing file', async () => {
    const a = await get(port, '/console/missing.js');
    expect(a.code).toBe(404);
  });

  it('never serves a file outside its folder, however the path is encoded', async () => {
    for (const path of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt', '/console/%2e%2e%2fsecret.txt', '/console/assets/..%2f..%2fsecret.txt']) {
      const a = await get(port, path);
      expect(a.body).not.toContain('outside the console');
      expect(a.code).not.toBe(200);
    }
    expect((await get(port, '/console/%00.js')).code).toBe(404);
  });

  it('redirects / and /console to /console/', async () => {
    for (const path of ['/', '/console']) {
      const a = await get(port, path);
      expect([a.code, a.headers.location]).toEqual([302, '/console/']);
    }
  });

  it('refuses writes with 405', async () => {
    const a = await get(port, '/console/app.js', 'POST');
    expect([a.code, a.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('leaves every other path to the API', () => {
    expect(isConsolePath('/api/v1/pods')).toBe(false);
    expect(isConsolePath('/consoles')).toBe(false);
    expect(isConsolePath('/', 'POST')).toBe(false);
    expect(isConsolePath('/', 'GET', 'application/json')).toBe(false);
  });

  it('says to run the build when the console was not built', async () => {
    servedDir = join(root, 'not-built');
    const a = await get(port, '/console/');
    expect(a.code).toBe(503);
    expect(a.body).toContain('npm run build');
  });

  it("finds the web-console package's dist folder", () => {
    expect(consoleDistDir()).toMatch(/services[/\\]web-console[/\\]dist$/);
  });
});
