/**
 * Which backend an HTTP request goes to, as the Ingress API specifies: a rule's host matches exactly, or a wildcard
 * `*.foo.com` matches one more label (`bar.foo.com`, not `foo.com` nor `a.bar.foo.com`), or a rule without host
 * matches any; among the paths of the best host match the longest wins (Exact before Prefix at equal length);
 * then the oldest Ingress's defaultBackend; else none (404).
 * Prefix matches element by element (`/foo/bar` matches `/foo/bar/baz`, not `/foo/barbaz`; a trailing `/` is
 * ignored). ImplementationSpecific is matched as Prefix.
 */

export interface IngressBackendRef {
  namespace: string;
  service: string;
  port: { number?: number; name?: string };
}

export interface IngressRoute {
  host?: string;
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: IngressBackendRef;
}

export interface IngressRoutes {
  routes: IngressRoute[];
  defaultBackend?: IngressBackendRef;
}

const elements = (path: string): string[] => path.split('/').filter((e) => e !== '');

export function pathMatches(route: Pick<IngressRoute, 'path' | 'pathType'>, requestPath: string): boolean {
  if (route.pathType === 'Exact') return route.path === requestPath;
  const want = elements(route.path || '/');
  const got = elements(requestPath);
  return want.length <= got.length && want.every((e, i) => e === got[i]);
}

/** 2 exact host, 1 wildcard, 0 any host; -1 no match. */
export function hostRank(ruleHost: string | undefined, requestHost: string): number {
  if (!ruleHost) return 0;
  if (ruleHost === requestHost) return 2;
  if (ruleHost.startsWith('*.')) {
    const dot = requestHost.indexOf('.');
    return dot > 0 && requestHost.slice(dot + 1) === ruleHost.slice(2) ? 1 : -1;
  }
  return -1;
}

/** The request's host without port, lower case. */
export function requestHostOf(header: string | undefined): string {
  const host = (header ?? '').toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

export function routeRequest(table: IngressRoutes, hostHeader: string | undefined, url: string): IngressBackendRef | undefined {
  const host = requestHostOf(hostHeader);
  const path = url.split('?')[0].split('#')[0] || '/';
  for (const rank of [2, 1, 0]) {
    let best: IngressRoute | undefined;
    for (const r of table.routes) {
      if (hostRank(r.host, host) !== rank || !pathMatches(r, path)) continue;
      const length = (r.path || '/').length;
      const bestLength = best ? (best.path || '/').length : -1;
      if (!best || length > bestLength || (length === bestLength && r.pathType === 'Exact' && best.pathType !== 'Exact')) best = r;
    }
    if (best) return best.backend;
  }
  return table.defaultBackend;
}

const backendRef = (namespace: string, b: any): IngressBackendRef | undefined =>
  b?.service?.name ? { namespace, service: b.service.name, port: { number: b.service.port?.number, name: b.service.port?.name } } : undefined;

/** The routing table of a set of Ingresses (one controller's class), oldest first so its defaultBackend wins. */
export function ingressRoutes(ingresses: any[]): IngressRoutes {
  const sorted = [...ingresses].sort((a, b) => String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')));
  const table: IngressRoutes = { routes: [] };
  for (const ing of sorted) {
    const ns = ing.metadata.namespace;
    table.defaultBackend ??= backendRef(ns, ing.spec?.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule?.http?.paths ?? []) {
        const backend = backendRef(ns, p?.backend);
        if (backend) table.routes.push({ host: rule.host || undefined, path: p.path ?? '/', pathType: p.pathType, backend });
      }
    }
  }
  return table;
}
