import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ResourceRegistry } from '../registry/registry';
import { parseResourcePath, ResourceTarget } from './resource-path';

/** A request path as the gateway resolves it; a path that cannot be resolved keeps its error (404) to throw. */
export interface ResolvedPath {
  target?: ResourceTarget;
  history: boolean;
  error?: unknown;
}

/** What the audit hook and the router both derive from one request, worked out once for the two. */
export interface RequestInfo {
  url: URL;
  /** The Audit-Id response header, the audit record's request id and the request id of the events it writes. */
  requestId: string;
  resolved?: ResolvedPath;
}

const infos = new WeakMap<IncomingMessage, RequestInfo>();

export function requestInfo(req: IncomingMessage): RequestInfo {
  let info = infos.get(req);
  if (!info) infos.set(req, (info = { url: new URL(req.url ?? '/', 'https://gateway'), requestId: randomUUID() }));
  return info;
}

export function resolvedPath(registry: ResourceRegistry, req: IncomingMessage): ResolvedPath {
  const info = requestInfo(req);
  return (info.resolved ??= resolvePath(registry, info.url.pathname));
}

/** `<object path>/history` is ours; everything else is a kube resource path. */
export function resolvePath(registry: ResourceRegistry, path: string): ResolvedPath {
  try {
    if (path.endsWith('/history')) {
      const target = parseResourcePath(registry, path.slice(0, -'/history'.length));
      if (target?.name && !target.subresource) return { target, history: true };
    }
    return { target: parseResourcePath(registry, path), history: false };
  } catch (error) {
    return { history: false, error };
  }
}
