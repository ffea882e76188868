import { hostZone, offeredZones, ZONE_LABEL } from '@openpacific/contracts';

/** The zones a namespace's VMs may go to: its Zones (by the AvailabilityZone each refers to), and whether it was ever offered any. */
export interface NamespaceZones {
  names: string[];
  offered: boolean;
}

export function namespaceZones(namespace: any, zones: any[]): NamespaceZones {
  const names = zones.filter((z) => !z.metadata.deletionTimestamp).map((z) => z.spec?.availabilityZoneReference?.name ?? z.metadata.name);
  return { names: [...new Set(names)].sort(), offered: offeredZones(namespace).length > 0 };
}

/** Where a VM may be placed by zone: the zones allowed, and what a host outside them is told (`N host(s) …`). */
export interface ZoneRule {
  allowed: ReadonlySet<string>;
  reason: string;
}

/**
 * A VM labelled `topology.kubernetes.io/zone` goes to that zone only (its author asked for it, or it was placed there
 * before and comes back after its host failed); any other VM of a namespace with Zones goes to one of them, and one of a
 * namespace whose Zones were all deleted goes nowhere. VMs of a namespace never offered a zone are not concerned
 * (undefined).
 */
export function vmZoneRule(vm: any, zones: NamespaceZones): ZoneRule | undefined {
  const label = vm.metadata.labels?.[ZONE_LABEL];
  if (typeof label === 'string' && label) return { allowed: new Set([label]), reason: `were not in the VM's zone "${label}"` };
  return namespaceZoneRule(vm.metadata.namespace, zones);
}

/**
 * Where the namespace's workloads may go by zone: the hosts of its Zones, none once all of them were deleted, and
 * anywhere in a namespace never offered a zone (undefined). Pods (and the hosts a DaemonSet runs on) follow it as
 * VMs without a zone label do: a namespace bound to zones keeps all of its workloads there. A pod's own choice of zone
 * is its node selector or affinity, judged by the other filters.
 */
export function namespaceZoneRule(namespace: string, zones: NamespaceZones): ZoneRule | undefined {
  if (zones.names.length) return { allowed: new Set(zones.names), reason: `were not in a zone of namespace "${namespace}" (${zones.names.join(', ')})` };
  if (zones.offered) return { allowed: new Set(), reason: `were not in a zone of namespace "${namespace}" (it has none)` };
  return undefined;
}

/** Why the host is not for the VM by zone, if it is not. */
export function zoneFilter(rule: ZoneRule | undefined, host: any): string | undefined {
  if (!rule) return undefined;
  const zone = hostZone(host);
  return zone && rule.allowed.has(zone) ? undefined : rule.reason;
}
