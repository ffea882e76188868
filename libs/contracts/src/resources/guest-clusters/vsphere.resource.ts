import { ResourceDefinition } from '../resource-definition';
import { bool, list, obj, oneOfStrings, quantity, str, strMap } from '../vmoperator/schema-helpers';
import { ageColumn, apiEndpoint, CAPV_VMWARE_GROUP, conditions, kindSchema, templateMeta, v1beta1Resource } from './common';

/** CAPV's `vmware` (Supervisor) flavour, `apis/vmware/v1beta1` @ v1.13.0. */

const vsphereClusterSpec = obj({ controlPlaneEndpoint: apiEndpoint });

const vsphereClusterStatus = obj({
  ready: bool,
  resourcePolicyName: str,
  conditions,
  failureDomains: { type: 'object', additionalProperties: obj({ controlPlane: bool, attributes: strMap }) },
});

export const vsphereMachineSpec = obj({
  providerID: str,
  failureDomain: str,
  imageName: str,
  className: str,
  storageClass: str,
  volumes: list(obj({ name: str, capacity: { type: 'object', additionalProperties: quantity }, storageClass: str }, ['name', 'capacity'])),
  powerOffMode: oneOfStrings('hard', 'soft', 'trySoft'),
  minHardwareVersion: str,
  namingStrategy: obj({ template: str }),
});

const vsphereMachineStatus = obj({
  ready: bool,
  addresses: list(obj({ type: str, address: str }, ['type', 'address'])),
  vmID: str,
  vmIp: str,
  failureReason: str,
  failureMessage: str,
  vmstatus: str,
  conditions,
});

export const vsphereClusterResource: ResourceDefinition = v1beta1Resource({
  group: CAPV_VMWARE_GROUP,
  kind: 'VSphereCluster',
  plural: 'vsphereclusters',
  shortNames: [],
  schema: kindSchema(vsphereClusterSpec, vsphereClusterStatus),
  columns: [{ name: 'Ready', type: 'boolean', jsonPath: '.status.ready' }, ageColumn],
});

export const vsphereMachineResource: ResourceDefinition = v1beta1Resource({
  group: CAPV_VMWARE_GROUP,
  kind: 'VSphereMachine',
  plural: 'vspheremachines',
  shortNames: [],
  schema: kindSchema(vsphereMachineSpec, vsphereMachineStatus),
  columns: [
    { name: 'Zone', type: 'string', jsonPath: '.spec.failureDomain' },
    { name: 'ProviderID', type: 'string', jsonPath: '.spec.providerID' },
    { name: 'IPAddr', type: 'string', jsonPath: '.status.vmIp' },
  ],
});

export const vsphereMachineTemplateResource: ResourceDefinition = v1beta1Resource({
  group: CAPV_VMWARE_GROUP,
  kind: 'VSphereMachineTemplate',
  plural: 'vspheremachinetemplates',
  shortNames: [],
  schema: kindSchema(obj({ template: obj({ metadata: templateMeta, spec: vsphereMachineSpec }, ['spec']) }, ['template']), obj({ capacity: { type: 'object', additionalProperties: quantity } })),
  columns: [ageColumn],
});
