import { resourceAttributes } from '../auth/request-attributes';
import { resolvePath, ResolvedPath } from '../http/request-info';
import { ResourceRegistry } from '../registry/registry';

/** What a request asks, in Kubernetes terms: the fields of an audit record (and of an RBAC check). */
export interface AuditRequestAttributes {
  /** get, list, watch, create, update, patch, delete, deletecollection; for a non-resource request the lower-cased method. */
  verb: string;
  /** Resource requests only ('' otherwise, and for the core group). */
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The URL path without its query. */
  path: string;
  resourceRequest: boolean;
}

const ANONYMOUS = { username: 'system:anonymous', groups: [] as string[] };

/**
 * Derives verb/resource/namespace/name from the request path as the gateway parses it
 * (resource-path.ts), with the verbs of kube-apiserver's RequestInfo. A path that is not
 * a known resource (discovery, /version, an unknown kind) is a non-resource request.
 */
export function requestAttributes(registry: ResourceRegistry, method: string, url: URL | string, resolved?: ResolvedPath): AuditRequestAttributes {
  const u = typeof url === 'string' ? new URL(url, 'https://gateway') : url;
  const path = u.pathname;
  const { target, history } = resolved ?? resolvePath(registry, path);
  if (!target) {
    return { verb: method.toLowerCase(), apiGroup: '', resource: '', subresource: '', namespace: '', name: '', path, resourceRequest: false };
  }
  const a = resourceAttributes(ANONYMOUS, method, u.searchParams, target, history);
  return {
    verb: a.verb,
    apiGroup: a.apiGroup ?? '',
    resource: a.resource ?? '',
    subresource: a.subresource ?? '',
    namespace: a.namespace ?? '',
    name: a.name ?? '',
    path,
    resourceRequest: true,
  };
}
