import { ResourceConversion } from '../resource-definition';
import { versionedConversion, VersionMapping } from '../vmoperator/conversion';
import { apply, clone, diff, isPlainObject } from '../vmoperator/json-patch3';
import { defined, mapSection, pick } from '../vmoperator/mapping-helpers';
import { RUN_GROUP } from './common';
import { tkcSchemas, V1ALPHA1_ADDON_TYPES } from './tanzukubernetescluster.schema';

export const TKC_HUB = 'v1alpha3';
/** The node pool a v1alpha1 `topology.workers` stands for. */
export const V1ALPHA1_WORKERS_POOL = 'workers';

/**
 * TKR names are their versions with `+` spelt `---` (`v1.29.4+vmware.3-fips.1-tkg.1` is the TKR
 * `v1.29.4---vmware.3-fips.1-tkg.1`), so v1alpha1's `distribution.fullVersion` names the TKR the
 * v1alpha2 webhook would resolve. `distribution.version` is only a hint (`v1.29`) that the webhook
 * resolves against the TKRs present, which a conversion cannot do: it is kept in the (deprecated but
 * still served) v1alpha2/v1alpha3 `spec.distribution` instead, where the controller falls back to it.
 */
export function tkrNameOfVersion(version: string): string {
  return version.replace(/\+/g, '---');
}

export function versionOfTkrName(name: string): string {
  return name.replace(/---/g, '+');
}

/** The pool shown as v1alpha1 workers: the one named `workers`, else the first. */
export function workersPoolIndex(pools: any[]): number {
  return Math.max(0, pools.findIndex((p) => p?.name === V1ALPHA1_WORKERS_POOL));
}

function nodeUp(n: any, tkrName?: string): any {
  return defined({ replicas: n?.count, vmClass: n?.class, storageClass: n?.storageClass, volumes: clone(n?.volumes), tkr: tkrName ? { reference: { name: tkrName } } : undefined });
}

function nodeDown(n: any): any {
  return defined({ count: n?.replicas, class: n?.vmClass, storageClass: n?.storageClass, volumes: clone(n?.volumes) });
}

function topologyUp(t: any, tkrName: string | undefined): any {
  const workers = t.workers ? { name: V1ALPHA1_WORKERS_POOL, ...nodeUp(t.workers) } : undefined;
  return defined({ controlPlane: t.controlPlane ? (nodeUp(t.controlPlane, tkrName) ?? {}) : undefined, nodePools: workers ? [workers] : undefined }) ?? {};
}

function topologyDown(t: any): any {
  const pools = Array.isArray(t.nodePools) && t.nodePools.length ? t.nodePools : undefined;
  return defined({ controlPlane: t.controlPlane ? (nodeDown(t.controlPlane) ?? {}) : undefined, workers: pools ? (nodeDown(pools[workersPoolIndex(pools)]) ?? {}) : undefined }) ?? {};
}

/** The stored distribution while it still names the control plane's TKR, else one derived from that TKR. */
function distributionDown(d: any, tkrName: string | undefined): any {
  if (!tkrName) return clone(d);
  if (d?.fullVersion && tkrNameOfVersion(d.fullVersion) === tkrName) return clone(d);
  return { fullVersion: versionOfTkrName(tkrName) };
}

function specUp(s: any): any {
  const tkrName = s.distribution?.fullVersion ? tkrNameOfVersion(s.distribution.fullVersion) : undefined;
  return defined({ topology: s.topology ? topologyUp(s.topology, tkrName) : undefined, distribution: clone(s.distribution), settings: clone(s.settings) }) ?? {};
}

function specDown(h: any): any {
  return defined({
    topology: h.topology ? topologyDown(h.topology) : undefined,
    distribution: distributionDown(h.distribution, h.topology?.controlPlane?.tkr?.reference?.name),
    settings: clone(h.settings),
  }) ?? {};
}

function addonsUp(addons: any): any[] | undefined {
  if (!isPlainObject(addons)) return undefined;
  const out = Object.entries(V1ALPHA1_ADDON_TYPES)
    .filter(([key]) => isPlainObject(addons[key]))
    .map(([key, type]) => ({ ...pick(addons[key], ['name']), type, ...pick(addons[key], ['version', 'conditions']) }));
  return out.length ? out : undefined;
}

function addonsDown(addons: any): any {
  if (!Array.isArray(addons)) return undefined;
  const keyOf = (type: string) => Object.entries(V1ALPHA1_ADDON_TYPES).find(([, t]) => t === type)?.[0];
  const entries = addons.filter((a) => keyOf(a?.type)).map((a) => [keyOf(a.type), pick(a, ['name', 'version', 'conditions'])]);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function statusUp(s: any): any {
  return defined({
    apiEndpoints: clone(s.clusterApiStatus?.apiEndpoints),
    version: s.version,
    addons: addonsUp(s.addons),
    phase: s.phase,
    nodeStatus: clone(s.nodeStatus),
    vmStatus: clone(s.vmStatus),
  }) ?? {};
}

function statusDown(h: any): any {
  return defined({
    clusterApiStatus: defined({ apiEndpoints: clone(h.apiEndpoints) }),
    vmStatus: clone(h.vmStatus),
    nodeStatus: clone(h.nodeStatus),
    version: h.version,
    addons: addonsDown(h.addons),
    phase: h.phase,
  }) ?? {};
}

/** v1alpha1 `count/class/distribution` <-> v1alpha3 `replicas/vmClass/tkr/nodePools` (RESOURCES.md §2). */
export const tkcV1alpha1Mapping: VersionMapping = {
  up: (obj) => mapSection(mapSection(obj, 'spec', specUp), 'status', statusUp),
  down: (hub) => mapSection(mapSection(hub, 'spec', specDown), 'status', statusDown),
};

/**
 * Applies a v1alpha1 client's change to `workers` onto the pool it was shown as. The generic conversion
 * matches lists item by item only at equal length, so with several pools stored it would drop the edit.
 */
function withWorkersEdit(stored: any, obj: any, view: any): any {
  const pools = stored?.spec?.topology?.nodePools;
  const workers = obj?.spec?.topology?.workers;
  if (!Array.isArray(pools) || pools.length === 0 || !isPlainObject(workers)) return stored;
  const change = diff(nodeUp(view?.spec?.topology?.workers) ?? {}, nodeUp(workers) ?? {});
  if (!change) return stored;
  const out = clone(stored);
  const i = workersPoolIndex(pools);
  out.spec.topology.nodePools[i] = apply(pools[i], change);
  return out;
}

export function tkcConversion(): ResourceConversion {
  const inner = versionedConversion({ group: RUN_GROUP, hubVersion: TKC_HUB, schemas: tkcSchemas, mappings: { v1alpha1: tkcV1alpha1Mapping } });
  return {
    fromStorage: inner.fromStorage,
    toStorage(obj, fromVersion, stored) {
      if (fromVersion !== 'v1alpha1' || !stored) return inner.toStorage(obj, fromVersion, stored);
      return inner.toStorage(obj, fromVersion, withWorkersEdit(stored, obj, inner.fromStorage(stored, 'v1alpha1')));
    },
  };
}
