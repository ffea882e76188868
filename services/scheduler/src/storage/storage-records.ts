import { randomUUID } from 'node:crypto';
import { DATASTORE_PROVISIONER, ObjectEventTypes, objectStreamId, PROVISIONED_BY_ANNOTATION, PV_PROTECTION_FINALIZER, PVCS_RESOURCE, PVS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import type { NewEvent, StreamAppend } from '@openpacific/event-store';
import { eventNameSuffix, type StoredObject } from '@openpacific/objects';

/** The objects and log records the volume binder writes. */

export const BINDER_ACTOR = { actor: 'system:serviceaccount:kube-system:persistent-volume-binder', source: 'scheduler' };

function clean(obj: any): any {
  const next = structuredClone(obj);
  delete next.metadata.resourceVersion;
  return next;
}

function withSpecChange(obj: any, change: (spec: any) => void): any {
  const next = clean(obj);
  // Volumes and claims carry no generation (kube-apiserver's strategies set none for them).
  change(next.spec);
  return next;
}

function claimRef(claim: any): any {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid };
}

/** A new volume of the datastore for a claim: its directory, the claim's size, bound to it from the start. */
export function provisionedVolume(claim: any, storageClass: any, name: string, path: string): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, uid: randomUUID(), creationTimestamp: rfc3339(), annotations: { [PROVISIONED_BY_ANNOTATION]: DATASTORE_PROVISIONER }, finalizers: [PV_PROTECTION_FINALIZER] },
    spec: {
      capacity: { storage: claim.spec.resources.requests.storage },
      accessModes: [...(claim.spec.accessModes ?? [])],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata.name,
      volumeMode: claim.spec.volumeMode ?? 'Filesystem',
      hostPath: { path, type: 'Directory' },
      claimRef: claimRef(claim),
    },
    status: { phase: 'Bound', lastPhaseTransitionTime: rfc3339() },
  };
}

function withPhase(phase: string, message?: string): any {
  return { phase, ...(message ? { message } : {}), lastPhaseTransitionTime: rfc3339() };
}

/** An existing volume taken by a claim. */
export function boundVolume(pv: any, claim: any): any {
  const next = withSpecChange(pv, (spec) => (spec.claimRef = claimRef(claim)));
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' };
  next.status = withPhase('Bound');
  return next;
}

/** The claim bound to its volume: spec.volumeName, its class, and the volume's size and modes in status. */
export function boundClaim(claim: any, pv: any, className: string): any {
  const next = withSpecChange(claim, (spec) => {
    spec.volumeName = pv.metadata.name;
    spec.storageClassName = className;
  });
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
  next.status = { ...next.status, phase: 'Bound', accessModes: [...(pv.spec.accessModes ?? [])], capacity: { storage: pv.spec.capacity.storage } };
  return next;
}

export function volumeInPhase(pv: any, phase: 'Available' | 'Released' | 'Failed', message?: string): any {
  const next = clean(pv);
  next.status = withPhase(phase, message);
  return next;
}

export function lostClaim(claim: any): any {
  const next = clean(claim);
  next.status = { ...next.status, phase: 'Lost' };
  return next;
}

export function grownVolume(pv: any, storage: string): any {
  return withSpecChange(pv, (spec) => (spec.capacity = { ...spec.capacity, storage }));
}

export function grownClaim(claim: any, storage: string): any {
  const next = clean(claim);
  next.status = { ...next.status, capacity: { ...next.status?.capacity, storage } };
  return next;
}

export function objectWrite(resource: typeof PVCS_RESOURCE | typeof PVS_RESOURCE, obj: any, type: string, streamVersion: number): StreamAppend {
  return {
    streamId: objectStreamId(resource, obj.metadata.namespace, obj.metadata.name),
    events: [{ type, data: { resource, object: obj }, metadata: BINDER_ACTOR } as NewEvent],
    expectedVersion: streamVersion,
  };
}

/**
 * The object with the given finalizers taken off (those it holds), deleted when they were the last ones of an object
 * being deleted; undefined when it holds none of them. Any controller of the storage kinds (`metadata`: its actor).
 */
export function finalizersRemoved(resource: string, stored: StoredObject, finalizers: readonly string[], metadata: { actor: string; source: string } = BINDER_ACTOR): StreamAppend | undefined {
  const held: string[] = stored.object.metadata.finalizers ?? [];
  if (!held.some((f) => finalizers.includes(f))) return undefined;
  const next = clean(stored.object);
  const left = held.filter((f) => !finalizers.includes(f));
  if (left.length) next.metadata.finalizers = left;
  else delete next.metadata.finalizers;
  const type = next.metadata.deletionTimestamp && left.length === 0 ? ObjectEventTypes.deleted : ObjectEventTypes.updated;
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type, data: { resource, object: next }, metadata } as NewEvent], expectedVersion: stored.streamVersion };
}

/** The object with `finalizer` added (it holds it already: undefined). */
export function finalizerAdded(resource: string, stored: StoredObject, finalizer: string, metadata: { actor: string; source: string } = BINDER_ACTOR): StreamAppend | undefined {
  const held: string[] = stored.object.metadata.finalizers ?? [];
  if (held.includes(finalizer)) return undefined;
  const next = clean(stored.object);
  next.metadata.finalizers = [...held, finalizer];
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type: ObjectEventTypes.updated, data: { resource, object: next }, metadata } as NewEvent], expectedVersion: stored.streamVersion };
}

/** A core v1 Event about a claim or volume (cluster-scoped volumes report in `default`, as Kubernetes does). */
export function storageEvent(obj: any, type: 'Normal' | 'Warning', reason: string, message: string): StreamAppend {
  const now = rfc3339();
  const namespace = obj.metadata.namespace ?? 'default';
  const name = `${obj.metadata.name}.${eventNameSuffix()}`;
  const object = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: now },
    involvedObject: { apiVersion: 'v1', kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), uid: obj.metadata.uid },
    reason,
    message,
    type,
    source: { component: 'persistentvolume-controller' },
    reportingComponent: 'persistentvolume-controller',
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  return {
    streamId: objectStreamId('events', namespace, name),
    events: [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: BINDER_ACTOR } as NewEvent],
    expectedVersion: 'no_stream',
  };
}
