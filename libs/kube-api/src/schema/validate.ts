import { createRequire } from 'node:module';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema, ResourceDefinition } from '@openpacific/contracts';
import { INT32_MAX, INT32_MIN, JSON_INTEGER_MAX, withIntegerBounds } from './integer-bounds';
import { schemaHash, VALIDATOR_OPTIONS } from './schema-hash';
import { boundsMessage } from './schema-messages';
import { formatCauses } from './string-formats';

export interface ValidationCause {
  field: string;
  reason: string;
  message: string;
}

export interface ValidationResult {
  causes: ValidationCause[];
  /** Fields the schema does not declare, as `.spec.foo`. */
  unknownFields: string[];
  /** The object without its unknown fields. */
  pruned: any;
}

const ajv = new Ajv(VALIDATOR_OPTIONS);
let compiled = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * The built-in kinds' validators as written by the build (deploy/precompile-validators.mjs): the module's path, its
 * exports once loaded (validators by schemaHash; null when it could not be), and how many validators came from it
 * and from ajv.compile.
 */
let precompiledPath: string | undefined;
let precompiled: Record<string, ValidateFunction | undefined> | null | undefined;
let onUnavailable: ((reason: string) => void) | undefined;
const counts = { precompiled: 0, compiled: 0 };

/**
 * Takes schemas' validators from the module at `path` (services/api-gateway/dist/schema-validators.js), loaded on the
 * first schema without a validator yet, instead of compiling them: a schema whose content is not there (a custom
 * kind's, or one changed since the build) is compiled as before, and so is every schema when the file is missing or
 * cannot be loaded (`unavailable` is told why, once). Undefined goes back to compiling every schema. Validators
 * already made are forgotten, so that the next use of each schema takes it from where this says.
 */
export function usePrecompiledValidators(path: string | undefined, unavailable?: (reason: string) => void): void {
  precompiledPath = path;
  precompiled = undefined;
  onUnavailable = unavailable;
  compiled = new WeakMap();
}

/** How many validators were taken from the precompiled module, and how many compiled, since the process started. */
export function validatorCounts(): { precompiled: number; compiled: number } {
  return { ...counts };
}

function precompiledValidators(): Record<string, ValidateFunction | undefined> | null {
  if (precompiled !== undefined) return precompiled;
  precompiled = null;
  if (!precompiledPath) return precompiled;
  try {
    // createRequire: a plain require of a variable would be a warning in the services' bundles, which do not hold this file.
    precompiled = createRequire(precompiledPath)(precompiledPath) as Record<string, ValidateFunction | undefined>;
  } catch (err) {
    onUnavailable?.((err as Error).message);
  }
  return precompiled;
}

/**
 * Validates an object against its kind's schema the way kube-apiserver
 * reports it: unknown fields apart (the caller decides: Strict refuses, Warn
 * warns, Ignore drops), schema violations as 422 causes with field paths.
 */
