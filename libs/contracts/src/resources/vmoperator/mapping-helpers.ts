import { clone, isPlainObject } from './json-patch3';

/** `o` without its undefined values, or undefined when nothing is left. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(out).length ? out : undefined;
}

/** Copies `keys` of `from` that are set. */
export function pick(from: any, keys: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const k of keys) if (from?.[k] !== undefined) out[k] = clone(from[k]);
  return out;
}

export function upperFirst(s: unknown): string | undefined {
  return typeof s === 'string' && s ? s[0].toUpperCase() + s.slice(1) : undefined;
}

export function lowerFirst(s: unknown): string | undefined {
  return typeof s === 'string' && s ? s[0].toLowerCase() + s.slice(1) : undefined;
}

/** A copy of `obj` whose `section` (spec/status) is replaced by `map(section)`, dropped when that gives undefined. */
export function mapSection(obj: any, section: string, map: (value: any) => any): any {
  const out = clone(obj);
  if (!isPlainObject(out) || out[section] === undefined) return out;
  const value = map(out[section]);
  if (value === undefined) delete out[section];
  else out[section] = value;
  return out;
}

/** Moves `from` to `to` inside `obj` (mutates). */
export function rename(obj: any, from: string, to: string): void {
  if (!isPlainObject(obj) || !(from in obj)) return;
  obj[to] = obj[from];
  delete obj[from];
}
