import { releaseVersion, validateTanzuKubernetesCluster, validateTanzuKubernetesClusterUpdate } from './tkc.strategy';

describe('TanzuKubernetesCluster admission', () => {
  const tkc = (replicas: number, tkr = 'v1.29.4---vmware.3-fips.1-tkg.1') => ({ spec: { topology: { controlPlane: { replicas, tkr: { reference: { name: tkr } } }, nodePools: [{ name: 'a' }] } } });

  it('refuses an even control plane', () => {
    expect(validateTanzuKubernetesCluster(tkc(3))).toEqual([]);
    expect(validateTanzuKubernetesCluster(tkc(2))).toEqual([expect.objectContaining({ field: 'spec.topology.controlPlane.replicas' })]);
  });

  it('refuses a node pool of fewer than zero machines, and accepts zero', () => {
    const withPool = (replicas: number) => ({ spec: { topology: { controlPlane: { replicas: 1 }, nodePools: [{ name: 'a', replicas }] } } });
    expect(validateTanzuKubernetesCluster(withPool(0))).toEqual([]);
    expect(validateTanzuKubernetesCluster(withPool(-1))).toEqual([
      expect.objectContaining({ field: 'spec.topology.nodePools[0].replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }),
    ]);
  });

  it('refuses a downgrade of the release, and accepts an upgrade', () => {
    expect(releaseVersion('v1.29.4---vmware.3-fips.1-tkg.1')).toEqual([1, 29, 4]);
    expect(validateTanzuKubernetesClusterUpdate(tkc(1), tkc(1, 'v1.30.1---vmware.1-fips-tkg.5'))).toEqual([]);
    expect(validateTanzuKubernetesClusterUpdate(tkc(1), tkc(1, 'v1.28.8---vmware.1-fips.1-tkg.2'))).toEqual([
      expect.objectContaining({ field: 'spec.topology.controlPlane.tkr.reference.name', message: 'Forbidden: downgrading from 1.29.4 to 1.28.8 is not supported' }),
    ]);
  });
});
