import { accessModesText } from './access-modes';
import { persistentVolumeClaimResource } from './persistent-volume-claim.resource';
import { persistentVolumeResource } from './persistent-volume.resource';
import { defaultStorageClass, storageClassResource } from './storage-class.resource';

const cells = (def: any, obj: any) => Object.fromEntries(def.versions[0].printerColumns.filter((c: any) => c.value).map((c: any) => [c.name, c.value(obj)]));

describe('storage kinds as kubectl shows them', () => {
  it('abbreviates access modes in kubectl order, once each', () => {
    expect(accessModesText(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany'])).toBe('RWO,ROX,RWX,RWOP');
    expect(accessModesText(undefined)).toBe('');
  });

  it('marks the default class and fills in the defaults of a class', () => {
    expect(cells(storageClassResource, defaultStorageClass())).toEqual({
      Name: 'vsan-default-storage-policy (default)', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: true,
    });
    expect(cells(storageClassResource, { metadata: { name: 'x' }, provisioner: 'p' })).toMatchObject({ Name: 'x', AllowVolumeExpansion: false });
  });

  it('shows a claim\'s volume, capacity and modes only once bound', () => {
    const pending = { metadata: { name: 'c' }, spec: { storageClassName: 'vsan' }, status: { phase: 'Pending' } };
    expect(cells(persistentVolumeClaimResource, pending)).toMatchObject({ Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: 'vsan' });
    const bound = { ...pending, spec: { ...pending.spec, volumeName: 'pvc-1' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } };
    expect(cells(persistentVolumeClaimResource, bound)).toMatchObject({ Status: 'Bound', Volume: 'pvc-1', Capacity: '1Gi', 'Access Modes': 'RWO' });
  });

  it('shows a volume\'s claim as namespace/name', () => {
    const pv = { metadata: { name: 'pv' }, spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteMany'], claimRef: { namespace: 'a', name: 'c' } }, status: { phase: 'Bound' } };
    expect(cells(persistentVolumeResource, pv)).toMatchObject({ Capacity: '2Gi', 'Access Modes': 'RWX', Status: 'Bound', Claim: 'a/c', StorageClass: '' });
  });

  it('has kubectl 1.32\'s VOLUMEATTRIBUTESCLASS (and a volume\'s REASON) columns, in its order', () => {
    const names = (def: any) => def.versions[0].printerColumns.filter((c: any) => !c.priority).map((c: any) => c.name);
    expect(names(persistentVolumeClaimResource)).toEqual(['Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age']);
    expect(names(persistentVolumeResource)).toEqual(['Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age']);
    expect(cells(persistentVolumeClaimResource, { metadata: { name: 'c' }, spec: {} }).VolumeAttributesClass).toBe('<unset>');
    expect(cells(persistentVolumeClaimResource, { metadata: { name: 'c' }, spec: { volumeAttributesClassName: 'gold' } }).VolumeAttributesClass).toBe('gold');
    expect(cells(persistentVolumeResource, { metadata: { name: 'pv' }, spec: {}, status: { phase: 'Failed', reason: 'VolumeFailedDelete' } })).toMatchObject({ VolumeAttributesClass: '<unset>', Reason: 'VolumeFailedDelete' });
  });
});
