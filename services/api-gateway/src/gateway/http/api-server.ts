import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeApiError, internalError, statusError, methodNotAllowed, notFound, serviceUnavailable, healthPath } from '@openpacific/kube-api';
import { GatewayCore, ResourceRequest } from '../core';
import { handleCreate } from '../handlers/create';
import { handleDelete, handleDeleteCollection } from '../handlers/delete';
import { handleScale } from '../handlers/scale';
import { handleTokenRequest } from '../handlers/token-request';
import { handleEviction } from '../handlers/eviction';
import { handleHistory } from '../handlers/history';
import { handleLogs } from '../handlers/logs';
import { handleProxy } from '../handlers/proxy';
import { handleNodeProxy } from '../handlers/node-proxy';
import { handleGet, handleList } from '../handlers/read';
import { handlePatch } from '../handlers/patch';
import { handleUpdate } from '../handlers/update';
import { handleWatch } from '../handlers/watch';
import { warn } from '../handlers/decode';
import { authorize, forbiddenMessage, RequestAttributes } from '@openpacific/authz';
import { METRICS_GROUP, REVIEW_GROUPS } from '@openpacific/contracts';
import { handleComponentStatuses } from '../component-statuses/component-statuses';
import { serviceMetrics } from '@openpacific/service-kit';
import { handleMetrics } from '../metrics/metrics-api';
import { readModelLookups } from '../auth/rbac-lookups';
import { nonResourceAttributes, resourceAttributes } from '../auth/request-attributes';
import { impersonate } from '../auth/impersonation';
import { handleReview } from '../auth/reviews';
import { handleBinding } from '../handlers/binding';
import { JWKS_CONTENT_TYPE, JWKS_PATH, jwks, OPENID_CONFIGURATION_PATH, openIdConfiguration } from '../auth/issuer-discovery';
import type { AuditHook } from '../audit/audit-hook';
import { isWcpPath, WcpApi } from '../auth/wcp-api';
import { Authenticator } from './authenticator';
import { isConsolePath, serveConsole } from './console-assets';
import { handleMetaRoute } from './meta-routes';
import { inNodeLeaseNamespace, nodeLeaseWriteRefused } from '../node-leases/node-lease-api';
import { readBody } from './read-body';
import { validateWriteOptions } from '../handlers/write-options';
import { requestInfo, resolvedPath } from './request-info';
import { sendJson, sendStatus } from './respond';
import { GatewayHealth } from './health';

/** Routes one HTTPS request: health, then authentication, then discovery/OpenAPI, then objects. */
export class ApiRequestHandler {
  constructor(
    private readonly core: GatewayCore,
    private readonly auth: Authenticator,
    /** `/healthz`, `/livez`, `/readyz` and their checks (health.ts). */
    private readonly health: GatewayHealth,
    /** Records every request; serves the AuditRecord API itself (audit/audit-hook.ts). */
    private readonly audit?: AuditHook,
    /** `kubectl vsphere login`'s API (auth/wcp-api.ts): it authenticates its own callers (a password, then a session). */
    private readonly wcp?: WcpApi,
  ) {}

  private get rbac() {
    return readModelLookups(this.core.readModel);
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const audited = this.audit?.(req, res);
    (audited ?? this.route(req, res)).catch((err) => this.fail(res, err, req));
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, requestId } = requestInfo(req);
    const path = url.pathname;
    // The health endpoints themselves are open to anyone (system:public-info-viewer); one check of theirs is a
    // non-resource URL RBAC decides on (system:monitoring), below.
    const health = healthPath(path);
    if (health && !health.check) return this.health.serve(res, health.endpoint, url.searchParams);
    // The web console's static files are public; every API call it makes carries the user's token.
    if (isConsolePath(path, req.method, req.headers.accept)) return serveConsole(req, res, path);
    if (this.wcp && isWcpPath(path)) return this.wcp.handle(req, res, path);
    const caller = path === '/version' ? { username: 'system:anonymous', groups: [] } : this.auth.authenticate(req);
    if (handleMetaRoute(this.core.registry, req, res, url)) return;

