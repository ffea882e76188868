import { randomInt } from 'node:crypto';
import { ClusterNetwork, clusterDnsAddress, clusterIPStreamId, ipToInt, isIPv4, kubernetesServiceAddress, loadBalancerAddress, parseCIDR, scanFreeAddress } from '@openpacific/contracts';
import type { AllocationLedger } from '@openpacific/objects';
import { ingressAddress } from './vm-service-endpoints';

/**
 * The annotation VirtualMachineServices made before their addresses came from the cluster's ranges carry: their
 * number in the namespace, which with the namespace's pool gave them 127.200.<pool>.<n> (ingress) and
 * 127.201.<pool>.<n> (cluster). New services do not get it; those that have it keep those addresses.
 */
export const INGRESS_INDEX_ANNOTATION = 'vmoperator.openpacific.io/ingress-index';

/** The number an older service was given (INGRESS_INDEX_ANNOTATION), or undefined for one addressed from the ranges. */
export function legacyIndex(vmService: any): number | undefined {
  const index = Number(vmService?.metadata?.annotations?.[INGRESS_INDEX_ANNOTATION]);
  return Number.isInteger(index) && index > 0 ? index : undefined;
}

/** An older service's loopback addresses: ingress 127.200.<pool>.<index>, cluster 127.201.<pool>.<index>. */
export function legacyAddresses(pool: number, index: number): { ingress: string; cluster: string } {
  const ingress = ingressAddress(pool, index);
  return { ingress, cluster: ingress.replace(/^127\.200\./, '127.201.') };
}

/**
 * The cluster IPs taken: every core Service's `clusterIP`/`clusterIPs` (also those being deleted: the address is
 * theirs until they are gone) and every VirtualMachineService's `spec.clusterIp` (its core Service may not be
 * written yet), in any namespace.
 */
export function heldClusterIPs(services: any[], vmServices: any[]): Set<string> {
  const held = new Set<string>();
  for (const svc of services) {
    for (const ip of [svc?.spec?.clusterIP, ...(svc?.spec?.clusterIPs ?? [])]) if (isIPv4(ip ?? '')) held.add(ip);
  }
  for (const vms of vmServices) if (isIPv4(vms?.spec?.clusterIp ?? '')) held.add(vms.spec.clusterIp);
  return held;
}

/**
 * A free cluster IP of the service range, as kube-apiserver's allocator (and the gateway's, which gives Services and
 * VMServices created through it theirs) picks one: at random, scanning on from the pick, never the range's network or
 * broadcast address, its .1 (the `kubernetes` Service's) or its .10 (the cluster DNS server's, whose load balancer
 * offset is the Ingress address), never one held. Only for a VMService written straight to the log without one
 * (vm-service-controller.ts `addressFor`). Random, as the gateway's, so the two allocating at the same moment rarely
 * pick one address (and when they do, the allocation event written with it, contracts' `allocationAppend`, lets only
 * one of them have it). Undefined when full.
 */
export function allocateClusterIP(network: ClusterNetwork, held: Set<string>, pick: (span: number) => number = (span) => randomInt(0, span)): string | undefined {
  const { prefix } = parseCIDR(network.serviceCIDR);
  const reserved = new Set([ipToInt(kubernetesServiceAddress(network)), ipToInt(clusterDnsAddress(network))]);
  return scanFreeAddress(network.serviceCIDR, pick(2 ** (32 - prefix) - 2), reserved, held);
}

/**
 * A LoadBalancer service's ingress for its cluster IP: the address at the same offset in the load balancer range, as a
 * core LoadBalancer Service's (so unique as the cluster IP is); an older service's stays 127.200.<pool>.<index>.
 * Undefined for a cluster IP outside the service range that is not an older service's (one its author chose).
 */
export function ingressFor(network: ClusterNetwork, clusterIp: string, legacy?: { pool: number; index: number }): string | undefined {
  if (legacy) return legacyAddresses(legacy.pool, legacy.index).ingress;
  return loadBalancerAddress(network, clusterIp);
}

/**
 * Cluster IPs lost to another writer (a version conflict on the address's stream), each held until the ledger has
 * followed the stream as far as the winner wrote it: from then the read model shows the winner's object, which holds
 * the address (or its deletion, which frees it). The next pick, soon after the conflict, passes over them even when
 * the read model is still behind.
 */
export class LostClusterIPs {
  /** The stream version each lost address's winner wrote, by address. */
  private readonly lost = new Map<string, number>();

  add(address: string, winnerVersion: number): void {
    this.lost.set(address, Math.max(winnerVersion, this.lost.get(address) ?? 0));
  }

  /** The lost addresses the ledger has not caught up with (those it has are forgotten). */
  held(ledger: AllocationLedger): string[] {
    for (const [address, version] of this.lost) if (ledger.version(clusterIPStreamId(address)) >= version) this.lost.delete(address);
    return [...this.lost.keys()];
  }
}
