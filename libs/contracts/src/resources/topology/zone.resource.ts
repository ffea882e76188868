import { objectSchema } from '../object-meta.schema';
import { JsonSchema, ResourceDefinition } from '../resource-definition';
import { ageColumn } from '../vmoperator/common';
import { bool, int, list, obj, oneOfStrings, quantity, str, strList } from '../vmoperator/schema-helpers';
import { TOPOLOGY_GROUP } from './common';

/** The folder, resource pools and clusters of a namespace's workloads in one zone (`namespace`, `managedVMs`, `vSpherePods`). */
const zoneEntity = obj({ clusterMoIDs: strList, folderMoID: str, poolMoIDs: strList });
/** A limit and a reservation (hertz for CPU, bytes for memory). */
const resourceAllocation = obj({ limit: quantity, reservation: quantity });
const vmReservations = list(obj({ count: int, reservedVmClass: str }, ['count', 'reservedVmClass']));

/** metav1.Condition as the CRD has it: every field but observedGeneration required. */
const condition: JsonSchema = obj(
  {
    type: str,
    status: oneOfStrings('True', 'False', 'Unknown'),
    observedGeneration: int,
    lastTransitionTime: str,
    reason: str,
    message: str,
  },
  ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
);

/**
 * Zone (`topology.tanzu.vmware.com_zones.yaml` of VM Operator's external CRDs): a vSphere Zone a namespace's
 * workloads may be placed in, derived from the cluster-scoped AvailabilityZone of the same name. No short names; its
 * CRD declares no printer columns (kubectl prints NAME and AGE).
 */
export const zoneResource: ResourceDefinition = {
  group: TOPOLOGY_GROUP,
  kind: 'Zone',
  listKind: 'ZoneList',
  plural: 'zones',
  singular: 'zone',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: obj(
          {
            allowedClusterComputeResourceMoIDs: strList,
            availabilityZoneReference: obj({ apiVersion: str, name: str }, ['apiVersion', 'name']),
            cpu: resourceAllocation,
            disallowUnreservedDirectPathUsage: bool,
            managedVMs: zoneEntity,
            memory: resourceAllocation,
            namespace: zoneEntity,
            overheadMemoryProvidedBy: oneOfStrings('System', 'Namespace'),
            vSpherePods: zoneEntity,
            virtualMachineReservations: vmReservations,
          },
          ['availabilityZoneReference'],
        ),
        status: obj({
          conditions: list(condition),
          cpu: resourceAllocation,
          disallowUnreservedDirectPathUsage: bool,
          markedForRemoval: bool,
          memory: resourceAllocation,
          virtualMachineReservations: vmReservations,
        }),
      }),
      printerColumns: [ageColumn],
    },
  ],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
};
