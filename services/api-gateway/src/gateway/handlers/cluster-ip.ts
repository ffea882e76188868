import { randomInt } from 'node:crypto';
import { clusterDnsAddress, inCIDR, ipToInt, isIPv4, kubernetesServiceAddress, LOOPBACK_NETWORK, parseCIDR, scanFreeAddress, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import type { AllocationChecks } from './allocations';

/**
 * Cluster IPs as kube-apiserver's allocator hands them out: from the service range (SERVICE_CIDR), never its network
 * or broadcast address, never the cluster DNS address (the range's .10, kept for the DNS server as kube-dns keeps
 * 10.96.0.10), never the `kubernetes` Service's (the range's .1, as 10.96.0.1: only `default/kubernetes` may have
 * it), never one another Service or VirtualMachineService holds. The one allocator for both kinds: a VMService's
 * `spec.clusterIp` comes from here too (vm.strategy.ts), so the two cannot be handed the same address.
 *
 * "Holds" is what this gateway's read model knows, plus the addresses this gateway handed out whose objects the read
 * model does not show yet (ClusterIPClaims): creates in flight in one gateway never pick the same address, and of two
 * naming one address the second is refused at once. Across gateway replicas the read model alone cannot tell: each
 * address judged free is noted with the version of its allocation stream at that moment (allocations.ts), and the
 * write appends the address's allocation event at that version in one transaction with the object's event. Of two
 * replicas that judged one address free on the same state, one append wins; the other meets a version conflict,
 * catches up until its read model shows the winner's object, and decides again: an allocated address is picked anew,
 * a chosen one is refused as already allocated (the same 422 as when the read model shows its holder).
 */

const VM_SERVICES_RESOURCE = 'virtualmachineservices.vmoperator.vmware.com';

/**
 * How long an address handed out counts as held while the read model does not show it: longer than any create takes
 * (admission, the append, the read model catching up). A create that is refused, fails or is a dry run gives its
 * claim back at once (StrategyContext.onAbandon); this bounds only what nothing gave back (a gateway without that hook).
 */
export const CLAIM_MS = 120_000;

/** The object an address goes to; `kind` tells a VirtualMachineService's claims from those of its core Service (same name). */
type ObjectRef = { namespace?: string; name?: string; kind?: 'VirtualMachineService' };
const refKey = (ref?: ObjectRef) => (ref ? `${ref.kind ?? 'Service'}/${ref.namespace ?? ''}/${ref.name ?? ''}` : '');

/**
 * Addresses handed out by this gateway that its read model does not show yet, each with the object it went to (its
 * namespace and name: that object's own checks do not count it against itself), how many of that object's checks hold
 * it (an update is checked again after mutating admission) and when its claim lapses.
 */
export class ClusterIPClaims {
  private readonly claims = new Map<string, { owner: string; until: number; holds: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Claims `ip` for `owner`; what it returns gives this hold back (the claim goes with its last hold). */
  claim(ip: string, owner?: ObjectRef): () => void {
    const key = refKey(owner);
    const held = this.claims.get(ip);
    const entry = held && held.owner === key ? held : { owner: key, until: 0, holds: 0 };
    entry.until = this.now() + CLAIM_MS;
    entry.holds += 1;
    this.claims.set(ip, entry);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      if (this.claims.get(ip) === entry && --entry.holds <= 0) this.claims.delete(ip);
    };
  }

  /**
   * The claims still standing but `except`'s; those the read model now shows (`seen`: it holds them itself) or that
   * lapsed go.
   */
  standing(seen: ReadonlySet<string>, except?: ObjectRef): string[] {
    const now = this.now();
    const mine = except ? refKey(except) : undefined;
    const out: string[] = [];
    for (const [ip, { owner, until }] of this.claims) {
      if (seen.has(ip) || until < now) this.claims.delete(ip);
      else if (owner !== mine) out.push(ip);
    }
    return out;
  }
}

/** One set of claims per read model: the gateway has one; each test's read model starts with none. */
const claimsByModel = new WeakMap<ReadModel, ClusterIPClaims>();
export function claimsOf(readModel: ReadModel): ClusterIPClaims {
  let claims = claimsByModel.get(readModel);
  if (!claims) claimsByModel.set(readModel, (claims = new ClusterIPClaims()));
  return claims;
}

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

/**
 * The cluster IPs others hold: every Service's `clusterIP`/`clusterIPs` (but `except`'s), every VirtualMachineService's
 * `spec.clusterIp` (its core Service may not be written yet), including ones being deleted (their address is theirs
 * until they are gone), and the addresses this gateway handed out to creates still in flight.
 */
export function allocatedClusterIPs(readModel: ReadModel, except?: ObjectRef): Set<string> {
  const held = new Set<string>();
  const seen = new Set<string>();
  for (const { object: svc } of readModel.list(SERVICES_RESOURCE)) {
    const own = except && !except.kind && svc.metadata?.namespace === except.namespace && svc.metadata?.name === except.name;
    for (const ip of [svc.spec?.clusterIP, ...(svc.spec?.clusterIPs ?? [])]) {
      if (!isIPv4(ip ?? '')) continue;
      seen.add(ip);
      if (!own) held.add(ip);
    }
  }
  for (const { object: vms } of readModel.list(VM_SERVICES_RESOURCE)) {
    if (!isIPv4(vms.spec?.clusterIp ?? '')) continue;
    seen.add(vms.spec.clusterIp);
    held.add(vms.spec.clusterIp);
  }
  for (const ip of claimsOf(readModel).standing(seen, except)) held.add(ip);
  return held;
}

/** A free address of the range, picked at random (a scan from the pick when the range is crowded); undefined when full. */
export function allocateClusterIP(serviceCIDR: string, held: Set<string>): string | undefined {
  const { first, last, reserved } = candidates(serviceCIDR);
  return scanFreeAddress(serviceCIDR, randomInt(0, last - first + 1), reserved, held);
}

/** What claiming needs of a create's or update's context (kind-strategies' StrategyContext). */
type ClaimContext = { readModel: ReadModel; serviceCIDR: string; onAbandon?(giveBack: () => void): void; allocations?: AllocationChecks };

/**
 * Claims `ip` for `owner` until the read model shows it, or until the write is abandoned (refused, failed, dry run),
 * and notes the version of its allocation stream the write is to expect.
 */
function claimFor(ctx: ClaimContext, ip: string, owner?: ObjectRef): void {
  const giveBack = claimsOf(ctx.readModel).claim(ip, owner);
  ctx.onAbandon?.(giveBack);
  ctx.allocations?.free({ address: ip });
}

/**
 * A cluster IP for an object this gateway is creating (a Service or a VirtualMachineService): free against the read
 * model and the creates in flight, and claimed for `owner` (claimFor). Undefined when the range is full.
 */
export function allocateFor(ctx: ClaimContext, owner?: ObjectRef): string | undefined {
  const ip = allocateClusterIP(ctx.serviceCIDR, allocatedClusterIPs(ctx.readModel, owner));
  if (ip) claimFor(ctx, ip, owner);
  return ip;
}

/**
 * An address the author chose for `owner`: why it cannot be its (clusterIPCauses, against the read model and the
 * creates in flight, `owner`'s own claims aside), or nothing, and then it is claimed for `owner` as an allocated one is
 * (claimFor), so a create choosing it a moment later is refused. `clusterIPs` and `as` as for clusterIPCauses.
 */
export function claimChosen(
  ctx: ClaimContext, ip: string, owner: ObjectRef, clusterIPs?: unknown, as?: { field: string; value: string },
): StatusCause[] {
  const causes = clusterIPCauses(ip, ctx.serviceCIDR, allocatedClusterIPs(ctx.readModel, owner), owner.kind ? undefined : owner, clusterIPs, as);
  if (causes.length === 0) claimFor(ctx, ip, owner);
  return causes;
}

/** A Go `[]string` as kube's field errors print one (`%#v`): `[]string{"10.96.0.5"}`, `[]string(nil)` when absent. */
export function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
}

/**
 * Why an address cannot be this Service's (`service`: its namespace and name), in kube-apiserver's words (its
 * allocIPs: the field is `spec.clusterIPs` and the value the Service's `clusterIPs`); nothing when it can. `as`: the
 * field and Go-printed value to name instead (a VirtualMachineService's `spec.clusterIp`, a string).
 */
export function clusterIPCauses(
  ip: string, serviceCIDR: string, held: Set<string>, service?: ObjectRef, clusterIPs: unknown = [ip],
  as: { field: string; value: string } = { field: 'spec.clusterIPs', value: goStringSlice(clusterIPs) },
): StatusCause[] {
  const { field, value } = as;
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
