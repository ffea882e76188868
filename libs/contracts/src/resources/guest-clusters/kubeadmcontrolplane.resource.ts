import { ResourceDefinition } from '../resource-definition';
import { bool, freeForm, int, intOrString, obj, oneOfStrings, str } from '../vmoperator/schema-helpers';
import { ageColumn, CONTROLPLANE_GROUP, conditions, duration, kindSchema, machineNamingStrategy, objectReference, readinessGates, templateMeta, v1beta1Resource, v1beta2Status } from './common';

const machineTemplate = obj(
  { metadata: templateMeta, infrastructureRef: objectReference, readinessGates, nodeDrainTimeout: duration, nodeVolumeDetachTimeout: duration, nodeDeletionTimeout: duration },
  ['infrastructureRef'],
);

const kubeadmControlPlaneSpec = obj(
  {
    replicas: int,
    version: str,
    machineTemplate,
    // The kubeadm bootstrap API (init/join/cluster configuration, files, users...) is passed through, not modelled.
    kubeadmConfigSpec: freeForm,
    rolloutBefore: obj({ certificatesExpiryDays: int }),
    rolloutAfter: str,
    rolloutStrategy: obj({ type: oneOfStrings('RollingUpdate'), rollingUpdate: obj({ maxSurge: intOrString }) }),
    remediationStrategy: obj({ maxRetry: int, retryPeriod: duration, minHealthyPeriod: duration }),
    machineNamingStrategy,
  },
  ['version', 'machineTemplate', 'kubeadmConfigSpec'],
);

const kubeadmControlPlaneStatus = obj({
  selector: str,
  replicas: int,
  version: str,
  updatedReplicas: int,
  readyReplicas: int,
  unavailableReplicas: int,
  initialized: bool,
  ready: bool,
  failureReason: str,
  failureMessage: str,
  observedGeneration: int,
  conditions,
  lastRemediation: obj({ machine: str, timestamp: str, retryCount: int }),
  v1beta2: v1beta2Status,
});

export const kubeadmControlPlaneResource: ResourceDefinition = v1beta1Resource({
  group: CONTROLPLANE_GROUP,
  kind: 'KubeadmControlPlane',
  plural: 'kubeadmcontrolplanes',
  shortNames: ['kcp'],
  schema: kindSchema(kubeadmControlPlaneSpec, kubeadmControlPlaneStatus),
  scale: true,
  columns: [
    { name: 'Cluster', type: 'string', jsonPath: ".metadata.labels['cluster.x-k8s.io/cluster-name']" },
    { name: 'Initialized', type: 'boolean', jsonPath: '.status.initialized' },
    { name: 'API Server Available', type: 'boolean', jsonPath: '.status.ready' },
    { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'Updated', type: 'integer', jsonPath: '.status.updatedReplicas' },
    { name: 'Unavailable', type: 'integer', jsonPath: '.status.unavailableReplicas' },
    ageColumn,
    { name: 'Version', type: 'string', jsonPath: '.spec.version' },
  ],
});
