import { ResourceDefinition } from '../resource-definition';
import { bool, int, intOrString, obj, oneOfStrings, str } from '../vmoperator/schema-helpers';
import { ageColumn, CAPI_GROUP, conditions, kindSchema, labelSelector, machineNamingStrategy, v1beta1Resource, v1beta2Status } from './common';
import { clusterNameColumn, machineTemplate } from './machine.resource';
import { deletePolicy } from './machineset.resource';

export const machineDeploymentStrategy = obj({
  type: oneOfStrings('RollingUpdate', 'OnDelete'),
  rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString, deletePolicy }),
  remediation: obj({ maxInFlight: intOrString }),
});

const machineDeploymentSpec = obj(
  {
    clusterName: str,
    replicas: int,
    rolloutAfter: str,
    selector: labelSelector,
    template: machineTemplate,
    strategy: machineDeploymentStrategy,
    machineNamingStrategy,
    minReadySeconds: int,
    revisionHistoryLimit: int,
    paused: bool,
    progressDeadlineSeconds: int,
  },
  ['clusterName', 'selector', 'template'],
);

const machineDeploymentStatus = obj({
  observedGeneration: int,
  selector: str,
  replicas: int,
  updatedReplicas: int,
  readyReplicas: int,
  availableReplicas: int,
  unavailableReplicas: int,
  phase: str,
  conditions,
  v1beta2: v1beta2Status,
});

export const machineDeploymentResource: ResourceDefinition = v1beta1Resource({
  group: CAPI_GROUP,
  kind: 'MachineDeployment',
  plural: 'machinedeployments',
  shortNames: ['md'],
  schema: kindSchema(machineDeploymentSpec, machineDeploymentStatus),
  scale: true,
  columns: [
    clusterNameColumn,
    { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'Updated', type: 'integer', jsonPath: '.status.updatedReplicas' },
    { name: 'Unavailable', type: 'integer', jsonPath: '.status.unavailableReplicas' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    ageColumn,
    { name: 'Version', type: 'string', jsonPath: '.spec.template.spec.version' },
  ],
});
