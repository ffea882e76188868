import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import type { GuestAccess } from './guest-nodes';

type Conditions = { type: string; status: string; lastTransitionTime?: string }[];

/**
 * A guest cluster's API as specs need it: HTTPS under a CA of its own on 127.0.0.1, with the access's bearer token.
 * It answers what Cluster API's machine controller asks of a workload cluster: Nodes (`nodes`: name → conditions,
 * `volumesAttached`: name → attached volumes; list, get, merge-patch of `spec.unschedulable`, delete), Pods by `spec.nodeName` (`pods`, by `ns/name`), DaemonSets
 * by name (`daemonSets`), ClusterRoleBindings (`clusterRoleBindings`: list, create, replace, delete), and evictions: a pod evicted gets its deletionTimestamp and goes at once, unless
 * `holdEvicted` (then it stays until a spec removes it) or `refuseEviction` answers for it (a Status). Every request
 * is logged in `requests` (`METHOD path`). While `silent`, it takes requests and never answers.
 */
export interface GuestApi {
  access: GuestAccess;
  nodes: Map<string, Conditions>;
  /** A node's `status.volumesAttached` (names), by node name. */
  volumesAttached: Map<string, string[]>;
  cordoned: Set<string>;
  pods: Map<string, any>;
  daemonSets: Set<string>;
  /** ClusterRoleBindings by name (list, create, replace, delete), as the auth sync keeps them. */
  clusterRoleBindings: Map<string, any>;
  holdEvicted: boolean;
  refuseEviction?: (pod: any) => { code: number; status: any } | undefined;
  requests: string[];
  silent: boolean;
  stop(): Promise<void>;
}

const statusBody = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

export async function startGuestApi(): Promise<GuestApi> {
  const ca = await createCertificateAuthority('guest-ca');
  const serving = await issueServingCertificate(ca, ['127.0.0.1']);
  const token = 'guest-admin-token';
  const api: GuestApi = {
    access: { server: '', caCertPem: ca.certPem, token },
    nodes: new Map(),
    volumesAttached: new Map(),
    cordoned: new Set(),
    pods: new Map(),
    daemonSets: new Set(),
    clusterRoleBindings: new Map(),
    holdEvicted: false,
    requests: [],
    silent: false,
    stop: async () => undefined,
  };
  const nodeOf = (name: string) => {
    const volumes = (api.volumesAttached.get(name) ?? []).map((v) => ({ name: v, devicePath: '' }));
    return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: api.cordoned.has(name) ? { unschedulable: true } : {}, status: { conditions: api.nodes.get(name), ...(volumes.length ? { volumesAttached: volumes } : {}) } };
  };
  const server = createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    if (api.silent) return;
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const send = (code: number, body: unknown) => void res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      const url = new URL(req.url ?? '/', 'https://guest');
      const method = req.method ?? 'GET';
      api.requests.push(`${method} ${url.pathname}`);
      let m: RegExpMatchArray | null;
      if (method === 'GET' && url.pathname === '/api/v1/nodes') return send(200, { apiVersion: 'v1', kind: 'NodeList', metadata: {}, items: [...api.nodes.keys()].map(nodeOf) });
      if ((m = url.pathname.match(/^\/api\/v1\/nodes\/([^/]+)$/))) {
        const name = decodeURIComponent(m[1]);
        if (!api.nodes.has(name)) return send(404, statusBody(404, 'NotFound', `nodes "${name}" not found`));
        if (method === 'GET') return send(200, nodeOf(name));
        if (method === 'PATCH') {
          if (JSON.parse(text || '{}').spec?.unschedulable) api.cordoned.add(name);
          return send(200, nodeOf(name));
        }
        if (method === 'DELETE') {
          api.nodes.delete(name);
          return send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'nodes' } });
        }
      }
      if (method === 'GET' && url.pathname === '/api/v1/pods') {
        const on = (url.searchParams.get('fieldSelector') ?? '').replace(/^spec\.nodeName=/, '');
        return send(200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [...api.pods.values()].filter((p) => p.spec?.nodeName === on) });
      }
      if (method === 'POST' && (m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/))) {
        const key = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`;
        const pod = api.pods.get(key);
        if (!pod) return send(404, statusBody(404, 'NotFound', `pods "${m[2]}" not found`));
        const refused = api.refuseEviction?.(pod);
        if (refused) return send(refused.code, refused.status);
        if (api.holdEvicted) pod.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        else api.pods.delete(key);
        return send(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      }
      if (method === 'GET' && (m = url.pathname.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets\/([^/]+)$/))) {
        const key = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`;
        return api.daemonSets.has(key) ? send(200, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: m[2], namespace: m[1] } }) : send(404, statusBody(404, 'NotFound', `daemonsets.apps "${m[2]}" not found`));
      }
      const crbs = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
      if (url.pathname === crbs && method === 'GET') return send(200, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBindingList', metadata: {}, items: [...api.clusterRoleBindings.values()] });
      if (url.pathname === crbs && method === 'POST') {
        const b = JSON.parse(text);
        if (api.clusterRoleBindings.has(b.metadata.name)) return send(409, statusBody(409, 'AlreadyExists', `clusterrolebindings.rbac.authorization.k8s.io "${b.metadata.name}" already exists`));
        api.clusterRoleBindings.set(b.metadata.name, { ...b, metadata: { ...b.metadata, resourceVersion: '1' } });
        return send(201, api.clusterRoleBindings.get(b.metadata.name));
      }
      if ((m = url.pathname.match(/^\/apis\/rbac\.authorization\.k8s\.io\/v1\/clusterrolebindings\/([^/]+)$/))) {
        const name = decodeURIComponent(m[1]);
        const have = api.clusterRoleBindings.get(name);
        if (!have) return send(404, statusBody(404, 'NotFound', `clusterrolebindings.rbac.authorization.k8s.io "${name}" not found`));
        if (method === 'DELETE') {
          api.clusterRoleBindings.delete(name);
          return send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
        }
        if (method === 'PUT') {
          const b = JSON.parse(text);
          if (b.metadata.resourceVersion !== have.metadata.resourceVersion) return send(409, statusBody(409, 'Conflict', 'the object has been modified'));
          api.clusterRoleBindings.set(name, { ...b, metadata: { ...b.metadata, resourceVersion: String(Number(have.metadata.resourceVersion) + 1) } });
          return send(200, api.clusterRoleBindings.get(name));
        }
      }
      send(404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
    });
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

/** A pod as the guest's API lists it: on `node`, owned by a controller of `kind` when one is given. */
export function guestPod(namespace: string, name: string, node: string, extra: { controller?: { kind: string; name: string }; annotations?: Record<string, string>; labels?: Record<string, string>; phase?: string; emptyDir?: boolean } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      ...(extra.labels ? { labels: extra.labels } : {}),
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.controller ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.controller.kind, name: extra.controller.name, uid: `${extra.controller.name}-uid`, controller: true }] } : {}),
    },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], ...(extra.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}) },
    status: { phase: extra.phase ?? 'Running' },
  };
}
