import { ROLE_BINDINGS_RESOURCE } from '@openpacific/contracts';
import { controllerReadModel } from '@openpacific/objects';
import { concernsClusters } from './cluster-controller';
import { CR } from './objects';

/** A model holding a TanzuKubernetesCluster in `tkg-team` and a Cluster API Cluster in `capi-team`. */
function model() {
  const m = controllerReadModel([CR.tkcs, CR.clusters, 'secrets', ROLE_BINDINGS_RESOURCE]);
  let position = 0n;
  const add = (resource: string, namespace: string, name: string) =>
    m.apply({ id: `e${++position}`, streamId: `${resource}/${namespace}/${name}`, streamVersion: 1, type: 'ResourceCreated', position, transactionId: 1n, createdAt: new Date(), metadata: { actor: 't', source: 't' }, data: { resource, object: { metadata: { name, namespace, uid: name } } } } as any);
  add(CR.tkcs, 'tkg-team', 'tkc-1');
  add(CR.clusters, 'capi-team', 'c-1');
  return m;
}

describe('which writes start a cluster pass (concernsClusters)', () => {
  it('counts a Secret or RoleBinding only in a namespace that holds a TanzuKubernetesCluster or a Cluster', () => {
    const m = model();
    for (const resource of ['secrets', ROLE_BINDINGS_RESOURCE]) {
      expect(concernsClusters(m, resource, { metadata: { name: 'x', namespace: 'tkg-team' } })).toBe(true);
      expect(concernsClusters(m, resource, { metadata: { name: 'x', namespace: 'capi-team' } })).toBe(true);
      expect(concernsClusters(m, resource, { metadata: { name: 'x', namespace: 'apps' } })).toBe(false);
    }
  });

  it('counts every other change it follows, wherever it is', () => {
    expect(concernsClusters(model(), CR.machines, { metadata: { name: 'm', namespace: 'apps' } })).toBe(true);
    expect(concernsClusters(model(), CR.namespaces, { metadata: { name: 'apps' } })).toBe(true);
  });
});
