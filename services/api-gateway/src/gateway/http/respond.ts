import type { ServerResponse } from 'node:http';
import { KubeApiError } from '@openpacific/kube-api';

/** What each response answered with, for the audit record of a create (the name of the object made). */
const answers = new WeakMap<ServerResponse, unknown>();

/**
 * The JSON of objects that carry a resourceVersion. The read model replaces an object on every event and
 * never changes one in place, so an object from it is encoded once, however many GETs, LISTs and watchers
 * send it (a create's or a patch's answer is the object its watchers then get).
 */
const encoded = new WeakMap<object, { resourceVersion: string; json: string }>();

export function objectJson(obj: any): string {
  const resourceVersion = obj?.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string') return JSON.stringify(obj);
  const known = encoded.get(obj);
  if (known?.resourceVersion === resourceVersion) return known.json;
  const json = JSON.stringify(obj);
  encoded.set(obj, { resourceVersion, json });
  return json;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  answers.set(res, body);
  sendPayload(res, code, JSON.stringify(body), contentType, headers);
}

/** One object (from the read model or just written), its JSON encoded once per version. */
export function sendObject(res: ServerResponse, code: number, obj: any): void {
  answers.set(res, obj);
  sendPayload(res, code, objectJson(obj), 'application/json', {});
}

/** A list: `head` (kind, apiVersion, metadata) and then `items`, each encoded once per version. */
export function sendList(res: ServerResponse, head: Record<string, unknown>, items: any[]): void {
  const start = JSON.stringify(head);
  const open = start === '{}' ? '{' : `${start.slice(0, -1)},`;
  sendPayload(res, 200, `${open}"items":[${items.map(objectJson).join(',')}]}`, 'application/json', {});
}

/** The object or Status a response was answered with (sendJson, sendObject). */
export function answerOf(res: ServerResponse): unknown {
  return answers.get(res);
}

function sendPayload(res: ServerResponse, code: number, payload: string, contentType: string, headers: Record<string, string>): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

export function sendStatus(res: ServerResponse, err: KubeApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status.code, err.status);
}
