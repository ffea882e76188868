import * as http from 'node:http';
import { ClusterNetwork, inCIDR } from '@openpacific/contracts';
import type { Backend } from '../services/tcp-load-balancer';
import { EndpointConditions, proxiedEndpoints } from './endpoint-conditions';

/**
 * `externalTrafficPolicy: Local` as kube-proxy serves it, on a machine where every host's Node says `InternalIP
 * 127.0.0.1`: each host gets an address of its own to be reached at (`assignHostAddresses`, published on its Node as
 * `openpacific.io/node-port-address`), on which its node ports send only to the endpoints on that host, its health
 * check node port answers as kube-proxy's service health server does, and port 10256 answers as kube-proxy's own
 * `/healthz` and `/livez`.
 */

/** An endpoint of a Service port, with the host its pod runs on (the slice endpoint's `nodeName`). */
export interface EndpointCandidate {
  backend: Backend;
  conditions: EndpointConditions;
  nodeName?: string;
}

/** On a Node (its Host), written by the vm-operator: the host's own address for node ports and kube-proxy's health servers. */
export const HOST_ADDRESS_ANNOTATION = 'openpacific.io/node-port-address';
/** How many hosts can have an address of their own: 150 second octets × 256 third octets. */
export const HOST_ADDRESS_SLOTS = 150 * 256;

/**
 * The address of slot `s`: `127.<100 + s % 150>.<s / 150>.1` — in the /16 crx-runtime gives the loopback pods of
 * `host-<s>` (`127.<100 + s % 150>`), at a `.1`, which it never gives a pod (pods take `.2`–`.251`). Slots 1–149 are
 * the addresses hosts had before (`host-1` → 127.101.0.1); `host-151` is 127.101.1.1, not `host-1`'s again.
 */
export function slotAddress(slot: number): string {
  return `127.${100 + (slot % 150)}.${Math.floor(slot / 150)}.1`;
}

/** The slot of an address `slotAddress` gives; undefined for any other address. */
export function addressSlot(address: unknown): number | undefined {
  const m = typeof address === 'string' ? /^127\.(\d{1,3})\.(\d{1,3})\.1$/.exec(address) : null;
  if (!m) return undefined;
  const [second, third] = [Number(m[1]), Number(m[2])];
  if (second < 100 || second > 249 || third > 255 || String(second) !== m[1] || String(third) !== m[2]) return undefined;
  return third * 150 + (second - 100);
}

/** The slot a host's name asks for: the number it ends in (`host-151` → 151), if there is a slot of that number. */
export function preferredSlot(hostName: string): number | undefined {
  const digits = /(\d+)$/.exec(hostName)?.[1];
  if (digits === undefined || digits.length > 6) return undefined;
  const n = Number(digits);
  return n < HOST_ADDRESS_SLOTS ? n : undefined;
}

/** VirtualMachineService addresses: ingress 127.200.x.y, cluster IPs 127.201.x.y (services/vm-service-endpoints.ts). */
export const VM_SERVICE_RANGE = '127.200.0.0/15';

/** Whether an address may be a host's: not in the cluster's Service or LoadBalancer range (loopback ones by default), nor a VirtualMachineService's. */
export function hostAddressUsable(network: Pick<ClusterNetwork, 'serviceCIDR' | 'loadBalancerCIDR'>): (address: string) => boolean {
  const ranges = [VM_SERVICE_RANGE, network.serviceCIDR, network.loadBalancerCIDR].filter(Boolean);
  return (address) => !ranges.some((cidr) => inCIDR(address, cidr));
}

/** A host as the address allocation sees it: its name, the address its Node carries, when it was created. */
export interface HostAddressClaim {
  name: string;
  annotated?: string;
  createdAt?: string;
}

/**
 * Every host's own address, each distinct, each kept for the host's life: oldest host first, a host keeps the
 * address its Node carries (`HOST_ADDRESS_ANNOTATION`) unless an older host holds it; a host without one takes its
 * name's slot (`preferredSlot`) when free, else — a name without a number, or whose number another host holds — the
 * highest free slot. Slots whose address is not `usable` (another range's: `hostAddressUsable`) are never given.
 * Hosts past the free slots get none. The same hosts give the same answer, so a new leader that has not read the
 * annotations back yet writes the same ones.
 */
