import { isDeepStrictEqual } from 'node:util';
import { statusError, StatusCause } from './status';

/**
 * Field ownership, as server-side apply keeps it in `metadata.managedFields`: which manager set which field, by
 * Apply or by an ordinary write (Update). A field set is written in the FieldsV1 shape: a tree whose keys are
 * `f:<field>` (a field of a map), `k:{"name":"app"}` (the item of a keyed list with that key), `v:<json>` (a
 * value of a set list) and `.` (the list item itself); a key with an empty object under it is owned.
 */
export type FieldsV1 = { [element: string]: FieldsV1 };

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

/** How a kind's lists merge: by a key field (`spec.containers` → `name`, `[]` for an item), or as sets of values. */
export interface ListShapes {
  keys: Record<string, string>;
  sets: ReadonlySet<string>;
}

/** What a write may own: the main resource of a kind with a status subresource owns no status, the status subresource only status. */
export type OwnedScope = 'object' | 'spec' | 'status';

/** A path as its elements (`['f:metadata', 'f:labels', 'f:app']`), held in sets as its JSON text. */
type Path = string[];
type PathKey = string;

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields the server sets or that name the object: never owned by anyone. */
const SERVER_FIELDS = new Set([
  'apiVersion', 'kind', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.resourceVersion', 'metadata.generation',
  'metadata.creationTimestamp', 'metadata.selfLink', 'metadata.managedFields', 'metadata.deletionTimestamp', 'metadata.deletionGracePeriodSeconds',
]);

function inScope(path: Path, scope: OwnedScope): boolean {
  const top = path[0];
  if (scope === 'status') return top === 'f:status';
  return scope === 'object' || top !== 'f:status';
}

/** The owned paths of an object or an applied configuration: its leaves, keyed list items and set values. */
export function fieldPaths(obj: unknown, shapes: ListShapes, scope: OwnedScope): Set<PathKey> {
  const out = new Set<PathKey>();
  if (isObject(obj)) collect(obj, '', [], shapes, out);
  for (const key of out) if (!inScope(JSON.parse(key), scope)) out.delete(key);
  return out;
}

function collect(obj: Record<string, unknown>, shape: string, prefix: Path, shapes: ListShapes, out: Set<PathKey>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    const at = shape ? `${shape}.${k}` : k;
    if (SERVER_FIELDS.has(at)) continue;
    const path = [...prefix, `f:${k}`];
    const key = shapes.keys[at];
    if (isObject(v) && Object.keys(v).length > 0) collect(v, at, path, shapes, out);
    else if (Array.isArray(v) && key && v.every((item) => isObject(item) && item[key] !== undefined)) {
      for (const item of v) {
        const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
        out.add(JSON.stringify([...itemPath, '.']));
        collect(item, `${at}[]`, itemPath, shapes, out);
      }
    } else if (Array.isArray(v) && shapes.sets.has(at)) {
      for (const x of v) out.add(JSON.stringify([...path, `v:${JSON.stringify(x)}`]));
    } else out.add(JSON.stringify(path));
  }
}

/** The FieldsV1 tree of a set of paths, and back. */
export function toFieldsV1(paths: Iterable<PathKey>): FieldsV1 {
  const root: FieldsV1 = {};
  for (const key of paths) {
    let node = root;
    for (const el of JSON.parse(key) as Path) node = node[el] ??= {};
  }
  return root;
}

export function fromFieldsV1(tree: unknown): Set<PathKey> {
  const out = new Set<PathKey>();
  const walk = (node: unknown, path: Path) => {
    const keys = isObject(node) ? Object.keys(node) : [];
    if (keys.length === 0 && path.length > 0) out.add(JSON.stringify(path));
    for (const k of keys) walk((node as FieldsV1)[k], [...path, k]);
  };
  walk(tree, []);
  return out;
}

/** The value at a path, if the object has one there (a list item's `.` is the item itself). */
function valueAt(obj: unknown, path: Path): { found: boolean; value?: unknown } {
  let node: unknown = obj;
  for (const el of path) {
    if (el === '.') break;
    if (el.startsWith('f:')) {
      const name = el.slice(2);
      if (!isObject(node) || node[name] === undefined) return { found: false };
      node = node[name];
    } else if (el.startsWith('k:')) {
      const want = JSON.parse(el.slice(2)) as Record<string, unknown>;
      const item = Array.isArray(node) ? node.find((i) => isObject(i) && Object.entries(want).every(([k, v]) => isDeepStrictEqual(i[k], v))) : undefined;
      if (item === undefined) return { found: false };
      node = item;
    } else {
      const want = JSON.parse(el.slice(2));
      return Array.isArray(node) && node.some((x) => isDeepStrictEqual(x, want)) ? { found: true, value: want } : { found: false };
    }
  }
  return { found: true, value: node };
}

/**
 * Takes the field at `path` out of `obj` (in place), then each map that this leaves empty, up to but not
 * including the top-level fields (`spec`, `metadata`) and any map at a path in `keep`.
 */
