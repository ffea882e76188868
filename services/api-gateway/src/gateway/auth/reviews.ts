import { authorize, RbacLookups, RequestAttributes, rulesFor } from '@openpacific/authz';
import { badRequest, decodeEnvelope, decodeFields, fieldRequired, invalid, KubeApiError, methodNotAllowed, notFound, StatusCause, unsupportedMediaType } from '@openpacific/kube-api';
import type { Actor } from '../store/object-writer';
import type { ResourceRequest } from '../core';
import { sendJson } from '../http/respond';

type Fields = ReturnType<typeof decodeFields>;
const str = (f: Fields, n: number): string => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : '';
};
const sub = (f: Fields, n: number): Fields | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? decodeFields(v) : undefined;
};

/** The body as JSON, or the few fields of a protobuf SelfSubjectAccessReview or SelfSubjectRulesReview that matter (kubectl sends protobuf). */
function decodeReview(body: Buffer | undefined, contentType: string | undefined): any {
  const buf = body ?? Buffer.alloc(0);
  if ((contentType ?? '').startsWith('application/vnd.kubernetes.protobuf')) {
    try {
      return decodeProtobufReview(buf);
    } catch (err) {
      if (err instanceof KubeApiError) throw err;
      // A varint or field cut short: the bytes are no message, as the request's fault (it answered 500).
      throw badRequest(`the protobuf body cannot be decoded: ${(err as Error).message}`);
    }
  }
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

/** A protobuf review's fields that matter; throws a plain Error when the bytes are cut short. */
function decodeProtobufReview(buf: Buffer): any {
  const envelope = decodeEnvelope(buf);
  if (!envelope) throw badRequest('the protobuf body is not a Kubernetes envelope');
  const obj: any = { apiVersion: envelope.apiVersion, kind: envelope.kind, spec: {} };
  if (envelope.kind === 'SelfSubjectRulesReview') {
    const rulesSpec = sub(decodeFields(envelope.raw), 2);
    if (rulesSpec && str(rulesSpec, 1)) obj.spec.namespace = str(rulesSpec, 1);
    return obj;
  }
  if (envelope.kind === 'SelfSubjectReview') return obj; // it asks nothing
  // The reviews about others carry what this reader does not take apart: JSON only, rather than read wrong.
  if (envelope.kind !== 'SelfSubjectAccessReview') throw unsupportedMediaType('application/vnd.kubernetes.protobuf', ['application/json']);
  const spec = sub(decodeFields(envelope.raw), 2);
  const ra = spec && sub(spec, 1);
  const nra = spec && sub(spec, 2);
  if (ra) {
    obj.spec.resourceAttributes = { namespace: str(ra, 1), verb: str(ra, 2), group: str(ra, 3), version: str(ra, 4), resource: str(ra, 5), subresource: str(ra, 6), name: str(ra, 7) };
  }
  if (nra) obj.spec.nonResourceAttributes = { path: str(nra, 1), verb: str(nra, 2) };
  return obj;
}

/**
 * POST selfsubjectreviews (`kubectl auth whoami`), selfsubjectaccessreviews (`kubectl auth can-i`),
 * selfsubjectrulesreviews (`kubectl auth can-i --list`), and for others than the caller (what webhooks and
 * controllers ask; RBAC decides who may) subjectaccessreviews, localsubjectaccessreviews (in one namespace) and
 * tokenreviews: answered from identities and RBAC, never stored.
 */
/** authentication.k8s.io UserInfo: username, uid, groups and extra, the last two only when the authenticator knows them. */
function userInfo(user: Actor): Record<string, unknown> {
  return { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) };
}

