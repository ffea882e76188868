import { ResourceDefinition } from '../resource-definition';
import { virtualMachineResource } from './virtualmachine.resource';
import { virtualMachineClassResource } from './virtualmachineclass.resource';
import { clusterVirtualMachineImageResource, virtualMachineImageResource } from './virtualmachineimage.resource';
import { virtualMachineServiceResource } from './virtualmachineservice.resource';
import { virtualMachineReplicaSetResource } from './virtualmachinereplicaset.resource';
import { virtualMachineSetResourcePolicyResource } from './setresourcepolicy.resource';
import { virtualMachinePublishRequestResource } from './virtualmachinepublishrequest.resource';
import { virtualMachineSnapshotResource } from './virtualmachinesnapshot.resource';
import { virtualMachineGroupResource } from './virtualmachinegroup.resource';
import { virtualMachineGroupPublishRequestResource } from './virtualmachinegrouppublishrequest.resource';
import { virtualMachineWebConsoleRequestResource, webConsoleRequestResource } from './virtualmachinewebconsolerequest.resource';

export { VMOPERATOR_GROUP, VMOPERATOR_HUB, VMOPERATOR_VERSIONS } from './common';
export type { VmopVersion } from './common';
export { STASH_PREFIX as CONVERSION_STASH_ANNOTATION_PREFIX } from './conversion';
export { NETWORK_TYPES as V1ALPHA1_NETWORK_TYPES } from './virtualmachine.conversion';
export { VMRS_NAME_LABEL, VMRS_VERSIONS } from './virtualmachinereplicaset.resource';
export { VIRTUAL_MACHINE_SNAPSHOTS_RESOURCE, VMSNAPSHOT_VM_NAME_LABEL } from './virtualmachinesnapshot.resource';
export { nanoTime, powerStateStamp, VIRTUAL_MACHINE_GROUPS_RESOURCE, VMG_APPLY_POWER_STATE_ANNOTATION, VMG_LAST_UPDATED_POWER_STATE_ANNOTATION } from './virtualmachinegroup.resource';
export { VIRTUAL_MACHINE_GROUP_PUBLISH_REQUESTS_RESOURCE, VMPUB_MANAGED_BY_LABEL } from './virtualmachinegrouppublishrequest.resource';
export {
  VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, WEB_CONSOLE_REQUESTS_RESOURCE, WEB_CONSOLE_RESOURCES, WEB_CONSOLE_TICKET_HASH_ANNOTATION, WEB_CONSOLE_TICKET_USED_ANNOTATION, WEB_CONSOLE_UUID_LABEL, webConsoleVmName,
} from './virtualmachinewebconsolerequest.resource';
export {
  virtualMachineReplicaSetResource,
  virtualMachineResource,
  virtualMachineClassResource,
  virtualMachineImageResource,
  clusterVirtualMachineImageResource,
  virtualMachineServiceResource,
  virtualMachineSetResourcePolicyResource,
  virtualMachinePublishRequestResource,
  virtualMachineSnapshotResource,
  virtualMachineGroupResource,
  virtualMachineGroupPublishRequestResource,
  virtualMachineWebConsoleRequestResource,
  webConsoleRequestResource,
};

/** Where VirtualMachines live in the log and the read models (the qualified resource name). */
export const VIRTUAL_MACHINES_RESOURCE = 'virtualmachines.vmoperator.vmware.com';
export const VIRTUAL_MACHINE_REPLICASETS_RESOURCE = 'virtualmachinereplicasets.vmoperator.vmware.com';

/** The kinds served at every version from v1alpha1 (VirtualMachineReplicaSet serves v1alpha3 and later only). */
export const vmoperatorResources: ResourceDefinition[] = [
  virtualMachineResource,
  virtualMachineClassResource,
  virtualMachineImageResource,
  clusterVirtualMachineImageResource,
  virtualMachineServiceResource,
  virtualMachineSetResourcePolicyResource,
  virtualMachinePublishRequestResource,
];
