import { availabilityZoneResource } from './availabilityzone.resource';
import { zoneResource } from './zone.resource';

export * from './common';
export * from './availabilityzone.resource';
export * from './zone.resource';

/** topology.tanzu.vmware.com/v1alpha1: AvailabilityZone and Zone (kept by the vm-operator's zone controller). */
export const topologyResources = [availabilityZoneResource, zoneResource];
