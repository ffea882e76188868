import { ResourceDefinition } from '../resource-definition';
import { int, obj, oneOfStrings, str } from '../vmoperator/schema-helpers';
import { ageColumn, CAPI_GROUP, conditions, kindSchema, labelSelector, machineNamingStrategy, v1beta1Resource, v1beta2Status } from './common';
import { clusterNameColumn, machineTemplate } from './machine.resource';

export const deletePolicy = oneOfStrings('Random', 'Newest', 'Oldest');

const machineSetSpec = obj(
  {
    clusterName: str,
    replicas: int,
    minReadySeconds: int,
    deletePolicy,
    selector: labelSelector,
    template: machineTemplate,
    machineNamingStrategy,
  },
  ['clusterName', 'selector'],
);

const machineSetStatus = obj({
  selector: str,
  replicas: int,
  fullyLabeledReplicas: int,
  readyReplicas: int,
  availableReplicas: int,
  observedGeneration: int,
  failureReason: str,
  failureMessage: str,
  conditions,
  v1beta2: v1beta2Status,
});

export const machineSetResource: ResourceDefinition = v1beta1Resource({
  group: CAPI_GROUP,
  kind: 'MachineSet',
  plural: 'machinesets',
  shortNames: ['ms'],
  schema: kindSchema(machineSetSpec, machineSetStatus),
  scale: true,
  columns: [
    clusterNameColumn,
    { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
    ageColumn,
    { name: 'Version', type: 'string', jsonPath: '.spec.template.spec.version' },
  ],
});
