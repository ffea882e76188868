import type { RequestAttributes, UserInfo } from '@openpacific/authz';
import type { ResourceTarget } from '../http/resource-path';

/** The RBAC verb of a resource request, as kube-apiserver's RequestInfo derives it. */
export function resourceVerb(method: string, named: boolean, query: URLSearchParams): string {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** `fieldSelector=metadata.name=x` on a list or watch narrows it to one name (what `kubectl get pod x -w` sends). */
function selectedName(query: URLSearchParams): string | undefined {
  const m = /^metadata\.name==?([^,]+)$/.exec(query.get('fieldSelector') ?? '');
  return m?.[1];
}

export function resourceAttributes(user: UserInfo, method: string, query: URLSearchParams, target: ResourceTarget, history: boolean): RequestAttributes {
  const def = target.served.def;
  let name = target.name;
  const verb = resourceVerb(method, name !== undefined, query);
  if (name === undefined && (verb === 'list' || verb === 'watch')) name = selectedName(query);
  // A Namespace is its own namespace: a RoleBinding in team-a may grant `get namespaces` on team-a.
  const namespace = target.namespace ?? (def.group === '' && def.plural === 'namespaces' ? name : undefined);
  return {
    user,
    verb,
    resourceRequest: true,
    apiGroup: def.group,
    resource: def.plural,
    subresource: history ? 'history' : target.subresource,
    namespace,
    name,
  };
}

export function nonResourceAttributes(user: UserInfo, method: string, path: string): RequestAttributes {
  const verbs: Record<string, string> = { GET: 'get', HEAD: 'head', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' };
  return { user, verb: verbs[method] ?? method.toLowerCase(), resourceRequest: false, path };
}
