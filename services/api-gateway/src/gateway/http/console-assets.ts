import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export const CONSOLE_PREFIX = '/console/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Text compresses well; images are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.map', '.json', '.svg', '.txt']);

/**
 * esbuild's `[name]-[hash]` names (app-D4GF7AZ7.js): a new build names new files, so a browser may keep these
 * for a year without asking again. Everything else (index.html above all) is revalidated on every load.
 */
const HASHED_NAME = /-[A-Z0-9]{8}\.(js|css)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

type Encoding = 'br' | 'gzip' | 'identity';

/** One file as served: its bytes in each encoding, read (and compressed) once while the file is unchanged. */
interface Asset {
  mtimeMs: number;
  size: number;
  /** The content's hash: the ETag of the identity encoding; the others add their encoding. */
  hash: string;
  bodies: Partial<Record<Encoding, Buffer>>;
}

const assets = new Map<string, Promise<Asset>>();
/** Each build names new files: the oldest entries go, so rebuilds under a running gateway do not add up. */
const MAX_ASSETS = 64;
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The console may only load what it ships; every API call it makes carries the user's token. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/** The web console's built files: the workspace package's dist/, found by resolution, else next to the gateway. */
export function consoleDistDir(): string {
  try {
    return join(dirname(require.resolve('@openpacific/web-console/package.json')), 'dist');
  } catch {
    // services/api-gateway/{src,dist}/gateway/http → services/web-console/dist
    return resolve(__dirname, '../../../../web-console/dist');
  }
}

/**
 * `GET /` from a browser (redirected to the console) and everything under /console: public, served before
 * authentication. API clients asking for `/` (kubectl get --raw /) still reach the API.
 */
export function isConsolePath(path: string, method = 'GET', accept = 'text/html'): boolean {
  return (path === '/' && method === 'GET' && accept.includes('text/html')) || path === '/console' || path.startsWith(CONSOLE_PREFIX);
}

/**
 * Serves the console's static files under /console/ (no token needed), `index.html` for /console/ and for
 * every client-side route below it (deep links work on reload), and redirects `GET /` there.
 */
export async function serveConsole(req: IncomingMessage, res: ServerResponse, path: string, dir: string = consoleDistDir()): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/' || path === '/console') {
    res.writeHead(302, { Location: CONSOLE_PREFIX, 'Content-Length': 0 });
    return void res.end();
  }
  return serveFile(req, method, res, path, dir);
}

async function serveFile(req: IncomingMessage, method: string, res: ServerResponse, path: string, dir: string): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') return text(res, 405, `${method} is not allowed on the console's files`, { Allow: 'GET, HEAD' });
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) {
    return text(res, 503, 'The web console has not been built: run `npm run build` in the checkout, then reload.');
  }
  let relative: string;
  try {
    relative = decodeURIComponent(path.slice(CONSOLE_PREFIX.length));
  } catch {
    return text(res, 400, 'the path is not valid percent-encoding');
  }
  const file = resolve(root, relative);
  if (relative.includes('\0') || (file !== root && !file.startsWith(root + sep))) return text(res, 404, 'not found');
  // A name with an extension is a file (missing: 404); anything else is a route of the app.
  const isAsset = extname(relative) !== '';
  const target = isAsset ? file : join(root, 'index.html');
  // The build's compressed copies are served in place of their file, never as files of their own.
  if (/\.(br|gz)$/.test(relative)) return text(res, 404, `not found: ${path}`);
  const info = await stat(target).catch(() => undefined);
  if (!info?.isFile()) return text(res, 404, `not found: ${path}`);
  return sendAsset(req, res, target, info, isAsset && HASHED_NAME.test(relative));
}

/** The file in the best encoding the browser takes, or 304 when the browser's copy is current. */
async function sendAsset(req: IncomingMessage, res: ServerResponse, target: string, info: { mtimeMs: number; size: number }, immutable: boolean): Promise<void> {
  const asset = await loadAsset(target, info);
  const compressible = COMPRESSIBLE.has(extname(target));
  const encoding = compressible ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
  const body = (await bodyOf(target, asset, encoding)) ?? asset.bodies.identity!;
  const used: Encoding = body === asset.bodies.identity ? 'identity' : encoding;
  const etag = used === 'identity' ? `"${asset.hash}"` : `"${asset.hash}-${used}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
    'Cache-Control': immutable ? IMMUTABLE : 'no-cache',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CSP,
    'Referrer-Policy': 'no-referrer',
  };
  if (compressible) headers.Vary = 'Accept-Encoding';
  if (used !== 'identity') headers['Content-Encoding'] = used;
  // index.html is revalidated on every load: an unchanged one costs a 304 and no body.
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The file's bytes and hash, read again only when it changed on disk (a rebuild while the gateway runs). */
function loadAsset(file: string, info: { mtimeMs: number; size: number }): Promise<Asset> {
  const cached = assets.get(file);
  if (cached) {
    return cached.then((a) => (a.mtimeMs === info.mtimeMs && a.size === info.size ? a : reload(file, info)), () => reload(file, info));
  }
  return reload(file, info);
}

function reload(file: string, info: { mtimeMs: number; size: number }): Promise<Asset> {
  const loading = readFile(file).then(async (identity): Promise<Asset> => {
    const asset: Asset = { mtimeMs: info.mtimeMs, size: info.size, hash: createHash('sha256').update(identity).digest('base64url').slice(0, 22), bodies: { identity } };
    // The build writes <file>.br and <file>.gz beside it (compressed at the highest levels, once).
    for (const [encoding, ext] of [['br', '.br'], ['gzip', '.gz']] as const) {
      const copy = await stat(file + ext).catch(() => undefined);
      if (copy?.isFile() && copy.mtimeMs >= info.mtimeMs) asset.bodies[encoding] = await readFile(file + ext);
    }
    return asset;
  });
  assets.delete(file);
  assets.set(file, loading);
  while (assets.size > MAX_ASSETS) assets.delete(assets.keys().next().value!);
  loading.catch(() => assets.get(file) === loading && assets.delete(file));
  return loading;
}

/**
 * The body in this encoding; a file the build did not compress (or a dist/ made by hand) is compressed on
 * its first request and kept, at levels quick enough not to hold that request up. Undefined: identity is smaller.
 */
async function bodyOf(file: string, asset: Asset, encoding: Encoding): Promise<Buffer | undefined> {
  const identity = asset.bodies.identity!;
  if (encoding === 'identity') return identity;
  let body = asset.bodies[encoding];
  if (!body) {
    body =
      encoding === 'br'
        ? await brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } })
        : await gzipAsync(identity, { level: 6 });
    if ((await assets.get(file)) === asset) asset.bodies[encoding] = body;
  }
  return body.length < identity.length ? body : undefined;
}

/** brotli, else gzip, else none, as the request's Accept-Encoding allows (q=0 refuses; `*` stands for the rest). */
export function chooseEncoding(header: string | string[] | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}

/** If-None-Match: a list of tags or `*` (weak tags compare by their value, as for GET). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function text(res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message), ...headers });
  res.end(message);
}
