import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import type { GuestAccess } from './guest-nodes';

/**
 * A guest cluster's API as specs need it: HTTPS under a CA of its own on 127.0.0.1, answering `GET /api/v1/nodes`
 * (with the access's bearer token) with a NodeList of `nodes`; while `silent`, it takes requests and never answers.
 */
export interface GuestApi {
  access: GuestAccess;
  nodes: Map<string, { type: string; status: string; lastTransitionTime?: string }[]>;
  silent: boolean;
  stop(): Promise<void>;
}

export async function startGuestApi(): Promise<GuestApi> {
  const ca = await createCertificateAuthority('guest-ca');
  const serving = await issueServingCertificate(ca, ['127.0.0.1']);
  const token = 'guest-admin-token';
  const api: GuestApi = { access: { server: '', caCertPem: ca.certPem, token }, nodes: new Map(), silent: false, stop: async () => undefined };
  const server = createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    if (api.silent) return;
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    if (req.method !== 'GET' || req.url !== '/api/v1/nodes') return void res.writeHead(404).end();
    const items = [...api.nodes].map(([name, conditions]) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions } }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'NodeList', metadata: {}, items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.access.server = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}
