import { randomInt } from 'node:crypto';
import { clusterDnsAddress, inCIDR, ipToInt, isIPv4, kubernetesServiceAddress, LOOPBACK_NETWORK, parseCIDR, scanFreeAddress, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';

/**
 * Cluster IPs as kube-apiserver's allocator hands them out: from the service range (SERVICE_CIDR), never its network
 * or broadcast address, never the cluster DNS address (the range's .10, kept for the DNS server as kube-dns keeps
 * 10.96.0.10), never the `kubernetes` Service's (the range's .1, as 10.96.0.1: only `default/kubernetes` may have
 * it), never one another Service holds.
 *
 * "Holds" is what this gateway's read model knows. Two gateway replicas creating Services at the same moment could
 * both pick the same free address: with random picks in a /16 (65 533 candidates) the chance for one such pair is
 * about 1 in 65 000, and only for creates that land within the read model's lag (milliseconds) of each other. The
 * outcome is two Services sharing a cluster IP: the DNS names each resolve to it, and the load balancer can keep only
 * one listener per address and port, so on ports they both use one Service answers for both. Deleting and recreating
 * either Service repairs it. A client-chosen address is checked the same way and has the same window.
 */

/** The Service that holds the range's first address. */
export const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;

/** Whether the Service is `default/kubernetes`, the one that takes kubernetesServiceAddress. */
export function isKubernetesService(service?: { namespace?: string; name?: string }): boolean {
  return service?.namespace === KUBERNETES_SERVICE.namespace && service?.name === KUBERNETES_SERVICE.name;
}

/** The `kubernetes` Service's address in this service range (its first). */
export function kubernetesClusterIP(serviceCIDR: string): string {
  return kubernetesServiceAddress({ ...LOOPBACK_NETWORK, serviceCIDR });
}

/**
 * The addresses a Service may be given: the range less its network, broadcast and DNS addresses, and the
 * `kubernetes` Service's unless `service` is that Service.
 */
function candidates(serviceCIDR: string, service?: { namespace?: string; name?: string }): { first: number; last: number; reserved: Set<number> } {
  const { base, prefix } = parseCIDR(serviceCIDR);
  const size = 2 ** (32 - prefix);
  const reserved = new Set([ipToInt(clusterDnsAddress({ ...LOOPBACK_NETWORK, serviceCIDR }))]);
  if (!isKubernetesService(service)) reserved.add(ipToInt(kubernetesClusterIP(serviceCIDR)));
  return { first: base + 1, last: base + size - 2, reserved };
}

/** The cluster IPs other Services hold (including ones being deleted: their address is theirs until they are gone). */
export function allocatedClusterIPs(readModel: ReadModel, except?: { namespace?: string; name?: string }): Set<string> {
  const held = new Set<string>();
  for (const { object: svc } of readModel.list(SERVICES_RESOURCE)) {
    if (except && svc.metadata?.namespace === except.namespace && svc.metadata?.name === except.name) continue;
    for (const ip of [svc.spec?.clusterIP, ...(svc.spec?.clusterIPs ?? [])]) if (isIPv4(ip ?? '')) held.add(ip);
  }
  return held;
}

/** A free address of the range, picked at random (a scan from the pick when the range is crowded); undefined when full. */
export function allocateClusterIP(serviceCIDR: string, held: Set<string>): string | undefined {
  const { first, last, reserved } = candidates(serviceCIDR);
  return scanFreeAddress(serviceCIDR, randomInt(0, last - first + 1), reserved, held);
}

/** A Go `[]string` as kube's field errors print one (`%#v`): `[]string{"10.96.0.5"}`, `[]string(nil)` when absent. */
export function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
}

/**
 * Why an address cannot be this Service's (`service`: its namespace and name), in kube-apiserver's words (its
 * allocIPs: the field is `spec.clusterIPs` and the value the Service's `clusterIPs`); nothing when it can.
 */
export function clusterIPCauses(ip: string, serviceCIDR: string, held: Set<string>, service?: { namespace?: string; name?: string }, clusterIPs: unknown = [ip]): StatusCause[] {
  const field = 'spec.clusterIPs';
  const value = goStringSlice(clusterIPs);
  const { first, last, reserved } = candidates(serviceCIDR, service);
  const n = ipToInt(ip);
  if (!inCIDR(ip, serviceCIDR) || n < first || n > last) {
    return [{ field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${serviceCIDR}` }];
  }
  // The DNS address counts as allocated: the cluster DNS server holds it though it is no Service object; so does the
  // `kubernetes` Service's for any other Service, whether that Service exists at the moment or not.
  if (held.has(ip) || reserved.has(n)) {
    return [{ field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: failed to allocate IP ${ip}: provided IP is already allocated` }];
  }
  return [];
}
