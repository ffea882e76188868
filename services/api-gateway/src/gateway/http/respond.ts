import type { ServerResponse } from 'node:http';
import { KubeApiError } from '@openpacific/kube-api';

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
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
