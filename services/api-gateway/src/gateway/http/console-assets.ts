import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';

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
  return serveFile(method, res, path, dir);
}

async function serveFile(method: string, res: ServerResponse, path: string, dir: string): Promise<void> {
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
  const info = await stat(target).catch(() => undefined);
  if (!info?.isFile()) return text(res, 404, `not found: ${path}`);
  const body = method === 'HEAD' ? undefined : await readFile(target);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CSP,
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

function text(res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message), ...headers });
  res.end(message);
}
