import { definitionFromCrd, snapshotCrds } from '@openpacific/contracts';
import { validateRules } from '@openpacific/kube-api';
import { defaultCrd, validateCrd } from './crd.validation';

const crds = snapshotCrds().map((c) => defaultCrd(c));
const schemaOf = (kind: string) => definitionFromCrd(crds.find((c) => c.spec.names.kind === kind)).versions[0].schema;
const said = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('the volume snapshot CRDs the gateway installs', () => {
  it('are CRDs kube-apiserver would accept', () => {
    for (const crd of crds) expect(validateCrd(crd, () => false)).toEqual([]);
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'volumesnapshotclasses.snapshot.storage.k8s.io', 'volumesnapshots.snapshot.storage.k8s.io', 'volumesnapshotcontents.snapshot.storage.k8s.io',
    ]);
  });

  it('hold a VolumeSnapshot to exactly one source, never changed, and a class name that is not empty', () => {
    const schema = schemaOf('VolumeSnapshot');
    const vs = (spec: object) => ({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 's' }, spec });
    expect(validateRules(schema, vs({ source: { persistentVolumeClaimName: 'data' } }), undefined)).toEqual([]);
    expect(said(validateRules(schema, vs({ source: {} }), undefined))).toEqual(['spec.source: Invalid value: "object": exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set']);
    expect(said(validateRules(schema, vs({ source: { persistentVolumeClaimName: 'a', volumeSnapshotContentName: 'b' } }), undefined))).toEqual([
      'spec.source: Invalid value: "object": exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set',
    ]);
    expect(said(validateRules(schema, vs({ source: { persistentVolumeClaimName: 'a' }, volumeSnapshotClassName: '' }), undefined))).toEqual([
      'spec.volumeSnapshotClassName: Invalid value: "string": volumeSnapshotClassName must not be the empty string when set',
    ]);
    const old = vs({ source: { persistentVolumeClaimName: 'a' } });
    expect(said(validateRules(schema, vs({ source: { persistentVolumeClaimName: 'b' } }), old))).toEqual(['spec.source.persistentVolumeClaimName: Invalid value: "string": persistentVolumeClaimName is immutable']);
    expect(said(validateRules(schema, vs({ source: { volumeSnapshotContentName: 'c' } }), old))).toEqual(['spec.source: Invalid value: "object": persistentVolumeClaimName is required once set']);
  });

  it('hold a VolumeSnapshotContent to one source and a reference naming the snapshot and its namespace', () => {
    const schema = schemaOf('VolumeSnapshotContent');
    const vsc = (spec: object) => ({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', metadata: { name: 'c' }, spec: { deletionPolicy: 'Retain', driver: 'd', ...spec } });
    expect(validateRules(schema, vsc({ source: { snapshotHandle: 'h' }, volumeSnapshotRef: { name: 's', namespace: 'ns' } }), undefined)).toEqual([]);
    expect(said(validateRules(schema, vsc({ source: { snapshotHandle: 'h', volumeHandle: 'v' }, volumeSnapshotRef: { name: 's' } }), undefined)).sort()).toEqual([
      'spec.source: Invalid value: "object": exactly one of volumeHandle and snapshotHandle must be set',
      'spec.volumeSnapshotRef: Invalid value: "object": both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set',
    ]);
    const old = vsc({ source: { snapshotHandle: 'h' }, volumeSnapshotRef: { name: 's', namespace: 'ns' }, sourceVolumeMode: 'Filesystem' });
    expect(said(validateRules(schema, vsc({ source: { snapshotHandle: 'g' }, volumeSnapshotRef: { name: 's', namespace: 'ns' } }), old)).sort()).toEqual([
      'spec.source.snapshotHandle: Invalid value: "string": snapshotHandle is immutable',
      'spec: Invalid value: "object": sourceVolumeMode is required once set',
    ]);
  });
});