export function handleReview(r: ResourceRequest, method: string, lookups: RbacLookups, tokens: (token: string, audiences?: string[]) => { user: Actor; audiences: readonly string[] } | undefined): void {
  const def = r.target.served.def;
  if (r.target.name !== undefined || r.target.subresource) throw notFound('', r.url.pathname);
  if (def.scope === 'Namespaced' && !r.target.namespace) throw notFound('', r.url.pathname);
  if (method !== 'POST') throw methodNotAllowed(method);
  const body = decodeReview(r.body, r.req.headers['content-type']);
  const apiVersion = r.target.served.apiVersion;
  const metadata = { creationTimestamp: null };
  if (def.kind === 'SelfSubjectReview') {
    return sendJson(r.res, 201, { kind: 'SelfSubjectReview', apiVersion, metadata, status: { userInfo: userInfo(r.user) } });
  }
  const spec = body?.spec ?? {};
  if (def.kind === 'TokenReview') {
    if (typeof spec.token !== 'string' || spec.token === '') throw invalid('TokenReview', '', def.group, [fieldRequired('spec.token')]);
    if (spec.audiences !== undefined && (!Array.isArray(spec.audiences) || spec.audiences.some((a: unknown) => typeof a !== 'string'))) {
      throw badRequest('TokenReview: spec.audiences must be a list of strings');
    }
    const found = tokens(spec.token, spec.audiences);
    const status = found ? { authenticated: true, user: userInfo(found.user), audiences: found.audiences } : { authenticated: false };
    return sendJson(r.res, 201, { kind: 'TokenReview', apiVersion, metadata, spec, status });
  }
  if (def.kind === 'SelfSubjectRulesReview') {
    if (spec.namespace !== undefined && typeof spec.namespace !== 'string') throw badRequest('SelfSubjectRulesReview: spec.namespace must be a string');
    const rules = rulesFor(r.user, spec.namespace || undefined, lookups);
    return sendJson(r.res, 201, { kind: 'SelfSubjectRulesReview', apiVersion, metadata, spec, status: { ...rules, incomplete: false } });
  }
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (!ra && !nra) throw badRequest(`${def.kind}: spec.resourceAttributes or spec.nonResourceAttributes is required`);
  const user = def.kind === 'SelfSubjectAccessReview' ? r.user : subject(r, def.kind, spec);
  const attrs: RequestAttributes = ra
    ? {
        user, verb: String(ra.verb ?? ''), resourceRequest: true, apiGroup: String(ra.group ?? ''), resource: String(ra.resource ?? ''),
        subresource: ra.subresource || undefined, namespace: ra.namespace || undefined, name: ra.name || undefined,
      }
    : { user, verb: String(nra.verb ?? ''), resourceRequest: false, path: String(nra.path ?? '') };
  const decision = authorize(attrs, lookups);
  const status = decision.allowed ? { allowed: true, reason: decision.reason } : { allowed: false };
  sendJson(r.res, 201, { kind: def.kind, apiVersion, metadata: def.scope === 'Namespaced' ? { ...metadata, namespace: r.target.namespace } : metadata, spec, status });
}

/**
 * The user a (Local)SubjectAccessReview asks about, checked as kube-apiserver checks it: a user or a group, exactly
 * one kind of attributes, and for a local review resource attributes in the namespace of the request.
 */
function subject(r: ResourceRequest, kind: string, spec: any): Actor {
  const causes: StatusCause[] = [];
  const groups: unknown = spec.groups ?? [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) causes.push({ field: 'spec.groups', reason: 'FieldValueInvalid', message: 'Invalid value: groups must be strings' });
  const user = typeof spec.user === 'string' ? spec.user : '';
  if (!user && (!Array.isArray(groups) || groups.length === 0)) {
    causes.push({ field: 'spec.user', reason: 'FieldValueInvalid', message: 'Invalid value: "": at least one of user or group must be specified' });
  }
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    causes.push({ field: 'spec.resourceAttributes', reason: 'FieldValueInvalid', message: 'Invalid value: "": exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  if (kind === 'LocalSubjectAccessReview') {
    if (spec.nonResourceAttributes) causes.push({ field: 'spec.nonResourceAttributes', reason: 'FieldValueInvalid', message: 'Invalid value: "": disallowed on this kind of request' });
    const ns = spec.resourceAttributes?.namespace;
    if (spec.resourceAttributes && ns !== r.target.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${r.target.namespace}`);
  }
  if (causes.length) throw invalid(kind, '', 'authorization.k8s.io', causes);
  return { username: user, groups: groups as string[] };
}
