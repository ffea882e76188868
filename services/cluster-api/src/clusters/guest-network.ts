import { createHash } from 'node:crypto';

/** On a Cluster: the /16 its guest's Service cluster IPs come from (SERVICE_CIDR of its programs). */
export const SERVICE_CIDR_ANNOTATION = 'openpacific.io/service-cidr';
/**
 * On a Cluster made while each guest took a pair of /16s: the second, once meant for its own LoadBalancer ingress
 * (LOADBALANCER_CIDR of its programs). Kept for the Cluster's life and never given to another, but no longer written:
 * a guest's LoadBalancer ingress comes from the Supervisor (guest-load-balancers.ts).
 */
export const LOADBALANCER_CIDR_ANNOTATION = 'openpacific.io/loadbalancer-cidr';

/** A guest cluster's ranges: its Service /16 and, on a Cluster made before guests took one /16 each, its old LoadBalancer /16. */
export interface GuestServiceRanges {
  serviceCIDR: string;
  loadBalancerCIDR?: string;
}

/**
 * Guests' Service ranges are loopback /16s in 127.2.0.0–127.15.255.255, a block nothing else on the machine takes:
 * not 127.0/127.1 (the machine's own and tests'), the guests' pod /24s (127.16–63), VM addresses (127.64–127),
 * the Supervisor's hosts' loopback pods and node-port addresses (127.100–249), VirtualMachineServices'
 * (127.200/201) nor the Supervisor's own Service and LoadBalancer ranges (127.202/203). Their listeners bind
 * these addresses on the one machine, so no two clusters may share them. Slot `i` (0..13) is `127.(2+i).0.0/16`.
 */
export const GUEST_SERVICE_RANGES = 14;

export function guestServiceRange(slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= GUEST_SERVICE_RANGES) throw new Error(`guest service range slot must be 0..${GUEST_SERVICE_RANGES - 1}, got ${slot}`);
  return `127.${2 + slot}.0.0/16`;
}

/**
 * A Cluster's ranges as its annotations record them: its Service /16, with the LoadBalancer /16 of one made before
 * guests took one /16 each; undefined when it has no Service range (yet).
 */
export function clusterServiceRanges(cluster: any): GuestServiceRanges | undefined {
  const serviceCIDR = cluster?.metadata?.annotations?.[SERVICE_CIDR_ANNOTATION];
  const loadBalancerCIDR = cluster?.metadata?.annotations?.[LOADBALANCER_CIDR_ANNOTATION];
  if (!serviceCIDR) return undefined;
  return loadBalancerCIDR ? { serviceCIDR, loadBalancerCIDR } : { serviceCIDR };
}

/** Every /16 a Cluster holds: its Service range and any old LoadBalancer range, each given to no other. */
export function clusterHeldRanges(cluster: any): string[] {
  const ranges = clusterServiceRanges(cluster);
  return ranges ? [ranges.serviceCIDR, ...(ranges.loadBalancerCIDR ? [ranges.loadBalancerCIDR] : [])] : [];
}

/**
 * A free Service /16 for the Cluster of uid `uid`, not in `used`: looking from a slot its uid picks (so that two
 * Supervisors on one machine, each knowing only its own clusters, seldom pick the same) and wrapping. Undefined when
 * every slot is taken.
 */
export function freeGuestServiceRange(used: ReadonlySet<string>, uid: string): string | undefined {
  const start = createHash('sha256').update(uid).digest().readUInt32BE(0) % GUEST_SERVICE_RANGES;
  for (let i = 0; i < GUEST_SERVICE_RANGES; i++) {
    const cidr = guestServiceRange((start + i) % GUEST_SERVICE_RANGES);
    if (!used.has(cidr)) return cidr;
  }
  return undefined;
}
