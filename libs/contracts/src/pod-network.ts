/**
 * The cluster's addressing, shared by every service (environment POD_CIDR, SERVICE_CIDR, LOADBALANCER_CIDR).
 *
 * - Pods: where a host can (root, iproute2), each pod has its own network namespace with an address from its
 *   namespace's subnet: the cluster's POD_CIDR (a /16) is cut into /24s, the first (`<a.b>.0.0/24`) for the hosts'
 *   bridge gateways and the others given one per Kubernetes namespace by the scheduler as it places pods.
 *   Without POD_CIDR (or where the host cannot), pods share the host's network and differ by a 127.x.y.z address.
 * - Services: cluster IPs come from SERVICE_CIDR, LoadBalancer ingress addresses from LOADBALANCER_CIDR at the
 *   same offset. Outside 127.0.0.0/8 the whole range is made local on the machine (`ip route replace local …`).
 */
export interface ClusterNetwork {
  /** The pods' /16, empty when pods share their host's network (loopback addresses). */
  podCIDR: string;
  serviceCIDR: string;
  loadBalancerCIDR: string;
}

/** Without configuration (and where the machine does not allow more): everything on loopback. */
export const LOOPBACK_NETWORK: ClusterNetwork = { podCIDR: '', serviceCIDR: '127.202.0.0/16', loadBalancerCIDR: '127.203.0.0/16' };

/** On a Node, set by its spherelet-agent: `netns` (own namespace, veth, bridge) or `loopback` (the fallback). */
export const POD_NETWORK_ANNOTATION = 'openpacific.io/pod-network';
/** On a Pod, set by the scheduler when its host runs pods in their own network namespace: the pod's address. */
export const POD_IP_ANNOTATION = 'openpacific.io/pod-ip';

/** The cluster network from an environment; unset variables take LOOPBACK_NETWORK's values. */
export function clusterNetworkFromEnv(env: Record<string, string | undefined>): ClusterNetwork {
  const network = {
    podCIDR: env.POD_CIDR || LOOPBACK_NETWORK.podCIDR,
    serviceCIDR: env.SERVICE_CIDR || LOOPBACK_NETWORK.serviceCIDR,
    loadBalancerCIDR: env.LOADBALANCER_CIDR || LOOPBACK_NETWORK.loadBalancerCIDR,
  };
  if (network.podCIDR) parseCIDR(network.podCIDR, 'POD_CIDR', 16);
  parseCIDR(network.serviceCIDR, 'SERVICE_CIDR', 16);
  parseCIDR(network.loadBalancerCIDR, 'LOADBALANCER_CIDR', 16);
  return network;
}

/** The environment that carries a cluster network to a service. */
export function clusterNetworkEnv(network: ClusterNetwork): Record<string, string> {
  return { POD_CIDR: network.podCIDR, SERVICE_CIDR: network.serviceCIDR, LOADBALANCER_CIDR: network.loadBalancerCIDR };
}

/**
 * A test cluster's own network, so clusters on one machine never overlap: index 1..31 gives pods
 * 10.(64+i).0.0/16, services 10.(96+i).0.0/16 and load balancers 10.(128+i).0.0/16; index 0 is `npm start`'s.
 */
export function indexedClusterNetwork(index: number): ClusterNetwork {
  if (!Number.isInteger(index) || index < 0 || index > 31) throw new Error(`cluster network index must be 0..31, got ${index}`);
  return { podCIDR: `10.${64 + index}.0.0/16`, serviceCIDR: `10.${96 + index}.0.0/16`, loadBalancerCIDR: `10.${128 + index}.0.0/16` };
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

/** `a.b.c.d/n` → network base (as a number) and prefix length; `exactPrefix` insists on that length. */
export function parseCIDR(cidr: string, name = 'CIDR', exactPrefix?: number): { base: number; prefix: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || !isIPv4(m[1]) || prefix > 32 || (exactPrefix !== undefined && prefix !== exactPrefix)) {
    throw new Error(`${name} must be an IPv4 network${exactPrefix !== undefined ? ` with prefix /${exactPrefix}` : ''} such as 10.64.0.0/16, got "${cidr}"`);
  }
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (ipToInt(m[1]) & mask) >>> 0, prefix };
}

