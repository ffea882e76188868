/**
 * vSphere Zones (`topology.tanzu.vmware.com/v1alpha1`), as the Supervisor serves them and VM Operator reads them
 * (`pkg/topology`): one cluster-scoped AvailabilityZone per zone of the fleet, one Zone per zone a namespace may use.
 */
export const TOPOLOGY_GROUP = 'topology.tanzu.vmware.com';
export const TOPOLOGY_API_VERSION = `${TOPOLOGY_GROUP}/v1alpha1`;

/** Where AvailabilityZones and Zones live in the log and the read models. */
export const AVAILABILITY_ZONES_RESOURCE = `availabilityzones.${TOPOLOGY_GROUP}`;
export const ZONES_RESOURCE = `zones.${TOPOLOGY_GROUP}`;

/**
 * The well-known label of a host's zone (set by `HOST_LABELS` or `kubectl label node`), and of a VM's: written by the
 * scheduler when it places the VM, or set by the VM's author to ask for that zone (VM Operator's
 * `KubernetesTopologyZoneLabelKey`).
 */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * On a Namespace: the AvailabilityZones it has been offered a Zone of (comma-separated, sorted). A zone listed here is
 * not offered again, so a Zone an admin deleted stays deleted; a zone that goes away leaves the list, and is offered
 * afresh if it comes back.
 */
export const OFFERED_ZONES_ANNOTATION = 'topology.openpacific.io/offered-zones';

/** On AvailabilityZones and Zones the vm-operator made (and may delete); ones an admin made carry no such label. */
export const ZONE_MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const ZONE_MANAGED_BY = 'vm-operator';

/** The zones named by a Namespace's offered-zones annotation. */
export function offeredZones(namespace: any): string[] {
  const raw = namespace?.metadata?.annotations?.[OFFERED_ZONES_ANNOTATION];
  return typeof raw === 'string' && raw ? raw.split(',').filter(Boolean) : [];
}

/** The zone of a host (its zone label), undefined when it is in none. */
export function hostZone(host: any): string | undefined {
  const zone = host?.metadata?.labels?.[ZONE_LABEL];
  return typeof zone === 'string' && zone ? zone : undefined;
}

/** The field VM Operator's webhook names when it refuses a VM's zone label. */
export const ZONE_LABEL_FIELD = `metadata.labels[${ZONE_LABEL}]`;

/**
 * Why a VM may not ask for `zone` (VM Operator's webhook, `validateAvailabilityZone`), given the namespace's Zone of
 * that name if there is one: none, or one being deleted, is refused; undefined when the zone may be used.
 */
export function zoneUseRefusal(zone: string, found: any | undefined): string | undefined {
  if (!found) return `${ZONES_RESOURCE} "${zone}" not found`;
  if (found.metadata?.deletionTimestamp) return 'cannot use zone that is being deleted';
  return undefined;
}
