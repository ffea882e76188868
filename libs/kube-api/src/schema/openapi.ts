import { createHash } from 'node:crypto';
import { apiVersionOf, fieldDescriptions, fieldSchemaAt, ResourceDefinition } from '@openpacific/contracts';

/**
 * `/openapi/v2` is answered with an empty body of this type: an empty
 * protobuf document. kubectl then finds no client-side schema and relies on
 * the server's own validation (it sends fieldValidation=Strict), which is what
 * the v3 documents below announce.
 */
export const OPENAPI_V2_CONTENT_TYPE = 'application/octet-stream';

export function definitionsHash(defs: ResourceDefinition[]): string {
  return createHash('sha256').update(JSON.stringify(defs)).digest('hex').slice(0, 32).toUpperCase();
}

function groupVersions(defs: ResourceDefinition[]): string[] {
  const out: string[] = [];
  for (const d of defs) for (const v of d.versions) if (v.served && !out.includes(apiVersionOf(d, v.name))) out.push(apiVersionOf(d, v.name));
  return out;
}

function docPath(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}

export function openApiV3Root(defs: ResourceDefinition[], hash: string) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions(defs)) paths[docPath(gv)] = { serverRelativeURL: `/openapi/v3/${docPath(gv)}?hash=${hash}` };
  return { paths };
}

function schemaName(d: ResourceDefinition, version: string): string {
  const group = d.group ? d.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${group}.${version}.${d.kind}`;
}

type Schema = Record<string, unknown>;

/** Keywords whose value is one schema, and keywords whose value is a list or a map of them. */
const ONE_SCHEMA = ['items', 'additionalProperties', 'not'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_MAPS = ['properties', 'patternProperties'];

/**
 * A kind's validation schema (JSON Schema, as ajv reads it) as OpenAPI 3.0 says it, which is what kubectl's
 * `explain` templates read: a `type` is one name there, never a list (a list stopped `kubectl explain` with
 * "incompatible types for comparison"). `[T, "null"]` becomes `T` with `nullable: true`; a string-or-number
 * refers to Kubernetes' shared schemas, `[string, number]` (a resource quantity) to `Quantity` and
 * `[string, integer]` or a CRD-style `x-kubernetes-int-or-string` (ports, percentages) to `IntOrString`, so
 * `kubectl explain` names them as it does on a Kubernetes server (`<map[string]Quantity>`, `<IntOrString>`).
 * The schema the gateway validates with is not changed.
 */
export function toOpenApi30(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: Schema = { ...(schema as Schema) };
  for (const key of ONE_SCHEMA) if (key in out) out[key] = toOpenApi30(out[key]);
  for (const key of SCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(toOpenApi30);
  for (const key of SCHEMA_MAPS) {
    const map = out[key];
    if (typeof map === 'object' && map !== null) out[key] = Object.fromEntries(Object.entries(map).map(([name, s]) => [name, toOpenApi30(s)]));
  }
  if (out['x-kubernetes-int-or-string'] === true && out.type === undefined) {
    out.allOf = [{ $ref: `#/components/schemas/${INT_OR_STRING}` }];
    delete out.anyOf;
    delete out['x-kubernetes-int-or-string'];
    return out;
  }
  if (!Array.isArray(out.type)) return out;
  const types = (out.type as string[]).filter((t) => t !== 'null');
  if (types.length < out.type.length) out.nullable = true;
  if (types.length === 1) {
    out.type = types[0];
    return out;
  }
  delete out.type;
  if (types.length === 2 && types.includes('string') && (types.includes('integer') || types.includes('number'))) {
    out.allOf = [{ $ref: `#/components/schemas/${types.includes('number') ? QUANTITY : INT_OR_STRING}` }];
    delete out.anyOf;
    return out;
  }
  out.anyOf ??= types.map((type) => ({ type }));
  return out;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** The two shared schemas the kinds' string-or-number fields refer to (named as Kubernetes names them). */
