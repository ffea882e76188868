import { badRequest, notFound } from '@openpacific/kube-api';
import { ResourceRegistry, ServedResource } from '../registry/registry';

/** A request for objects of one kind: `/api/v1/namespaces/default/events/e1`, `/apis/g/v/hosts/h1/status`. */
export interface ResourceTarget {
  served: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** `pods/<id>/proxy/...`, `services/<id>/proxy/...` and `nodes/<id>/proxy/...`: what follows `/proxy`, as sent ('' when nothing does). */
  proxyPath?: string;
}

/**
 * What follows `/api/v1/namespaces/<ns>/<plural>/<id>/proxy` (`depth` 8 segments) or `/api/v1/<plural>/<id>/proxy`
 * (6) in a path, as sent (still percent-encoded, a trailing slash kept): '' when nothing does.
 */
function proxyPathOf(pathname: string, depth: number): string {
  const segments = pathname.split('/');
  // Counted by segment: a path with an empty one before `/proxy` (`//`) is not one the proxy serves.
  if (segments.slice(1, depth).some((s) => !s)) throw notFound('', pathname);
  const after = segments.slice(depth);
  return after.length ? `/${after.join('/')}` : '';
}

/** The kinds whose `proxy` subresource passes requests on to a backend (group/plural): a pod, a Service, a host's kubelet. */
const PROXIED = new Set(['/pods', '/services', '/nodes']);

/**
 * Resolves a resource path; undefined when the path is not under /api/v1 or
 * /apis/<g>/<v>. Unknown kinds and versions answer 404 as kube-apiserver does.
 */
export function parseResourcePath(registry: ResourceRegistry, pathname: string): ResourceTarget | undefined {
  const parts = decodedSegments(pathname);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (!registry.hasGroupVersion(group, version)) throw notFound('', pathname);

  // namespaces/{ns}/{plural}... is a namespaced request unless {plural} is not a namespaced kind
  // (then it is the Namespace object's own subresource, e.g. namespaces/{name}/status).
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const served = registry.lookup(group, version, rest[2]);
    if (served && served.def.scope === 'Namespaced') {
      // A proxy request's path goes on past the subresource: the rest is the backend's path.
      if (rest[4] === 'proxy' && PROXIED.has(`${group}/${served.def.plural}`)) return { served, namespace: rest[1], name: rest[3], subresource: 'proxy', proxyPath: proxyPathOf(pathname, 8) };
      if (rest.length > 5) throw notFound('', pathname);
      return { served, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
  }
  const served = registry.lookup(group, version, rest[0]);
  if (!served) throw notFoundResource(group, version, rest[0]);
  if (rest[2] === 'proxy' && served.def.scope === 'Cluster' && PROXIED.has(`${group}/${served.def.plural}`)) {
    return { served, name: rest[1], subresource: 'proxy', proxyPath: proxyPathOf(pathname, 6) };
  }
  if (rest.length > 3) throw notFound('', pathname);
  return { served, name: rest[1], subresource: rest[2] };
}

/**
 * The path's segments, percent-decoded. Decoded only when something is encoded: most paths hold no `%`, and decoding
 * every segment was a microsecond of each request (docs/benchmarks.md, "Fiftieth round"). A `%` that starts no valid
 * escape is the client's error (400), as kube-apiserver answers it.
 */
function decodedSegments(pathname: string): string[] {
  const segments = pathname.split('/').filter(Boolean);
  return pathname.includes('%') ? decodedPathParts(segments, pathname) : segments;
}

/** Parts of `pathname`, percent-decoded; a `%` that starts no valid escape is the client's 400. */
export function decodedPathParts(parts: string[], pathname: string): string[] {
  try {
    return parts.map(decodeURIComponent);
  } catch {
    throw badRequest(`invalid percent-encoding in the request path ${JSON.stringify(pathname)}`);
  }
}

function notFoundResource(group: string, version: string, plural: string) {
  const gv = group ? `${group}/${version}` : version;
  const err = notFound('', plural);
  err.status.message = `the server could not find the requested resource (resource "${plural}" in ${gv})`;
  return err;
}

export { badRequest };
