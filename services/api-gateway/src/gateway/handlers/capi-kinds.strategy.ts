import type { StatusCause } from '@openpacific/kube-api';
import type { KindStrategy, StrategyContext } from './kind-strategies';
import { defaultClusterClass, validateClusterClassCreate, validateClusterClassUpdate } from './cluster-class.validation';
import { defaultMachineHealthCheck, validateMachineHealthCheckCreate, validateMachineHealthCheckUpdate } from './capi-health-check.validation';
import {
  defaultMachine, defaultMachineDeployment, defaultMachineSet, validateMachineCreate, validateMachineDeploymentCreate, validateMachineDeploymentUpdate,
  validateMachineSetCreate, validateMachineSetUpdate, validateMachineUpdate,
} from './capi-machines.validation';
import { defaultKubeadmControlPlane, validateKubeadmControlPlaneCreate, validateKubeadmControlPlaneUpdate } from './kubeadm-control-plane.validation';

/**
 * Cluster API's defaulting and validating webhooks for its kinds besides Cluster (cluster-topology.strategy.ts), as the
 * gateway's create and update of them. The webhooks see the object itself only: a write through `status` or `scale`
 * is not theirs to judge; KubeadmControlPlane's scale webhook judges the latter (refuseScale).
 */
function capiKind(
  defaults: (obj: any, old?: any) => any,
  validateCreate: (obj: any) => StatusCause[],
  validateUpdate: (old: any, next: any, ctx?: StrategyContext) => StatusCause[],
): KindStrategy {
  return {
    defaults: (obj) => defaults(obj),
    prepareUpdate: (old, next, subresource) => (subresource ? next : defaults(next, old)),
    validateCreate: (obj) => validateCreate(obj),
    validateUpdate: (old, next, subresource, ctx) => (subresource ? [] : validateUpdate(old, next, ctx)),
  };
}

/**
 * KubeadmControlPlane's scale webhook: no control plane of 0 machines, nor of an even number while etcd is stacked
 * (its members need a majority), in the webhook's own words.
 */
export function refuseKubeadmControlPlaneScale(kcp: any, replicas: number): string | undefined {
  const denied = (why: string) => `admission webhook "validation-scale.kubeadmcontrolplane.controlplane.cluster.x-k8s.io" denied the request: ${why}`;
  if (replicas === 0) return denied('replicas cannot be 0');
  const externalEtcd = kcp?.spec?.kubeadmConfigSpec?.clusterConfiguration?.etcd?.external != null;
  return !externalEtcd && replicas % 2 === 0 ? denied('replicas cannot be an even number when etcd is stacked') : undefined;
}

export const capiKindStrategies: Record<string, KindStrategy> = {
  'controlplane.cluster.x-k8s.io/KubeadmControlPlane': {
    ...capiKind(defaultKubeadmControlPlane, validateKubeadmControlPlaneCreate, validateKubeadmControlPlaneUpdate),
    refuseScale: refuseKubeadmControlPlaneScale,
  },
  'cluster.x-k8s.io/MachineDeployment': capiKind(defaultMachineDeployment, validateMachineDeploymentCreate, validateMachineDeploymentUpdate),
  'cluster.x-k8s.io/MachineSet': capiKind(defaultMachineSet, validateMachineSetCreate, validateMachineSetUpdate),
  'cluster.x-k8s.io/Machine': capiKind(defaultMachine, validateMachineCreate, validateMachineUpdate),
  'cluster.x-k8s.io/MachineHealthCheck': capiKind(defaultMachineHealthCheck, validateMachineHealthCheckCreate, validateMachineHealthCheckUpdate),
  'cluster.x-k8s.io/ClusterClass': capiKind(defaultClusterClass, validateClusterClassCreate, validateClusterClassUpdate),
};
