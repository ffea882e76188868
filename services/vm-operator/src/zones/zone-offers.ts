import { randomUUID } from 'node:crypto';
import { hostZone, offeredZones, OFFERED_ZONES_ANNOTATION, rfc3339, TOPOLOGY_API_VERSION, ZONE_MANAGED_BY, ZONE_MANAGED_BY_LABEL } from '@openpacific/contracts';

/**
 * What the fleet's zones should be, as pure functions over objects: the Supervisor's view of vCenter, where the
 * fleet is vCenter, a host is a vSphere cluster (its name the compute resource's id), and a zone is the set of hosts
 * whose `topology.kubernetes.io/zone` label has one value.
 */

/** A DNS-1123 subdomain: a label value that is not one cannot name an AvailabilityZone, and makes none. */
const ZONE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Namespaces that are Kubernetes' or the Supervisor's own get no Zones (as they get no ClusterClass). */
export const SYSTEM_NAMESPACE = /^(kube-|vmware-system-)/;

/** The zones of the registered hosts (not being deleted), each with its hosts' names, sorted. */
export function zonesOfHosts(hosts: any[]): Map<string, string[]> {
  const zones = new Map<string, string[]>();
  for (const host of hosts) {
    const zone = hostZone(host);
    if (!zone || host.metadata.deletionTimestamp || zone.length > 253 || !ZONE_NAME.test(zone)) continue;
    zones.set(zone, [...(zones.get(zone) ?? []), host.metadata.name]);
  }
  for (const names of zones.values()) names.sort();
  return new Map([...zones].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Made by the vm-operator (an admin's own AvailabilityZones and Zones are never changed or deleted by it). */
export function managed(object: any): boolean {
  return object?.metadata?.labels?.[ZONE_MANAGED_BY_LABEL] === ZONE_MANAGED_BY;
}

/**
 * The namespace's vSphere folder and its resource pool in a zone, from the one identifier a Namespace has: its uid
 * (the folder is one per namespace, the pools one per namespace and zone).
 */
export function namespaceIds(namespace: any, zone: string): { folder: string; pool: string } {
  const uid = namespace.metadata.uid ?? namespace.metadata.name;
  return { folder: uid, pool: `${uid}/${zone}` };
}

/** A managed AvailabilityZone's spec: its hosts, and the namespaces that have a Zone of it. */
export function availabilityZoneSpec(zone: string, hostNames: string[], namespaces: any[]): any {
  const entries = namespaces.map((ns) => {
    const ids = namespaceIds(ns, zone);
    return [ns.metadata.name, { folderMoId: ids.folder, poolMoIDs: [ids.pool] }];
  });
  return { clusterComputeResourceMoIDs: hostNames, namespaces: Object.fromEntries(entries) };
}

/** What a managed Zone says of the namespace in its zone: the zone's hosts, the namespace's folder and pool there. */
export function zoneNamespaceEntity(zone: string, hostNames: string[], namespace: any): any {
  const ids = namespaceIds(namespace, zone);
  return { clusterMoIDs: hostNames, folderMoID: ids.folder, poolMoIDs: [ids.pool] };
}

export function newTopologyObject(kind: 'AvailabilityZone' | 'Zone', name: string, namespace: string | undefined, spec: any): any {
  return {
    apiVersion: TOPOLOGY_API_VERSION,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: rfc3339(),
      generation: 1,
      labels: { [ZONE_MANAGED_BY_LABEL]: ZONE_MANAGED_BY },
    },
    spec,
  };
}

/** A managed Zone of namespace `ns` for AvailabilityZone `zone`. */
export function newZone(zone: string, hostNames: string[], namespace: any): any {
  return newTopologyObject('Zone', zone, namespace.metadata.name, {
    availabilityZoneReference: { apiVersion: TOPOLOGY_API_VERSION, name: zone },
    namespace: zoneNamespaceEntity(zone, hostNames, namespace),
  });
}

export interface NamespaceOffer {
  /** AvailabilityZones to make a Zone of in the namespace (none of that name exists yet). */
  create: string[];
  /** Managed Zones of AvailabilityZones that are gone. */
  remove: string[];
  /** The annotation's value afterwards: undefined to remove it (no zone offered any more). */
  offered: string[];
  changed: boolean;
}

/**
 * What a namespace is offered: a Zone of every AvailabilityZone not offered to it before (so a Zone an admin deleted
 * is not made again), and no longer the zones that are gone (their managed Zones go; such a zone is offered afresh if
 * it comes back). `zones`: the namespace's Zones by name.
 */
export function namespaceOffer(namespace: any, availabilityZones: string[], zones: Map<string, any>): NamespaceOffer {
  const before = offeredZones(namespace);
  const live = new Set(availabilityZones);
  const kept = before.filter((z) => live.has(z));
  const fresh = availabilityZones.filter((z) => !before.includes(z));
  const offered = [...new Set([...kept, ...fresh])].sort();
  const gone = before.filter((z) => !live.has(z));
  return {
    create: fresh.filter((z) => !zones.has(z)),
    remove: gone.filter((z) => managed(zones.get(z)) && zones.get(z).spec?.availabilityZoneReference?.name === z),
    offered,
    changed: offered.join(',') !== before.join(','),
  };
}

/** The Namespace with its offered-zones annotation set to `offered` (removed when empty). */
export function withOffered(namespace: any, offered: string[]): any {
  const annotations = { ...(namespace.metadata.annotations ?? {}) };
  if (offered.length) annotations[OFFERED_ZONES_ANNOTATION] = offered.join(',');
  else delete annotations[OFFERED_ZONES_ANNOTATION];
  const metadata = { ...namespace.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  delete metadata.resourceVersion;
  return { ...namespace, metadata };
}