function removeAt(obj: Record<string, any>, path: Path, keep: ReadonlySet<PathKey>): void {
  const steps: Array<{ container: any; el: string }> = [];
  let node: unknown = obj;
  for (const el of path) {
    if (el === '.') break;
    const next = valueAt(node, [el]);
    if (!next.found) return;
    steps.push({ container: node, el });
    node = next.value;
  }
  for (let i = steps.length - 1; i >= 0; i--) {
    const { container, el } = steps[i];
    if (el.startsWith('f:')) delete container[el.slice(2)];
    else container.splice(container.findIndex((x: unknown) => valueAt([x], [el]).found), 1);
    // Go on to the map that held it only when that map is now empty and neither top-level nor kept.
    if (i < 2 || !isObject(container) || Object.keys(container).length > 0) return;
    if (keep.has(JSON.stringify(path.slice(0, i)))) return;
  }
}

/** Every path of a set with each of its prefixes, to ask whether a set holds anything at or below a path. */
function prefixes(paths: Iterable<PathKey>): Set<PathKey> {
  const out = new Set<PathKey>();
  for (const key of paths) {
    const path = JSON.parse(key) as Path;
    for (let n = 1; n <= path.length; n++) out.add(JSON.stringify(path.slice(0, n)));
  }
  return out;
}

/** The path without a list item's trailing `.`: what a set holds at or below when it holds the item. */
const itemOf = (key: PathKey): PathKey => {
  const path = JSON.parse(key) as Path;
  return path[path.length - 1] === '.' ? JSON.stringify(path.slice(0, -1)) : key;
};

/** A list item's own path (`.`) or a set's value: owned for being there, with no value of its own to differ. */
function isMember(key: PathKey): boolean {
  const last = (JSON.parse(key) as Path).at(-1)!;
  return last === '.' || last.startsWith('v:');
}

/** A list item's key field (`name` of `k:{"name":"app"}`): it goes with the item, never on its own. */
function isItemKey(key: PathKey): boolean {
  const path = JSON.parse(key) as Path;
  const [item, field] = path.slice(-2);
  return path.length >= 2 && item.startsWith('k:') && field.startsWith('f:') && field.slice(2) in JSON.parse(item.slice(2));
}

