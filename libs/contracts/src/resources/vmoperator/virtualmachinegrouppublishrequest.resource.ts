import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, VMOPERATOR_GROUP, VMOPERATOR_HUB } from './common';
import { versionedConversion } from './conversion';
import { list, metaCondition, obj, str, strList } from './schema-helpers';

export const VIRTUAL_MACHINE_GROUP_PUBLISH_REQUESTS_RESOURCE = 'virtualmachinegrouppublishrequests.vmoperator.vmware.com';
/** On each VirtualMachinePublishRequest a group request makes: the group request's name (VM Operator lists them by it). */
export const VMPUB_MANAGED_BY_LABEL = 'vmoperator.vmware.com/virtualmachinepublishrequest-managed-by';

const groupPublishSchema = objectSchema({
  spec: obj({
    source: str,
    target: str,
    ttlSecondsAfterFinished: { type: 'integer', minimum: 0 },
    virtualMachines: strList,
  }),
  status: obj({
    source: str,
    target: str,
    startTime: str,
    completionTime: str,
    images: list(obj({ source: str, publishRequestName: str, imageName: str, conditions: list(metaCondition) }, ['source', 'publishRequestName'])),
    conditions: list(metaCondition),
  }),
});

/**
 * VirtualMachineGroupPublishRequest (`api/v1alpha5/virtualmachinegroup_publishrequest_types.go`): publishes the VMs
 * of a VirtualMachineGroup as images of a content library, one VirtualMachinePublishRequest per VM. The CRD of
 * v1.10.0 serves it at v1alpha5 (storage) only and declares no printer columns: kubectl prints NAME and AGE.
 */
export const virtualMachineGroupPublishRequestResource: ResourceDefinition = {
  group: VMOPERATOR_GROUP,
  kind: 'VirtualMachineGroupPublishRequest',
  listKind: 'VirtualMachineGroupPublishRequestList',
  plural: 'virtualmachinegrouppublishrequests',
  singular: 'virtualmachinegrouppublishrequest',
  shortNames: ['vmgpub'],
  categories: ['vmoperator', 'all'],
  scope: 'Namespaced',
  versions: [{ name: VMOPERATOR_HUB, served: true, storage: true, schema: groupPublishSchema, printerColumns: [ageColumn] }],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({ group: VMOPERATOR_GROUP, hubVersion: VMOPERATOR_HUB, schemas: { [VMOPERATOR_HUB]: groupPublishSchema }, mappings: {} }),
};
