import type { IncomingMessage, ServerResponse } from 'node:http';
import { auditRecordResource, AuditRecord, AUDIT_GROUP, qualifiedResource } from '@openpacific/contracts';
import { badRequest, includeObjectParam, methodNotAllowed, notFound, parseFieldSelector, toTable, wantsTable } from '@openpacific/kube-api';
import { sendJson } from '../http/respond';
import { AUDIT_COLUMNS, AuditLog, AuditQuery, StoredAuditEntry } from './audit-log';

export const AUDIT_API_PREFIX = `/apis/${AUDIT_GROUP}/v1/${auditRecordResource.plural}`;
const API_VERSION = `${AUDIT_GROUP}/v1`;
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5000;

/** Is this request for `/apis/audit.openpacific.io/v1/auditrecords[/<id>]`? */
export function isAuditApiPath(pathname: string): boolean {
  return pathname === AUDIT_API_PREFIX || pathname === `${AUDIT_API_PREFIX}/` || pathname.startsWith(`${AUDIT_API_PREFIX}/`);
}

export function toAuditRecord(e: StoredAuditEntry): AuditRecord {
  const time = e.time.toISOString();
  return {
    apiVersion: API_VERSION,
    kind: 'AuditRecord',
    metadata: { name: e.id, creationTimestamp: time.replace(/\.\d{3}Z$/, 'Z') },
    time,
    requestID: e.requestId,
    user: e.username,
    groups: e.groups,
    verb: e.verb,
    apiGroup: e.apiGroup,
    resource: e.resource,
    subresource: e.subresource,
    namespace: e.namespace,
    name: e.name,
    path: e.path,
    decision: e.decision,
    code: e.code,
    userAgent: e.userAgent,
    sourceIP: e.sourceIp,
    ...(e.annotations ? { annotations: e.annotations } : {}),
    ...(e.stage ? { stage: e.stage } : {}),
    ...(e.stageTimestamp ? { stageTimestamp: e.stageTimestamp.toISOString() } : {}),
  };
}

/**
 * Serves the read-only AuditRecord API (authorization is done by the caller): a list newest
 * first, filtered by `user`, `namespace`, `since`, `until` (RFC 3339), `fieldSelector` and paged
 * with `limit`/`continue`; or one record by its id. Tables for kubectl.
 */
export async function serveAuditApi(log: AuditLog, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method);
  const rest = url.pathname.slice(AUDIT_API_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  if (q.get('watch') === 'true' || q.get('watch') === '1') throw methodNotAllowed(method);
  if (rest.length > 1) throw notFound('', url.pathname);
  if (rest.length === 1) {
    const entry = await log.get(rest[0]);
    if (!entry) throw notFound(qualifiedResource(auditRecordResource), rest[0]);
    return respond(req, res, q, [toAuditRecord(entry)], false);
  }
  const query = listQuery(q);
  // One more than asked tells whether there is a next page.
  const entries = await log.query({ ...query, limit: query.limit + 1 });
  const page = entries.slice(0, query.limit);
  const more = entries.length > query.limit;
  const cont = more ? Buffer.from(JSON.stringify({ before: page[page.length - 1].id })).toString('base64url') : undefined;
  return respond(req, res, q, page.map(toAuditRecord), true, cont);
}

export function listQuery(q: URLSearchParams): AuditQuery {
  // Postgres's text holds no NUL character: such a value matches no record, and asking answered 500.
  for (const [name, value] of q) if (value.includes('\0')) throw badRequest(`${name}: Invalid value: ${JSON.stringify(value)}: must not contain a NUL character`);
  const query: AuditQuery = { limit: DEFAULT_LIMIT, fields: [] };
  const user = q.get('user');
  if (user) query.user = user;
  const namespace = q.get('namespace');
  if (namespace) query.namespace = namespace;
  query.since = timeParam(q, 'since');
  query.until = timeParam(q, 'until');
  const limit = q.get('limit');
  if (limit !== null && limit !== '') {
    if (!/^\d+$/.test(limit)) throw badRequest(`limit: Invalid value: "${limit}": must be a non-negative integer`);
    const n = Number(limit);
    query.limit = n === 0 ? DEFAULT_LIMIT : Math.min(n, MAX_LIMIT);
  }
  const cont = q.get('continue');
  if (cont) query.beforeId = continueId(cont);
  const fs = q.get('fieldSelector');
  if (fs) {
    for (const r of parseFieldSelector(fs, Object.keys(AUDIT_COLUMNS))) {
      query.fields!.push({ column: AUDIT_COLUMNS[r.field as keyof typeof AUDIT_COLUMNS], operator: r.operator === 'Equals' ? '=' : '!=', value: r.value });
    }
  }
  return query;
}

function timeParam(q: URLSearchParams, name: 'since' | 'until'): Date | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw badRequest(`${name}: Invalid value: "${v}": must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z`);
  return new Date(t);
}

function continueId(token: string): string {
  try {
    const before = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))?.before;
    if (typeof before === 'string' && /^[1-9]\d{0,17}$/.test(before)) return before;
  } catch {
    // falls through to the 400
  }
  throw badRequest('continue: Invalid value: the continue token is not valid');
}

function respond(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, items: AuditRecord[], asList: boolean, cont?: string): void {
  const version = auditRecordResource.versions[0].name;
  const metadata = { resourceVersion: '', ...(cont ? { continue: cont } : {}) };
  if (wantsTable(req.headers.accept)) {
    const table = toTable(auditRecordResource, version, items, { includeObject: includeObjectParam(q), now: new Date(), columnDefinitions: true, listMeta: metadata });
    return sendJson(res, 200, table);
  }
  if (!asList) return sendJson(res, 200, items[0]);
  sendJson(res, 200, { apiVersion: API_VERSION, kind: auditRecordResource.listKind, metadata, items });
}