export function inCIDR(ip: string, cidr: string): boolean {
  if (!isIPv4(ip)) return false;
  const { base, prefix } = parseCIDR(cidr);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === base;
}

/**
 * A free address of a range as Kubernetes hands out cluster IPs: scanning its usable addresses (the network and
 * broadcast addresses left out) from the `start`-th of them (a random pick, 0 ≤ start < the range's size − 2) and
 * wrapping, past the `reserved` ones and those `held`. Undefined when none is free. The gateway's allocator for core
 * Services and the vm-operator's for VirtualMachineServices both use it.
 */
export function scanFreeAddress(cidr: string, start: number, reserved: ReadonlySet<number>, held: ReadonlySet<string>): string | undefined {
  const { base, prefix } = parseCIDR(cidr);
  const span = 2 ** (32 - prefix) - 2;
  for (let i = 0; i < span; i++) {
    const n = base + 1 + ((start + i) % span);
    if (reserved.has(n)) continue;
    const ip = intToIp(n);
    if (!held.has(ip)) return ip;
  }
  return undefined;
}

/** The `index`-th /24 of the pod /16 (1..255: a namespace's subnet; 0 holds the bridge gateways). */
export function podSubnet(podCIDR: string, index: number): string {
  const { base } = parseCIDR(podCIDR, 'POD_CIDR', 16);
  return `${intToIp(base + index * 256)}/24`;
}

/** The gateway address of host `hostIndex`'s bridge (1..254): `<a.b>.0.<hostIndex>`. */
export function hostGateway(podCIDR: string, hostIndex: number): string {
  const { base } = parseCIDR(podCIDR, 'POD_CIDR', 16);
  if (!Number.isInteger(hostIndex) || hostIndex < 1 || hostIndex > 254) throw new Error(`host index must be 1..254 for a pod bridge, got ${hostIndex}`);
  return intToIp(base + hostIndex);
}

/** The name of host `hostIndex`'s pod bridge: `op<second octet of POD_CIDR>h<index>` (at most 15 characters). */
export function bridgeName(podCIDR: string, hostIndex: number): string {
  const { base } = parseCIDR(podCIDR, 'POD_CIDR', 16);
  return `op${(base >>> 16) & 255}h${hostIndex}`;
}

/** A service's LoadBalancer ingress address: its cluster IP moved to the load balancer range at the same offset. */
export function loadBalancerAddress(network: ClusterNetwork, clusterIP: string): string | undefined {
  if (!inCIDR(clusterIP, network.serviceCIDR)) return undefined;
  const svc = parseCIDR(network.serviceCIDR);
  const lb = parseCIDR(network.loadBalancerCIDR);
  return intToIp(lb.base + (ipToInt(clusterIP) - svc.base));
}

/**
 * The `kubernetes` Service's address (the API server's, in `default`): the first of the service range, as
 * Kubernetes takes 10.96.0.1. Held for it as the DNS address is held for the DNS server.
 */
export function kubernetesServiceAddress(network: ClusterNetwork): string {
  return intToIp(parseCIDR(network.serviceCIDR).base + 1);
}

/** The cluster DNS server's address: the tenth of the service range (as kube-dns takes 10.96.0.10). */
export function clusterDnsAddress(network: ClusterNetwork): string {
  return intToIp(parseCIDR(network.serviceCIDR).base + 10);
}

/** The DNS search path of a pod in namespace `ns`. */
export function podDnsSearches(ns: string): string[] {
  return [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
}

/** A pod's own name in cluster DNS when it sets `spec.subdomain` (`<hostname>.<subdomain>.<ns>.svc.cluster.local`), as its /etc/hosts lists it. */
export function podFqdn(pod: any): string | undefined {
  const subdomain = pod.spec?.subdomain;
  if (!subdomain) return undefined;
  return `${pod.spec?.hostname ?? pod.metadata.name}.${subdomain}.${pod.metadata.namespace}.svc.cluster.local`;
}
