import type { JsonSchema } from '@openpacific/contracts';

/** An int32 field's range (`format: int32`), as Go decodes a built-in kind's field and kube-openapi checks a CRD's. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/**
 * The integers JSON carries exactly: kube-openapi takes a number as an integer only within ±2^53 (a float beyond it,
 * such as 1e21, "must be of type integer"), and JavaScript's numbers hold no more.
 */
export const JSON_INTEGER_MAX = 2 ** 53;

const bounded = new WeakMap<object, JsonSchema>();
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_ONES = ['additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'];

/**
 * The schema ajv compiles for a kind's schema: every integer field bounded, as kube-apiserver bounds it — ±2^31 with
 * `format: int32`, else ±2^53 — where the schema sets no bound of its own. Without it 1e21 was an integer and
 * 2147483648 a StatefulSet's replicas, and the controllers counting to them hung. Nodes without integers are
 * shared with the original; the result is kept as long as the original is.
 */
export function withIntegerBounds(schema: JsonSchema): JsonSchema {
  return bound(schema) as JsonSchema;
}

function bound(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    const items = node.map(bound);
    return items.some((item, i) => item !== node[i]) ? items : node;
  }
  const known = bounded.get(node);
  if (known) return known;
  const source = node as Record<string, any>;
  let out: Record<string, any> | undefined;
  const set = (key: string, value: unknown) => {
    if (value === source[key]) return;
    out ??= { ...source };
    out[key] = value;
  };
  for (const key of SCHEMA_MAPS) {
    const map = source[key];
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    let changed: Record<string, unknown> | undefined;
    for (const [name, child] of Object.entries(map)) {
      const next = bound(child);
      if (next !== child) (changed ??= { ...map })[name] = next;
    }
    if (changed) set(key, changed);
  }
  for (const key of [...SCHEMA_LISTS, ...SCHEMA_ONES]) if (source[key] !== undefined) set(key, bound(source[key]));
  const types = Array.isArray(source.type) ? source.type : [source.type];
  if (types.includes('integer') && !types.includes('number')) {
    const limit = source.format === 'int32' ? INT32_MAX : JSON_INTEGER_MAX;
    if (source.maximum === undefined && source.exclusiveMaximum === undefined) set('maximum', limit);
    if (source.minimum === undefined && source.exclusiveMinimum === undefined) set('minimum', limit === INT32_MAX ? INT32_MIN : -limit);
  }
  const result = (out ?? source) as JsonSchema;
  bounded.set(node, result);
  return result;
}
