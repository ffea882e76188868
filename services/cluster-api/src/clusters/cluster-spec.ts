import { TKC_CLUSTER_CLASS, tkrNameOfVersion } from '@openpacific/contracts';

/**
 * What a guest cluster is made of, whichever object asks for it: a TanzuKubernetesCluster (`spec.topology.controlPlane`
 * and `nodePools[]`) or a Cluster API Cluster on the ClusterClass `tanzukubernetescluster` (`spec.topology` with the
 * variables `vmClass` and `storageClass`, overridden per part by `variables.overrides`). One builder turns it into the
 * same objects (cluster-controller.ts); `field` says where in the source each value was written, for the messages that
 * name a VM class, storage class or release the namespace does not offer.
 */
export interface MachinesSpec {
  /** The release asked for: a TanzuKubernetesRelease name, its version, or a VM image's own name. */
  release: string;
  vmClass?: string;
  storageClass?: string;
  nodeDrainTimeout?: string;
  /** Where vmClass, storageClass and the release were written in the source object. */
  field: { vmClass: string; storageClass: string; release: string };
}

export interface PoolSpec extends MachinesSpec {
  /** The pool's (machineDeployment's) own name, and the MachineDeployment's: `<cluster>-<name>`. */
  name: string;
  replicas: number;
  /** The failure domain (vSphere Zone) its machines are placed in: the MachineDeployment's `template.spec.failureDomain`. */
  failureDomain?: string;
}

export interface NormalizedCluster {
  name: string;
  namespace: string;
  /** The release of the cluster: the control plane's version. */
  version: string;
  controlPlane: MachinesSpec & { replicas: number };
  pools: PoolSpec[];
}

/** A TanzuKubernetesCluster (v1alpha3, stored) as a cluster spec. */
export function fromTanzuKubernetesCluster(tkc: any): NormalizedCluster {
  const topo = tkc.spec?.topology ?? {};
  const cp = topo.controlPlane ?? {};
  const version: string = cp.tkr?.reference?.name ?? tkc.spec?.distribution?.version ?? '';
  const cpField = 'spec.topology.controlPlane';
  return {
    name: tkc.metadata.name,
    namespace: tkc.metadata.namespace,
    version,
    controlPlane: {
      replicas: cp.replicas ?? 1,
      release: version,
      vmClass: cp.vmClass,
      storageClass: cp.storageClass,
      nodeDrainTimeout: cp.nodeDrainTimeout,
      field: { vmClass: `${cpField}.vmClass`, storageClass: `${cpField}.storageClass`, release: `${cpField}.tkr.reference.name` },
    },
    pools: (topo.nodePools ?? []).map((p: any, i: number): PoolSpec => {
      const at = `spec.topology.nodePools[${i}]`;
      return {
        name: p.name,
        replicas: p.replicas ?? 1,
        release: p.tkr?.reference?.name ?? version,
        vmClass: p.vmClass,
        storageClass: p.storageClass,
        nodeDrainTimeout: p.nodeDrainTimeout,
        failureDomain: p.failureDomain || undefined,
        field: { vmClass: `${at}.vmClass`, storageClass: `${at}.storageClass`, release: p.tkr?.reference?.name ? `${at}.tkr.reference.name` : `${cpField}.tkr.reference.name` },
      };
    }),
  };
}

/** A Cluster API Cluster whose `spec.topology` names a ClusterClass, and is not a TanzuKubernetesCluster's own. */
export function isTopologyCluster(cluster: any): boolean {
  return !!cluster.spec?.topology?.class && !(cluster.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'TanzuKubernetesCluster');
}

/** The value a topology part gives a variable: its own override first, else the cluster-wide value. */
function variable(values: any[] | undefined, overrides: any[] | undefined, name: string): { value?: string; overridden: boolean } {
  const own = (overrides ?? []).find((v: any) => v?.name === name);
  if (own) return { value: typeof own.value === 'string' ? own.value : undefined, overridden: true };
  const shared = (values ?? []).find((v: any) => v?.name === name);
  return { value: typeof shared?.value === 'string' ? shared.value : undefined, overridden: false };
}

/** A Cluster's `spec.topology` of the class `tanzukubernetescluster` as a cluster spec. */
export function fromTopology(cluster: any): NormalizedCluster {
  const topo = cluster.spec.topology;
  const version: string = topo.version ?? '';
  const values: any[] | undefined = topo.variables;
  const part = (at: string, overrides: any[] | undefined) => {
    const vm = variable(values, overrides, 'vmClass');
    const storage = variable(values, overrides, 'storageClass');
    const where = (v: { overridden: boolean }, name: string) => (v.overridden ? `${at}.variables.overrides[${name}].value` : `spec.topology.variables[${name}].value`);
    return { vmClass: vm.value, storageClass: storage.value, field: { vmClass: where(vm, 'vmClass'), storageClass: where(storage, 'storageClass'), release: 'spec.topology.version' } };
  };
  const cp = topo.controlPlane ?? {};
  return {
    name: cluster.metadata.name,
    namespace: cluster.metadata.namespace,
    version,
    controlPlane: { replicas: cp.replicas ?? 1, release: version, nodeDrainTimeout: cp.nodeDrainTimeout, ...part('spec.topology.controlPlane', cp.variables?.overrides) },
    pools: (topo.workers?.machineDeployments ?? []).map((md: any): PoolSpec => ({
      name: md.name,
      replicas: md.replicas ?? 1,
      release: version,
      nodeDrainTimeout: md.nodeDrainTimeout,
      failureDomain: md.failureDomain || undefined,
      ...part(`spec.topology.workers.machineDeployments[${md.name}]`, md.variables?.overrides),
    })),
  };
}

/** Whether a topology is of the class cluster-api builds. */
export function buildsTopologyClass(cluster: any): boolean {
  return cluster.spec?.topology?.class === TKC_CLUSTER_CLASS;
}

/**
 * The TanzuKubernetesRelease a release names: one of that name, or the one its version names (`+` spelt `---`);
 * undefined when none exists (the name is then a VM image's own).
 */
export function releaseOf(name: string, get: (tkrName: string) => any): any {
  if (!name) return undefined;
  return get(name) ?? get(tkrNameOfVersion(name));
}

/** The VM image a release names: its first OS image, else a VM image named as the release. */
export function imageOf(tkr: any, fallback: string): string {
  return tkr?.spec?.osImages?.[0]?.name ?? tkr?.metadata?.annotations?.['run.tanzu.vmware.com/vm-image'] ?? fallback;
}
