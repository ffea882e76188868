import { APISERVER_IDENTITY_LABEL, APISERVER_IDENTITY_VALUE, APISERVER_PEER_ENDPOINT_ANNOTATION, isIPv4, leaseExpiresAtMs, leaseLive } from '@openpacific/contracts';
import type { GatewayEndpoint } from './kubernetes-service';

/** Where the gateway replicas' identity Leases live, as kube-apiserver's do. */
export const IDENTITY_LEASE_NAMESPACE = 'kube-system';
const SERVICE_NAME = 'kubernetes';

/** Whether a Lease is a gateway replica's identity Lease: in kube-system, labelled as kube-apiserver labels its own. */
export function isIdentityLease(lease: any): boolean {
  return lease?.metadata?.namespace === IDENTITY_LEASE_NAMESPACE && lease.metadata.labels?.[APISERVER_IDENTITY_LABEL] === APISERVER_IDENTITY_VALUE;
}

/** `10.0.0.5:6443` as an endpoint; undefined for anything else (a name, IPv6, no port). */
export function parsePeerEndpoint(text: unknown): GatewayEndpoint | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([\d.]+):(\d{1,5})$/.exec(text);
  if (!m || !isIPv4(m[1])) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { address: m[1], port } : undefined;
}

const byAddressThenPort = (a: GatewayEndpoint, b: GatewayEndpoint) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1);

/** The replica computing the endpoints: its identity Lease's name and where it serves now. */
export interface SelfEndpoint {
  lease: string;
  endpoint: GatewayEndpoint;
}

/**
 * The gateway replicas the `kubernetes` Service lists: every identity Lease still live at `nowMs` (renewTime plus
 * leaseDurationSeconds not passed) that says where its replica serves, and `self` in place of its own Lease (the
 * replica computing it is alive, whether or not its Lease has come back through the log yet, and serves where it
 * says now, not where its Lease said before a restart). Each endpoint once, by address then port.
 */
export function liveApiserverEndpoints(leases: any[], nowMs: number, self?: SelfEndpoint): GatewayEndpoint[] {
  const found = new Map<string, GatewayEndpoint>();
  const add = (e: GatewayEndpoint) => found.set(`${e.address}:${e.port}`, e);
  for (const lease of leases) {
    if (!isIdentityLease(lease) || !leaseLive(lease, nowMs) || lease.metadata.name === self?.lease) continue;
    const endpoint = parsePeerEndpoint(lease.metadata.annotations?.[APISERVER_PEER_ENDPOINT_ANNOTATION]);
    if (endpoint) add(endpoint);
  }
  if (self) add(self.endpoint);
  return [...found.values()].sort(byAddressThenPort);
}

/** The identity Leases that ran out by `nowMs`, which kube-apiserver's identity-lease garbage collector deletes. */
export function expiredIdentityLeases(leases: any[], nowMs: number): any[] {
  return leases.filter((l) => isIdentityLease(l) && !l.metadata.deletionTimestamp && !leaseLive(l, nowMs));
}

/** When the first of the live identity Leases runs out (undefined when none is live): the next pass is due then. */
export function nextIdentityLeaseExpiryMs(leases: any[], nowMs: number): number | undefined {
  const times = leases.filter((l) => isIdentityLease(l) && leaseLive(l, nowMs)).map((l) => leaseExpiresAtMs(l) as number);
  return times.length ? Math.min(...times) : undefined;
}

/** The endpoints grouped by port (an EndpointSlice, and an Endpoints subset, names one set of ports), lowest port first. */
function byPort(endpoints: GatewayEndpoint[]): Array<{ port: number; addresses: string[] }> {
  const groups = new Map<number, string[]>();
  for (const e of endpoints) groups.set(e.port, [...(groups.get(e.port) ?? []), e.address]);
  return [...groups].sort(([a], [b]) => a - b).map(([port, addresses]) => ({ port, addresses: [...new Set(addresses)] }));
}

const httpsPort = (port: number) => ({ name: 'https', port, protocol: 'TCP' });

/**
 * The `kubernetes` EndpointSlices' names and contents: one slice as kube-apiserver writes it when every replica serves
 * on one port (`kubernetes`); replicas on other ports (several on one machine, as `REPLICAS=2 npm start` runs them) in
 * one more slice per port, `kubernetes-<port>`, as an EndpointSlice holds one set of ports.
 */
export function kubernetesSlices(endpoints: GatewayEndpoint[]): Array<{ name: string; content: any }> {
  return byPort(endpoints).map(({ port, addresses }, i) => ({
    name: i === 0 ? SERVICE_NAME : `${SERVICE_NAME}-${port}`,
    content: {
      addressType: 'IPv4',
      endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true, serving: true, terminating: false } })),
      ports: [httpsPort(port)],
    },
  }));
}

/** Whether a slice name is one `kubernetesSlices` gives to replicas on a further port. */
export const isExtraKubernetesSliceName = (name: string): boolean => /^kubernetes-\d{1,5}$/.test(name);

/** The `kubernetes` Endpoints' subsets: one per port, its addresses sorted. */
export function kubernetesEndpointsSubsets(endpoints: GatewayEndpoint[]): any[] {
  return byPort(endpoints).map(({ port, addresses }) => ({ addresses: [...addresses].sort().map((ip) => ({ ip })), ports: [httpsPort(port)] }));
}
