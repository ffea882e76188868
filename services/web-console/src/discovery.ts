/** Maps apiVersion/kind to resource paths through the API's own discovery (/api, /apis, /apis/<g>/<v>). */
import { ApiError, getJson } from './api';

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

const groupVersions = new Map<string, Promise<ResourceInfo[]>>();
let preferredVersions: Promise<Map<string, string>> | undefined;

function groupVersionResources(group: string, version: string): Promise<ResourceInfo[]> {
  const key = group ? `${group}/${version}` : version;
  let list = groupVersions.get(key);
  if (!list) {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    list = getJson(path).then((doc) =>
      (doc.resources ?? [])
        .filter((r: any) => !String(r.name).includes('/'))
        .map((r: any) => ({ group, version, kind: r.kind, plural: r.name, namespaced: !!r.namespaced, verbs: r.verbs ?? [] })),
    );
    list.catch(() => groupVersions.delete(key));
    groupVersions.set(key, list);
  }
  return list;
}

/** Each group's preferred version (the core group is "v1"). */
function preferred(): Promise<Map<string, string>> {
  if (!preferredVersions) {
    preferredVersions = getJson('/apis').then((doc) => {
      const map = new Map<string, string>([['', 'v1']]);
      for (const g of doc.groups ?? []) map.set(g.name, g.preferredVersion?.version ?? g.versions?.[0]?.version);
      return map;
    });
    preferredVersions.catch(() => (preferredVersions = undefined));
  }
  return preferredVersions;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The resource serving `kind` at exactly this apiVersion (what a YAML document names). */
export async function resourceForKind(apiVersion: string, kind: string): Promise<ResourceInfo> {
  const { group, version } = splitApiVersion(apiVersion);
  const found = (await groupVersionResources(group, version).catch(() => [])).find((r) => r.kind === kind);
  if (!found) throw new ApiError(404, `no kind "${kind}" is registered for version "${apiVersion}"`);
  return found;
}

/** The resource at its group's preferred version, by plural (what the console's own pages use). */
export async function preferredResource(group: string, plural: string): Promise<ResourceInfo> {
  // The core group has one version: its resources need not wait for the groups' list.
  const version = group === '' ? 'v1' : (await preferred()).get(group);
  if (!version) throw new ApiError(404, `the server does not serve the group "${group}"`);
  const found = (await groupVersionResources(group, version)).find((r) => r.plural === plural);
  if (!found) throw new ApiError(404, `the server does not serve ${plural} in "${group || 'core'}"`);
  return found;
}

export function collectionPath(r: ResourceInfo, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}

export function objectPath(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}

/** What an object path names: `/apis/<g>/<v>[/namespaces/<ns>]/<plural>/<name>` or `/api/v1/...`. */
export interface ObjectRef {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name: string;
}

export function parseObjectPath(path: string): ObjectRef | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api') [version, ...rest] = parts.slice(1);
  else if (parts[0] === 'apis') [group, version, ...rest] = parts.slice(1);
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length === 4) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length !== 2 || !version) return undefined;
  return { group, version, plural: rest[0], namespace, name: rest[1] };
}

export function refPath(ref: ObjectRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${base}${ns}/${ref.plural}/${encodeURIComponent(ref.name)}`;
}

export async function resourceOfRef(ref: ObjectRef): Promise<ResourceInfo> {
  const found = (await groupVersionResources(ref.group, ref.version)).find((r) => r.plural === ref.plural);
  if (!found) throw new ApiError(404, `the server does not serve ${ref.plural} at ${ref.group ? `${ref.group}/` : ''}${ref.version}`);
  return found;
}

export function forgetDiscovery(): void {
  groupVersions.clear();
  preferredVersions = undefined;
}
