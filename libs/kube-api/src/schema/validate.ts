import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema, ResourceDefinition } from '@openpacific/contracts';
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

// ajv checks no format: built-in kinds' schemas name formats only as documentation, and a custom kind's strings are
// checked against kube-apiserver's own list of formats (string-formats.ts).
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

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
    ajv.removeSchema(schema);
  } catch {
    // Never compiled: nothing to drop.
  }
}

function validatorOf(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate;
}

/**
 * Compiles the validators of every served version ahead of its first use, one per turn of the event loop
 * (the largest takes tens of milliseconds), so that the first object of a kind does not wait for it. Stops
 * early when `stopped()` says so; resolves to the number compiled.
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

function prune(schema: JsonSchema | undefined, value: any, path: string, unknown: string[]): any {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return schema.items ? value.map((x, i) => prune(schema.items, x, `${path}[${i}]`, unknown)) : value;
  if (schema['x-kubernetes-preserve-unknown-fields']) return value;
  const props: Record<string, JsonSchema> | undefined = schema.properties;
  const additional = schema.additionalProperties;
  if (!props && (additional === undefined || additional === true)) return value;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(value)) {
    const child = `${path}.${k}`;
    if (props && k in props) {
      if (v !== null || nullable(props[k])) out[k] = prune(props[k], v, child, unknown);
    }
    else if (typeof additional === 'object') out[k] = prune(additional, v, child, unknown);
    else if (additional === false) unknown.push(child);
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
