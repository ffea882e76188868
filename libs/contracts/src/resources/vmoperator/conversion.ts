import { JsonSchema, ResourceConversion } from '../resource-definition';
import { apply, clone, diff, fingerprint, isPlainObject, Patch, stableStringify } from './json-patch3';

/** How one older version maps to and from the storage (hub) version, apart from apiVersion. */
export interface VersionMapping {
  up(obj: any): any;
  /** Must not change `hub` (the stored object); its result is pruned to the target version's schema. */
  down(hub: any): any;
}

/**
 * Down is only ever followed by `prune`, which copies what it keeps, so it does not copy first. What prune keeps
 * as it is (preserve-unknown-fields subtrees) is shared with the stored object, as a read at the storage version
 * shares the whole object: readers never change a converted object in place.
 */
export const identityMapping: VersionMapping = { up: (o) => clone(o), down: (o) => o };

/**
 * Holds the fields a client wrote at an older version that the storage version
 * cannot express (v1alpha1 `ports`, a `configMapName`...), so reading the object
 * back at that version gives them again. Each section records the fingerprint of
 * the converted section it was computed against and is used only while that is
 * unchanged, so a later edit at another version is never overridden.
 */
export const STASH_PREFIX = 'conversion.openpacific.io/';

interface StashSection {
  basis: string;
  patch: Patch;
}

export interface VersionedConversionOptions {
  group: string;
  hubVersion: string;
  /** Schema of every served version; converting down drops what the target schema does not declare. */
  schemas: Record<string, JsonSchema>;
  /** Older versions; a served version without a mapping only changes apiVersion. */
  mappings: Record<string, VersionMapping>;
}

export function versionedConversion(opts: VersionedConversionOptions): ResourceConversion {
  const apiVersion = (v: string) => `${opts.group}/${v}`;
  const mappingOf = (v: string) => {
    if (!(v in opts.schemas)) throw new Error(`no served version ${v} in ${opts.group}`);
    return opts.mappings[v] ?? identityMapping;
  };
  const upOf = (obj: any, v: string) => withApiVersion(mappingOf(v).up(obj), apiVersion(opts.hubVersion));
  const pureDown = (hub: any, v: string) => withApiVersion(prune(opts.schemas[v], mappingOf(v).down(withoutStashes(hub))), apiVersion(v));

  function fromStorage(obj: any, toVersion: string): any {
    if (toVersion === opts.hubVersion) return withApiVersion(clone(obj), apiVersion(toVersion));
    return applyStash(pureDown(obj, toVersion), readStash(obj, toVersion));
  }

  function toStorage(obj: any, fromVersion: string, stored?: any): any {
    if (fromVersion === opts.hubVersion) return withApiVersion(clone(obj), apiVersion(fromVersion));
    const up = upOf(obj, fromVersion);
    // Only what the client changed relative to what it was shown lands on the stored object.
    const change = stored ? diff(upOf(fromStorage(stored, fromVersion), fromVersion), up) : undefined;
    const hub = stored ? (change ? apply(clone(stored), change) : clone(stored)) : up;
    return writeStash(hub, fromVersion, pureDown(hub, fromVersion), obj);
  }

  return { toStorage, fromStorage };
}

function withApiVersion(obj: any, apiVersion: string): any {
  return isPlainObject(obj) ? { ...obj, apiVersion } : obj;
}

function stashKey(version: string): string {
  return `${STASH_PREFIX}${version}`;
}

function withoutStashes(obj: any): any {
  const annotations = obj?.metadata?.annotations;
  if (!annotations || !Object.keys(annotations).some((k) => k.startsWith(STASH_PREFIX))) return obj;
  const kept = Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith(STASH_PREFIX)));
  const metadata = { ...obj.metadata, annotations: kept };
  if (Object.keys(kept).length === 0) delete metadata.annotations;
  return { ...obj, metadata };
}

function readStash(obj: any, version: string): Record<string, StashSection> | undefined {
  const raw = obj?.metadata?.annotations?.[stashKey(version)];
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function applyStash(view: any, stash: Record<string, StashSection> | undefined): any {
  if (!stash) return view;
  let out = view;
  for (const [section, { basis, patch }] of Object.entries(stash)) {
    if (fingerprint(out?.[section]) !== basis) continue;
    const value = apply(out[section], patch);
    out = { ...out, [section]: value };
    if (value === undefined) delete out[section];
  }
  return out;
}

/**
 * Records on `hub` the fields of the client's object that its pure conversion
 * down to `version` (`view`) does not give back; without such fields the stash is removed.
 */
function writeStash(hub: any, version: string, view: any, obj: any): any {
  const out = withoutStash(hub, version);
  const loss = diff(view, obj);
  if (!loss || !('$fields' in loss)) return out;
  const sections: Record<string, StashSection> = {};
  for (const [section, patch] of Object.entries(loss.$fields)) {
    if (section !== 'apiVersion' && section !== 'kind') sections[section] = { basis: fingerprint(view?.[section]), patch };
  }
  if (Object.keys(sections).length === 0) return out;
  const annotations = { ...(out.metadata?.annotations ?? {}), [stashKey(version)]: stableStringify(sections) };
  return { ...out, metadata: { ...(out.metadata ?? {}), annotations } };
}

function withoutStash(obj: any, version: string): any {
  const annotations = obj?.metadata?.annotations;
  if (!annotations || !(stashKey(version) in annotations)) return obj;
  const rest = { ...annotations };
  delete rest[stashKey(version)];
  const metadata = { ...obj.metadata, annotations: rest };
  if (Object.keys(rest).length === 0) delete metadata.annotations;
  return { ...obj, metadata };
}

/** Drops what `schema` does not declare, the way a structural schema prunes unknown fields. */
export function prune(schema: JsonSchema | undefined, value: any): any {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return schema.items ? value.map((x) => prune(schema.items, x)) : value;
  if (schema['x-kubernetes-preserve-unknown-fields']) return value;
  const props: Record<string, JsonSchema> | undefined = schema.properties;
  const additional = schema.additionalProperties;
  if (!props && (additional === undefined || additional === true)) return value;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(value)) {
    if (props && k in props) out[k] = prune(props[k], v);
    else if (isPlainObject(additional)) out[k] = prune(additional, v);
    else if (additional === true) out[k] = v;
  }
  return out;
}
