import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { authorize, RbacLookups, RequestAttributes, UserInfo } from '@openpacific/authz';
import { badRequest, KubeApiError, notFound, serviceUnavailable } from '@openpacific/kube-api';
import { WebSocketServer } from 'ws';
import type { GatewayCore } from '../core';
import { impersonate } from '../auth/impersonation';
import { readModelLookups } from '../auth/rbac-lookups';
import { podContainerName, podContainerSpecs, podContainerStatus } from '../handlers/logs';
import { decodedPathParts } from '../http/resource-path';
import type { UpgradeAudit } from '../audit/audit-hook';
import type { Authenticator } from '../http/authenticator';
import { forbiddenFor } from '../http/api-server';
import { serveAttach, serveExec, StreamTarget } from './exec';
import { servePortForward } from './port-forward';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { parseResourcePath } from '../http/resource-path';
import { resourceAttributes } from '../auth/request-attributes';
import { boundDial, proxyLocation, upgradeRequestHead } from '../handlers/proxy';

const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** `ws` refuses '/' in a subprotocol (not an RFC 6455 token): the tunnel's is renamed on the way in and out. */
const TUNNEL_ALIAS = 'spdy31-portforward';
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|portforward|attach)$/;
const PROXY_PATH = /^\/api\/v1\/namespaces\/[^/]+\/(pods|services)\/[^/]+\/proxy(\/|$)/;

/**
 * Upgraded requests (the https server's 'upgrade' event): `pods/exec` and `pods/attach` over WebSocket (remotecommand v4/v5) and
 * `pods/portforward` over WebSocket-tunnelled or raw SPDY/3.1. Everything that fails before the upgrade is
 * answered as a kube Status, which is what kubectl prints (after its fallback from WebSocket to SPDY, which
 * fails the same way). Each one is audited (audit-hook.ts upgradeAudit): a refused one once with its Status code, a switched
 * one at ResponseStarted (101) and again at ResponseComplete when its socket closed.
 */
