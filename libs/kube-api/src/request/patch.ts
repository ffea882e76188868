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

/** kube-apiserver's 422 for a patch that cannot be applied (a generic server response: Invalid, its words appended). */
const rejected = (message: string) => statusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);

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
      // A value moved into itself leaves its destination's parent gone, as in kube-apiserver's json-patch (the library
      // here failed inside JavaScript, and its TypeError was the answer).
      if (op?.op === 'move' && typeof op.from === 'string' && typeof op.path === 'string' && op.path.startsWith(`${op.from}/`)) {
        throw new Error(`move operation does not apply: doc is missing destination path: ${op.path}`);
      }
      try {
        document = applyOperation(document, op, true, true, true, index).newDocument;
      } catch (err) {
        if (err instanceof TypeError) throw new Error(`${String(op?.op)} operation does not apply: doc is missing path: ${String((op as { path?: unknown })?.path)}`);
        throw err;
      }
    });
  } catch (err) {
    throw rejected((err as Error).message.split('\n')[0]);
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

const PATCH_DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/**
 * Strategic merge patch as kubectl sends it for built-in kinds: lists with a
 * patch merge key merge item by item, other lists are replaced, and the
 * directives `$patch`, `$setElementOrder/`, `$retainKeys` and
 * `$deleteFromPrimitiveList/` are honoured.
 *
 * Where the patch merges into a map or list the object already holds, its directives and keyed items are checked as
 * k8s.io/apimachinery's strategicpatch checks them, with its words. A value the object lacks is taken as sent, as
 * there (nothing of it is checked). kube-apiserver answers a malformed `$retainKeys`, `$setElementOrder` or
 * `$deleteFromPrimitiveList` key with 400 BadRequest and a list of lists with 422; the rest (an unknown `$patch`, an
 * item without its merge key, a directive of the wrong type) reach it as errors that are not a Status, which it
 * sends as a 500 with no reason. Bad input is never a 5xx here: those are 400 BadRequest, in the same words.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, mergeKeys: Record<string, string>): any {
  const keys = { ...COMMON_MERGE_KEYS, ...mergeKeys };
  if (!isObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  return mergeMap(isObject(target) ? target : {}, patch, '', keys, true);
}

/**
 * One map of the patch merged into the object's map. `live` says whether the object held that map (the root always
 * counts): only then does kube-apiserver read the patch's directives there, and refuse bad ones.
 */
function mergeMap(original: Record<string, any>, patch: Record<string, any>, path: string, keys: Record<string, string>, live: boolean): any {
  if (PATCH_DIRECTIVE in patch) {
    if (patch.$patch === 'replace') return stripDirectives(patch);
    if (patch.$patch === 'delete') return undefined;
    if (live) throw badRequest(`unknown patch type: ${goFormat(patch.$patch, 's')} in map: ${goFormat(patch, 'v')}`);
  }
  if (live) {
    checkRetainKeys(patch);
    checkSetElementOrders(original, patch, path, keys);
  }
  const out: Record<string, any> = structuredClone(original ?? {});
  for (const [k, v] of Object.entries(patch)) {
    if (k === PATCH_DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`)) continue;
    if (k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`)) {
      deleteFromPrimitiveList(out, k.slice(DELETE_FROM_PRIMITIVE_LIST.length + 1), v, live);
      continue;
    }
    if (live && k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) throw badRequest('invalid patch format of primitive list');
    const child = path ? `${path}.${k}` : k;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, child, keys, live && Array.isArray(out[k]));
    else if (isObject(v)) {
      const merged = mergeMap(isObject(out[k]) ? out[k] : {}, v, child, keys, live && isObject(out[k]));
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(`${SET_ELEMENT_ORDER}/`) || !Array.isArray(order)) continue;
    const field = k.slice(SET_ELEMENT_ORDER.length + 1);
    const key = keys[path ? `${path}.${field}` : field];
    if (Array.isArray(out[field])) out[field] = reorder(out[field], order, key);
  }
  return out;
}

