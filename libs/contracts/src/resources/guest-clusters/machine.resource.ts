import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { bool, int, list, obj, str, strMap } from '../vmoperator/schema-helpers';
import { ageColumn, CAPI_GROUP, conditions, duration, kindSchema, objectReference, readinessGates, templateMeta, v1beta1Resource, v1beta2Status } from './common';

/** `Machine.status.phase` values (machine_phase_types.go); the CRD does not enumerate them. */
export const MACHINE_PHASES = ['Pending', 'Provisioning', 'Provisioned', 'Running', 'Deleting', 'Deleted', 'Failed', 'Unknown'] as const;

/** MachineSpec, also the `template.spec` of MachineSets and MachineDeployments. */
export const machineSpec = obj(
  {
    clusterName: str,
    bootstrap: obj({ configRef: objectReference, dataSecretName: str }),
    infrastructureRef: objectReference,
    version: str,
    providerID: str,
    failureDomain: str,
    readinessGates,
    nodeDrainTimeout: duration,
    nodeVolumeDetachTimeout: duration,
    nodeDeletionTimeout: duration,
  },
  ['clusterName', 'bootstrap', 'infrastructureRef'],
);

export const machineTemplate = obj({ metadata: templateMeta, spec: machineSpec });

const machineStatus = obj({
  nodeRef: objectReference,
  nodeInfo: strMap,
  lastUpdated: str,
  failureReason: str,
  failureMessage: str,
  addresses: list(obj({ type: str, address: str }, ['type', 'address'])),
  phase: str,
  certificatesExpiryDate: str,
  bootstrapReady: bool,
  infrastructureReady: bool,
  observedGeneration: int,
  conditions,
  deletion: obj({ nodeDrainStartTime: str, waitForNodeVolumeDetachStartTime: str }),
  // Cluster API v1beta2's MachineStatus.failureDomain (where the machine landed), written at v1beta1, the one version served.
  failureDomain: str,
  v1beta2: v1beta2Status,
});

export const clusterNameColumn: PrinterColumn = { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' };

export const machineResource: ResourceDefinition = v1beta1Resource({
  group: CAPI_GROUP,
  kind: 'Machine',
  plural: 'machines',
  shortNames: ['ma'],
  schema: kindSchema(machineSpec, machineStatus),
  columns: [
    clusterNameColumn,
    { name: 'NodeName', type: 'string', jsonPath: '.status.nodeRef.name' },
    { name: 'ProviderID', type: 'string', jsonPath: '.spec.providerID' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    ageColumn,
    { name: 'Version', type: 'string', jsonPath: '.spec.version' },
  ],
});
