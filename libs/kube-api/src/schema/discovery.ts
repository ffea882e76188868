import { apiVersionOf, ResourceDefinition } from '@openpacific/contracts';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUB_VERBS = ['get', 'patch', 'update'];

/** Does the client (kubectl 1.32 does) accept aggregated discovery v2? Only the Content-Type tells it what it got. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((p) => /as=APIGroupDiscoveryList/.test(p) && /v=v2(;|$|\s)/.test(p) && /g=apidiscovery\.k8s\.io/.test(p));
}

/** Groups in the order first seen, each with its served versions newest first as the definitions list them. */
function groups(defs: ResourceDefinition[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of defs) {
    const versions = out.get(d.group) ?? [];
    for (const v of d.versions) if (v.served && !versions.includes(v.name)) versions.push(v.name);
    out.set(d.group, versions);
  }
  return out;
}

function subresources(d: ResourceDefinition): string[] {
  return [...(d.subresources.status ? ['status'] : []), ...(d.subresources.scale ? ['scale'] : []), ...Object.keys(d.subresources.specFields ?? {}), ...Object.keys(d.subresources.statusFields ?? {})];
}

/** apidiscovery.k8s.io/v2 for `/api` (scope core: the core group only) or `/apis` (every other group). */
export function aggregatedDiscovery(defs: ResourceDefinition[], scope: 'core' | 'apis') {
  const items = [...groups(defs)]
    .filter(([group]) => (scope === 'core' ? group === '' : group !== ''))
    .map(([group, versions]) => ({
      metadata: { name: group },
      versions: versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: defs
          .filter((d) => d.group === group && d.versions.some((v) => v.served && v.name === version))
          .map((d) => ({
            resource: d.plural,
            responseKind: { group, version, kind: d.kind },
            scope: d.scope,
            singularResource: d.singular,
            verbs: d.verbs ?? VERBS,
            ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
            ...(d.categories.length ? { categories: d.categories } : {}),
            subresources: [
              ...subresources(d).map((s) => ({
                subresource: s,
                responseKind: s === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group, version, kind: d.kind },
                verbs: SUB_VERBS,
              })),
              ...(d.subresources.served ?? []).map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs })),
            ],
          })),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export function apiVersions() {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

export function apiGroupList(defs: ResourceDefinition[]) {
  const list = [...groups(defs)]
    .filter(([group]) => group !== '')
    .map(([name, versions]) => {
      const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: vs, preferredVersion: vs[0] };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: list };
}

/** The legacy APIResourceList of one group-version (`v1`, `infrastructure.openpacific.io/v1alpha1`). */
export function apiResourceList(defs: ResourceDefinition[], groupVersion: string) {
  const resources = [];
  for (const d of defs) {
    for (const v of d.versions) {
      if (!v.served || apiVersionOf(d, v.name) !== groupVersion) continue;
      resources.push({
        name: d.plural,
        singularName: d.singular,
        namespaced: d.scope === 'Namespaced',
        kind: d.kind,
        verbs: d.verbs ?? VERBS,
        ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
        ...(d.categories.length ? { categories: d.categories } : {}),
      });
      for (const s of subresources(d)) {
        resources.push({
          name: `${d.plural}/${s}`,
          singularName: '',
          namespaced: d.scope === 'Namespaced',
          ...(s === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { kind: d.kind }),
          verbs: SUB_VERBS,
        });
      }
      for (const s of d.subresources.served ?? []) {
        resources.push({ name: `${d.plural}/${s.name}`, singularName: '', namespaced: d.scope === 'Namespaced', group: s.group, version: s.version, kind: s.kind, verbs: s.verbs });
      }
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}
