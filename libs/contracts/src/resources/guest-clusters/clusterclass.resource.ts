import { JsonSchema, ResourceDefinition } from '../resource-definition';
import { bool, freeForm, int, intOrString, list, obj, str } from '../vmoperator/schema-helpers';
import { ageColumn, CAPI_GROUP, CAPI_VERSION, CAPV_VMWARE_GROUP, CONTROLPLANE_GROUP, conditionColumn, conditions, duration, kindSchema, objectReference, readinessGates, templateMeta, v1beta1Resource, v1beta2Status } from './common';
import { machineDeploymentStrategy } from './machinedeployment.resource';
import { unhealthyConditions, unhealthyRange } from './machinehealthcheck.resource';

/**
 * Cluster API's ClusterClass (`api/v1beta1/clusterclass_types.go`): the blueprint a Cluster's `spec.topology.class`
 * names. Namespaced, shortName `cc`. Supervisor namespaces each offer the default class `tanzukubernetescluster`.
 */

/** LocalObjectTemplate: a reference to a template object in the class's namespace. */
const localObjectTemplate = obj({ ref: objectReference }, ['ref']);

const healthCheckClass = obj({ unhealthyConditions, maxUnhealthy: intOrString, unhealthyRange, nodeStartupTimeout: duration, remediationTemplate: objectReference });

const nodeTimeouts: Record<string, JsonSchema> = { nodeDrainTimeout: duration, nodeVolumeDetachTimeout: duration, nodeDeletionTimeout: duration };

const controlPlaneClass = obj(
  {
    metadata: templateMeta,
    ref: objectReference,
    machineInfrastructure: localObjectTemplate,
    machineHealthCheck: healthCheckClass,
    namingStrategy: obj({ template: str }),
    ...nodeTimeouts,
    readinessGates,
  },
  ['ref'],
);

const machineDeploymentClass = obj(
  {
    class: str,
    template: obj({ metadata: templateMeta, bootstrap: localObjectTemplate, infrastructure: localObjectTemplate }, ['bootstrap', 'infrastructure']),
    machineHealthCheck: healthCheckClass,
    failureDomain: str,
    namingStrategy: obj({ template: str }),
    ...nodeTimeouts,
    minReadySeconds: int,
    readinessGates,
    strategy: machineDeploymentStrategy,
  },
  ['class', 'template'],
);

/** A variable's schema: an OpenAPI v3 schema kept as written (`{type: string}`, objects, CEL rules). */
const variableSchema = obj({ openAPIV3Schema: freeForm }, ['openAPIV3Schema']);
const variableMetadata = obj({ labels: { type: 'object', additionalProperties: str }, annotations: { type: 'object', additionalProperties: str } });

const clusterClassVariable = obj({ name: str, required: bool, metadata: variableMetadata, schema: variableSchema }, ['name', 'required', 'schema']);

const clusterClassSpec = obj({
  availabilityGates: list(obj({ conditionType: str, polarity: str }, ['conditionType'])),
  infrastructure: localObjectTemplate,
  infrastructureNamingStrategy: obj({ template: str }),
  controlPlane: controlPlaneClass,
  // MachinePools are not modelled: Supervisor clusters do not use them.
  workers: obj({ machineDeployments: list(machineDeploymentClass), machinePools: list(freeForm) }),
  variables: list(clusterClassVariable),
  patches: list(freeForm),
});

const clusterClassStatus = obj({
  variables: list(
    obj(
      {
        name: str,
        definitionsConflict: bool,
        definitions: list(obj({ from: str, required: bool, metadata: variableMetadata, schema: variableSchema }, ['from', 'required', 'schema'])),
      },
      ['name', 'definitions'],
    ),
  ),
  conditions,
  observedGeneration: int,
  v1beta2: v1beta2Status,
});

export const clusterClassResource: ResourceDefinition = v1beta1Resource({
  group: CAPI_GROUP,
  kind: 'ClusterClass',
  plural: 'clusterclasses',
  shortNames: ['cc'],
  schema: kindSchema(clusterClassSpec, clusterClassStatus),
  columns: [conditionColumn('Variables Ready', 'VariablesReconciled'), ageColumn],
});

/** The ClusterClass every Supervisor namespace offers, as vSphere 8 (TKG 2, VKS) does. */
export const TKC_CLUSTER_CLASS = 'tanzukubernetescluster';
/** Its one worker class. */
export const TKC_WORKER_CLASS = 'node-pool';

const stringVariable = (name: string, description: string) => ({ name, required: true, schema: { openAPIV3Schema: { type: 'string', description } } });

/**
 * The spec of the default class `tanzukubernetescluster`: a KubeadmControlPlaneTemplate with VSphereMachineTemplates
 * for its machines, a VSphereClusterTemplate, the worker class `node-pool`, the control-plane MachineHealthCheck vSphere
 * 8 ships (maxUnhealthy 100%, nodeStartupTimeout 2h, Ready Unknown 5m or False 12m) and the required variables `vmClass`
 * and `storageClass`. The template references are a record of what the class is made of: OpenPacific builds a topology
 * of this class itself (the same objects as for a TanzuKubernetesCluster).
 */
export function tanzuKubernetesClusterClassSpec(): any {
  const ref = (apiVersion: string, kind: string, name: string) => ({ ref: { apiVersion, kind, name } });
  const capv = `${CAPV_VMWARE_GROUP}/${CAPI_VERSION}`;
  return {
    infrastructure: ref(capv, 'VSphereClusterTemplate', `${TKC_CLUSTER_CLASS}-cluster`),
    controlPlane: {
      ...ref(`${CONTROLPLANE_GROUP}/${CAPI_VERSION}`, 'KubeadmControlPlaneTemplate', `${TKC_CLUSTER_CLASS}-control-plane`),
      machineInfrastructure: ref(capv, 'VSphereMachineTemplate', `${TKC_CLUSTER_CLASS}-control-plane`),
      machineHealthCheck: {
        maxUnhealthy: '100%',
        nodeStartupTimeout: '2h0m0s',
        unhealthyConditions: [
          { type: 'Ready', status: 'Unknown', timeout: '5m0s' },
          { type: 'Ready', status: 'False', timeout: '12m0s' },
        ],
      },
    },
    workers: {
      machineDeployments: [
        {
          class: TKC_WORKER_CLASS,
          template: {
            bootstrap: ref(`bootstrap.${CAPI_GROUP}/${CAPI_VERSION}`, 'KubeadmConfigTemplate', `${TKC_CLUSTER_CLASS}-${TKC_WORKER_CLASS}`),
            infrastructure: ref(capv, 'VSphereMachineTemplate', `${TKC_CLUSTER_CLASS}-${TKC_WORKER_CLASS}`),
          },
        },
      ],
    },
    variables: [
      stringVariable('vmClass', 'The VirtualMachineClass of the machines (a class the namespace offers).'),
      stringVariable('storageClass', 'The StorageClass of the machines\' disks (a class the namespace offers).'),
    ],
  };
}
