/**
 * CSI volume snapshots (snapshot.storage.k8s.io/v1): VolumeSnapshotClass, VolumeSnapshot and VolumeSnapshotContent.
 * On every Kubernetes cluster, vSphere's Supervisor included, these kinds are CustomResourceDefinitions installed with
 * the snapshot controller; here too: the gateway creates the three CRDs on the first start (`kubectl get crd` lists
 * them), so the API machinery of custom kinds serves them (schema, the CRDs' CEL rules, columns), and the scheduler's
 * snapshot controller acts on them.
 */

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
export const VOLUME_SNAPSHOTS_RESOURCE = `volumesnapshots.${SNAPSHOT_GROUP}`;
export const VOLUME_SNAPSHOT_CONTENTS_RESOURCE = `volumesnapshotcontents.${SNAPSHOT_GROUP}`;
export const VOLUME_SNAPSHOT_CLASSES_RESOURCE = `volumesnapshotclasses.${SNAPSHOT_GROUP}`;
/** A class so marked is the default of its driver: a VolumeSnapshot naming no class is given it. */
export const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';
/** The class every cluster starts with (the name vSphere's clusters give theirs). */
export const DEFAULT_SNAPSHOT_CLASS = 'volumesnapshotclass-delete';
/** Held by a VolumeSnapshot bound to its content, until the content is dealt with by its deletion policy. */
export const SNAPSHOT_BOUND_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection';
/** Held by a VolumeSnapshot from its binding on; a snapshot being deleted keeps it while a Pending claim restores from it. */
export const SNAPSHOT_AS_SOURCE_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection';
/** Held by a claim while a snapshot of it is not ready yet (being taken, or waiting to be). */
export const PVC_AS_SNAPSHOT_SOURCE_FINALIZER = 'snapshot.storage.kubernetes.io/pvc-as-source-protection';
/** Held by a VolumeSnapshotContent while its VolumeSnapshot exists. */
export const SNAPSHOT_CONTENT_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection';

const string = { type: 'string' };
const dateTime = { type: 'string', format: 'date-time' };
const snapshotError = { type: 'object', properties: { message: string, time: dateTime } };
const rule = (r: string, message: string) => ({ rule: r, message });
/** A field that may not change once set, nor be removed. */
const immutable = (field: string) => rule('self == oldSelf', `${field} is immutable`);
const requiredOnceSet = (field: string) => rule(`!has(oldSelf.${field}) || has(self.${field})`, `${field} is required once set`);
const exactlyOne = (a: string, b: string) => rule(`(has(self.${a}) && !has(self.${b})) || (!has(self.${a}) && has(self.${b}))`, `exactly one of ${a} and ${b} must be set`);

function crd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster', shortNames: string[], schema: any, columns: any[], status: boolean): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${SNAPSHOT_GROUP}` },
    spec: {
      group: SNAPSHOT_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { apiVersion: string, kind: string, metadata: { type: 'object' }, ...schema.properties }, required: schema.required } },
        additionalPrinterColumns: [...columns, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
        ...(status ? { subresources: { status: {} } } : {}),
      }],
    },
  };
}