/** A path as kube-apiserver prints it in a conflict: `.metadata.labels.app`, `.spec.containers[name="app"].image`. */
export function printPath(key: PathKey): string {
  return (JSON.parse(key) as Path)
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('k:')) return `[${Object.entries(JSON.parse(el.slice(2))).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      if (el.startsWith('v:')) return `[=${el.slice(2)}]`;
      return '';
    })
    .join('');
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Set<PathKey>;
}

/**
 * The managers of an object and their fields. An entry whose fields cannot be decoded (a `k:` or `v:` element that is
 * no JSON, an element of no known kind) is left out, as kube-apiserver's field manager drops managed fields it cannot
 * decode: kept, every later apply by its manager answered 500.
 */
function ownersOf(obj: any): Owner[] {
  const entries = Array.isArray(obj?.metadata?.managedFields) ? (obj.metadata.managedFields as ManagedFieldsEntry[]) : [];
  return entries
    .filter((e) => isObject(e) && typeof e.manager === 'string')
    .map((entry) => ({ entry, paths: fromFieldsV1(entry.fieldsV1) }))
    .filter((owner) => [...owner.paths].every(decodable));
}

function decodable(key: PathKey): boolean {
  return (JSON.parse(key) as Path).every((el) => {
    if (el === '.' || el.startsWith('f:')) return true;
    if (el.startsWith('i:')) return /^\d+$/.test(el.slice(2));
    if (!el.startsWith('k:') && !el.startsWith('v:')) return false;
    try {
      const value = JSON.parse(el.slice(2));
      return !el.startsWith('k:') || isObject(value);
    } catch {
      return false;
    }
  });
}

/** The entries again, each with its (possibly changed) set; an entry left owning nothing goes, as kube-apiserver drops it. */
function entriesOf(owners: Owner[]): ManagedFieldsEntry[] {
  return owners.filter((o) => o.paths.size > 0).map((o) => ({ ...o.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1([...o.paths].sort()) }));
}

const sameWriter = (e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource: string | undefined) =>
  e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');

export interface FieldManagerOptions {
  manager: string;
  apiVersion: string;
  subresource?: string;
  scope: OwnedScope;
  shapes: ListShapes;
  now: string;
}

/** The manager's entry in `owners`, added (with no fields yet) when it has none. */
function entryFor(owners: Owner[], operation: 'Apply' | 'Update', opts: FieldManagerOptions): Owner {
  const found = owners.find((o) => sameWriter(o.entry, opts.manager, operation, opts.subresource));
  if (found) return found;
  const entry: ManagedFieldsEntry = { manager: opts.manager, operation, apiVersion: opts.apiVersion, time: opts.now, fieldsType: 'FieldsV1', fieldsV1: {} };
  if (opts.subresource) entry.subresource = opts.subresource;
  const owner = { entry, paths: new Set<PathKey>() };
  owners.push(owner);
  return owner;
}

function describeManager(e: ManagedFieldsEntry): string {
  const name = `"${e.manager}"${e.subresource ? ` with subresource "${e.subresource}"` : ''}`;
  return e.operation === 'Update' ? `${name} using ${e.apiVersion} at ${e.time}` : name;
}

/** 409, worded and detailed as kube-apiserver's apply conflict (one cause per field). */
function applyConflict(conflicts: Array<{ entry: ManagedFieldsEntry; path: PathKey }>) {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.entry)}`, field: printPath(c.path) }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].entry)}: ${printPath(conflicts[0].path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(describeManager(c.entry), [...(byManager.get(describeManager(c.entry)) ?? []), printPath(c.path)]);
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return statusError(409, 'Conflict', message, { causes });
}

/**
 * Server-side apply's ownership step, on the live object and what the merge of the applied configuration made
 * of it (`merged`, changed in place and returned): a field the configuration sets to another value than the
 * live one while another manager owns it is a conflict (409, nothing written) unless `force`, which takes it
 * over; a field this manager applied last time and no longer applies is removed, unless another manager owns it
 * too; the manager's Apply entry then holds exactly what it applied.
 */
export function applyOwnership(live: any, applied: any, merged: any, opts: FieldManagerOptions & { force: boolean }): any {
  const owners = ownersOf(live);
  const applying = fieldPaths(applied, opts.shapes, opts.scope);
  const mine = entryFor(owners, 'Apply', opts);
  // Every other entry, the same manager's Update entries too: they are other writers, as in kube-apiserver.
  const others = owners.filter((o) => o !== mine);

  const conflicts: Array<{ entry: ManagedFieldsEntry; path: PathKey; owner: Owner }> = [];
  for (const key of applying) {
    if (isMember(key)) continue;
    const path = JSON.parse(key) as Path;
    const was = valueAt(live, path);
    if (!was.found || isDeepStrictEqual(was.value, valueAt(applied, path).value)) continue;
    for (const o of others) if (o.paths.has(key)) conflicts.push({ entry: o.entry, path: key, owner: o });
  }
  if (conflicts.length > 0 && !opts.force) throw applyConflict(conflicts);
  for (const c of conflicts) c.owner.paths.delete(c.path);

  // What the manager stops applying goes, unless someone else still holds it or the new configuration sets something at or below it.
  const keptByOthers = prefixes(others.flatMap((o) => [...o.paths]));
  const appliedBelow = prefixes(applying);
  const dropped = [...mine.paths].filter((key) => !applying.has(key)).sort((a, b) => b.length - a.length);
  for (const key of dropped) {
    const at = itemOf(key);
    if (keptByOthers.has(at) || appliedBelow.has(at) || isItemKey(key)) continue;
    removeAt(merged, JSON.parse(key), new Set([...keptByOthers, ...appliedBelow]));
  }
  const unchanged = mine.paths.size === applying.size && [...applying].every((k) => mine.paths.has(k));
  mine.paths = applying;
  if (!unchanged) mine.entry = { ...mine.entry, apiVersion: opts.apiVersion, time: opts.now };
  merged.metadata = { ...(merged.metadata ?? {}), managedFields: entriesOf(owners) };
  if (merged.metadata.managedFields.length === 0) delete merged.metadata.managedFields;
  return merged;
}

/**
 * An ordinary write's (PUT, a non-apply PATCH) ownership step: the fields it changed, added or removed leave
 * every other manager and belong to this one's Update entry. Objects that carry no managed fields yet (none was
 * ever applied) are left without; the first apply starts them.
 */
export function updateOwnership(old: any, next: any, opts: FieldManagerOptions): ManagedFieldsEntry[] | undefined {
  const owners = ownersOf(old);
  if (owners.length === 0) return undefined;
  const before = fieldPaths(old, opts.shapes, opts.scope);
  const after = fieldPaths(next, opts.shapes, opts.scope);
  const changed = new Set<PathKey>();
  for (const key of after) {
    if (!before.has(key)) changed.add(key);
    else if (!isMember(key)) {
      const path = JSON.parse(key) as Path;
      if (!isDeepStrictEqual(valueAt(old, path).value, valueAt(next, path).value)) changed.add(key);
    }
  }
  const removed = [...before].filter((key) => !after.has(key));
  if (changed.size === 0 && removed.length === 0) return old.metadata.managedFields;
  const mine = entryFor(owners, 'Update', opts);
  for (const o of owners) {
    for (const key of removed) o.paths.delete(key);
    if (o !== mine) for (const key of changed) o.paths.delete(key);
  }
  for (const key of changed) mine.paths.add(key);
  mine.entry = { ...mine.entry, apiVersion: opts.apiVersion, time: opts.now };
  return entriesOf(owners);
}
