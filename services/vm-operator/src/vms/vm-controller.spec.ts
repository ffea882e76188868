import { referrersNamespace } from './vm-controller';
import { R } from './vm-resources';

describe('whose VMs a change to what they refer to concerns (referrersNamespace)', () => {
  it('names the namespace of a namespaced object: only its VMs can refer to it', () => {
    for (const resource of [R.secrets, R.configMaps, R.claims, R.images, R.classes, R.policies]) {
      expect(referrersNamespace(resource, { metadata: { name: 'x', namespace: 'team-a' } })).toBe('team-a');
    }
  });

  it('names none for a cluster-scoped object, a Namespace too (address pools are shared out across namespaces): every VM may care', () => {
    for (const resource of [R.clusterImages, R.storageClasses, R.volumes, R.namespaces]) {
      expect(referrersNamespace(resource, { metadata: { name: 'x' } })).toBeUndefined();
    }
  });
});
