import { JsonSchema, ResourceDefinition } from '../resource-definition';
import { bool, freeForm, int, intOrString, list, obj, str, strList, strMap } from '../vmoperator/schema-helpers';
import { ageColumn, anyValue, CAPI_GROUP, conditions, duration, kindSchema, objectReference, readinessGates, templateMeta, v1beta1Resource, v1beta2Status } from './common';
import { machineDeploymentStrategy } from './machinedeployment.resource';
import { unhealthyConditions, unhealthyRange } from './machinehealthcheck.resource';

/** `Cluster.status.phase` values (cluster_phase_types.go): there is no `Running`. */
export const CLUSTER_PHASES = ['Pending', 'Provisioning', 'Provisioned', 'Deleting', 'Failed', 'Unknown'] as const;

const cidrBlocks = obj({ cidrBlocks: strList });
const variable = obj({ name: str, value: anyValue, definitionFrom: str }, ['name', 'value']);
const variableOverrides = obj({ overrides: list(variable) });

const topologyHealthCheck = obj({
  enable: bool,
  unhealthyConditions,
  maxUnhealthy: intOrString,
  unhealthyRange,
  nodeStartupTimeout: duration,
  remediationTemplate: objectReference,
});

const nodeTimeouts: Record<string, JsonSchema> = { nodeDrainTimeout: duration, nodeVolumeDetachTimeout: duration, nodeDeletionTimeout: duration };

const controlPlaneTopology = obj({ metadata: templateMeta, replicas: int, machineHealthCheck: topologyHealthCheck, ...nodeTimeouts, readinessGates, variables: variableOverrides });

const machineDeploymentTopology = obj(
  {
    metadata: templateMeta,
    class: str,
    name: str,
    failureDomain: str,
    replicas: int,
    machineHealthCheck: topologyHealthCheck,
    ...nodeTimeouts,
    minReadySeconds: int,
    readinessGates,
    strategy: machineDeploymentStrategy,
    variables: variableOverrides,
  },
  ['class', 'name'],
);

const topology = obj(
  {
    class: str,
    classNamespace: str,
    version: str,
    rolloutAfter: str,
    controlPlane: controlPlaneTopology,
    // MachinePools are not modelled: Supervisor clusters do not use them.
    workers: obj({ machineDeployments: list(machineDeploymentTopology), machinePools: list(freeForm) }),
    variables: list(variable),
  },
  ['class', 'version'],
);

const clusterSpec = obj({
  paused: bool,
  clusterNetwork: obj({ apiServerPort: int, services: cidrBlocks, pods: cidrBlocks, serviceDomain: str }),
  controlPlaneEndpoint: obj({ host: str, port: int }),
  controlPlaneRef: objectReference,
  infrastructureRef: objectReference,
  topology,
  availabilityGates: list(obj({ conditionType: str, polarity: str }, ['conditionType'])),
});

const clusterStatus = obj({
  failureDomains: { type: 'object', additionalProperties: obj({ controlPlane: bool, attributes: strMap }) },
  failureReason: str,
  failureMessage: str,
  phase: str,
  infrastructureReady: bool,
  controlPlaneReady: bool,
  conditions,
  observedGeneration: int,
  v1beta2: v1beta2Status,
});

export const clusterResource: ResourceDefinition = v1beta1Resource({
  group: CAPI_GROUP,
  kind: 'Cluster',
  plural: 'clusters',
  shortNames: ['cl'],
  schema: kindSchema(clusterSpec, clusterStatus),
  columns: [
    { name: 'ClusterClass', type: 'string', jsonPath: '.spec.topology.class' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    ageColumn,
    { name: 'Version', type: 'string', jsonPath: '.spec.topology.version' },
  ],
});
