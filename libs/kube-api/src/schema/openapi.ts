import { createHash } from 'node:crypto';
import { apiVersionOf, ResourceDefinition } from '@openpacific/contracts';

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

const param = (name: string, where: 'query' | 'path', required = false) => ({ name, in: where, required, schema: { type: 'string' }, uniqueItems: true });

/**
 * The OpenAPI v3 document of one group-version: every kind's paths, with
 * PATCH declaring the `fieldValidation` parameter (so kubectl validates on the
 * server), and every kind's schema tagged with its group-version-kind (so
 * `kubectl explain` works).
 */
export function openApiV3Document(defs: ResourceDefinition[], groupVersion: string) {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const d of defs) {
    for (const v of d.versions) {
      if (!v.served || apiVersionOf(d, v.name) !== groupVersion) continue;
      const gvk = { group: d.group, version: v.name, kind: d.kind };
      const name = schemaName(d, v.name);
      const ref = { $ref: `#/components/schemas/${name}` };
      schemas[name] = { ...v.schema, description: `${d.kind} (${groupVersion}), served by OpenPacific.`, 'x-kubernetes-group-version-kind': [gvk] };
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
      if (d.subresources.status) {
        paths[`${item}/status`] = {
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
