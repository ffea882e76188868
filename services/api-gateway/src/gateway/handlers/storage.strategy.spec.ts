import { ObjectEventTypes, objectStreamId, STORAGE_CLASSES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import {
  defaultPersistentVolumeClaim, setStorageClassLookup, storageKindStrategies, validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate, validateStorageClassUpdate,
} from './storage.strategy';

const claim = (storage: unknown, extra: any = {}) => ({ metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: 'vsan', ...extra } });
const bound = (storage: string) => ({ ...claim(storage, { volumeName: 'pvc-1' }), status: { phase: 'Bound' } });

describe('PersistentVolumeClaim rules', () => {
  it('refuses a negative, zero, missing or unparsable storage request', () => {
    expect(validatePersistentVolumeClaim(claim('-1Gi'))).toEqual([expect.objectContaining({ field: 'spec.resources[storage]', message: 'Invalid value: "-1Gi": must be greater than or equal to 0' })]);
    expect(validatePersistentVolumeClaim(claim('0'))[0].message).toContain('must be greater than zero');
    expect(validatePersistentVolumeClaim(claim('lots'))[0].message).toContain('quantities must match the regular expression');
    expect(validatePersistentVolumeClaim(claim(undefined))[0]).toMatchObject({ reason: 'FieldValueRequired' });
    expect(validatePersistentVolumeClaim(claim('1Gi', { accessModes: [] }))[0].message).toContain('at least 1 access mode is required');
    expect(validatePersistentVolumeClaim(claim('1Gi'))).toEqual([]);
  });

  it('names a data source both ways (dataSource and dataSourceRef), dropping a namespace, as kube-apiserver normalizes them', () => {
    const snapshot = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'nightly' };
    expect(defaultPersistentVolumeClaim(claim('1Gi', { dataSource: snapshot })).spec).toMatchObject({ dataSource: snapshot, dataSourceRef: snapshot });
    expect(defaultPersistentVolumeClaim(claim('1Gi', { dataSourceRef: { ...snapshot, namespace: 'other' } })).spec).toMatchObject({ dataSource: snapshot, dataSourceRef: snapshot });
    expect(defaultPersistentVolumeClaim(claim('1Gi', { dataSourceRef: { ...snapshot, namespace: 'other' } })).spec.dataSourceRef.namespace).toBeUndefined();
  });

  it("refuses a data source without a kind or name, a core kind other than a claim, a bad group, and two sources that differ", () => {
    const said = (extra: any) => validatePersistentVolumeClaim(claim('1Gi', extra)).map((c) => `${c.field}: ${c.message}`);
    expect(said({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } })).toEqual([]);
    expect(said({ dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 's' } })).toEqual([]);
    expect(said({ dataSource: { apiGroup: 'snapshot.storage.k8s.io' } })).toEqual(['spec.dataSource.name: Required value', 'spec.dataSource.kind: Required value']);
    expect(said({ dataSource: { kind: 'Secret', name: 's' } })).toEqual(["spec.dataSource: Invalid value: \"Secret\": must be 'PersistentVolumeClaim' when referencing the default apiGroup"]);
    expect(said({ dataSourceRef: { apiGroup: 'Bad_Group', kind: 'X', name: 'x' } })[0]).toMatch(/^spec\.dataSourceRef\.apiGroup: Invalid value: "Bad_Group": /);
    expect(said({ dataSource: { kind: 'PersistentVolumeClaim', name: 'a' }, dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'b' } })).toEqual([
      'spec.dataSource: Invalid value: "object": must match dataSourceRef',
    ]);
  });

  it('defaults a new claim to Filesystem and Pending', () => {
    expect(defaultPersistentVolumeClaim(claim('1Gi'))).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  it('keeps the spec immutable but for binding and growing a bound claim of an expandable class', () => {
    setStorageClassLookup((name) => (name === 'vsan' ? { allowVolumeExpansion: true } : { allowVolumeExpansion: false }));
    expect(validatePersistentVolumeClaimUpdate(claim('1Gi'), claim('1Gi', { accessModes: ['ReadWriteMany'] }))[0]).toMatchObject({ field: 'spec', reason: 'FieldValueForbidden' });
    expect(validatePersistentVolumeClaimUpdate(claim('1Gi'), claim('1Gi', { volumeName: 'pvc-1' }))).toEqual([]);
    expect(validatePersistentVolumeClaimUpdate(bound('1Gi'), { ...bound('1Gi'), spec: { ...bound('1Gi').spec, volumeName: 'other' } })[0].field).toBe('spec');
    expect(validatePersistentVolumeClaimUpdate(bound('1Gi'), bound('2Gi'))).toEqual([]);
    expect(validatePersistentVolumeClaimUpdate(bound('2Gi'), bound('1Gi'))[0].message).toBe('Forbidden: field can not be less than previous value');
    expect(validatePersistentVolumeClaimUpdate(claim('1Gi'), claim('2Gi'))[0].field).toBe('spec'); // not bound yet
    const fixed = (s: string) => ({ ...bound(s), spec: { ...bound(s).spec, storageClassName: 'fixed' } });
    expect(validatePersistentVolumeClaimUpdate(fixed('1Gi'), fixed('2Gi'))[0].message).toContain('the storageclass that provisions the pvc must support resize');
  });
});

