import { CRDS_RESOURCE, qualifiedResource, resourceDefinitions } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';

/** Where a paramKind's objects are in the read model, and whether they live in namespaces. */
interface ParamResource {
  resource: string;
  namespaced: boolean;
}

/** A built-in kind, or a custom resource whose definition serves the kind at that version. */
export function paramResourceOf(model: ReadModel, paramKind: { apiVersion?: string; kind?: string }): ParamResource | undefined {
  const apiVersion = paramKind.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const builtin = resourceDefinitions.find((d) => d.group === group && d.kind === paramKind.kind && d.versions.some((v) => v.name === version && v.served));
  if (builtin) return { resource: qualifiedResource(builtin), namespaced: builtin.scope === 'Namespaced' };
  for (const { object: crd } of model.list(CRDS_RESOURCE)) {
    const spec = crd.spec ?? {};
    if (spec.group !== group || spec.names?.kind !== paramKind.kind) continue;
    if (!(spec.versions ?? []).some((v: any) => v.name === version && v.served)) continue;
    return { resource: `${spec.names.plural}.${group}`, namespaced: spec.scope === 'Namespaced' };
  }
  return undefined;
}

/**
 * The param objects a binding's paramRef names for a request, as kube-apiserver collects them: by name or by
 * selector, in the paramRef's namespace, else (a namespaced kind) the request's. An error is a misconfiguration.
 */
export function paramsFor(model: ReadModel, params: ParamResource, ref: any, requestNamespace: string | undefined): any[] | { error: string } {
  let namespace: string | undefined;
  if (params.namespaced) {
    namespace = ref.namespace || requestNamespace;
    if (!namespace) return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
  }
  if (ref.name) {
    const found = model.get(params.resource, namespace, ref.name)?.object;
    return found ? [found] : [];
  }
  let selector;
  try {
    selector = labelSelectorFromObject(ref.selector ?? {});
  } catch (err) {
    return { error: (err as Error).message };
  }
  return model.list(params.resource, namespace).map((s) => s.object).filter((o) => matchesLabelSelector(selector, o.metadata?.labels ?? {}));
}
