import { type ClientRequest, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { ENDPOINTS_RESOURCE, SERVICES_RESOURCE } from '@openpacific/contracts';
import { badRequest, methodNotAllowed, notFound, serviceUnavailable } from '@openpacific/kube-api';
import type { GatewayCore, ResourceRequest } from '../core';
import type { ResourceTarget } from '../http/resource-path';
import { rewriteHtmlLinks } from './proxy-html';

/** The hosts' shared address on this machine (a pod on its host's network reports it), where the control plane listens too. */
const HOST_ADDRESS = '127.0.0.1';

/** The methods kube-apiserver proxies (the verbs RBAC knows for them: get, create, update, patch, delete). */
export const PROXIED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Headers of one hop only (RFC 9110 §7.6.1), never passed on, and the caller's credentials, spent on the gateway. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
]);

/** Where a proxied request goes: `scheme://host[:port]`, and the path under which the gateway serves it. */
export interface ProxyLocation {
  scheme: 'http' | 'https';
  host: string;
  port?: number;
}

/**
 * kube's `name`, `name:port` or `scheme:name:port` of a proxy path's object segment; undefined when it is none of
 * them (an empty name, more than three parts, or a scheme other than http or https).
 */
export function splitSchemeNamePort(id: string): { scheme: '' | 'http' | 'https'; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) [name] = parts;
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as '' | 'http' | 'https', name, port };
}

/** A port given as a number (1–65535). */
function portNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * An address the gateway may proxy to: a pod's own. Refused, as kube-apiserver refuses what is not a unicast
 * address: none at all, the unspecified, link-local and multicast ones, and the hosts' shared loopback address
 * (a pod on its host's network has it), which would reach the control plane's own services on this machine.
 */
export function proxyableAddress(ip: string | undefined): boolean {
  if (!ip || isIP(ip) !== 4) return false;
  if (ip === HOST_ADDRESS || ip === '0.0.0.0' || ip === '255.255.255.255') return false;
  const [a, b] = ip.split('.').map(Number);
  return !(a === 0 || (a === 169 && b === 254) || a >= 224);
}

/**
 * `pods/<[scheme:]name[:port]>/proxy`: the pod's address, the port given (a number, or the name of one of its
 * containers' ports) or else its first container's first declared port, or none (the scheme's default).
 */
export function podLocation(pod: any, id: { scheme: string; name: string; port: string }): ProxyLocation {
  let port: number | undefined;
  if (id.port) {
    port = portNumber(id.port);
    if (port === undefined) {
      const named = (pod.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []).find((p: any) => p?.name === id.port);
      if (!named) throw badRequest(`pod "${id.name}" has no container port named "${id.port}"`);
      port = Number(named.containerPort);
    }
  } else {
    const first = (pod.spec?.containers ?? []).find((c: any) => c.ports?.length)?.ports[0];
    if (first) port = Number(first.containerPort);
  }
  const ip = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP;
  if (!proxyableAddress(ip)) throw badRequest('address not allowed');
  return { scheme: id.scheme === 'https' ? 'https' : 'http', host: ip, ...(port ? { port } : {}) };
}

/**
 * `services/<[scheme:]name[:port]>/proxy`, as kube-apiserver picks an endpoint: a port number names the Service's
 * port with that number (its name is what the endpoints carry), a port name is matched as it is; then one of the
 * Endpoints' ready addresses serving that port, taken at random, whose pod (its `targetRef`) is in the namespace
 * and still has that address. No such address: 503 `no endpoints available for service "<id>"`.
 */
export function serviceLocation(
  lookup: { service(name: string): any; endpoints(name: string): any; pod(name: string): any },
  namespace: string,
  rawId: string,
  id: { scheme: string; name: string; port: string },
  random: (n: number) => number = (n) => Math.floor(Math.random() * n),
): ProxyLocation {
  let portName = id.port;
  const asNumber = portNumber(id.port);
  if (asNumber !== undefined) {
    const svc = lookup.service(id.name);
    if (!svc) throw notFound('services', id.name);
    const declared = (svc.spec?.ports ?? []).find((p: any) => Number(p.port) === asNumber);
    if (!declared) throw serviceUnavailable(`no service port ${asNumber} found for service "${id.name}"`);
    portName = declared.name ?? '';
  }
  const eps = lookup.endpoints(id.name);
  if (!eps) throw notFound('endpoints', id.name);
  const subsets: any[] = eps.subsets ?? [];
  if (subsets.length === 0) throw serviceUnavailable(`no endpoints available for service "${id.name}"`);
  const start = random(subsets.length);
  for (let s = 0; s < subsets.length; s++) {
    const subset = subsets[(start + s) % subsets.length];
    const addresses: any[] = subset.addresses ?? [];
    const port = (subset.ports ?? []).find((p: any) => (p.name ?? '') === portName);
    if (!addresses.length || !port) continue;
    const first = random(addresses.length);
    for (let a = 0; a < addresses.length; a++) {
      const address = addresses[(first + a) % addresses.length];
      const ref = address.targetRef;
      if (ref?.kind !== 'Pod' || (ref.namespace ?? namespace) !== namespace) continue;
      const pod = lookup.pod(ref.name);
      const podIps: string[] = pod ? [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p: any) => p?.ip)] : [];
      if (!podIps.includes(address.ip) || !proxyableAddress(address.ip)) continue;
      return { scheme: id.scheme === 'https' ? 'https' : 'http', host: address.ip, port: Number(port.port) };
    }
  }
  throw serviceUnavailable(`no endpoints available for service "${rawId}"`);
}

