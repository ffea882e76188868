import { buildsTopologyClass, fromTanzuKubernetesCluster, fromTopology, imageOf, isTopologyCluster, releaseOf } from './cluster-spec';
import { withoutInPlaceFields } from './cluster-controller';

const meta = { name: 'c2', namespace: 'tkg-team' };

describe('a guest cluster spec, from either source', () => {
  it('reads a TanzuKubernetesCluster: pools, release, classes and nodeDrainTimeout, with the fields that name them', () => {
    const spec = fromTanzuKubernetesCluster({
      metadata: meta,
      spec: {
        topology: {
          controlPlane: { replicas: 3, vmClass: 'small', storageClass: 'gold', tkr: { reference: { name: 'v1.29.4---vmware.3-fips.1-tkg.1' } }, nodeDrainTimeout: '5m' },
          nodePools: [{ name: 'workers', replicas: 2, vmClass: 'large', storageClass: 'gold', nodeDrainTimeout: '90s' }, { name: 'gpu', vmClass: 'gpu', storageClass: 'gold', tkr: { reference: { name: 'v1.30.1---vmware.1-fips-tkg.5' } } }],
        },
      },
    });
    expect(spec.version).toBe('v1.29.4---vmware.3-fips.1-tkg.1');
    expect(spec.controlPlane).toMatchObject({ replicas: 3, vmClass: 'small', nodeDrainTimeout: '5m', field: { vmClass: 'spec.topology.controlPlane.vmClass' } });
    expect(spec.pools.map((p) => [p.name, p.replicas, p.release, p.vmClass, p.nodeDrainTimeout])).toEqual([
      ['workers', 2, 'v1.29.4---vmware.3-fips.1-tkg.1', 'large', '90s'],
      ['gpu', 1, 'v1.30.1---vmware.1-fips-tkg.5', 'gpu', undefined],
    ]);
    expect(spec.pools[1].field.release).toBe('spec.topology.nodePools[1].tkr.reference.name');
  });

  it('reads a topology: the variables vmClass and storageClass, overridden per machineDeployment, and its nodeDrainTimeouts', () => {
    const spec = fromTopology({
      metadata: meta,
      spec: {
        topology: {
          class: 'tanzukubernetescluster', version: 'v1.26.5+vmware.2-fips.1-tkg.1',
          controlPlane: { replicas: 1, nodeDrainTimeout: '2m' },
          workers: { machineDeployments: [{ class: 'node-pool', name: 'np-1', replicas: 2, nodeDrainTimeout: '30s' }, { class: 'node-pool', name: 'np-2', variables: { overrides: [{ name: 'vmClass', value: 'best-effort-large' }] } }] },
          variables: [{ name: 'vmClass', value: 'best-effort-small' }, { name: 'storageClass', value: 'gold' }],
        },
      },
    });
    expect(spec.controlPlane).toMatchObject({ replicas: 1, release: 'v1.26.5+vmware.2-fips.1-tkg.1', vmClass: 'best-effort-small', storageClass: 'gold', nodeDrainTimeout: '2m' });
    expect(spec.pools.map((p) => [p.name, p.replicas, p.vmClass, p.storageClass, p.nodeDrainTimeout])).toEqual([
      ['np-1', 2, 'best-effort-small', 'gold', '30s'],
      ['np-2', 1, 'best-effort-large', 'gold', undefined],
    ]);
    expect(spec.pools[1].field).toEqual({ vmClass: 'spec.topology.workers.machineDeployments[np-2].variables.overrides[vmClass].value', storageClass: 'spec.topology.variables[storageClass].value', release: 'spec.topology.version' });
  });

  it("reads a pool's failure domain from a TKC's nodePools and a topology's machineDeployments; none when not given", () => {
    const tkc = fromTanzuKubernetesCluster({ metadata: meta, spec: { topology: { controlPlane: { replicas: 3 }, nodePools: [{ name: 'a', failureDomain: 'zone-b' }, { name: 'b' }, { name: 'c', failureDomain: '' }] } } });
    expect(tkc.pools.map((p) => p.failureDomain)).toEqual(['zone-b', undefined, undefined]);
    const topo = fromTopology({ metadata: meta, spec: { topology: { class: 'tanzukubernetescluster', version: 'v1', workers: { machineDeployments: [{ class: 'node-pool', name: 'np-1', failureDomain: 'zone-c' }, { class: 'node-pool', name: 'np-2' }] } } } });
    expect(topo.pools.map((p) => p.failureDomain)).toEqual(['zone-c', undefined]);
  });

  it("tells a topology to build from a TKC's own Cluster, and the class it builds", () => {
    const topo = { metadata: meta, spec: { topology: { class: 'tanzukubernetescluster', version: 'v1' } } };
    expect(isTopologyCluster(topo)).toBe(true);
    expect(buildsTopologyClass(topo)).toBe(true);
    expect(isTopologyCluster({ ...topo, metadata: { ...meta, ownerReferences: [{ kind: 'TanzuKubernetesCluster', name: 'c2' }] } })).toBe(false);
    expect(isTopologyCluster({ metadata: meta, spec: {} })).toBe(false);
    expect(buildsTopologyClass({ metadata: meta, spec: { topology: { class: 'other' } } })).toBe(false);
  });

  it('finds a release by its name or its version, and the VM image it names', () => {
    const tkrs: Record<string, any> = { 'v1.29.4---vmware.3-fips.1-tkg.1': { spec: { osImages: [{ name: 'ob-22-tkr-v1-29' }] } } };
    const get = (n: string) => tkrs[n];
    expect(imageOf(releaseOf('v1.29.4+vmware.3-fips.1-tkg.1', get), 'x')).toBe('ob-22-tkr-v1-29');
    expect(imageOf(releaseOf('v1.29.4---vmware.3-fips.1-tkg.1', get), 'x')).toBe('ob-22-tkr-v1-29');
    expect(imageOf(releaseOf('ob-22-tkr-v1-30', get), 'ob-22-tkr-v1-30')).toBe('ob-22-tkr-v1-30');
  });

  it('names MachineSets by a template hash that leaves out the node timeouts (they change in place)', () => {
    const template = { spec: { clusterName: 'c', version: 'v1', infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'c-workers-abcde', namespace: 'ns' } } };
    expect(withoutInPlaceFields({ spec: { ...template.spec, nodeDrainTimeout: '5m', nodeDeletionTimeout: '10s' } })).toEqual(template);
  });
});
