import * as http from 'node:http';
import type { Backend } from '../services/tcp-load-balancer';
import { EndpointConditions, proxiedEndpoints } from './endpoint-conditions';

/**
 * `externalTrafficPolicy: Local` as kube-proxy serves it, on a machine where every host's Node says `InternalIP
 * 127.0.0.1`: each host gets an address of its own to be reached at, `hostServiceAddress`, on which its node ports
 * send only to the endpoints on that host and its health check node port answers as kube-proxy's does.
 */

/** An endpoint of a Service port, with the host its pod runs on (the slice endpoint's `nodeName`). */
export interface EndpointCandidate {
  backend: Backend;
  conditions: EndpointConditions;
  nodeName?: string;
}

/**
 * Where a host is reached for its node ports and health checks: `127.<100 + n % 150>.0.1` for the host whose name
 * ends in `n` (`host-1` → 127.101.0.1) — the first address of the /16 its loopback pods are given by crx-runtime,
 * which never gives a pod a `.0.1`.
 */
export function hostServiceAddress(hostName: string): string {
  const index = Number(/(\d+)$/.exec(hostName)?.[1] ?? 0);
  return `127.${100 + (index % 150)}.0.1`;
}

/** Each backend once, in order. */
export function uniqueBackends(candidates: EndpointCandidate[]): Backend[] {
  const seen = new Set<string>();
  const out: Backend[] = [];
  for (const { backend } of candidates) {
    const key = `${backend.address}:${backend.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(backend);
  }
  return out;
}

/** Where a host's node port sends connections under `externalTrafficPolicy: Local`: the endpoints kube-proxy would choose among those on the host. */
export function localBackends(candidates: EndpointCandidate[], host: string): Backend[] {
  return uniqueBackends(proxiedEndpoints(candidates.filter((c) => c.nodeName === host)));
}

/**
 * kube-proxy's count for the health check: the distinct addresses of the Service's ready endpoints on the host, over
 * all its ports (a pod serving 80 and 443 is one). Terminating endpoints are not counted, so a host whose pods are
 * all going fails its check.
 */
export function localReadyEndpoints(candidates: Iterable<EndpointCandidate[]>, host: string): number {
  const addresses = new Set<string>();
  for (const list of candidates) for (const c of list) if (c.nodeName === host && c.conditions.ready) addresses.add(c.backend.address);
  return addresses.size;
}

/** kube-proxy's answer body (healthcheck/service_health.go), indented with tabs as it writes it. */
export function healthCheckBody(namespace: string, name: string, localEndpoints: number): string {
  return JSON.stringify({ service: { namespace, name }, localEndpoints, serviceProxyHealthy: true }, null, '\t');
}

/**
 * One host's health check of one Service: any request on any path is answered `200` while the host has a ready
 * endpoint of the Service, `503` otherwise, with kube-proxy's JSON and headers.
 */
export class HealthCheckServer {
  private server?: http.Server;
  private count = 0;

  constructor(
    readonly address: string,
    readonly port: number,
    private readonly service: { namespace: string; name: string },
  ) {}

  setLocalEndpoints(count: number): void {
    this.count = count;
  }

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => {
      res.writeHead(this.count > 0 ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(healthCheckBody(this.service.namespace, this.service.name, this.count));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
