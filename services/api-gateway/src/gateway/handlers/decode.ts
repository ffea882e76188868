import { badRequest, fieldRequired, invalid, mediaType, parseBody, patchContentType, unsupportedMediaType, validateAgainstSchema, validateObjectMeta, validateRules } from '@openpacific/kube-api';
import { ResourceRequest } from '../core';
import { ServedResource } from '../registry/registry';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  // Any other value was refused with the request's other options (write-options.ts).
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn';
}

/** kube-apiserver's warning limits: 4 KiB of text in all; past it every warning is cut to 256 runes, then the last ones dropped. */
const WARNINGS_TOTAL_RUNES = 4 * 1024;
const WARNING_RUNES = 256;
/** No more are kept: past the budget each is at least one rune, so a later one could never be sent. */
const MAX_WARNINGS = WARNINGS_TOTAL_RUNES;
const warnings = new WeakMap<object, { texts: string[]; seen: Set<string> }>();

/**
 * Adds a `Warning: 299` header, which kubectl prints on stderr, as kube-apiserver's warning recorder adds one: a text
 * given twice once, and the whole within 4 KiB (a Cluster naming a class of 70,000 characters got a 70 KB Warning
 * header, and clients dropped the connection). The texts are collected and the header written once, when the response
 * starts: set again at every warning, 70,000 unknown fields took the gateway half an hour.
 */
export function warn(r: ResourceRequest, text: string): void {
  let state = warnings.get(r.res);
  if (!state) {
    const created = { texts: [] as string[], seen: new Set<string>() };
    state = created;
    warnings.set(r.res, created);
    const res = r.res;
    const writeHead = res.writeHead;
    // Node.js starts every response through writeHead (an implicit one too): the header is set just before it.
    res.writeHead = function (this: typeof res, ...args: unknown[]) {
      if (!this.headersSent) this.setHeader('Warning', boundedWarnings(created.texts).map((t) => `299 - ${JSON.stringify(t)}`));
      return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
    } as typeof res.writeHead;
  }
  if (state.seen.has(text) || state.texts.length >= MAX_WARNINGS) return;
  state.seen.add(text);
  state.texts.push(text);
}

export function boundedWarnings(texts: string[]): string[] {
  const runes = (t: string) => [...t].length;
  if (texts.reduce((n, t) => n + runes(t), 0) <= WARNINGS_TOTAL_RUNES) return texts;
  const cut = texts.map((t) => (runes(t) > WARNING_RUNES ? [...t].slice(0, WARNING_RUNES).join('') : t));
  const kept: string[] = [];
  let total = 0;
  for (const t of cut) {
    if (total + runes(t) > WARNINGS_TOTAL_RUNES) break;
    kept.push(t);
    total += runes(t);
  }
  return kept;
}

/** The request body as an object of the requested kind and version, or a 400. */
/**
 * A create's or an update's body: JSON, YAML or protobuf. A body sent with a patch's media type is no object but a
 * change to one: a 415, as from kube-apiserver.
 */
export function decodeBody(r: ResourceRequest): any {
  const contentType = r.req.headers['content-type'];
  if (patchContentType(contentType ?? '')) throw unsupportedMediaType(mediaType(contentType), ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  return parseBody(r.body ?? Buffer.alloc(0), contentType);
}

/** A body's `metadata` given as anything but an object (null is left out), refused as Go's decoder refuses it. */
export function refuseNonObjectMetadata(obj: any): void {
  const metadata = obj?.metadata;
  if (metadata === undefined || metadata === null || (typeof metadata === 'object' && !Array.isArray(metadata))) return;
  const type = Array.isArray(metadata) ? 'array' : typeof metadata === 'number' ? 'number' : typeof metadata === 'boolean' ? 'bool' : 'string';
  throw badRequest(`json: cannot unmarshal ${type} into Go struct field .metadata of type v1.ObjectMeta`);
}

export function checkTypeMeta(obj: any, served: ServedResource): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw badRequest(`the request body must be a JSON or YAML object, not ${Array.isArray(obj) ? 'an array' : JSON.stringify(obj)}`);
  }
  refuseNonObjectMetadata(obj);
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
    ...(ignoresStatus(r, served) ? result.causes.filter((c) => !isStatusField(c.field)) : result.causes),
  ];
  if (causes.length > 0) throw invalid(served.def.kind, obj.metadata?.name ?? '', served.def.group, causes);
  return result.pruned;
}

/**
 * Whether this write's `status` is not the writer's: a create or an update through the main resource of a kind with a
 * status subresource keeps the stored status (none on a create), as kube-apiserver does. Its status is then not
 * judged: a status a host wrote that the schema now refuses (a claim's size sent as the number 1.5) had made every
 * later write of the object a 422, its power buttons and labels included.
 */
function ignoresStatus(r: ResourceRequest, served: ServedResource): boolean {
  return !!served.def.subresources.status && r.target.subresource === undefined;
}

const isStatusField = (field: string | undefined) => field !== undefined && (field === 'status' || field.startsWith('status.') || field.startsWith('status['));

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