/**
 * `$retainKeys` (applyRetainKeysDirective): a list, naming every field the patch sets; anything else is
 * `invalid patch format of retainKeys`.
 */
function checkRetainKeys(patch: Record<string, any>): void {
  if (!(RETAIN_KEYS in patch)) return;
  const retained = patch.$retainKeys;
  if (!Array.isArray(retained)) throw badRequest('invalid patch format of retainKeys');
  for (const [k, v] of Object.entries(patch)) {
    if (k === RETAIN_KEYS || v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.includes(k)) throw badRequest('invalid patch format of retainKeys');
  }
}

/**
 * `$setElementOrder/<list>` (mergePatchIntoOriginal): a list, under a key of that form, and for a list merged by a
 * key, of maps holding that key, when the object or the patch has the list.
 */
function checkSetElementOrders(original: Record<string, any>, patch: Record<string, any>, path: string, keys: Record<string, string>): void {
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!Array.isArray(order)) throw badRequest(badArgType('[]interface {}', order));
    if (!k.startsWith(`${SET_ELEMENT_ORDER}/`)) throw badRequest('invalid patch format of setElementOrder list');
    const field = k.slice(SET_ELEMENT_ORDER.length + 1);
    for (const list of [original[field], patch[field]]) {
      if (list !== undefined && !Array.isArray(list)) throw badRequest(badArgType('[]interface {}', list));
    }
    const key = keys[path ? `${path}.${field}` : field];
    checkOrderOfPatchList(patch[field], order, key);
    if (key && (original[field] !== undefined || patch[field] !== undefined)) for (const item of order) requireMergeKey(item, key);
  }
}

/**
 * validatePatchWithSetOrderList: the patch's items (those it deletes aside) come in the order `$setElementOrder`
 * gives them, each found there by its merge key (or, in a list of primitives, its value).
 */
function checkOrderOfPatchList(patchList: unknown[] | undefined, order: unknown[], key: string | undefined): void {
  if (!patchList || patchList.length === 0 || order.length === 0) return;
  const kept = key ? patchList.filter((x) => {
    if (!isObject(x)) throw badRequest(badArgType('map[string]interface {}', x));
    return x.$patch !== 'delete';
  }) : patchList;
  let at = 0;
  let seen = 0;
  while (at < kept.length && seen < order.length) {
    const item = kept[at];
    if (isObject(item) && PATCH_DIRECTIVE in item) {
      at++;
      continue;
    }
    if (sameMergeKey(item, order[seen], key)) at++;
    seen++;
  }
  if (at < kept.length && seen >= order.length) {
    throw badRequest(`The order in patch list:\n${goFormat(patchList, 'v')}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order, 'v')}\n`);
  }
}

/** mergeKeyValueEqual: two items of a keyed list, both maps holding the key, name the same item; primitives are equal. */
function sameMergeKey(left: unknown, right: unknown, key: string | undefined): boolean {
  if (!key) return left === right;
  requireMergeKey(left, key);
  requireMergeKey(right, key);
  return (left as Record<string, unknown>)[key] === (right as Record<string, unknown>)[key];
}

/**
 * `$deleteFromPrimitiveList/<list>`: the values it lists leave the list. Null removes the list; any other value is
 * not a list and replaces it, as it does in kube-apiserver (whose decoding, like validation here, then refuses a
 * list field holding something else).
 */
function deleteFromPrimitiveList(out: Record<string, any>, field: string, v: unknown, live: boolean): void {
  if (v === null) {
    if (live) delete out[field];
  } else if (!Array.isArray(v) || (out[field] !== undefined && !Array.isArray(out[field]))) {
    if (live) out[field] = structuredClone(v);
  } else if (Array.isArray(out[field])) out[field] = out[field].filter((x: unknown) => !v.includes(x));
}

/**
 * A list of the patch merged into the object's. `live`: the object held a list there, which is when kube-apiserver
 * checks the items of a list merged by a key (mergeSlice): all of one type, no lists of lists, every item with the
 * merge key, `$patch` only `delete` (of an item named by its key) or `replace`.
 */
