import { request } from 'node:https';
import type { GuestAccess } from './guest-nodes';

/** A guest API answer that was not a success: its HTTP code and, when it sent one, its Status. */
export class GuestApiError extends Error {
  constructor(
    readonly code: number,
    readonly status?: { message?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } },
  ) {
    super(status?.message || `the server answered ${code}`);
  }
}

/** Whether an error is the guest saying "not found" (404), as client-go's IsNotFound reads it. */
export function isNotFound(err: unknown): boolean {
  return err instanceof GuestApiError && err.code === 404;
}

/**
 * One JSON request to a guest cluster's API with its kubeconfig's access (its CA, the admin token), as a
 * controller's client for a workload cluster makes it. Resolves with the parsed body of a 2xx answer; rejects with
 * a GuestApiError for any other code (the Status the server sent, if any), or the transport's error.
 */
export function guestRequest(access: GuestAccess, method: string, path: string, opts: { body?: unknown; contentType?: string; timeoutMs?: number } = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, access.server);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { authorization: `Bearer ${access.token}`, accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = request(url, { method, ca: access.caCertPem, headers, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed: any;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return resolve(parsed);
        reject(new GuestApiError(code, parsed?.kind === 'Status' ? parsed : undefined));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
