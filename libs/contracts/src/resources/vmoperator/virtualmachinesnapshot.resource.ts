import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, VMOPERATOR_GROUP, VMOPERATOR_HUB } from './common';
import { versionedConversion } from './conversion';
import { bool, list, metaCondition, obj, oneOfStrings, quantity, snapshotReference, str } from './schema-helpers';

/** The label VM Operator's mutating webhook puts on a snapshot: the name of its VM (`spec.vmName`). */
export const VMSNAPSHOT_VM_NAME_LABEL = 'snapshot.vmoperator.vmware.com/vm-name';
export const VIRTUAL_MACHINE_SNAPSHOTS_RESOURCE = 'virtualmachinesnapshots.vmoperator.vmware.com';

const snapshotSchema = objectSchema({
  spec: obj({
    memory: bool,
    quiesce: obj({ timeout: str }),
    description: str,
    vmName: str,
  }),
  status: obj({
    powerState: oneOfStrings('PoweredOff', 'PoweredOn', 'Suspended'),
    quiesced: bool,
    uniqueID: str,
    children: list(snapshotReference),
    conditions: list(metaCondition),
    storage: obj({ used: quantity, requested: list(obj({ storageClass: str, total: quantity }, ['storageClass', 'total'])) }),
  }),
});

/**
 * VirtualMachineSnapshot (`api/v1alpha5/virtualmachinesnapshot_types.go`): a point-in-time snapshot of a VM, served at
 * v1alpha5 only, as VM Operator serves it. The CRD declares no printer columns: kubectl prints NAME and AGE.
 */
export const virtualMachineSnapshotResource: ResourceDefinition = {
  group: VMOPERATOR_GROUP,
  kind: 'VirtualMachineSnapshot',
  listKind: 'VirtualMachineSnapshotList',
  plural: 'virtualmachinesnapshots',
  singular: 'virtualmachinesnapshot',
  shortNames: ['vmsnapshot'],
  categories: ['vmoperator', 'all'],
  scope: 'Namespaced',
  versions: [{ name: VMOPERATOR_HUB, served: true, storage: true, schema: snapshotSchema, printerColumns: [ageColumn] }],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({ group: VMOPERATOR_GROUP, hubVersion: VMOPERATOR_HUB, schemas: { [VMOPERATOR_HUB]: snapshotSchema }, mappings: {} }),
};
