import { ResourceDefinition } from '../resource-definition';
import { clusterResource } from './cluster.resource';
import { clusterClassResource } from './clusterclass.resource';
import { kubeadmControlPlaneResource } from './kubeadmcontrolplane.resource';
import { machineResource } from './machine.resource';
import { machineDeploymentResource } from './machinedeployment.resource';
import { machineHealthCheckResource } from './machinehealthcheck.resource';
import { machineSetResource } from './machineset.resource';
import { tanzuKubernetesClusterResource } from './tanzukubernetescluster.resource';
import { tanzuKubernetesReleaseResource } from './tanzukubernetesrelease.resource';
import { vsphereClusterResource, vsphereMachineResource, vsphereMachineTemplateResource } from './vsphere.resource';

export { CAPI_GROUP, CAPI_VERSION, CAPV_VMWARE_GROUP, CONTROLPLANE_GROUP, RUN_GROUP } from './common';
export { CLUSTER_PHASES } from './cluster.resource';
export { TKC_CLUSTER_CLASS, TKC_WORKER_CLASS, tanzuKubernetesClusterClassSpec } from './clusterclass.resource';
export { MACHINE_PHASES } from './machine.resource';
export { TKC_HUB, V1ALPHA1_WORKERS_POOL, tkrNameOfVersion, versionOfTkrName } from './tanzukubernetescluster.conversion';
export { TKC_VERSIONS } from './tanzukubernetescluster.schema';
export { BOOTSTRAP_DATA_KEY, GUEST_CLUSTER_ENV, GUEST_DATASTORES_FOLDER, guestDatastoreDir, guestSessionAudience, guestStoreNames, NODE_BOOTSTRAP_SECTION, parseNodeBootstrap, renderNodeBootstrap } from './node-bootstrap';
export type { GuestNodeConfig } from './node-bootstrap';
export type { TkcVersion } from './tanzukubernetescluster.schema';
export {
  tanzuKubernetesClusterResource,
  tanzuKubernetesReleaseResource,
  clusterResource,
  clusterClassResource,
  machineResource,
  machineSetResource,
  machineDeploymentResource,
  machineHealthCheckResource,
  kubeadmControlPlaneResource,
  vsphereClusterResource,
  vsphereMachineResource,
  vsphereMachineTemplateResource,
};

export const guestClusterResources: ResourceDefinition[] = [
  tanzuKubernetesClusterResource,
  tanzuKubernetesReleaseResource,
  clusterResource,
  clusterClassResource,
  machineDeploymentResource,
  machineSetResource,
  machineResource,
  machineHealthCheckResource,
  kubeadmControlPlaneResource,
  vsphereClusterResource,
  vsphereMachineResource,
  vsphereMachineTemplateResource,
];
