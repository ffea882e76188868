import { badRequest, fieldRequired, invalid, parseBody, validateAgainstSchema, validateObjectMeta, validateRules } from '@openpacific/kube-api';
import { ResourceRequest } from '../core';
import { ServedResource } from '../registry/registry';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  // Any other value was refused with the request's other options (write-options.ts).
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn';
}

/** Adds a `Warning: 299` header, which kubectl prints on stderr. */
export function warn(r: ResourceRequest, text: string): void {
  const existing = r.res.getHeader('Warning');
  const values = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  r.res.setHeader('Warning', [...values, `299 - ${JSON.stringify(text)}`]);
}

/** The request body as an object of the requested kind and version, or a 400. */
export function decodeBody(r: ResourceRequest): any {
  const body = parseBody(r.body ?? Buffer.alloc(0), r.req.headers['content-type']);
  return body;
}

export function checkTypeMeta(obj: any, served: ServedResource): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw badRequest(`the request body must be a JSON or YAML object, not ${Array.isArray(obj) ? 'an array' : JSON.stringify(obj)}`);
  }
  if (!obj.kind) throw badRequest(`Object 'Kind' is missing in '${truncate(JSON.stringify(obj))}'`);
  if (!obj.apiVersion) throw badRequest(`Object 'apiVersion' is missing in '${truncate(JSON.stringify(obj))}'`);
  if (obj.apiVersion !== served.apiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${served.apiVersion})`);
  }
  if (obj.kind !== served.def.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${served.def.kind})`);
  }
}

/**
 * Schema and metadata validation of a complete object. Unknown fields are a
 * 400 under Strict (as kube-apiserver's strict decoding), a warning under Warn,
 * and dropped silently under Ignore; schema violations are a 422.
 */
export function validateObject(r: ResourceRequest, served: ServedResource, obj: any, validation: FieldValidation): any {
  if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) {
    throw invalid(served.def.kind, '', served.def.group, [fieldRequired('metadata')]);
  }
  const result = validateAgainstSchema(served.def, served.version.name, obj, validation);
  if (result.unknownFields.length > 0) {
    if (validation === 'Strict') {
      const list = result.unknownFields.map((f: string) => `unknown field "${f.replace(/^\./, '')}"`).join(', ');
      throw badRequest(`${served.def.kind} in version "${served.version.name}" cannot be handled as a ${served.def.kind}: strict decoding error: ${list}`);
    }
    if (validation === 'Warn') for (const f of result.unknownFields) warn(r, `unknown field "${f.replace(/^\./, '')}"`);
  }
  const causes = [
    ...validateObjectMeta(obj.metadata, { nameFormat: served.def.nameFormat, namespaced: served.def.scope === 'Namespaced' }),
    ...result.causes,
  ];
  if (causes.length > 0) throw invalid(served.def.kind, obj.metadata?.name ?? '', served.def.group, causes);
  return result.pruned;
}

/**
 * A custom resource's `x-kubernetes-validations`, evaluated on the object as it would be written (pruned, defaulted,
 * and for a subresource with the rest kept as stored), `old` being the stored object on an update. Built-in kinds
 * have none and pay one property read.
 */
export function validateCustomRules(served: ServedResource, obj: any, old?: any): void {
  if (!served.def.structural) return;
  const causes = validateRules(served.version.schema, obj, old);
  if (causes.length > 0) throw invalid(served.def.kind, obj.metadata?.name ?? '', served.def.group, causes);
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