describe('PersistentVolume and StorageClass rules', () => {
  it('needs a size, access modes and exactly one absolute source for a volume', () => {
    const pv = (spec: any) => ({ metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], ...spec } });
    expect(validatePersistentVolume(pv({ hostPath: { path: '/srv/a' } }))).toEqual([]);
    expect(validatePersistentVolume(pv({}))[0].message).toContain('must specify a volume type');
    expect(validatePersistentVolume(pv({ hostPath: { path: 'rel' } }))[0].message).toContain('must be an absolute path');
    expect(validatePersistentVolume(pv({ hostPath: { path: '/a' }, capacity: { storage: '-5' } }))[0].field).toBe('spec.capacity[storage]');
  });

  it('forbids changing a class\'s provisioner, parameters, reclaim policy and binding mode', () => {
    const sc = { provisioner: 'p', parameters: { a: '1' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: false };
    expect(validateStorageClassUpdate(sc, { ...sc, allowVolumeExpansion: true })).toEqual([]);
    expect(validateStorageClassUpdate(sc, { ...sc, reclaimPolicy: 'Retain' })).toEqual([expect.objectContaining({ field: 'reclaimPolicy', message: 'Forbidden: updates to reclaimPolicy are forbidden.' })]);
  });
});

describe('StorageObjectInUseProtection admission', () => {
  const ctx = { readModel: new ReadModel() } as any;
  it('gives a new claim kubernetes.io/pvc-protection and a new volume kubernetes.io/pv-protection, beside their own finalizers, once', () => {
    expect(storageKindStrategies['/PersistentVolumeClaim'].defaults!(claim('1Gi'), ctx).metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    const own = { ...claim('1Gi'), metadata: { name: 'c', finalizers: ['example.com/keep', 'kubernetes.io/pvc-protection'] } };
    expect(storageKindStrategies['/PersistentVolumeClaim'].defaults!(own, ctx).metadata.finalizers).toEqual(['example.com/keep', 'kubernetes.io/pvc-protection']);
    const pv = { metadata: { name: 'pv', finalizers: ['example.com/keep'] }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/pv' } } };
    expect(storageKindStrategies['/PersistentVolume'].defaults!(pv, ctx).metadata.finalizers).toEqual(['example.com/keep', 'kubernetes.io/pv-protection']);
  });

  it('leaves the finalizer off the claim defaults a StatefulSet template shares', () => {
    expect(defaultPersistentVolumeClaim(claim('1Gi')).metadata.finalizers).toBeUndefined();
  });
});

describe('DefaultStorageClass admission', () => {
  let position = 0n;
  const modelWith = (...classes: any[]) => {
    const model = new ReadModel();
    for (const object of classes) {
      position += 1n;
      model.apply({
        id: `e${position}`, streamId: objectStreamId(STORAGE_CLASSES_RESOURCE, undefined, object.metadata.name), streamVersion: 1,
        type: ObjectEventTypes.created, data: { resource: STORAGE_CLASSES_RESOURCE, object }, metadata: { actor: 'admin', source: 'test' },
        position, transactionId: 1n, createdAt: new Date(),
      } as RecordedEvent);
    }
    return { readModel: model } as any;
  };
  const cls = (name: string, created: string, isDefault: boolean) => ({ metadata: { name, creationTimestamp: created, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) }, provisioner: 'p' });
  const admit = (pvc: any, ctx: any) => storageKindStrategies['/PersistentVolumeClaim'].defaults!(pvc, ctx);

  it('gives a claim naming no class the default class, the newest of several defaults, and leaves a named class alone', () => {
    const ctx = modelWith(cls('gold', '2026-01-01T00:00:00Z', true), cls('silver', '2026-02-01T00:00:00Z', true), cls('bronze', '2026-03-01T00:00:00Z', false));
    expect(admit(claim('1Gi', { storageClassName: undefined }), ctx).spec.storageClassName).toBe('silver');
    expect(admit(claim('1Gi'), ctx).spec.storageClassName).toBe('vsan');
    expect(admit(claim('1Gi', { storageClassName: '' }), ctx).spec.storageClassName).toBe('');
    const beta = { ...claim('1Gi', { storageClassName: undefined }), metadata: { name: 'c', annotations: { 'volume.beta.kubernetes.io/storage-class': 'gold' } } };
    expect(admit(beta, ctx).spec.storageClassName).toBeUndefined();
    expect(admit(claim('1Gi', { storageClassName: undefined }), modelWith(cls('bronze', '2026-03-01T00:00:00Z', false))).spec.storageClassName).toBeUndefined();
  });
});
