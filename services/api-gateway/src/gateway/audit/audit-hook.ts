import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize, RbacLookups, RequestAttributes, UserInfo } from '@openpacific/authz';
import type { Logger } from '@openpacific/service-kit';
import type { Authenticator } from '../http/authenticator';
import { isConsolePath } from '../http/console-assets';
import { forbiddenFor } from '../http/api-server';
import { requestInfo, resolvedPath } from '../http/request-info';
import { answerOf } from '../http/respond';
import { ResourceRegistry } from '../registry/registry';
import type { RequestMetrics } from '../http/request-metrics';
import { auditAnnotationsOf, requestedNameOf } from './audit-annotations';
import { AuditLog, AuditStage } from './audit-log';
import { isAuditApiPath, serveAuditApi } from './audit-api';
import { AuditRequestAttributes, requestAttributes } from './request-attributes';

/**
 * What the request handler calls first with every request: records it (when its response
 * finishes; a watch or a followed log when it starts, too) and, for the AuditRecord API, returns the promise of
 * serving it; undefined for every other request, which the handler routes as usual.
 */
export type AuditHook = (req: IncomingMessage, res: ServerResponse) => Promise<void> | undefined;

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
/** Probes are not API requests: kube-apiserver does not audit them either (non-resource, unauthenticated). */
const UNAUDITED_PATHS = new Set(['/healthz', '/livez', '/readyz']);

export interface AuditHookDeps {
  log: AuditLog;
  registry: ResourceRegistry;
  auth: Authenticator;
  rbac: RbacLookups;
  logger: Logger;
  /** kube-apiserver's request metrics, fed from the same attributes as the records. */
  metrics?: RequestMetrics;
}

export function auditHook(deps: AuditHookDeps): AuditHook {
  const hook = observe(deps);
  return (req, res) => {
    try {
      return hook(req, res);
    } catch (err) {
      // Auditing never takes a request down: the request goes on unrecorded, and the failure is logged.
      deps.logger.error('audit: request not recorded', { method: req.method, error: (err as Error).message });
      return undefined;
    }
  };
}

function observe(deps: AuditHookDeps): AuditHook {
  return (req, res) => {
    const { url, requestId } = requestInfo(req);
    // Health probes and the web console's static files (public, no API object touched) are not audited.
    if (UNAUDITED_PATHS.has(url.pathname) || isConsolePath(url.pathname, req.method, req.headers.accept)) return undefined;
    const method = req.method ?? 'GET';
    const user = authenticated(deps.auth, req);
    const resolved = resolvedPath(deps.registry, req);
    const attrs = requestAttributes(deps.registry, method, url, resolved);
    deps.metrics?.track(req, res, attrs, resolved.target?.served.version.name ?? '', url.searchParams);
    res.setHeader('Audit-Id', requestId);
    const time = new Date();
    // A create names its object in the body: as kube-apiserver's objectRef, the name is the created object's, or the
    // one the body asked for when the create was refused.
    const nameFromAnswer = attrs.verb === 'create' && attrs.resourceRequest && !attrs.name;
    const record = (stage: AuditStage, code: number) =>
      appendRecord(deps, req, { time, requestId, user, attrs, code, annotations: auditAnnotationsOf(res), stage });
    let completed = false;
    let untrack: (() => void) | undefined;
    const complete = (code: number) => {
      if (completed) return;
      completed = true;
      untrack?.();
      if (nameFromAnswer) attrs.name = (code >= 200 && code < 300 ? createdName(res) : undefined) ?? requestedNameOf(res) ?? '';
      record('ResponseComplete', code);
    };
    // A long-running request is recorded when its stream starts too, as it may stay open for hours; a refused one
    // (any status but 2xx) only once, complete, as every other request.
    if (isLongRunning(attrs, url.searchParams)) {
      onHeaders(res, () => {
        if (completed || res.statusCode < 200 || res.statusCode >= 300) return;
        record('ResponseStarted', res.statusCode);
        untrack = deps.log.open.add(() => complete(res.statusCode));
      });
    }
    res.once('finish', () => complete(res.statusCode));
    // A client gone before any answer: 0, as no status was ever sent.
    res.once('close', () => complete(res.headersSent ? res.statusCode : 0));
    if (!isAuditApiPath(url.pathname)) return undefined;
    return serve(deps, req, res, url, user, attrs);
  };
}

/**
 * Long-running as kube-apiserver's audit treats it (`ResponseStarted`, then `ResponseComplete`) among the requests the
 * request handler serves: a watch, and a followed pod log. (exec, attach, port-forward and proxy upgrades never reach
 * it: `upgradeAudit`.)
 */
function isLongRunning(attrs: AuditRequestAttributes, query: URLSearchParams): boolean {
  if (attrs.verb === 'watch') return true;
  return attrs.resource === 'pods' && attrs.subresource === 'log' && query.get('follow') === 'true';
}

/**
 * One request's record at one stage, as both the request handler's hook and the upgrade audits write it: `time` is
 * when the request was received, the stage's timestamp is now.
 */
