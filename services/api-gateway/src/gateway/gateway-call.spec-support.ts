import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';

/** A gateway's answer as an int spec reads it: the body parsed when it is JSON (undefined otherwise). */
export interface GatewayAnswer {
  status: number;
  text: string;
  json: any;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A caller of the gateway whose data folder `dataDir()` names (asked at each call: a spec makes its folder in
 * `beforeAll`), as its kubeconfig, admin token and CA say: one request,
 * JSON in and out. The body goes as JSON; its content type is `contentType`, else a merge patch for PATCH and JSON
 * for the rest. `token` stands in for the admin's.
 */
export function gatewayCaller(dataDir: () => string) {
  return function call(method: string, path: string, body?: unknown, opts: { token?: string; contentType?: string } = {}): Promise<GatewayAnswer> {
    const dir = dataDir();
    const server = parse(readFileSync(join(dir, 'kubeconfig'), 'utf8')).clusters[0].cluster.server;
    const token = opts.token ?? readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, server),
        {
          method,
          ca: readFileSync(join(dir, 'pki', 'ca.crt')),
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': opts.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'),
            ...(payload ? { 'content-length': String(Buffer.byteLength(payload)) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text, json: parsedOrUndefined(text), headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
}

function parsedOrUndefined(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