const volumeSnapshotClassCrd = () =>
  crd('VolumeSnapshotClass', 'volumesnapshotclasses', 'Cluster', ['vsclass', 'vsclasses'], {
    properties: {
      driver: string,
      parameters: { type: 'object', additionalProperties: string },
      deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
    },
    required: ['deletionPolicy', 'driver'],
  }, [
    { name: 'Driver', type: 'string', jsonPath: '.driver' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy', description: 'Whether the VolumeSnapshotContent and its snapshot go (Delete) or stay (Retain) when its VolumeSnapshot is deleted.' },
  ], false);

const volumeSnapshotCrd = () =>
  crd('VolumeSnapshot', 'volumesnapshots', 'Namespaced', ['vs'], {
    properties: {
      spec: {
        type: 'object',
        required: ['source'],
        properties: {
          source: {
            type: 'object',
            properties: {
              persistentVolumeClaimName: { ...string, 'x-kubernetes-validations': [immutable('persistentVolumeClaimName')] },
              volumeSnapshotContentName: { ...string, 'x-kubernetes-validations': [immutable('volumeSnapshotContentName')] },
            },
            'x-kubernetes-validations': [
              requiredOnceSet('persistentVolumeClaimName'),
              requiredOnceSet('volumeSnapshotContentName'),
              exactlyOne('volumeSnapshotContentName', 'persistentVolumeClaimName'),
            ],
          },
          volumeSnapshotClassName: { ...string, 'x-kubernetes-validations': [rule('size(self) != 0', 'volumeSnapshotClassName must not be the empty string when set')] },
        },
      },
      status: {
        type: 'object',
        properties: {
          boundVolumeSnapshotContentName: string,
          creationTime: dateTime,
          error: snapshotError,
          readyToUse: { type: 'boolean' },
          restoreSize: { 'x-kubernetes-int-or-string': true, pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$' },
          volumeGroupSnapshotName: string,
        },
      },
    },
    required: ['spec'],
  }, [
    { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse', description: 'Whether the snapshot can be used to restore a volume.' },
    { name: 'SourcePVC', type: 'string', jsonPath: '.spec.source.persistentVolumeClaimName' },
    { name: 'SourceSnapshotContent', type: 'string', jsonPath: '.spec.source.volumeSnapshotContentName' },
    { name: 'RestoreSize', type: 'string', jsonPath: '.status.restoreSize', description: 'The smallest volume this snapshot can be restored into.' },
    { name: 'SnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName' },
    { name: 'SnapshotContent', type: 'string', jsonPath: '.status.boundVolumeSnapshotContentName' },
    { name: 'CreationTime', type: 'date', jsonPath: '.status.creationTime', description: 'When the point-in-time snapshot was taken.' },
  ], true);

const volumeSnapshotContentCrd = () =>
  crd('VolumeSnapshotContent', 'volumesnapshotcontents', 'Cluster', ['vsc', 'vscs'], {
    properties: {
      spec: {
        type: 'object',
        required: ['deletionPolicy', 'driver', 'source', 'volumeSnapshotRef'],
        properties: {
          deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
          driver: string,
          source: {
            type: 'object',
            properties: {
              snapshotHandle: { ...string, 'x-kubernetes-validations': [immutable('snapshotHandle')] },
              volumeHandle: { ...string, 'x-kubernetes-validations': [immutable('volumeHandle')] },
            },
            'x-kubernetes-validations': [requiredOnceSet('volumeHandle'), requiredOnceSet('snapshotHandle'), exactlyOne('volumeHandle', 'snapshotHandle')],
          },
          sourceVolumeMode: { ...string, 'x-kubernetes-validations': [immutable('sourceVolumeMode')] },
          volumeSnapshotClassName: string,
          volumeSnapshotRef: {
            type: 'object',
            'x-kubernetes-map-type': 'atomic',
            properties: { apiVersion: string, fieldPath: string, kind: string, name: string, namespace: string, resourceVersion: string, uid: string },
            'x-kubernetes-validations': [rule('has(self.name) && has(self.__namespace__)', 'both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set')],
          },
        },
        'x-kubernetes-validations': [requiredOnceSet('sourceVolumeMode')],
      },
      status: {
        type: 'object',
        properties: {
          creationTime: { type: 'integer', format: 'int64' },
          error: snapshotError,
          readyToUse: { type: 'boolean' },
          restoreSize: { type: 'integer', format: 'int64', minimum: 0 },
          snapshotHandle: string,
          volumeGroupSnapshotHandle: string,
        },
      },
    },
    required: ['spec'],
  }, [
    { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse' },
    { name: 'RestoreSize', type: 'integer', jsonPath: '.status.restoreSize', description: 'The smallest volume, in bytes, this snapshot can be restored into.' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.spec.deletionPolicy' },
    { name: 'Driver', type: 'string', jsonPath: '.spec.driver' },
    { name: 'VolumeSnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName' },
    { name: 'VolumeSnapshot', type: 'string', jsonPath: '.spec.volumeSnapshotRef.name' },
    { name: 'VolumeSnapshotNamespace', type: 'string', jsonPath: '.spec.volumeSnapshotRef.namespace' },
  ], true);

/** The three CustomResourceDefinitions, as the gateway creates them on the first start. */
export function snapshotCrds(): any[] {
  return [volumeSnapshotClassCrd(), volumeSnapshotCrd(), volumeSnapshotContentCrd()];
}

/** The VolumeSnapshotClass every cluster starts with: the datastore's default, snapshots deleted with their VolumeSnapshot. */
export function defaultSnapshotClass(driver: string): any {
  return {
    apiVersion: `${SNAPSHOT_GROUP}/v1`,
    kind: 'VolumeSnapshotClass',
    metadata: { name: DEFAULT_SNAPSHOT_CLASS, annotations: { [DEFAULT_SNAPSHOT_CLASS_ANNOTATION]: 'true' } },
    driver,
    deletionPolicy: 'Delete',
  };
}

/** Whether a VolumeSnapshotClass is marked as its driver's default. */
export function isDefaultSnapshotClass(c: any): boolean {
  return c?.metadata?.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true';
}