function appendRecord(
  deps: AuditHookDeps,
  req: IncomingMessage,
  r: {
    time: Date; requestId: string; user: UserInfo | undefined; attrs: AuditRequestAttributes; code: number; stage: AuditStage;
    annotations?: Record<string, string>; decision?: 'allow' | 'deny';
  },
): void {
  const { user, attrs, code } = r;
  deps.log.append({
    time: r.time,
    requestId: r.requestId,
    username: user?.username ?? ANONYMOUS.username,
    groups: user?.groups ?? ANONYMOUS.groups,
    verb: attrs.verb,
    apiGroup: attrs.apiGroup,
    resource: attrs.resource,
    subresource: attrs.subresource,
    namespace: attrs.namespace,
    name: attrs.name,
    path: redactedPath(attrs.path),
    decision: r.decision ?? decision(code, user, attrs, deps.rbac),
    code,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 512),
    sourceIp: (req.socket?.remoteAddress ?? '').replace(/^::ffff:/, ''),
    annotations: r.annotations,
    stage: r.stage,
    stageTimestamp: new Date(),
  });
}

/** Records one upgraded request (exec, attach, port-forward, proxy): 101 once it switched protocols, else the Status code it got. */
export type UpgradeAudit = (req: IncomingMessage, code: number) => void;

/**
 * The audit of `pods/exec`, `pods/attach`, `pods/portforward` and upgrades through `proxy`, which never reach the
 * request handler (the server's 'upgrade' event takes them). The verb is `create`, the permission kube-apiserver 1.32
 * requires for exec, attach and port-forward (a WebSocket upgrade is a GET, but exec without `create` is
 * refused), so `verb=create,subresource=exec` finds every one, refused ones included. One that switched protocols is
 * recorded at `ResponseStarted` (101) and again at `ResponseComplete` (101) when its connection closed, whoever
 * closed it: the upgraded socket is the request's own (`req.socket`) whatever speaks on it (WebSocket, SPDY, a
 * proxied backend). A refused one once, complete, with its Status code.
 */
export function upgradeAudit(deps: AuditHookDeps): UpgradeAudit {
  return (req, code) => {
    try {
      const { url, requestId } = requestInfo(req);
      const user = authenticated(deps.auth, req);
      const resolved = resolvedPath(deps.registry, req);
      const attrs = requestAttributes(deps.registry, req.method ?? 'GET', url, resolved);
      deps.metrics?.connected(attrs, resolved.target?.served.version.name ?? '', code);
      if (attrs.resourceRequest) attrs.verb = 'create';
      const time = new Date();
      const record = (stage: AuditStage) => appendRecord(deps, req, { time, requestId, user, attrs, code, stage });
      if (code !== 101) return record('ResponseComplete');
      record('ResponseStarted');
      let completed = false;
      const complete = () => {
        if (completed) return;
        completed = true;
        untrack();
        record('ResponseComplete');
      };
      const untrack = deps.log.open.add(complete);
      if (req.socket.destroyed) complete();
      else req.socket.once('close', complete);
    } catch (err) {
      deps.logger.error('audit: upgrade not recorded', { error: (err as Error).message });
    }
  };
}

/** The path of a VM web console's ticket URL (`/ticket/<ticket>`): the ticket is a credential, never recorded. */
const TICKET_PATH = /^\/ticket\/.*/s;
export const REDACTED_TICKET_PATH = '/ticket/<redacted>';

/** A record's path, with a web console ticket taken out (a plain GET of a ticket URL is recorded too). */
export function redactedPath(path: string): string {
  return TICKET_PATH.test(path) ? REDACTED_TICKET_PATH : path;
}

/** What a VM web console upgrade knew when it was answered: from its ticket's request, once that was found. */
export interface ConsoleSession {
  /** When the upgrade request came in: the `time` of each of its records, so a session's two records share it. */
  receivedAt: Date;
  /** Who created the VirtualMachineWebConsoleRequest the ticket came from: the ticket holder acts as them. */
  user?: UserInfo;
  namespace?: string;
  /** The VM's name. */
  name?: string;
  /** The request the ticket came from, `<resource>/<name>`, for the record's annotations. */
  request?: string;
  /** The ticket itself was refused (unknown, spent, expired, taken meanwhile): `deny`; otherwise `allow`. */
  ticketRefused: boolean;
}

/** How an opened console ended: the WebSocket close code, and why, when that is known. */
export interface ConsoleEnd {
  code: number;
  reason?: string;
}

/** Records a console upgrade when it was answered (101 or the refusal's code), and an opened one again with its end. */
export type ConsoleAudit = (req: IncomingMessage, code: number, session: ConsoleSession, ended?: ConsoleEnd) => void;

/** The annotation of a console record naming the web console request whose ticket was used. */
export const CONSOLE_REQUEST_AUDIT_ANNOTATION = 'vmoperator.openpacific.io/webconsolerequest';
/** Annotations of a console's closing record: the WebSocket close code, and why it closed. */
export const CONSOLE_CLOSE_CODE_AUDIT_ANNOTATION = 'vmoperator.openpacific.io/console-close-code';
export const CONSOLE_CLOSE_REASON_AUDIT_ANNOTATION = 'vmoperator.openpacific.io/console-close-reason';