export class StreamUpgrades {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered: Set<string>) => [...EXEC_PROTOCOLS, TUNNEL_ALIAS].find((p) => offered.has(p)) ?? false,
  });

  constructor(
    private readonly core: GatewayCore,
    private readonly auth: Authenticator,
    private readonly audit: UpgradeAudit = () => undefined,
  ) {
    this.wss.on('headers', (headers: string[]) => {
      const i = headers.findIndex((h) => h.toLowerCase() === `sec-websocket-protocol: ${TUNNEL_ALIAS}`);
      if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`;
    });
  }

  private get rbac(): RbacLookups {
    return readModelLookups(this.core.readModel);
  }

  handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    try {
      this.route(req, socket, head);
    } catch (err) {
      const status = err instanceof KubeApiError ? err.status : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: (err as Error).message, reason: 'InternalError', code: 500 };
      this.core.logger.debug?.('stream upgrade refused', { url: req.url, code: status.code });
      this.audit(req, status.code ?? 500);
      writeStatus(socket, status);
    }
  };

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'https://gateway');
    if (PROXY_PATH.test(url.pathname)) return this.proxyUpgrade(req, socket, head, url);
    const m = PATH.exec(url.pathname);
    const method = req.method ?? 'GET';
    if (!m) throw notFound('', url.pathname);
    const [, namespace, name, subresource] = decodedPathParts(m, url.pathname);
    const as = impersonate(this.auth.authenticate(req), req, this.rbac);
    if ('refused' in as) throw forbiddenFor(as.refused);
    this.authorize(as.user, method, namespace, name, subresource);
    const pod = this.core.readModel.get('pods', namespace, name)?.object;
    if (!pod) throw notFound('pods', name);
    if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (subresource === 'portforward') return this.portForward(req, socket, head, pod, url, upgrade);
    const q = url.searchParams;
    const command = q.getAll('command');
    if (subresource === 'exec' && command.length === 0) throw badRequest('you must specify at least 1 command');
    const containerName = podContainerName(pod, q.get('container'));
    const status = podContainerStatus(pod, containerName);
    if (!status?.containerID || !status.state?.running) throw badRequest(`unable to upgrade connection: container not found ("${containerName}")`);
    const flag = (k: string) => ['true', '1'].includes(q.get(k) ?? '');
    const target: StreamTarget = {
      host: pod.spec.nodeName, containerId: String(status.containerID).replace(/^crx:\/\//, ''),
      stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty'),
    };
    if (!target.stdin && !target.stdout && !target.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    if (subresource === 'attach') {
      // As kubelet: whether the container has a terminal was settled when it started, whatever the client asks.
      const spec = podContainerSpecs(pod).find((c: any) => c.name === containerName);
      target.tty = spec?.tty === true;
    }
    if (upgrade !== 'websocket') throw badRequest(`unable to upgrade connection: this server serves ${subresource} over WebSocket (v4/v5.channel.k8s.io) only`);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.audit(req, 101);
      if (!EXEC_PROTOCOLS.includes(ws.protocol)) {
        ws.close(1002, 'unsupported subprotocol');
        return;
      }
      const session = subresource === 'attach' ? serveAttach(this.core.nats, this.core.natsPrefix, ws, target) : serveExec(this.core.nats, this.core.natsPrefix, ws, { ...target, command });
      session.catch((err) => {
        this.core.logger.warn(`${subresource} session failed`, { pod: `${namespace}/${name}`, error: (err as Error).message });
        ws.terminate();
      });
    });
  }

  private portForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: any, url: URL, upgrade: string): void {
    const podIP: string | undefined = pod.status?.podIP;
    if (pod.status?.phase !== 'Running' || !podIP) throw badRequest(`unable to upgrade connection: pod ${pod.metadata.name} is not running`);
    const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).filter(Boolean).map(Number);
    for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw badRequest(`invalid port: ${p}`);
    if (upgrade === 'websocket') {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      req.headers['sec-websocket-protocol'] = offered.map((p) => (p === TUNNEL_PROTOCOL ? TUNNEL_ALIAS : p)).join(', ');
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.audit(req, 101);
        if (ws.protocol !== TUNNEL_ALIAS) {
          ws.close(1002, 'unsupported subprotocol');
          return;
        }
        const session = servePortForward(podIP, pod.metadata.name, ports, (b) => ws.readyState === ws.OPEN && ws.send(b), () => ws.close());
        ws.on('message', (data: Buffer) => session.receive(Buffer.from(data)));
        ws.on('close', () => session.close());
      });
      return;
    }
    if (upgrade.startsWith('spdy/3.1')) {
      this.audit(req, 101);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
      const session = servePortForward(podIP, pod.metadata.name, ports, (b) => socket.write(b), () => socket.end());
      if (head.length) session.receive(head);
      socket.on('data', (d: Buffer) => session.receive(d));
      socket.on('close', () => session.close());
      return;
    }
    throw badRequest('unable to upgrade connection: port-forward needs a WebSocket or SPDY/3.1 upgrade');
  }

  /**
   * An upgrade (a WebSocket) through `pods/<id>/proxy` or `services/<id>/proxy`: authorized as the same request
   * without the upgrade (`get` for a GET), sent on to where that request would go, and from then on the two
   * connections are joined byte for byte, the backend's answer (its 101 or its refusal) included, as kube-apiserver's
   * upgrade-aware proxy joins them. A backend that cannot be reached is a 503 Status.
   */
  private proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const target = parseResourcePath(this.core.registry, url.pathname);
    if (!target?.name || target.subresource !== 'proxy') throw notFound('', url.pathname);
    const as = impersonate(this.auth.authenticate(req), req, this.rbac);
    if ('refused' in as) throw forbiddenFor(as.refused);
    const attrs = resourceAttributes(as.user, req.method ?? 'GET', url.searchParams, target, false);
    if (!authorize(attrs, this.rbac).allowed) throw forbiddenFor(attrs);
    const location = proxyLocation(this.core, target);
    const backend = location.scheme === 'https'
      ? tlsConnect({ host: location.host, port: location.port ?? 443, rejectUnauthorized: false })
      : netConnect({ host: location.host, port: location.port ?? 80 });
    let joined = false;
    boundDial(backend, location, (err) => backend.destroy(err));
    backend.once(location.scheme === 'https' ? 'secureConnect' : 'connect', () => {
      joined = true;
      this.audit(req, 101);
      backend.write(upgradeRequestHead(req, location, `${target.proxyPath || '/'}${url.search}`));
      if (head.length) backend.write(head);
      backend.pipe(socket);
      socket.pipe(backend);
    });
    backend.on('error', (err) => {
      if (joined) return socket.destroy();
      this.audit(req, 503);
      writeStatus(socket, serviceUnavailable(`error trying to reach service: ${err.message}`).status);
    });
    socket.on('close', () => backend.destroy());
  }

  /**
   * RBAC as kube-apiserver 1.32: the request's own verb (`get` for a WebSocket GET, `create` for a POST), and
   * for a GET upgrade `create` too (AuthorizePodWebsocketUpgradeCreatePermission, on by default since 1.31).
   */
  private authorize(user: UserInfo, method: string, namespace: string, name: string, subresource: string): void {
    const verbs = method === 'GET' ? ['get', 'create'] : ['create'];
    for (const verb of verbs) {
      const attrs: RequestAttributes = { user, verb, resourceRequest: true, apiGroup: '', resource: 'pods', subresource, namespace, name };
      if (!authorize(attrs, this.rbac).allowed) throw forbiddenFor(attrs);
    }
  }
}

/** A Status answered on a socket not (yet) upgraded, closing it. */
export function writeStatus(socket: Duplex, status: { code?: number }): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', ...status });
  const code = status.code ?? 500;
  const text = ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 503: 'Service Unavailable' } as Record<number, string>)[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