export function assignHostAddresses(hosts: HostAddressClaim[], usable: (address: string) => boolean = () => true): Map<string, string> {
  const ordered = [...hosts].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const taken = new Set<number>();
  const slots = new Map<string, number>();
  const take = (name: string, slot: number | undefined): boolean => {
    if (slot === undefined || taken.has(slot) || slots.has(name) || !usable(slotAddress(slot))) return false;
    taken.add(slot);
    slots.set(name, slot);
    return true;
  };
  for (const h of ordered) take(h.name, addressSlot(h.annotated));
  for (const h of ordered) take(h.name, preferredSlot(h.name));
  let next = HOST_ADDRESS_SLOTS - 1;
  for (const h of ordered) {
    if (slots.has(h.name)) continue;
    while (next >= 0 && (taken.has(next) || !usable(slotAddress(next)))) next--;
    if (next < 0) break;
    take(h.name, next);
  }
  return new Map([...slots].map(([name, slot]) => [name, slotAddress(slot)]));
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

/** kube-proxy's `healthzBindAddress` port (10256), here on each host's own address. */
export const PROXY_HEALTHZ_PORT = 10256;
/** The taint cluster-autoscaler puts on a node it is about to delete (kube-proxy's `ToBeDeletedTaint`). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/**
 * A host's kube-proxy as its health servers report it. `eligible`: kube-proxy's `SyncNode` — false while the Node is
 * being deleted or carries the `ToBeDeletedByClusterAutoscaler` taint (KEP-3836; only `/healthz` says so).
 * `healthy`: whether the host's data path is up — the proxy here is one for the whole machine and always in step with
 * the log, so it is the host's `Ready` condition that says whether anything on the host is there to serve (a host
 * whose agent stopped heartbeating is as a node whose kube-proxy stopped syncing). `lastUpdated`: for an unhealthy
 * host, when it stopped being Ready.
 */
export interface HostProxyState {
  eligible: boolean;
  healthy: boolean;
  lastUpdated?: Date;
}

export function hostProxyState(host: any): HostProxyState {
  const eligible = !host?.metadata?.deletionTimestamp && !(host?.spec?.taints ?? []).some((t: any) => t?.key === TO_BE_DELETED_TAINT);
  const ready = (host?.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
  if (ready?.status === 'True') return { eligible, healthy: true };
  const since = ready?.lastTransitionTime ? new Date(ready.lastTransitionTime) : undefined;
  return { eligible, healthy: false, ...(since && !Number.isNaN(since.getTime()) ? { lastUpdated: since } : {}) };
}

const STARTED = process.hrtime.bigint();
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A time as Go prints a `time.Time` (its `String()`, which kube-proxy's `%q` quotes), in UTC:
 * `2025-06-01 10:00:00.25 +0000 UTC`, fractional seconds without trailing zeros, and with `monotonic` (seconds on
 * this process's clock) Go's ` m=+5.000000001` suffix of a time read from the clock. No date → Go's zero time.
 */
export function goTimeString(date?: Date, monotonic?: bigint): string {
  if (!date) return '0001-01-01 00:00:00 +0000 UTC';
  const ms = date.getUTCMilliseconds();
  const fraction = ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
  const text = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction} +0000 UTC`;
  if (monotonic === undefined) return text;
  return `${text} m=+${monotonic / 1_000_000_000n}.${String(monotonic % 1_000_000_000n).padStart(9, '0')}`;
}

/**
 * What kube-proxy's `/healthz` (with `nodeEligible`) or `/livez` answers (proxy_health.go): `503` when the proxy is
 * unhealthy, and for `/healthz` also when the node is not eligible; a healthy proxy reports `lastUpdated` as the
 * current time, as kube-proxy does for compatibility.
 */
export function proxyHealthAnswer(path: 'healthz' | 'livez', state: HostProxyState, now = new Date(), monotonic = process.hrtime.bigint() - STARTED): { status: number; body: string } {
  const currentTime = goTimeString(now, monotonic);
  const lastUpdated = state.healthy ? currentTime : goTimeString(state.lastUpdated);
  const q = JSON.stringify;
  if (path === 'livez') return { status: state.healthy ? 200 : 503, body: `{"lastUpdated": ${q(lastUpdated)},"currentTime": ${q(currentTime)}}` };
  return { status: state.healthy && state.eligible ? 200 : 503, body: `{"lastUpdated": ${q(lastUpdated)},"currentTime": ${q(currentTime)}, "nodeEligible": ${state.eligible}}` };
}

/** kube-proxy's service health answer body (healthcheck/service_health.go), indented with tabs as it writes it. */
export function healthCheckBody(namespace: string, name: string, localEndpoints: number, serviceProxyHealthy = true): string {
  return JSON.stringify({ service: { namespace, name }, localEndpoints, serviceProxyHealthy }, null, '\t');
}

/** An HTTP server on one address and port, started and stopped as the controller's passes want. */
abstract class HostHttpServer {
  private server?: http.Server;

  constructor(
    readonly address: string,
    readonly port: number,
  ) {}

  protected abstract answer(req: http.IncomingMessage, res: http.ServerResponse): void;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.answer(req, res));
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

/**
 * One host's health check of one Service: any request on any path is answered `200` while the host has a ready
 * endpoint of the Service and its proxy is healthy, `503` otherwise, with kube-proxy's JSON and headers (the count
 * also in `X-Load-Balancing-Endpoint-Weight`). As in kube-proxy, a Node being deleted or tainted
 * `ToBeDeletedByClusterAutoscaler` does not change this answer: only `/healthz` on 10256 reports it.
 */
export class HealthCheckServer extends HostHttpServer {
  private count = 0;
  private proxyHealthy = true;

  constructor(
    address: string,
    port: number,
    private readonly service: { namespace: string; name: string },
  ) {
    super(address, port);
  }

  setLocalEndpoints(count: number, proxyHealthy = true): void {
    this.count = count;
    this.proxyHealthy = proxyHealthy;
  }

  protected answer(_req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(this.count > 0 && this.proxyHealthy ? 200 : 503, {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      'X-Load-Balancing-Endpoint-Weight': String(this.count),
    });
    res.end(healthCheckBody(this.service.namespace, this.service.name, this.count, this.proxyHealthy));
  }
}

/**
 * One host's kube-proxy health server (`healthzBindAddress`, port 10256): `/healthz` and `/livez` as
 * `proxyHealthAnswer`, any method; any other path Go's ServeMux `404 page not found`.
 */
export class ProxyHealthServer extends HostHttpServer {
  private state: HostProxyState = { eligible: true, healthy: true };

  setState(state: HostProxyState): void {
    this.state = state;
  }

  protected answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('404 page not found\n');
      return;
    }
    const { status, body } = proxyHealthAnswer(path === '/healthz' ? 'healthz' : 'livez', this.state);
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  }
}