/**
 * The audit of a VM web console (`/ticket/<ticket>`, an upgrade the request handler never sees), as verb `create` of
 * `virtualmachines/console` in the VM's namespace, by the user who requested the ticket (a ticket is handed to whoever
 * created the request, and carries no token of its own). As kube-apiserver audits a long-running request, an opened
 * console is recorded at `ResponseStarted` (code 101) and again at `ResponseComplete` when it closed, with the same
 * `time` and request id, the close code and reason as annotations (1001, `the gateway shut down`, for one still open at
 * a clean shutdown); a refused one once, at `ResponseComplete`, with its
 * Status code. The path is `/ticket/<redacted>`: the ticket opens a console, so it is never written down.
 */
export function consoleAudit(deps: AuditHookDeps): ConsoleAudit {
  // The consoles recorded as opened and not yet as closed: a clean shutdown records those still open.
  const open = new WeakMap<ConsoleSession, () => void>();
  const audit: ConsoleAudit = (req, code, session, ended) => {
    try {
      const { requestId } = requestInfo(req);
      const attrs: AuditRequestAttributes = {
        verb: 'create', apiGroup: 'vmoperator.vmware.com', resource: 'virtualmachines', subresource: 'console',
        namespace: session.namespace ?? '', name: session.name ?? '', path: REDACTED_TICKET_PATH, resourceRequest: true,
      };
      if (!ended) deps.metrics?.connected(attrs, '', code);
      const annotations: Record<string, string> = {
        ...(session.request ? { [CONSOLE_REQUEST_AUDIT_ANNOTATION]: session.request } : {}),
        ...(ended ? { [CONSOLE_CLOSE_CODE_AUDIT_ANNOTATION]: String(ended.code) } : {}),
        ...(ended?.reason ? { [CONSOLE_CLOSE_REASON_AUDIT_ANNOTATION]: ended.reason } : {}),
      };
      const started = code === 101 && !ended;
      if (ended) {
        open.get(session)?.();
        open.delete(session);
      }
      appendRecord(deps, req, {
        // A requester read back from the log has a name and no groups: none, not the anonymous user's.
        time: session.receivedAt, requestId, user: session.user ? { ...session.user, groups: session.user.groups ?? [] } : ANONYMOUS, attrs, code,
        stage: started ? 'ResponseStarted' : 'ResponseComplete',
        decision: session.ticketRefused ? 'deny' : 'allow',
        annotations: Object.keys(annotations).length ? annotations : undefined,
      });
      if (started) open.set(session, deps.log.open.add(() => audit(req, code, session, CONSOLE_SHUTDOWN_END)));
    } catch (err) {
      deps.logger.error('audit: web console not recorded', { error: (err as Error).message });
    }
  };
  return audit;
}

/** How a console still open when the gateway shut down cleanly is recorded as ended (1001: going away). */
export const CONSOLE_SHUTDOWN_END: ConsoleEnd = { code: 1001, reason: 'the gateway shut down' };

async function serve(deps: AuditHookDeps, req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo | undefined, attrs: AuditRequestAttributes): Promise<void> {
  // Authenticated and authorized as every other request: the Authenticator's 401, RBAC's 403.
  const rbacAttrs = rbacAttributes(user ?? deps.auth.authenticate(req), attrs);
  if (!authorize(rbacAttrs, deps.rbac).allowed) throw forbiddenFor(rbacAttrs);
  await serveAuditApi(deps.log, req, res, url);
}

function authenticated(auth: Authenticator, req: IncomingMessage): UserInfo | undefined {
  try {
    return auth.authenticate(req);
  } catch {
    return undefined;
  }
}

function rbacAttributes(user: UserInfo, a: AuditRequestAttributes): RequestAttributes {
  if (!a.resourceRequest) return { user, verb: a.verb, resourceRequest: false, path: a.path };
  return {
    user, verb: a.verb, resourceRequest: true, apiGroup: a.apiGroup, resource: a.resource,
    subresource: a.subresource || undefined, namespace: a.namespace || undefined, name: a.name || undefined,
  };
}

/**
 * deny: refused by authentication (401) or by RBAC (a 403 that RBAC would give now). Other
 * 403s (admission: quota, Pod Security, a terminating namespace) were allowed by authorization.
 */
function decision(code: number, user: UserInfo | undefined, attrs: AuditRequestAttributes, rbac: RbacLookups): 'allow' | 'deny' {
  if (code === 401 || !user) return code >= 400 ? 'deny' : 'allow';
  if (code !== 403) return 'allow';
  try {
    return authorize(rbacAttributes(user, attrs), rbac).allowed ? 'allow' : 'deny';
  } catch {
    return 'deny';
  }
}

/** Calls `fn` once, when the response's status line is written (a watch's response never "finishes" until it ends). */
function onHeaders(res: ServerResponse, fn: () => void): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    const out = (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    fn();
    return out;
  } as typeof res.writeHead;
}

/** `metadata.name` of the object a successful create answered with. */
function createdName(res: ServerResponse): string | undefined {
  const name = (answerOf(res) as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}
