import { labelSelectorSchema } from '../apps/apps-schema';
import { objectSchema } from '../object-meta.schema';
import { JsonSchema, PrinterColumn, ResourceDefinition, ResourceVersionDefinition } from '../resource-definition';
import { ageColumn, VMOPERATOR_GROUP, VMOPERATOR_HUB } from './common';
import { versionedConversion } from './conversion';
import { virtualMachineSchema } from './virtualmachine.schema';
import { int, list, metaCondition, obj, oneOfStrings, strMap } from './schema-helpers';

/** Served versions, newest first: v1alpha5 stores; v1alpha3 and v1alpha4 are the deprecated ones VM Operator still serves. */
export const VMRS_VERSIONS = ['v1alpha5', 'v1alpha4', 'v1alpha3'] as const;
type VmrsVersion = (typeof VMRS_VERSIONS)[number];

/** The label VM Operator puts on every VM of a set: the set's name. */
export const VMRS_NAME_LABEL = 'vmoperator.vmware.com/replicaset-name';

/**
 * The template's `spec` is a VirtualMachineSpec of the same version (v1alpha4's is v1alpha5's here): a read at an
 * older version drops what that version's VirtualMachine cannot say, as a VM read at it does. The VM's own
 * mapping only moves `status` fields, so the template needs no mapping of its own.
 */
function vmSpecSchema(v: VmrsVersion): JsonSchema {
  return (virtualMachineSchema(v === 'v1alpha3' ? 'v1alpha3' : 'v1alpha5') as any).properties.spec;
}

function replicaSetSchema(v: VmrsVersion): JsonSchema {
  return objectSchema({
    spec: obj({
      replicas: { type: 'integer', format: 'int32' },
      deletePolicy: oneOfStrings('Random'),
      selector: labelSelectorSchema,
      template: obj({ metadata: obj({ labels: strMap, annotations: strMap }), spec: vmSpecSchema(v) }),
    }),
    status: obj({ replicas: int, fullyLabeledReplicas: int, readyReplicas: int, observedGeneration: int, conditions: list(metaCondition) }),
  });
}

const columns: PrinterColumn[] = [
  { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
  { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
  ageColumn,
];

const schemas = Object.fromEntries(VMRS_VERSIONS.map((v) => [v, replicaSetSchema(v)])) as Record<VmrsVersion, JsonSchema>;

const versions: ResourceVersionDefinition[] = VMRS_VERSIONS.map((name) => ({ name, served: true, storage: name === VMOPERATOR_HUB, schema: schemas[name], printerColumns: columns }));

/** VirtualMachineReplicaSet (`api/v1alpha5/virtualmachinereplicaset_types.go`): `replicas` VMs from a template, scalable. */
export const virtualMachineReplicaSetResource: ResourceDefinition = {
  group: VMOPERATOR_GROUP,
  kind: 'VirtualMachineReplicaSet',
  listKind: 'VirtualMachineReplicaSetList',
  plural: 'virtualmachinereplicasets',
  singular: 'virtualmachinereplicaset',
  shortNames: ['vmrs', 'vmreplicaset'],
  categories: ['vmoperator', 'all'],
  scope: 'Namespaced',
  versions,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({ group: VMOPERATOR_GROUP, hubVersion: VMOPERATOR_HUB, schemas, mappings: {} }),
};
