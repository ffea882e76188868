import type { JsonSchema } from '@openpacific/contracts';
import { formattedForCel } from './cel-formats';

/**
 * A JSON value as CEL sees it under its schema: objects as maps (so `self.x` and `has(self.x)` work on them),
 * integers as CEL ints (bigint), `number` fields as doubles even when whole, strings of some formats as timestamps,
 * durations or bytes (cel-formats.ts).
 */
export function toCel(schema: JsonSchema | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && typeof schema?.format === 'string') return formattedForCel(schema.format, value) ?? value;
  if (typeof value === 'number') return schema?.type === 'number' || !Number.isInteger(value) ? value : BigInt(value);
  if (Array.isArray(value)) return value.map((x) => toCel(schema?.items, x));
  if (typeof value === 'object') {
    const props: Record<string, JsonSchema> = schema?.properties ?? {};
    const additional = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return new Map(Object.entries(value).map(([k, v]) => (Object.hasOwn(props, k) ? [escapedProperty(k), toCel(props[k], v)] : [k, toCel(additional, v)])));
  }
  return value;
}

/** CEL's reserved words: a property so named is `self.__namespace__` to a rule, as kube-apiserver escapes it. */
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/**
 * A declared property's name as a rule reads it (kube-apiserver's escaping): a reserved word as `__word__`, and in other
 * names `__` as `__underscores__`, `.` as `__dot__`, `-` as `__dash__`, `/` as `__slash__`. Keys of a map
 * (additionalProperties) are not escaped: a rule reads them by index.
 */
export function escapedProperty(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/[_.\-/]/.test(name)) return name;
  return name.replace(/__|[.\-/]/g, (m) => (m === '__' ? '__underscores__' : m === '.' ? '__dot__' : m === '-' ? '__dash__' : '__slash__'));
}

/** The CEL type name kube-apiserver puts in a rule's error (`Invalid value: "object"`). */
export function celTypeName(schema: JsonSchema | undefined, value: unknown): string {
  if (typeof schema?.type === 'string') return schema.type;
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
}

/** How many values a rule can walk through: every element, entry and character counts. */
export function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length + 1;
  if (Array.isArray(value)) return value.reduce((n: number, x) => n + sizeOf(x), 1);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((n: number, x) => n + sizeOf(x), 1);
  return 1;
}
