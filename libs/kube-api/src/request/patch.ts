import { applyOperation, getValueByPointer, Operation } from 'fast-json-patch';
import { applyOwnership, FieldManagerOptions, ListShapes } from './managed-fields';
import { badRequest, statusError } from './status';

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export function patchContentType(contentType: string): PatchType | undefined {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return ({
    'application/merge-patch+json': 'merge',
    'application/json-patch+json': 'json',
    'application/strategic-merge-patch+json': 'strategic',
    'application/apply-patch+yaml': 'apply',
  } as Record<string, PatchType>)[type];
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge recursively, null removes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, any> = isObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** kube-apiserver's limits on a JSON patch: its operations, and the bytes its `copy` operations may add in all. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;
export const JSON_PATCH_COPY_LIMIT = 3 * 1024 * 1024;

/**
 * RFC 6902. A failing `test` or a path that does not exist is a 422, as kube-apiserver answers; more than 10,000
 * operations a 413; `copy` operations adding more than 3 MiB in all a 422 (twenty copies of an object into itself
 * made it a million times larger and held the gateway, as CVE-2019-1002100 did kube-apiserver).
 */
export function applyJsonPatch(target: unknown, ops: unknown): any {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw statusError(413, 'RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  const refused = (message: string) => statusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
  let document = structuredClone(target);
  let copied = 0;
  try {
    (ops as Operation[]).forEach((op, index) => {
      if (op?.op === 'copy' && typeof op.from === 'string') {
        const value = getValueByPointer(document, op.from);
        copied += value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '');
        if (copied > JSON_PATCH_COPY_LIMIT) {
          throw Object.assign(new Error(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${JSON_PATCH_COPY_LIMIT}`), { limit: true });
        }
      }
      document = applyOperation(document, op, true, true, true, index).newDocument;
    });
  } catch (err) {
    throw refused((err as Error).message.split('\n')[0]);
  }
  return document;
}

/** Lists that merge by a key in every kind (metav1 and conventions), on top of the kind's own. */
const COMMON_MERGE_KEYS: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'status.conditions': 'type',
};
/** Lists of primitives merged as sets. */
const SET_LISTS: ReadonlySet<string> = new Set(['metadata.finalizers']);

/**
 * Strategic merge patch as kubectl sends it for built-in kinds: lists with a
 * patch merge key merge item by item, other lists are replaced, and the
 * directives `$patch`, `$setElementOrder/`, `$retainKeys` and
 * `$deleteFromPrimitiveList/` are honoured.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, mergeKeys: Record<string, string>): any {
  const keys = { ...COMMON_MERGE_KEYS, ...mergeKeys };
  if (!isObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  return mergeMap(isObject(target) ? target : {}, patch, '', keys);
}

function mergeMap(original: Record<string, any>, patch: Record<string, any>, path: string, keys: Record<string, string>): any {
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, any> = structuredClone(original ?? {});
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = out[field].filter((x: unknown) => !v.includes(x));
      continue;
    }
    const child = path ? `${path}.${k}` : k;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, child, keys);
    else if (isObject(v)) {
      const merged = mergeMap(isObject(out[k]) ? out[k] : {}, v, child, keys);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const field = k.slice('$setElementOrder/'.length);
    const key = keys[path ? `${path}.${field}` : field];
    if (Array.isArray(out[field])) out[field] = reorder(out[field], order, key);
  }
  return out;
}

function mergeList(original: any[], patch: any[], path: string, keys: Record<string, string>): any[] {
  const key = keys[path];
  if (SET_LISTS.has(path)) return [...new Set([...original, ...patch])];
  if (!key) return stripDirectives(patch.filter((x) => !(isObject(x) && x.$patch)));
  if (patch.some((x) => isObject(x) && x.$patch === 'replace')) {
    return patch.filter((x) => !(isObject(x) && x.$patch === 'replace')).map(stripDirectives);
  }
  const out = structuredClone(original);
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = out.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeMap(out[at], item, `${path}[]`, keys);
    else out.push(stripDirectives(item));
  }
  return out;
}

function reorder(list: any[], order: any[], key: string | undefined): any[] {
  const id = (x: any) => (key && isObject(x) ? x[key] : x);
  const wanted = order.map(id);
  const ranked = list.filter((x) => wanted.includes(id(x))).sort((a, b) => wanted.indexOf(id(a)) - wanted.indexOf(id(b)));
  return [...ranked, ...list.filter((x) => !wanted.includes(id(x)))];
}

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, any> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/** A kind's list shapes for field ownership: its merge keys and the common ones, and the set lists. */
export function listShapes(mergeKeys: Record<string, string> = {}): ListShapes {
  return { keys: { ...COMMON_MERGE_KEYS, ...mergeKeys }, sets: SET_LISTS };
}

/**
 * Server-side apply: the applied configuration is merged into the live object (maps field by field, keyed lists
 * item by item, set lists as sets, other lists replaced), then field ownership (`applyOwnership`,
 * managed-fields.ts) refuses a conflicting change unless forced and removes what this manager applied before
 * and no longer applies. A configuration that carries managedFields is refused, as kube-apiserver does.
 */
export function applyServerSideApply(live: unknown, applied: unknown, opts: FieldManagerOptions & { force: boolean }): any {
  if (!isObject(applied)) throw badRequest('an apply patch must be an object');
  if (isObject(applied.metadata) && applied.metadata.managedFields != null) throw badRequest('metadata.managedFields must be nil');
  const current = isObject(live) ? live : {};
  const merged = applyMerge(current, applied, '', opts.shapes);
  return applyOwnership(current, applied, merged, opts);
}

function applyMerge(live: Record<string, any>, applied: Record<string, any>, path: string, shapes: ListShapes): any {
  const out = structuredClone(live);
  for (const [k, v] of Object.entries(applied)) {
    const child = path ? `${path}.${k}` : k;
    const key = shapes.keys[child];
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = applyMerge(isObject(out[k]) ? out[k] : {}, v, child, shapes);
    else if (Array.isArray(v) && shapes.sets.has(child) && Array.isArray(out[k])) out[k] = [...new Set([...out[k], ...v])];
    else if (Array.isArray(v) && key && Array.isArray(out[k])) {
      const merged = structuredClone(out[k]);
      for (const item of v) {
        const at = merged.findIndex((o: any) => isObject(o) && isObject(item) && o[key] === item[key]);
        if (at >= 0) merged[at] = applyMerge(merged[at], item, `${child}[]`, shapes);
        else merged.push(structuredClone(item));
      }
      out[k] = merged;
    } else out[k] = structuredClone(v);
  }
  return out;
}
