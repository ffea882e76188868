import type * as Cel from '@bufbuild/cel';

const OPAQUE = Symbol('kubernetes CEL value');

/** The kinds of value Kubernetes' CEL libraries add: `url(…)`, `quantity(…)`, `ip(…)`, `cidr(…)`. */
export type OpaqueKind = 'URL' | 'Quantity' | 'IP' | 'CIDR';

/**
 * @bufbuild/cel has no extension types, so a Kubernetes value travels as a one-entry map that carries the value
 * behind a symbol: two values are `==` when their canonical texts are (`quantity("1") == quantity("1000m")`), and
 * the library's methods take any map and refuse those that are not of their kind.
 */
export function opaque<T>(cel: typeof Cel, kind: OpaqueKind, canonical: string, value: T): Cel.CelMap {
  const map = cel.celMap(new Map([[`<${kind}>`, canonical]]));
  Object.defineProperty(map, OPAQUE, { value: { kind, value } });
  return map;
}

/** The value behind an opaque map of `kind`, or undefined for anything else. */
export function opaqueOf<T>(kind: OpaqueKind, v: unknown): T | undefined {
  const held = typeof v === 'object' && v !== null ? (v as any)[OPAQUE] : undefined;
  return held?.kind === kind ? (held.value as T) : undefined;
}

/** The value behind an opaque map of `kind`; a CEL error (cel-go's wording) for anything else. */
export function expectOpaque<T>(kind: OpaqueKind, v: unknown, fn: string): T {
  const value = opaqueOf<T>(kind, v);
  if (value === undefined) throw new Error(`no such overload: ${fn}`);
  return value;
}
