/** metav1.Status, the body of every refusal, and the typed error that carries it. */
export interface StatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

export class KubeApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'KubeApiError';
  }

  get code(): number {
    return this.status.code;
  }
}

export function statusError(code: number, reason: string, message: string, details?: Status['details']): KubeApiError {
  return new KubeApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function splitResource(qualified: string): { kind: string; group: string } {
  const dot = qualified.indexOf('.');
  return dot < 0 ? { kind: qualified, group: '' } : { kind: qualified.slice(0, dot), group: qualified.slice(dot + 1) };
}

export const badRequest = (message: string) => statusError(400, 'BadRequest', message);
export const unauthorized = () => statusError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string) => statusError(403, 'Forbidden', message);
export const methodNotAllowed = (method: string) => statusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
export const tooManyRequests = (message: string) => statusError(429, 'TooManyRequests', message);
export const internalError = (message: string) => statusError(500, 'InternalError', `Internal error occurred: ${message}`);
export const serviceUnavailable = (message: string) => statusError(503, 'ServiceUnavailable', message);
export const expired = (message: string) => statusError(410, 'Expired', message);

/** `namespaces "x" not found`; with an empty resource, the generic 404 for a path. */
export function notFound(qualifiedResource: string, name: string): KubeApiError {
  if (!qualifiedResource) return statusError(404, 'NotFound', 'the server could not find the requested resource', {});
  const { kind, group } = splitResource(qualifiedResource);
  return statusError(404, 'NotFound', `${qualifiedResource} "${name}" not found`, { name, group, kind });
}

export function alreadyExists(qualifiedResource: string, name: string): KubeApiError {
  const { kind, group } = splitResource(qualifiedResource);
  return statusError(409, 'AlreadyExists', `${qualifiedResource} "${name}" already exists`, { name, group, kind });
}

export function conflict(qualifiedResource: string, name: string, reason?: string): KubeApiError {
  const { kind, group } = splitResource(qualifiedResource);
  const why = reason ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource} "${name}": ${why}`, { name, group, kind });
}

/** 422, worded as kube-apiserver does: `Namespace "Bad" is invalid: metadata.name: Invalid value: ...`. */
export function invalid(kind: string, name: string, group: string, causes: StatusCause[]): KubeApiError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  const text = causes.length === 1 ? summary : `[${summary}]`;
  return statusError(422, 'Invalid', `${kind} "${name}" is invalid: ${text}`, { name, group, kind, causes });
}

export function unsupportedMediaType(contentType: string, accepted: string[]): KubeApiError {
  return statusError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    contentType ? { causes: [{ reason: 'UnsupportedMediaType', message: `media type ${contentType} is not supported` }] } : undefined);
}

export function requestEntityTooLarge(limitBytes: number): KubeApiError {
  return statusError(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${limitBytes} bytes`);
}

export function statusSuccess(details: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
