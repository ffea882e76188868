/**
 * A small structural diff/apply used by conversion: `diff(a, b)` is the change
 * that turns `a` into `b`, `apply(c, p)` replays it on a third object. Lists of
 * equal length are diffed item by item so that a change to one interface keeps
 * the storage-only fields of the others. The patch is plain JSON.
 */
export type Patch = { $set: unknown } | { $delete: true } | { $fields: Record<string, Patch> } | { $items: (Patch | null)[] };

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function diff(a: unknown, b: unknown): Patch | undefined {
  if (deepEqual(a, b)) return undefined;
  if (b === undefined) return { $delete: true };
  if (isPlainObject(a) && isPlainObject(b)) return diffFields(a, b);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return { $items: a.map((x, i) => diff(x, b[i]) ?? null) };
  return { $set: clone(b) };
}

function diffFields(a: Record<string, any>, b: Record<string, any>): Patch {
  const fields: Record<string, Patch> = {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const p = diff(a[k], b[k]);
    if (p) fields[k] = p;
  }
  return { $fields: fields };
}

/** Replays `patch` on `target`; `undefined` means the value is deleted. */
export function apply(target: unknown, patch: Patch): unknown {
  if ('$set' in patch) return clone(patch.$set);
  if ('$delete' in patch) return undefined;
  if ('$fields' in patch) return applyFields(target, patch.$fields);
  // Lists of another length than at diff time cannot be matched item by item: keep them.
  if (!Array.isArray(target) || target.length !== patch.$items.length) return target;
  return target.map((x, i) => (patch.$items[i] ? apply(x, patch.$items[i] as Patch) : x)).filter((x) => x !== undefined);
}

function applyFields(target: unknown, fields: Record<string, Patch>): Record<string, any> {
  const out: Record<string, any> = isPlainObject(target) ? { ...target } : {};
  for (const [k, p] of Object.entries(fields)) {
    const v = apply(out[k], p);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** JSON with sorted keys, so equal values serialise equally. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => stableStringify(x ?? null)).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** FNV-1a of the stable JSON: a short fingerprint, not a security hash. */
export function fingerprint(v: unknown): string {
  let h = 0x811c9dc5;
  for (const ch of stableStringify(v)) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