/** Headers without the hop-by-hop ones (those above and those their `Connection` names) and impersonation. */
function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const hop = new Set(NOT_FORWARDED);
  for (const token of String(headers.connection ?? '').split(',')) if (token.trim()) hop.add(token.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hop.has(name) && !name.startsWith('impersonate-')) out[name] = value;
  }
  return out;
}

/** The request's headers as the backend gets them: no hop-by-hop ones, no credentials, and who asked (X-Forwarded-*). */
export function forwardedHeaders(headers: IncomingHttpHeaders, clientAddress: string | undefined): OutgoingHttpHeaders {
  const out = endToEnd(headers);
  const client = (clientAddress ?? '').replace(/^::ffff:/, '');
  if (client) out['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${client}` : client;
  if (headers.host) out['x-forwarded-host'] = headers.host;
  out['x-forwarded-proto'] = 'https';
  return out;
}

/**
 * A link or redirect of the backend's kept inside the proxy, as kube-apiserver's proxy rewrites them: one on the
 * backend itself (an absolute path, or a URL naming the backend's host and port, or the host the caller asked) goes
 * under the proxy's path; a relative one, or one to another host, is passed on as it is.
 */
export function rewrittenLocation(location: string, backend: ProxyLocation, proxyBase: string, requestHost?: string): string {
  // A backend that knows it is behind the proxy already names the proxy's path: kept as it is, as kube-apiserver keeps it.
  const under = (path: string) => path === proxyBase || path.startsWith(`${proxyBase}/`);
  if (location.startsWith('/') && !location.startsWith('//')) return under(location.split(/[?#]/)[0]) ? location : proxyBase + location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  const defaultPort = backend.scheme === 'https' ? 443 : 80;
  const samePort = Number(url.port || (url.protocol === 'https:' ? 443 : 80)) === (backend.port ?? defaultPort);
  const backendItself = url.hostname === backend.host && samePort;
  if (!backendItself && (!requestHost || url.host !== requestHost)) return location;
  return (under(url.pathname) ? '' : proxyBase) + url.pathname + url.search + url.hash;
}

/**
 * `pods/proxy` and `services/proxy`: the request passed on over HTTP (or HTTPS, certificates unchecked, as
 * kube-apiserver's proxy does) to the pod's address, or to a ready endpoint of the Service, and the answer
 * streamed back as it comes. A request ending at `/proxy` is redirected (301) to `/proxy/`, as kube-apiserver does.
 * A backend that cannot be reached answers 503 (`error trying to reach service: ...`). Upgrades (WebSocket) take the
 * same way in `streams/upgrade.ts`.
 */
export async function handleProxy(core: GatewayCore, r: ResourceRequest, method: string): Promise<void> {
  const { target, req, res } = r;
  if (!PROXIED_METHODS.has(method)) throw methodNotAllowed(method);
  const location = proxyLocation(core, target);
  const rest = target.proxyPath ?? '';
  const base = r.url.pathname.slice(0, r.url.pathname.length - rest.length);
  if (rest === '') {
    res.writeHead(301, { Location: `${r.url.pathname}/${r.url.search}` });
    res.end();
    return;
  }
  await forward(req, res, location, rest + r.url.search, base);
}

/** Where a `pods/<id>/proxy` or `services/<id>/proxy` request goes, or kube-apiserver's 400, 404 or 503 saying why nowhere. */
export function proxyLocation(core: GatewayCore, target: ResourceTarget): ProxyLocation {
  const namespace = target.namespace!;
  const rawId = target.name!;
  const kind = target.served.def.kind;
  const id = splitSchemeNamePort(rawId);
  if (!id) throw badRequest(`invalid ${kind === 'Pod' ? 'pod' : 'service'} request "${rawId}"`);
  const get = (resource: string, name: string) => core.readModel.get(resource, namespace, name)?.object;
  if (kind === 'Pod') {
    const pod = get('pods', id.name);
    if (!pod) throw notFound('pods', id.name);
    return podLocation(pod, id);
  }
  return serviceLocation({ service: (n) => get(SERVICES_RESOURCE, n), endpoints: (n) => get(ENDPOINTS_RESOURCE, n), pod: (n) => get('pods', n) }, namespace, rawId, id);
}

/**
 * The head of an upgrade request (a WebSocket's) as the backend gets it: the request line with the backend's path,
 * its Host, the caller's headers as `forwardedHeaders` passes them, and the upgrade asked for.
 */
export function upgradeRequestHead(req: IncomingMessage, location: ProxyLocation, path: string): string {
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `host: ${location.port ? `${location.host}:${location.port}` : location.host}`];
  for (const [name, value] of Object.entries(forwardedHeaders(req.headers, req.socket?.remoteAddress))) {
    for (const one of [value].flat()) if (one !== undefined) lines.push(`${name}: ${one}`);
  }
  lines.push('connection: Upgrade', `upgrade: ${req.headers.upgrade ?? ''}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** How long a connection to a backend may take to open, as kube-apiserver's proxy dialer allows it. */
export const PROXY_DIAL_TIMEOUT_MS = 30_000;

/**
 * A connection to a backend that has not opened within the dial timeout is ended by `destroy` with Go's words
 * (`dial tcp <host>:<port>: i/o timeout`); one that opens or closes before is left alone.
 */
export function boundDial(socket: Socket, location: ProxyLocation, destroy: (err: Error) => void): void {
  if (!socket.connecting) return;
  const port = location.port ?? (location.scheme === 'https' ? 443 : 80);
  const timer = setTimeout(() => destroy(new Error(`dial tcp ${location.host}:${port}: i/o timeout`)), PROXY_DIAL_TIMEOUT_MS);
  socket.once('connect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
}

/** `boundDial` for a request's connection (a kept-alive one is open already). */
export function whenConnecting(request: ClientRequest, location: ProxyLocation): void {
  request.once('socket', (socket) => boundDial(socket, location, (err) => request.destroy(err)));
}

/** Pages bigger than this are passed on as they are, links and all. */
const MAX_REWRITTEN_PAGE_BYTES = 16 * 1024 * 1024;

/** An HTML answer whose links are rewritten: not compressed, or gzip or deflate (others pass as they are), of a known size under the cap. */
function rewritesHtml(headers: IncomingHttpHeaders): boolean {
  if (!/^\s*text\/html\b/i.test(String(headers['content-type'] ?? ''))) return false;
  if (!['', 'identity', 'gzip', 'deflate'].includes(String(headers['content-encoding'] ?? '').toLowerCase())) return false;
  return Number(headers['content-length'] ?? 0) <= MAX_REWRITTEN_PAGE_BYTES;
}

/** The page's links rewritten, decompressed and compressed again by its content encoding. */
export function withHtmlLinks(body: Buffer, encoding: string, rewrite: (url: string) => string): Buffer {
  if (encoding === 'gzip') return gzipSync(rewriteHtmlLinks(gunzipSync(body), rewrite));
  if (encoding === 'deflate') return deflateSync(rewriteHtmlLinks(inflateSync(body), rewrite));
  return rewriteHtmlLinks(body, rewrite);
}

function forward(req: IncomingMessage, res: ServerResponse, location: ProxyLocation, path: string, proxyBase: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const send = location.scheme === 'https' ? httpsRequest : httpRequest;
    const host = location.port ? `${location.host}:${location.port}` : location.host;
    const upstream = send({
      host: location.host,
      port: location.port,
      method: req.method,
      path,
      headers: { ...forwardedHeaders(req.headers, req.socket?.remoteAddress), host },
      // Headers ended by a bare LF (busybox httpd's CGI answers) are read, as Go's client reads them for kube-apiserver.
      insecureHTTPParser: true,
      ...(location.scheme === 'https' ? { rejectUnauthorized: false } : {}),
    });
    let answered = false;
    whenConnecting(upstream, location);
    upstream.on('response', (answer) => {
      answered = true;
      const headers = endToEnd(answer.headers);
      const requestHost = req.headers.host;
      if (typeof answer.headers.location === 'string') headers.location = rewrittenLocation(answer.headers.location, location, proxyBase, requestHost);
      const failed = () => {
        res.destroy();
        resolve();
      };
      answer.on('error', failed);
      if (rewritesHtml(answer.headers) && req.method !== 'HEAD') {
        // The page is read whole, its links rewritten, and sent with its new length (compressed again as it came).
        const chunks: Buffer[] = [];
        let size = 0;
        const collect = (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size <= MAX_REWRITTEN_PAGE_BYTES) return;
          // Bigger than it said, or than the cap: what came so far and the rest go on as they are.
          answer.off('data', collect);
          answer.off('end', rewritten);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.write(Buffer.concat(chunks));
          answer.pipe(res);
          answer.on('end', () => resolve());
        };
        const rewritten = () => {
          const encoding = String(answer.headers['content-encoding'] ?? '').toLowerCase();
          let body: Buffer;
          try {
            body = withHtmlLinks(Buffer.concat(chunks), encoding, (url) => rewrittenLocation(url, location, proxyBase, requestHost));
          } catch {
            // Not what it said it was (a bad gzip stream): passed on as the backend sent it.
            body = Buffer.concat(chunks);
          }
          delete headers['transfer-encoding'];
          headers['content-length'] = String(body.length);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(body);
          resolve();
        };
        answer.on('data', collect);
        answer.on('end', rewritten);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
      answer.on('end', () => resolve());
    });
    upstream.on('error', (err) => {
      // Answered already, or the caller went away (which destroyed this request): there is nobody to tell.
      if (answered || res.destroyed) {
        res.destroy();
        resolve();
        return;
      }
      reject(serviceUnavailable(`error trying to reach service: ${err.message}`));
    });
    // The caller went away: so does the request to the backend.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
}
