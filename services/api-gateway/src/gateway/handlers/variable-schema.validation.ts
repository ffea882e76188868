import { fieldInvalid, fieldNotSupported, fieldRequired, fieldTooLong, goQuote, re2Test, StatusCause } from '@openpacific/kube-api';

/**
 * A ClusterClass variable's value checked against its `schema.openAPIV3Schema`, as Cluster API does it (the CRD
 * validator of kube-openapi, then pruning to find fields the schema does not declare), for the part of OpenAPI v3 a
 * variable schema uses: type (and nullable, x-kubernetes-int-or-string), enum, min/max (exclusive too), multipleOf,
 * min/maxLength, pattern, min/maxItems, uniqueItems, items, properties, required, additionalProperties,
 * min/maxProperties, x-kubernetes-preserve-unknown-fields. Formats, allOf/anyOf/oneOf/not and CEL rules are not
 * checked.
 *
 * Causes read as CAPI words them: the field is `<at>.value` and then kube-openapi's name of the part inside the value
 * (`.enabled`, `.proxy.url`, `.[1]` for an item of the value itself); the bad value printed is always the whole
 * variable value as JSON (CAPI sets the raw value on every error); the detail is kube-openapi's, `enabled in body must
 * be of type boolean: "string"`, with no `in body` for the value itself.
 */

type Schema = Record<string, any>;

interface Walk {
  /** `spec.topology.variables[name].value` */
  at: string;
  /** The variable's whole value as JSON, printed in every cause. */
  raw: string;
  causes: StatusCause[];
}

/** The raw JSON CAPI prints for a value: its own text, compact (kubectl sends JSON compact), empty when absent. */
export function rawValue(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

export function variableSchemaCauses(schema: Schema | undefined, value: unknown, at: string): StatusCause[] {
  const walk: Walk = { at, raw: rawValue(value), causes: [] };
  check(schema ?? {}, value === undefined ? null : value, '', walk);
  return walk.causes;
}

/** Fields of the value its schema neither declares nor preserves, as pruning names them (`test.unknownProperty`). */
export function unknownFieldPaths(schema: Schema | undefined, value: unknown, name = ''): string[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFieldPaths(schema.items, item, `${name}[${i}]`));
  const props: Record<string, Schema> = schema.properties ?? {};
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  return Object.entries(value).flatMap(([key, child]) => {
    const path = name ? `${name}.${key}` : key;
    const childSchema = Object.hasOwn(props, key) ? props[key] : additional;
    if (childSchema) return unknownFieldPaths(childSchema, child, path);
    return schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true ? [] : [path];
  });
}

/** kube-openapi's order: type, string, number, array, enum, object; each part inside the value in turn. */
function check(schema: Schema, value: unknown, name: string, walk: Walk): void {
  const field = name ? `${walk.at}.${name}` : walk.at;
  const detail = (text: string) => (name ? `${name} in body ${text}` : text);
  const invalid = (text: string) => walk.causes.push(fieldInvalid(field, walk.raw, detail(text)));
  if (value === null && schema.nullable === true) return;
  const actual = jsonType(value);
  if (!typeAccepts(schema, actual)) {
    walk.causes.push({ ...fieldInvalid(field, walk.raw, detail(`must be of type ${schema.type}: ${goQuote(actual)}`)), reason: 'FieldValueTypeInvalid' });
  }
  if (typeof value === 'string') checkString(schema, value, invalid, field, walk);
  if (typeof value === 'number') checkNumber(schema, value, invalid);
  if (Array.isArray(value)) checkArray(schema, value, name, invalid, field, walk);
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed: unknown) => sameJson(allowed, value))) {
    const supported = schema.enum.map((allowed: unknown) => (typeof allowed === 'string' ? allowed : JSON.stringify(allowed)));
    walk.causes.push(fieldNotSupported(field, walk.raw, supported));
  }
  if (actual === 'object') checkObject(schema, value as Record<string, unknown>, name, invalid, field, walk);
}

function checkString(schema: Schema, value: string, invalid: (t: string) => void, field: string, walk: Walk): void {
  const length = [...value].length;
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) walk.causes.push(fieldTooLong(field, schema.maxLength));
  if (typeof schema.minLength === 'number' && length < schema.minLength) invalid(`should be at least ${schema.minLength} chars long`);
  if (typeof schema.pattern === 'string' && !matches(schema.pattern, value)) invalid(`should match '${schema.pattern}'`);
}

function checkNumber(schema: Schema, value: number, invalid: (t: string) => void): void {
  const { maximum, minimum, multipleOf } = schema;
  if (typeof multipleOf === 'number' && multipleOf > 0 && !Number.isInteger(value / multipleOf)) invalid(`should be a multiple of ${multipleOf}`);
  if (typeof maximum === 'number') {
    if (schema.exclusiveMaximum === true ? value >= maximum : value > maximum) invalid(`should be less than${schema.exclusiveMaximum === true ? '' : ' or equal to'} ${maximum}`);
  }
  if (typeof minimum === 'number') {
    if (schema.exclusiveMinimum === true ? value <= minimum : value < minimum) invalid(`should be greater than${schema.exclusiveMinimum === true ? '' : ' or equal to'} ${minimum}`);
  }
}

function checkArray(schema: Schema, value: unknown[], name: string, invalid: (t: string) => void, field: string, walk: Walk): void {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) invalid(`should have at least ${schema.minItems} items`);
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) walk.causes.push(tooMany(field, walk.raw, schema.maxItems));
  if (schema.uniqueItems === true && value.some((item, i) => value.findIndex((other) => sameJson(other, item)) !== i)) invalid("shouldn't contain duplicates");
  if (schema.items && typeof schema.items === 'object') value.forEach((item, i) => check(schema.items, item, `${name}[${i}]`, walk));
}

function checkObject(schema: Schema, value: Record<string, unknown>, name: string, invalid: (t: string) => void, field: string, walk: Walk): void {
  const count = Object.keys(value).length;
  if (typeof schema.maxProperties === 'number' && count > schema.maxProperties) walk.causes.push(tooMany(field, walk.raw, schema.maxProperties));
  if (typeof schema.minProperties === 'number' && count < schema.minProperties) invalid(`should have at least ${schema.minProperties} properties`);
  const child = (key: string) => (name ? `${name}.${key}` : key);
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (!Object.hasOwn(value, key)) walk.causes.push(fieldRequired(`${walk.at}.${child(key)}`));
  }
  const props: Record<string, Schema> = schema.properties ?? {};
  for (const [key, v] of Object.entries(value)) {
    const childSchema = Object.hasOwn(props, key) ? props[key] : typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    if (childSchema) check(childSchema, v, child(key), walk);
  }
}

/** field.TooMany with CAPI's raw value in place of the count: `Too many: "<raw>": must have at most 2 items`. */
function tooMany(field: string, raw: string, max: number): StatusCause {
  return { field, reason: 'FieldValueTooMany', message: `Too many: ${goQuote(raw)}: must have at most ${max} ${max === 1 ? 'item' : 'items'}` };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeAccepts(schema: Schema, actual: string): boolean {
  if (schema['x-kubernetes-int-or-string'] === true) return actual === 'integer' || actual === 'string';
  if (!schema.type) return true;
  return schema.type === actual || (schema.type === 'number' && actual === 'integer');
}

/** A pattern as Go's RE2 reads it, in time linear in the value; one that does not compile matches nothing. */
function matches(pattern: string, value: string): boolean {
  try {
    return re2Test(pattern, value);
  } catch {
    return false;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as any)[k], (b as any)[k]));
}
