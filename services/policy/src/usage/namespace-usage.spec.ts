import { Objects, storageClassesOf, unassociatedStorageClasses, vmClassProblem, vmImageProblem } from './namespace-usage';

function objects(list: Record<string, any[]>): Objects {
  return {
    get: (r, ns, name) => (list[r] ?? []).find((o) => o.metadata.name === name && o.metadata.namespace === ns),
    list: (r, ns) => (list[r] ?? []).filter((o) => o.metadata.namespace === ns),
  };
}
const obj = (name: string, namespace?: string, extra: any = {}) => ({ metadata: { name, namespace }, ...extra });

describe('namespace usage', () => {
  const world = objects({
    'virtualmachineclasses.vmoperator.vmware.com': [obj('small', 'team-a')],
    'virtualmachineimages.vmoperator.vmware.com': [obj('vmi-1', 'team-a', { status: { name: 'ubuntu-22.04' } })],
    'clustervirtualmachineimages.vmoperator.vmware.com': [obj('photon-5', undefined)],
    resourcequotas: [obj('storage', 'team-a', { spec: { hard: { 'gold.storageclass.storage.k8s.io/requests.storage': '100Gi', pods: '10' } } })],
  });

  it('a VM may use only a class bound to its namespace', () => {
    expect(vmClassProblem({ spec: { className: 'small' } }, 'team-a', world)).toBeUndefined();
    expect(vmClassProblem({ spec: { className: 'small' } }, 'team-b', world)).toBe('VirtualMachineClass "small" is not associated with the namespace "team-b"');
  });

  it('a VM may use an image of its namespace (by name or display name) or a cluster image', () => {
    expect(vmImageProblem({ spec: { imageName: 'vmi-1' } }, 'team-a', world)).toBeUndefined();
    expect(vmImageProblem({ spec: { imageName: 'ubuntu-22.04' } }, 'team-a', world)).toBeUndefined();
    expect(vmImageProblem({ spec: { image: { kind: 'ClusterVirtualMachineImage', name: 'photon-5' } } }, 'team-b', world)).toBeUndefined();
    expect(vmImageProblem({ spec: { imageName: 'vmi-1' } }, 'team-b', world)).toBe('VirtualMachineImage or ClusterVirtualMachineImage "vmi-1" is not published to the namespace "team-b"');
    expect(vmImageProblem({ spec: { image: { kind: 'VirtualMachineImage', name: 'photon-5' } } }, 'team-a', world)).toBe('VirtualMachineImage "photon-5" is not published to the namespace "team-a"');
  });

  it('finds the storage classes a VM, a claim or a TKC names', () => {
    expect(storageClassesOf('PersistentVolumeClaim', { spec: { storageClassName: 'gold' } })).toEqual(['gold']);
    expect(storageClassesOf('VirtualMachine', { spec: { storageClass: 'silver' } })).toEqual(['silver']);
    const tkc = { spec: { topology: { controlPlane: { storageClass: 'gold' }, nodePools: [{ storageClass: 'silver' }] }, settings: { storage: { defaultClass: 'bronze', classes: ['iron'] } } } };
    expect(storageClassesOf('TanzuKubernetesCluster', tkc).sort()).toEqual(['bronze', 'gold', 'iron', 'silver']);
  });

  it('only the storage classes of the namespace\'s quotas are associated; without quota everything is', () => {
    expect(unassociatedStorageClasses(['gold', 'silver'], 'team-a', world)).toEqual(['silver']);
    expect(unassociatedStorageClasses(['gold', 'silver'], 'team-b', world)).toEqual([]);
  });

  it('a StoragePolicyQuota of the class\'s storagePolicyID associates it too, with or without a ResourceQuota; a namespace with neither is unrestricted', () => {
    const spq = (namespace: string, storagePolicyId: string) => obj('q', namespace, { spec: { storagePolicyId, limit: '10Gi' } });
    const classes = [
      obj('gold', undefined, { parameters: { storagePolicyID: 'policy-gold' } }),
      obj('gold-late', undefined, { parameters: { storagePolicyID: 'policy-gold' } }),
      obj('silver', undefined, { parameters: { storagePolicyID: 'policy-silver' } }),
      obj('plain', undefined, {}),
    ];
    const spqWorld = objects({
      'storageclasses.storage.k8s.io': classes,
      resourcequotas: [obj('pods-only', 'team-a', { spec: { hard: { pods: '10' } } })],
      'storagepolicyquotas.cns.vmware.com': [spq('team-a', 'policy-gold'), spq('team-b', 'policy-silver')],
    });
    expect(unassociatedStorageClasses(['gold', 'gold-late', 'silver', 'plain', 'missing'], 'team-a', spqWorld)).toEqual(['silver', 'plain', 'missing']);
    expect(unassociatedStorageClasses(['gold', 'silver'], 'team-b', spqWorld)).toEqual(['gold']);
    expect(unassociatedStorageClasses(['gold', 'silver'], 'team-c', spqWorld)).toEqual([]);
  });
});