    const method = req.method ?? 'GET';
    const as = impersonate(caller, req, this.rbac);
    if ('refused' in as) throw forbiddenFor(as.refused);
    const user = as.user;
    const { target, history, error } = resolvedPath(this.core.registry, req);
    if (error) throw error;
    // Every request is authorized (RBAC) before it is handled; discovery above is open to any authenticated user.
    const attrs = target ? resourceAttributes(user, method, url.searchParams, target, history) : nonResourceAttributes(user, method, path);
    if (!authorize(attrs, this.rbac).allowed) throw forbiddenFor(attrs);
    if (!target && path === '/metrics') return serveMetrics(res, method);
    if (!target && health?.check && this.health.has(health.endpoint, health.check)) return this.health.serve(res, health.endpoint, url.searchParams, health.check);
    if (!target && (path === OPENID_CONFIGURATION_PATH || path === JWKS_PATH)) return this.serveIssuerDiscovery(res, method, path);
    if (!target) throw notFound('', path);
    const r: ResourceRequest = { req, res, url, query: url.searchParams, target, user, requestId };
    // A deprecated version of a custom kind says so on every request to it, as kube-apiserver does.
    if (target.served.version.deprecationWarning) warn(r, target.served.version.deprecationWarning);
    // Computed from the hosts' samples, never stored: no write reaches the store.
    if (target.served.def.group === METRICS_GROUP) return handleMetrics(this.core, r, method, history);
    // Asked of Postgres and NATS on each request, never stored.
    if (target.served.def.group === '' && target.served.def.kind === 'ComponentStatus') return handleComponentStatuses(this.core, r, method, history);
    // The body of a proxied request streams on to its backend: it is not read here. A Node's is its host's kubelet API.
    if (target.subresource === 'proxy' && target.proxyPath !== undefined && target.name !== undefined) {
      return target.served.def.kind === 'Node' ? handleNodeProxy(this.core, r, method) : handleProxy(this.core, r, method);
    }
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) r.body = await readBody(req);
    if (REVIEW_GROUPS.includes(target.served.def.group)) return handleReview(r, method, this.rbac, (token, audiences) => this.auth.reviewToken(token, audiences));
    await this.dispatch(r, method, history);
  }

  /** ServiceAccount issuer discovery (OIDC), as kube-apiserver serves it to those RBAC lets read it. */
  private serveIssuerDiscovery(res: ServerResponse, method: string, path: string): void {
    if (method !== 'GET') throw methodNotAllowed(method);
    const signer = this.core.serviceAccountKey;
    if (!signer || !this.core.publicUrl) throw notFound('', path);
    if (path === JWKS_PATH) return sendJson(res, 200, jwks(signer), JWKS_CONTENT_TYPE);
    sendJson(res, 200, openIdConfiguration(this.core.publicUrl));
  }

  private async dispatch(r: ResourceRequest, method: string, history: boolean): Promise<void> {
    const { target } = r;
    const core = this.core;
    if (target.served.def.scope === 'Namespaced' && target.name !== undefined && !target.namespace) throw notFound('', r.url.pathname);
    // kube-node-lease's Leases are the hosts' heartbeats as this replica hears them: read only.
    if (inNodeLeaseNamespace(target) && method !== 'GET') throw nodeLeaseWriteRefused(target);
    const podLog = target.subresource === 'log' && target.served.def.kind === 'Pod' && target.served.def.group === '';
    const scale = target.subresource === 'scale' && !!target.served.def.subresources.scale && target.name !== undefined;
    const token = target.subresource === 'token' && target.served.def.kind === 'ServiceAccount' && target.served.def.group === '' && target.name !== undefined;
    const eviction = target.subresource === 'eviction' && target.served.def.kind === 'Pod' && target.served.def.group === '' && target.name !== undefined;
    const binding = target.subresource === 'binding' && target.served.def.kind === 'Pod' && target.served.def.group === '' && target.name !== undefined;
    // Like status, a subresource writing one field of the spec (pods/ephemeralcontainers) or of the status
    // (certificatesigningrequests/approval) is the object itself to GET, PUT and PATCH.
    const subresources = target.served.def.subresources;
    const objectLike = (target.subresource === 'status' && subresources.status) || !!subresources.specFields?.[target.subresource ?? ''] || !!subresources.statusFields?.[target.subresource ?? ''];
    if (target.subresource && !podLog && !scale && !token && !eviction && !binding && !objectLike) {
      throw notFound('', r.url.pathname);
    }
    // A write's options are checked before it is handled (a verb the target does not take is 405 first).
    if (!podLog && !history && (target.name !== undefined || method === 'POST')) validateWriteOptions(r, method);
    if (scale) return handleScale(core, r, method);
    if (token) return handleTokenRequest(core, r, method);
    if (eviction) return handleEviction(core, r, method);
    if (binding) return handleBinding(core, r, method);
    if (podLog) {
      if (method !== 'GET') throw methodNotAllowed(method);
      return handleLogs(core, r);
    }
    if (history) {
      if (method !== 'GET') throw methodNotAllowed(method);
      return handleHistory(core, r);
    }
    const watch = r.query.get('watch') === 'true' || r.query.get('watch') === '1';
    if (target.name === undefined) {
      if (method === 'GET') return watch ? handleWatch(core, r) : handleList(core, r);
      if (method === 'POST') return handleCreate(core, r);
      if (method === 'DELETE') return handleDeleteCollection(core, r);
      throw methodNotAllowed(method);
    }
    if (method === 'GET') return handleGet(core, r);
    if (method === 'PUT') return handleUpdate(core, r);
    if (method === 'PATCH') return handlePatch(core, r);
    if (method === 'DELETE' && !target.subresource) return handleDelete(core, r);
    throw methodNotAllowed(method);
  }

  private fail(res: ServerResponse, err: unknown, req: IncomingMessage): void {
    if (err instanceof KubeApiError) {
      sendStatus(res, err);
      return;
    }
    if (storeUnavailable(err)) {
      this.core.logger.warn('event store unavailable', { method: req.method, url: req.url, error: (err as Error).message });
      sendStatus(res, serviceUnavailable(`the event store (Postgres) is unavailable: ${(err as Error).message}; try again`));
      return;
    }
    this.core.logger.error('request failed', { method: req.method, url: req.url, error: (err as Error).stack ?? String(err) });
    sendStatus(res, internalError((err as Error).message ?? 'unexpected error'));
  }
}

export { sendJson };

/** GET /metrics: the process's Prometheus metrics (request-metrics.ts and the runtime's), for whoever RBAC lets get it. */
async function serveMetrics(res: ServerResponse, method: string): Promise<void> {
  if (method !== 'GET') throw methodNotAllowed(method);
  const registry = serviceMetrics();
  const text = await registry.metrics();
  res.writeHead(200, { 'Content-Type': registry.contentType });
  res.end(text);
}

/** Postgres cannot be reached or went away mid-request (refused, reset, shutting down, connect timeout). */
export function storeUnavailable(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code) || /^(08|57P)/.test(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i.test((err as Error)?.message ?? '');
}

/** 403 Forbidden worded as kube-apiserver's, with the resource in the details. */
export function forbiddenFor(attrs: RequestAttributes): KubeApiError {
  const details = attrs.resourceRequest ? { name: attrs.name, group: attrs.apiGroup ?? '', kind: attrs.resource } : undefined;
  return statusError(403, 'Forbidden', forbiddenMessage(attrs), details);
}