function mergeList(current: unknown, patch: any[], path: string, keys: Record<string, string>, live: boolean): any[] {
  const original: any[] = Array.isArray(current) ? current : [];
  const key = keys[path];
  if (SET_LISTS.has(path)) return [...new Set([...original, ...patch])];
  if (!key) return stripDirectives(patch.filter((x) => !(isObject(x) && x.$patch)));
  if (live) checkKeyedItems(original, patch, key);
  if (patch.some((x) => isObject(x) && x.$patch === 'replace')) {
    return patch.filter((x) => !(isObject(x) && PATCH_DIRECTIVE in x)).map(stripDirectives);
  }
  const out = structuredClone(original);
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = out.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeMap(out[at], item, `${path}[]`, keys, true);
    else out.push(stripDirectives(item));
  }
  return out;
}

/** The checks of mergeSlice and mergeSliceWithSpecialElements, in their order and words. */
function checkKeyedItems(original: any[], patch: any[], key: string): void {
  if (original.length === 0 && patch.length === 0) return;
  const types = [...original, ...patch].map(goTypeOf);
  if (Array.isArray([...original, ...patch][0])) throw rejected('lists of lists are not supported');
  if (types.some((t) => t !== types[0])) throw badRequest(`list element types are not identical: ${goFormat([original, patch], 'v')}`);
  if (!isObject(patch[0] ?? original[0])) return;
  for (const item of patch) {
    if (!(PATCH_DIRECTIVE in item)) continue;
    const directive = item.$patch;
    if (directive === 'delete' && !(key in item)) throw badRequest(noMergeKey(item, key));
    if (directive === 'merge') throw badRequest('merging lists cannot yet be specified in the patch');
    if (directive !== 'delete' && directive !== 'replace') throw badRequest(`unknown patch type: ${goFormat(directive, 's')} in map: ${goFormat(item, 'v')}`);
  }
  for (const item of patch) if (!(PATCH_DIRECTIVE in item)) requireMergeKey(item, key);
}

/** An item of a list merged by `key`: a map (mergepatch.ErrBadArgType) holding the key (mergepatch.ErrNoMergeKey). */
function requireMergeKey(item: unknown, key: string): void {
  if (!isObject(item)) throw badRequest(badArgType('map[string]interface {}', item));
  if (!(key in item)) throw badRequest(noMergeKey(item, key));
}

const noMergeKey = (item: Record<string, unknown>, key: string) => `map: ${goFormat(item, 'v')} does not contain declared merge key: ${key}`;
const badArgType = (expected: string, actual: unknown) => `expected a ${expected}, but received a ${goTypeOf(actual) ?? '%!s(<nil>)'}`;

/** The Go type a decoded JSON value has in kube-apiserver (integers stay int64, as its decoder keeps them); none for null. */
function goTypeOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isGoInt(v) ? 'int64' : 'float64';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

const isGoInt = (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 63;

/**
 * A decoded JSON value as Go's fmt prints it with `%v` (`map[a:1 b:[x y]]`, keys sorted) or `%s` (the same, but a
 * value that is no string shown as `%!s(int64=1)`).
 */
function goFormat(v: unknown, verb: 'v' | 's'): string {
  if (Array.isArray(v)) return `[${v.map((x) => goFormat(x, verb)).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k], verb)}`).join(' ')}]`;
  if (v === null || v === undefined) return verb === 's' ? '%!s(<nil>)' : '<nil>';
  if (typeof v === 'string') return v;
  const text = typeof v === 'number' ? goNumber(v) : String(v);
  return verb === 'v' ? text : `%!s(${goTypeOf(v)}=${text})`;
}

/** An int64 in decimal; a float64 as %v prints it (%g, shortest): in exponent form below 1e-4 and from 1e6. */
function goNumber(n: number): string {
  if (isGoInt(n)) return BigInt(n).toString();
  const [mantissa, exponent] = n.toExponential().split('e');
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
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
