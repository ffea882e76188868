import { createHash } from 'node:crypto';

/** On a Cluster: the /16 its guest's Service cluster IPs come from (SERVICE_CIDR of its programs). */
export const SERVICE_CIDR_ANNOTATION = 'openpacific.io/service-cidr';
/** On a Cluster: the /16 its guest's LoadBalancer ingress addresses come from (LOADBALANCER_CIDR). */
export const LOADBALANCER_CIDR_ANNOTATION = 'openpacific.io/loadbalancer-cidr';

/** A guest cluster's Service and LoadBalancer ranges. */
export interface GuestServiceRanges {
  serviceCIDR: string;
  loadBalancerCIDR: string;
}

/**
 * Guests' ranges are pairs of loopback /16s in 127.2.0.0–127.15.255.255, a block nothing else on the machine takes:
 * not 127.0/127.1 (the machine's own and tests'), the guests' pod /24s (127.16–63), VM addresses (127.64–127),
 * the Supervisor's hosts' loopback pods and node-port addresses (127.100–249), VirtualMachineServices'
 * (127.200/201) nor the Supervisor's own Service and LoadBalancer ranges (127.202/203). Their listeners bind
 * these addresses on the one machine, so no two clusters may share them. Pair `i` (0..6): services
 * `127.(2+2i).0.0/16`, load balancers `127.(3+2i).0.0/16`.
 */
export const GUEST_RANGE_PAIRS = 7;

export function guestServiceRanges(pair: number): GuestServiceRanges {
  if (!Number.isInteger(pair) || pair < 0 || pair >= GUEST_RANGE_PAIRS) throw new Error(`guest range pair must be 0..${GUEST_RANGE_PAIRS - 1}, got ${pair}`);
  return { serviceCIDR: `127.${2 + 2 * pair}.0.0/16`, loadBalancerCIDR: `127.${3 + 2 * pair}.0.0/16` };
}

/** A Cluster's ranges as its annotations record them; undefined when it has none (yet). */
export function clusterServiceRanges(cluster: any): GuestServiceRanges | undefined {
  const serviceCIDR = cluster?.metadata?.annotations?.[SERVICE_CIDR_ANNOTATION];
  const loadBalancerCIDR = cluster?.metadata?.annotations?.[LOADBALANCER_CIDR_ANNOTATION];
  return serviceCIDR && loadBalancerCIDR ? { serviceCIDR, loadBalancerCIDR } : undefined;
}

/**
 * A free pair for the Cluster of uid `uid`, none of whose /16s is in `used`: looking from a pair its uid picks
 * (so that two Supervisors on one machine, each knowing only its own clusters, seldom pick the same) and wrapping.
 * Undefined when every pair is taken.
 */
export function freeGuestServiceRanges(used: ReadonlySet<string>, uid: string): GuestServiceRanges | undefined {
  const start = createHash('sha256').update(uid).digest().readUInt32BE(0) % GUEST_RANGE_PAIRS;
  for (let i = 0; i < GUEST_RANGE_PAIRS; i++) {
    const ranges = guestServiceRanges((start + i) % GUEST_RANGE_PAIRS);
    if (!used.has(ranges.serviceCIDR) && !used.has(ranges.loadBalancerCIDR)) return ranges;
  }
  return undefined;
}
