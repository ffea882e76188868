import { PVCS_RESOURCE, PVS_RESOURCE, STORAGE_CLASSES_RESOURCE, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
/** Where the kinds the VM controllers read live in the log and the read model (qualified resource names). */
export const R = {
  vms: VIRTUAL_MACHINES_RESOURCE,
  classes: 'virtualmachineclasses.vmoperator.vmware.com',
  images: 'virtualmachineimages.vmoperator.vmware.com',
  clusterImages: 'clustervirtualmachineimages.vmoperator.vmware.com',
  services: 'virtualmachineservices.vmoperator.vmware.com',
  policies: 'virtualmachinesetresourcepolicies.vmoperator.vmware.com',
  secrets: 'secrets',
  configMaps: 'configmaps',
  storageClasses: STORAGE_CLASSES_RESOURCE,
  claims: PVCS_RESOURCE,
  volumes: PVS_RESOURCE,
  namespaces: 'namespaces',
} as const;

export const VM_FINALIZER = 'vmoperator.vmware.com/virtualmachine';
export const VM_API_VERSION = 'vmoperator.vmware.com/v1alpha5';
/** Ports the sim guest of an image listens on (comma-separated), an annotation on the image. */
export const GUEST_PORTS_ANNOTATION = 'vmoperator.openpacific.io/guest-ports';
export const DEFAULT_GUEST_PORTS = [22];
