import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { chooseEncoding, consoleDistDir, isConsolePath, serveConsole } from './console-assets';

interface Answer {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The bytes as sent (compressed when Content-Encoding says so). */
  raw: Buffer;
}

/** A raw request: the path is sent exactly as written (no URL normalisation by the client). */
function get(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ code: res.statusCode!, headers: res.headers, body: raw.toString('utf8'), raw });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Big enough to compress. */
const BUNDLE = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row-${i}"`).join(',')}];\n`;

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
    writeFileSync(join(dist, 'app-AB12CD34.js'), BUNDLE);
    // A precompressed copy as the build writes it; its content differs from a fresh gzip so the test can tell.
    writeFileSync(join(dist, 'app-AB12CD34.js.gz'), gzipSync(BUNDLE, { level: 1 }));
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

  it('serves brotli or gzip as Accept-Encoding allows, varying on it, and the same bytes once decoded', async () => {
    const br = await get(port, '/console/app-AB12CD34.js', 'GET', { 'accept-encoding': 'gzip, deflate, br' });
    expect([br.code, br.headers['content-encoding'], br.headers.vary]).toEqual([200, 'br', 'Accept-Encoding']);
    expect(brotliDecompressSync(br.raw).toString()).toBe(BUNDLE);
    expect(Number(br.headers['content-length'])).toBe(br.raw.length);
    expect(br.raw.length).toBeLessThan(BUNDLE.length / 2);
    const gz = await get(port, '/console/app-AB12CD34.js', 'GET', { 'accept-encoding': 'gzip' });
    expect([gz.headers['content-encoding'], gunzipSync(gz.raw).toString()]).toEqual(['gzip', BUNDLE]);
    // the build's own .gz copy, not one made on the spot
    expect(gz.raw.equals(gzipSync(BUNDLE, { level: 1 }))).toBe(true);
    const plain = await get(port, '/console/app-AB12CD34.js');
    expect([plain.headers['content-encoding'], plain.body, plain.headers.vary]).toEqual([undefined, BUNDLE, 'Accept-Encoding']);
    expect(plain.headers['content-security-policy']).toContain("script-src 'self'");
    // a file too small to gain is sent as it is
    expect((await get(port, '/console/app.css', 'GET', { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
  });

  it('lets browsers keep content-hashed files for good, and revalidates index.html (304 when unchanged)', async () => {
    expect((await get(port, '/console/app-AB12CD34.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(port, '/console/app.js')).headers['cache-control']).toBe('no-cache');
    const index = await get(port, '/console/', 'GET', { 'accept-encoding': 'gzip' });
    expect(index.headers['cache-control']).toBe('no-cache');
    const etag = String(index.headers.etag);
    const again = await get(port, '/console/namespaces/team-a', 'GET', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect([again.code, again.body, again.headers.etag]).toEqual([304, '', etag]);
    // another encoding is another representation: its tag does not match
    const gzTag = String((await get(port, '/console/app-AB12CD34.js', 'GET', { 'accept-encoding': 'gzip' })).headers.etag);
    expect((await get(port, '/console/app-AB12CD34.js', 'GET', { 'accept-encoding': 'gzip', 'if-none-match': gzTag })).code).toBe(304);
    expect((await get(port, '/console/app-AB12CD34.js', 'GET', { 'if-none-match': gzTag })).code).toBe(200);
  });

  it('serves a file again once it changed on disk (a rebuild under a running gateway)', async () => {
    const first = await get(port, '/console/index.html');
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console, rebuilt</title>');
    const second = await get(port, '/console/index.html', 'GET', { 'if-none-match': String(first.headers.etag) });
    expect([second.code, second.body]).toEqual([200, '<!doctype html><title>console, rebuilt</title>']);
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  });

  it('never serves the compressed copies as files of their own', async () => {
    expect((await get(port, '/console/app-AB12CD34.js.gz')).code).toBe(404);
  });

  it('chooses brotli, then gzip, as the request allows', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip;q=1.0, br;q=0.5')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('gzip;q=0')).toBe('identity');
  });

  it("finds the web-console package's dist folder", () => {
    expect(consoleDistDir()).toMatch(/services[/\\]web-console[/\\]dist$/);
  });
});