export function validateAgainstSchema(def: ResourceDefinition, version: string, obj: any, _fieldValidation: 'Strict' | 'Warn' | 'Ignore'): ValidationResult {
  const v = def.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${def.kind} has no version ${version}`);
  const unknownFields: string[] = [];
  const pruned = def.structural ? pruneStructural(v.schema, obj, '', unknownFields) : prune(v.schema, obj, '', unknownFields);
  const validate = validatorOf(v.schema);
  const causes = validate(pruned) ? [] : (validate.errors ?? []).map((e) => toCause(e, pruned));
  if (def.structural) causes.push(...formatCauses(v.schema, pruned));
  return { causes: dedupe(causes), unknownFields, pruned };
}

/**
 * Why ajv cannot compile a schema (a custom kind's), or undefined when it can. The validator is kept for the
 * schema's later use unless `keep` is false (a CRD's schema checked on a write: a new object every time).
 */
export function schemaCompileError(schema: JsonSchema, opts: { keep: boolean } = { keep: true }): string | undefined {
  try {
    validatorOf(schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    if (!opts.keep) releaseSchema(schema);
  }
}

/** Drops the validators of a kind no longer served (a CRD's, replaced or deleted), which ajv would keep forever. */
export function releaseSchemas(def: ResourceDefinition): void {
  for (const v of def.versions) releaseSchema(v.schema);
}

function releaseSchema(schema: JsonSchema): void {
  compiled.delete(schema);
  try {
    ajv.removeSchema(withIntegerBounds(schema));
  } catch {
    // Never compiled: nothing to drop.
  }
}

/**
 * A schema's validator: the precompiled one of the same content if there is one (usePrecompiledValidators), else
 * compiled by ajv (which throws when the schema is not one it can compile). Either is used alike: `validate(obj)`,
 * then `validate.errors`.
 */
export function validatorOf(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate) return validate;
  const loaded = precompiledPath ? precompiledValidators() : null;
  const found = loaded ? loaded[schemaHash(schema)] : undefined;
  if (typeof found === 'function') {
    validate = found;
    counts.precompiled++;
  } else {
    validate = ajv.compile(withIntegerBounds(schema));
    counts.compiled++;
  }
  compiled.set(schema, validate);
  return validate;
}

/**
 * Makes the validators of every served version ahead of its first use, one per turn of the event loop (the largest
 * takes tens of milliseconds to compile), so that the first object of a kind does not wait for it. With precompiled
 * validators (usePrecompiledValidators) a built-in kind's is only looked up, well under a millisecond. Stops early
 * when `stopped()` says so; resolves to the number made.
 */
export async function precompileSchemas(defs: readonly ResourceDefinition[], stopped: () => boolean = () => false): Promise<number> {
  let count = 0;
  for (const def of defs) {
    for (const version of def.versions) {
      if (!version.served || compiled.has(version.schema)) continue;
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped()) return count;
      validatorOf(version.schema);
      count++;
    }
  }
  return count;
}

/**
 * Whether a field's schema takes null (`nullable: true`, or a type list with "null"). A null in a field that does not
 * is the field left out, as kube-apiserver reads it: a built-in kind's JSON is decoded into Go structs, where null is
 * the zero value (`nodeSelector: null`, `resources: null` in a rendered manifest are no error), and a custom
 * resource's nulls of fields that are not nullable are pruned before defaulting.
 */
function nullable(schema: JsonSchema | undefined): boolean {
  if (!schema) return true;
  return schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'));
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';

function prune(schema: JsonSchema | undefined, value: any, path: string, unknown: string[]): any {
  if (!schema || !isObject(value)) return value;
  if (Array.isArray(value)) return schema.items ? value.map((x, i) => (isObject(x) ? prune(schema.items, x, `${path}[${i}]`, unknown) : x)) : value;
  if (schema['x-kubernetes-preserve-unknown-fields']) return value;
  const props: Record<string, JsonSchema> | undefined = schema.properties;
  const additional = schema.additionalProperties;
  if (!props && (additional === undefined || additional === true)) return value;
  // A map of plain values (a ConfigMap's data, labels) has nothing to prune: kept as it is, not copied key by key (a
  // ConfigMap of 100,000 keys spent a quarter of its validation here).
  if (!props && typeof additional === 'object' && !Object.values(value).some(isObject)) return value;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(value)) {
    // Paths are built only where they are used: below, or for an unknown field.
    if (props && k in props) {
      if (v !== null || nullable(props[k])) out[k] = isObject(v) ? prune(props[k], v, `${path}.${k}`, unknown) : v;
    }
    else if (typeof additional === 'object') out[k] = isObject(v) ? prune(additional, v, `${path}.${k}`, unknown) : v;
    else if (additional === false) unknown.push(`${path}.${k}`);
    else out[k] = v;
  }
  return out;
}

/**
 * Pruning and defaulting as kube-apiserver does for a custom resource's structural schema: an object keeps the
 * fields its `properties` (or `additionalProperties`) declare, every field under `x-kubernetes-preserve-unknown-fields`,
 * and nothing else; a declared field that is null and not nullable goes; a declared field that is absent and has a
 * `default` gets it (then pruned and defaulted in turn).
 */
function pruneStructural(schema: JsonSchema | undefined, value: any, path: string, unknown: string[]): any {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x, i) => pruneStructural(schema.items, x, `${path}[${i}]`, unknown));
  const props: Record<string, JsonSchema> = schema.properties ?? {};
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = `${path}.${k}`;
    if (Object.hasOwn(props, k)) {
      if (v !== null || nullable(props[k])) out[k] = pruneStructural(props[k], v, child, unknown);
    }
    else if (typeof additional === 'object') out[k] = pruneStructural(additional, v, child, unknown);
    else if (preserve || additional === true) out[k] = v;
    else unknown.push(child);
  }
  for (const [k, s] of Object.entries(props)) {
    if (out[k] === undefined && s?.default !== undefined) out[k] = pruneStructural(s, structuredClone(s.default), `${path}.${k}`, []);
  }
  return out;
}

function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function valueAt(obj: any, instancePath: string): any {
  return instancePath.split('/').slice(1).reduce((o, k) => (o == null ? undefined : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), obj);
}

function toCause(e: ErrorObject, obj: any): ValidationCause {
  const field = fieldPath(e.instancePath);
  const value = valueAt(obj, e.instancePath);
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { field: field ? `${field}.${missing}` : missing, reason: 'FieldValueRequired', message: 'Required value' };
    }
    case 'type': {
      const want = (e.params as { type: string | string[] }).type;
      const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
      return { field, reason: 'FieldValueTypeInvalid', message: `Invalid value: "${actual}": ${field || 'body'} in body must be of type ${Array.isArray(want) ? want.join(',') : want}: "${actual}"` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((a) => JSON.stringify(a)).join(', ');
      return { field, reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed}` };
    }
    case 'maximum':
    case 'minimum': {
      // The bounds withIntegerBounds sets, in kube-apiserver's words: an int32 that is none, a number no integer.
      const limit = (e.params as { limit: number }).limit;
      if (limit === INT32_MAX || limit === INT32_MIN) return { field, reason: 'FieldValueTypeInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${field || 'body'} in body must be of type int32: "${value}"` };
      if (Math.abs(limit) === JSON_INTEGER_MAX) return { field, reason: 'FieldValueTypeInvalid', message: `Invalid value: "number": ${field || 'body'} in body must be of type integer: "number"` };
      return { field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${field || 'body'} in body ${boundsMessage(e) ?? e.message}` };
    }
    default:
      return { field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${field || 'body'} in body ${boundsMessage(e) ?? e.message}` };
  }
}

function dedupe(causes: ValidationCause[]): ValidationCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.field}|${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