const SHARED_SCHEMAS = {
  [QUANTITY]: {
    description: 'A quantity of a resource: a number, or a string of a number and a suffix (a binary one such as Ki, Mi, Gi; a decimal one such as m, k, M, G; or an exponent such as e3).',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [INT_OR_STRING]: { description: 'An integer, or a string (such as a named port or a percentage).', oneOf: [{ type: 'integer' }, { type: 'string' }] },
};

/**
 * A kind's OpenAPI schema (a copy toOpenApi30 made) with its fields' descriptions (contracts' descriptions), which
 * `kubectl explain` prints; a path the version does not have is passed over (a field of another version).
 */
function described(schema: Schema, d: ResourceDefinition, groupVersion: string): Schema {
  const descriptions = fieldDescriptions(d.group, d.kind);
  schema.description = descriptions[''] ?? `${d.kind} (${groupVersion}), served by OpenPacific.`;
  for (const [path, text] of Object.entries(descriptions)) {
    const field = path ? fieldSchemaAt(schema, path) : undefined;
    if (field) field.description = text;
  }
  return schema;
}

/**
 * Strategic merge patch's list metadata, as kube-apiserver's OpenAPI carries it (from its types' `patchMergeKey` and
 * `patchStrategy` tags): kubectl's client-side apply builds its patch from them. Without them it took every list as
 * atomic, sent each list whole (`configured` for an unchanged manifest) and never the directive that removes an item,
 * so an env var taken out of a manifest stayed in the object.
 */
function withPatchMetadata(schema: Schema, d: ResourceDefinition): Schema {
  for (const [path, key] of Object.entries(d.mergeKeys ?? {})) {
    const list = fieldSchemaAt(schema, path.replace(/\[\]/g, ''));
    if (list?.type === 'array') Object.assign(list, { 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge' });
  }
  return schema;
}

const param = (name: string, where: 'query' | 'path', required = false) => ({ name, in: where, required, schema: { type: 'string' }, uniqueItems: true });

/**
 * The OpenAPI v3 document of one group-version: every kind's paths, with
 * PATCH declaring the `fieldValidation` parameter (so kubectl validates on the
 * server), and every kind's schema tagged with its group-version-kind (so
 * `kubectl explain` works).
 */
export function openApiV3Document(defs: ResourceDefinition[], groupVersion: string) {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { ...SHARED_SCHEMAS };
  for (const d of defs) {
    for (const v of d.versions) {
      if (!v.served || apiVersionOf(d, v.name) !== groupVersion) continue;
      const gvk = { group: d.group, version: v.name, kind: d.kind };
      const name = schemaName(d, v.name);
      const ref = { $ref: `#/components/schemas/${name}` };
      schemas[name] = { ...withPatchMetadata(described(toOpenApi30(v.schema) as Schema, d, groupVersion), d), 'x-kubernetes-group-version-kind': [gvk] };
      const base = d.group ? `/apis/${groupVersion}` : `/api/${v.name}`;
      const collection = d.scope === 'Namespaced' ? `${base}/namespaces/{namespace}/${d.plural}` : `${base}/${d.plural}`;
      const item = `${collection}/{name}`;
      const common = [...(d.scope === 'Namespaced' ? [param('namespace', 'path', true)] : [])];
      const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
      if (d.strategicMergePatch) patchTypes.push('application/strategic-merge-patch+json');
      const op = (action: string, extra: object = {}) => ({
        'x-kubernetes-group-version-kind': gvk,
        'x-kubernetes-action': action,
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
        ...extra,
      });
      const writeParams = [param('dryRun', 'query'), param('fieldManager', 'query'), param('fieldValidation', 'query')];
      paths[collection] = {
        parameters: common,
        get: op('list', { parameters: [param('labelSelector', 'query'), param('fieldSelector', 'query'), param('watch', 'query')] }),
        post: op('post', { parameters: writeParams, requestBody: { content: { 'application/json': { schema: ref } } } }),
      };
      paths[item] = {
        parameters: [...common, param('name', 'path', true)],
        get: op('get'),
        put: op('put', { parameters: writeParams, requestBody: { content: { 'application/json': { schema: ref } } } }),
        patch: op('patch', {
          parameters: [...writeParams, param('force', 'query')],
          requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }])) },
        }),
        delete: op('delete', { parameters: [param('dryRun', 'query'), param('propagationPolicy', 'query'), param('gracePeriodSeconds', 'query')] }),
      };
      // The status subresource and those writing one field of the spec (pods/ephemeralcontainers) take the whole object.
      for (const sub of [...(d.subresources.status ? ['status'] : []), ...Object.keys(d.subresources.specFields ?? {}), ...Object.keys(d.subresources.statusFields ?? {})]) {
        paths[`${item}/${sub}`] = {
          parameters: [...common, param('name', 'path', true)],
          get: op('get'),
          put: op('put', { parameters: writeParams }),
          patch: op('patch', { parameters: writeParams, requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }])) } }),
        };
      }
    }
  }
  return { openapi: '3.0.0', info: { title: 'OpenPacific', version: groupVersion }, paths, components: { schemas } };
}
