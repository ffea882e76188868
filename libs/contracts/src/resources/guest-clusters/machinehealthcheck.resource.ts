import { JsonSchema, ResourceDefinition } from '../resource-definition';
import { int, intOrString, list, obj, str } from '../vmoperator/schema-helpers';
import { ageColumn, CAPI_GROUP, conditions, duration, kindSchema, labelSelector, objectReference, v1beta1Resource, v1beta2Status } from './common';
import { clusterNameColumn } from './machine.resource';

export const unhealthyConditions = list(obj({ type: str, status: str, timeout: duration }, ['type', 'status', 'timeout']));

/** `[3-5]`: remediate only while that many machines are unhealthy (the CRD's pattern and lengths). */
export const unhealthyRange: JsonSchema = { type: 'string', pattern: '^\\[[0-9]+-[0-9]+\\]$', minLength: 1, maxLength: 32 };

const machineHealthCheckSpec = obj(
  {
    clusterName: str,
    selector: labelSelector,
    unhealthyConditions,
    maxUnhealthy: intOrString,
    unhealthyRange,
    nodeStartupTimeout: duration,
    remediationTemplate: objectReference,
  },
  ['clusterName', 'selector'],
);

const machineHealthCheckStatus = obj({
  expectedMachines: int,
  currentHealthy: int,
  remediationsAllowed: int,
  observedGeneration: int,
  targets: list(str),
  conditions,
  v1beta2: v1beta2Status,
});

export const machineHealthCheckResource: ResourceDefinition = v1beta1Resource({
  group: CAPI_GROUP,
  kind: 'MachineHealthCheck',
  plural: 'machinehealthchecks',
  shortNames: ['mhc', 'mhcs'],
  schema: kindSchema(machineHealthCheckSpec, machineHealthCheckStatus),
  columns: [
    clusterNameColumn,
    { name: 'ExpectedMachines', type: 'integer', jsonPath: '.status.expectedMachines' },
    { name: 'MaxUnhealthy', type: 'string', jsonPath: '.spec.maxUnhealthy' },
    { name: 'CurrentHealthy', type: 'integer', jsonPath: '.status.currentHealthy' },
    ageColumn,
  ],
});
