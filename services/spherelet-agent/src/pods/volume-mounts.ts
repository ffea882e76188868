import { expandVars, Resolved } from './pod-config';

/**
 * The subPath of each of a container's volumeMounts (undefined for a mount of the whole volume), as kubelet's
 * makeMounts has it (pkg/kubelet/kubelet_pods.go): `subPath` as written, or `subPathExpr` with its `$(VAR)`
 * references expanded from the container's env (`ExpandContainerVolumeMounts`: every variable missing or empty is
 * named, and the container does not start); then one that is absolute or has a `..` element is refused. The gateway
 * refuses those in the spec already, but an expansion can still make one. Messages are kubelet's.
 */
export function mountSubPaths(container: any, env: { name: string; value: string }[]): Resolved<(string | undefined)[]> {
  const values = new Map(env.map((e) => [e.name, e.value]));
  const subPaths: (string | undefined)[] = [];
  for (const mount of container?.volumeMounts ?? []) {
    let subPath = typeof mount?.subPath === 'string' ? mount.subPath : '';
    const expression = typeof mount?.subPathExpr === 'string' ? mount.subPathExpr : '';
    if (expression !== '') {
      const missing = new Set<string>();
      subPath = expandVars(expression, (name) => {
        const value = values.get(name);
        if (!value) missing.add(name);
        return value ?? '';
      });
      if (missing.size > 0) return { ok: false, message: `missing value for ${[...missing].sort().join(', ')}` };
    }
    if (subPath === '') {
      subPaths.push(undefined);
      continue;
    }
    if (subPath.startsWith('/')) return { ok: false, message: `error SubPath \`${subPath}\` must not be an absolute path` };
    if (subPath.split('/').includes('..')) return { ok: false, message: `unable to provision SubPath \`${subPath}\`: must not contain '..'` };
    subPaths.push(subPath);
  }
  return { ok: true, value: subPaths };
}
