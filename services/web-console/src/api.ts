/** The public API, called with the signed-in user's bearer token; every refusal is the API's Status. */

export interface Status {
  kind: 'Status';
  code: number;
  reason?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'openpacific.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  token?: string;
}

/** A request to the API; a non-2xx answer throws an ApiError carrying the Status message. */
export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const token = opts.token ?? storedToken();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(path, { method: opts.method ?? 'GET', headers, body, signal: opts.signal });
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function getJson<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
  return (await request(path, opts)).json() as Promise<T>;
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const status = JSON.parse(text) as Partial<Status>;
    if (status.message) return new ApiError(res.status, status.message, status.reason);
  } catch {
    // not a Status: fall through to the HTTP status line
  }
  return new ApiError(res.status, `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Who the token belongs to (`kubectl auth whoami`). */
export async function whoami(token: string): Promise<{ username: string; groups: string[] }> {
  const review = await getJson('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST',
    token,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return { username: review.status?.userInfo?.username ?? '', groups: review.status?.userInfo?.groups ?? [] };
}

export interface AccessQuery {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const accessCache = new Map<string, Promise<boolean>>();

/** `kubectl auth can-i`, asked once per question per sign-in. */
export function canI(q: AccessQuery): Promise<boolean> {
  const key = [q.verb, q.group, q.resource, q.subresource ?? '', q.namespace ?? '', q.name ?? ''].join('|');
  let answer = accessCache.get(key);
  if (!answer) {
    answer = getJson('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: q } },
    }).then(
      (r) => r.status?.allowed === true,
      () => false,
    );
    accessCache.set(key, answer);
  }
  return answer;
}

export function forgetAccess(): void {
  accessCache.clear();
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
