import { randomUUID } from 'node:crypto';
import type { Logger } from '@openpacific/service-kit';
import { CRDS_RESOURCE, DATASTORE_PROVISIONER, defaultSnapshotClass, isDefaultSnapshotClass, memoryQuantity, ObjectEventTypes, objectStreamId, PVCS_RESOURCE, PVS_RESOURCE, PVC_AS_SNAPSHOT_SOURCE_FINALIZER, SNAPSHOT_AS_SOURCE_FINALIZER, SNAPSHOT_BOUND_FINALIZER, SNAPSHOT_CONTENT_FINALIZER, SNAPSHOT_GROUP, STORAGE_CLASSES_RESOURCE, VOLUME_SNAPSHOT_CLASSES_RESOURCE, VOLUME_SNAPSHOT_CONTENTS_RESOURCE, VOLUME_SNAPSHOTS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, type FollowerDeps, objectEvent, PassLoop, type SharedFollower, StoredObject } from '@openpacific/objects';
import { SnapshotStore } from './snapshot-store';
import { finalizerAdded, finalizersRemoved } from './storage-records';
import { INSUFFICIENT_CAPACITY } from './volume-binder';
import { datastoreHeldBytes, fitsDatastore, storageBytes } from './volume-binding';

const ACTOR = { actor: 'system:serviceaccount:kube-system:snapshot-controller', source: 'scheduler' };
const API_VERSION = `${SNAPSHOT_GROUP}/v1`;

/** A write of the controller: what must happen on disk first, and the log records, committed together. */
interface Step {
  writes: StreamAppend[];
  before?: () => Promise<void> | void;
  /** When the writes lost to a concurrent change (after `before` ran). */
  lost?: () => void;
}

function write(resource: string, obj: any, type: string, expectedVersion: number): StreamAppend {
  const next = { ...obj, metadata: { ...obj.metadata } };
  delete next.metadata.resourceVersion;
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type, data: { resource, object: next }, metadata: ACTOR }], expectedVersion };
}

const nanos = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

/**
 * The CSI snapshot controller of OpenPacific (in the elected scheduler, beside the volume binder): takes a
 * VolumeSnapshot of a bound claim of the datastore as a copy of its volume (`SnapshotStore`), with a
 * VolumeSnapshotContent `snapcontent-<snapshot uid>` bound to it both ways; binds a VolumeSnapshot to a pre-provisioned
 * content naming it; gives a snapshot without a class its driver's default class; deletes or keeps the content and
 * its data by the deletion policy when the snapshot goes. Creates the default class `volumesnapshotclass-delete` once
 * the class CRD exists. Level-triggered passes; every write at the streams' versions.
 */
export class SnapshotController {
  private readonly model = controllerReadModel([VOLUME_SNAPSHOTS_RESOURCE, VOLUME_SNAPSHOT_CONTENTS_RESOURCE, VOLUME_SNAPSHOT_CLASSES_RESOURCE, PVCS_RESOURCE, PVS_RESOURCE, STORAGE_CLASSES_RESOURCE, CRDS_RESOURCE]);
  private readonly loop: PassLoop;
  private readonly store: SnapshotStore;
  /** The last error reported per snapshot uid: a snapshot that keeps failing the same way gets one Event. */
  private readonly reported = new Map<string, string>();
  /** Copies taken whose content did not commit (the snapshot changed meanwhile), by handle, to the snapshot's uid. */
  private readonly uncommitted = new Map<string, string>();

  constructor(
    private readonly deps: FollowerDeps<Logger> & { log: SharedFollower },
    private readonly opts: { datastoreDir: string; datastoreCapacityBytes?: number; resyncMs?: number },
  ) {
    this.store = new SnapshotStore(opts.datastoreDir);
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: opts.resyncMs ?? 5000,
      onError: (err) => deps.logger.warn('snapshot pass failed; retrying', { error: (err as Error).message }),
    });
    deps.log.add(this.model.follows, (events) => {
      let relevant = false;
      for (const e of events) if (this.model.apply(e)) relevant = true;
      if (relevant) this.loop.schedule();
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const steps: Step[] = [...this.defaultClass(), ...this.strayCopies(), ...this.releasedClaims()];
    // Contents first: a pre-provisioned content made ready in this pass binds its snapshot in the next.
    for (const stored of this.model.list(VOLUME_SNAPSHOT_CONTENTS_RESOURCE)) steps.push(...this.reconcileContent(stored));
    for (const stored of this.model.list(VOLUME_SNAPSHOTS_RESOURCE)) steps.push(...this.reconcile(stored));
    const uids = new Set(this.model.list(VOLUME_SNAPSHOTS_RESOURCE).map((s) => s.object.metadata.uid));
    for (const uid of this.reported.keys()) if (!uids.has(uid)) this.reported.delete(uid);
    for (const step of steps) {
      try {
        await step.before?.();
        if (step.writes.length) await this.deps.store.appendBatch(step.writes);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        step.lost?.();
        this.loop.schedule();
      }
    }
  }

  /**
   * Copies whose content never committed and whose snapshot is gone: removed. (A copy whose write lost is kept while
   * its snapshot exists, as the next pass takes it again; one a committed content names is that content's.)
   */
  private strayCopies(): Step[] {
    if (this.uncommitted.size === 0) return [];
    const snapshots = new Set(this.model.list(VOLUME_SNAPSHOTS_RESOURCE).map((s) => s.object.metadata.uid));
    const named = new Set(this.model.list(VOLUME_SNAPSHOT_CONTENTS_RESOURCE).map((s) => s.object.status?.snapshotHandle ?? s.object.spec?.source?.snapshotHandle));
    const steps: Step[] = [];
    for (const [handle, uid] of this.uncommitted) {
      if (snapshots.has(uid)) continue;
      this.uncommitted.delete(handle);
      if (!named.has(handle)) steps.push({ writes: [], before: () => this.store.remove(handle) });
    }
    return steps;
  }

  /**
   * Claims holding `pvc-as-source-protection` while no snapshot of theirs is left to take (every one ready, or being
   * deleted): released, as the CSI snapshot controller releases them.
   */
  private releasedClaims(): Step[] {
    const steps: Step[] = [];
    for (const stored of this.model.list(PVCS_RESOURCE)) {
      const claim = stored.object;
      if (!(claim.metadata.finalizers ?? []).includes(PVC_AS_SNAPSHOT_SOURCE_FINALIZER)) continue;
      const taking = this.model.list(VOLUME_SNAPSHOTS_RESOURCE, claim.metadata.namespace).some(({ object: vs }) =>
        vs.spec?.source?.persistentVolumeClaimName === claim.metadata.name && !vs.status?.readyToUse && !vs.metadata.deletionTimestamp);
      const write = taking ? undefined : finalizersRemoved(PVCS_RESOURCE, stored, [PVC_AS_SNAPSHOT_SOURCE_FINALIZER], ACTOR);
      if (write) steps.push({ writes: [write] });
    }
    return steps;
  }

  /** A Pending claim of the snapshot's namespace restores from it (its data source names it). */
  private restoringFrom(vs: any): boolean {
    return this.model.list(PVCS_RESOURCE, vs.metadata.namespace).some(({ object: claim }) => {
      const ref = claim.spec?.dataSourceRef ?? claim.spec?.dataSource;
      return ref?.apiGroup === SNAPSHOT_GROUP && ref.kind === 'VolumeSnapshot' && ref.name === vs.metadata.name && !claim.metadata.deletionTimestamp && (claim.status?.phase ?? 'Pending') === 'Pending';
    });
  }

  /** The default class, once its kind exists and only if it never did (one an admin deleted stays deleted). */
  private defaultClass(): Step[] {
    const crd = `volumesnapshotclasses.${SNAPSHOT_GROUP}`;
    const name = defaultSnapshotClass(DATASTORE_PROVISIONER).metadata.name;
    if (!this.model.get(CRDS_RESOURCE, undefined, crd) || this.model.streamVersion(VOLUME_SNAPSHOT_CLASSES_RESOURCE, undefined, name) > 0) return [];
    const cls = defaultSnapshotClass(DATASTORE_PROVISIONER);
    cls.metadata = { ...cls.metadata, uid: randomUUID(), creationTimestamp: rfc3339(), generation: 1 };
    return [{ writes: [write(VOLUME_SNAPSHOT_CLASSES_RESOURCE, cls, ObjectEventTypes.created, 0)] }];
  }

  private reconcile(stored: StoredObject): Step[] {
    const vs = stored.object;
    if (vs.metadata.deletionTimestamp) return this.deleting(stored);
    if (vs.status?.boundVolumeSnapshotContentName && vs.status?.readyToUse) return [];
    if (vs.spec?.source?.volumeSnapshotContentName) return this.bindPreProvisioned(stored);
    if (vs.spec?.source?.persistentVolumeClaimName) return this.take(stored);
    return [];
  }

  /** Why the snapshot cannot be taken (status.error and one Warning per distinct message). */
  private failed(stored: StoredObject, reason: string, message: string): Step[] {
    const vs = stored.object;
    if (this.reported.get(vs.metadata.uid) === message && vs.status?.error?.message === message) return [];
    this.reported.set(vs.metadata.uid, message);
    const next = { ...vs, status: { ...(vs.status ?? {}), readyToUse: false, error: { message, time: rfc3339() } } };
    return [{ writes: [write(VOLUME_SNAPSHOTS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion), this.event(vs, 'Warning', reason, message)] }];
  }

  private event(vs: any, type: 'Normal' | 'Warning', reason: string, message: string): StreamAppend {
    const { name, namespace, uid } = vs.metadata;
    return objectEvent({ apiVersion: API_VERSION, kind: 'VolumeSnapshot', name, namespace, uid }, { type, reason, message, component: 'snapshot-controller', actor: ACTOR });
  }

  /** The class a snapshot of a claim uses: the one it names, or its driver's single default. */
  private classFor(vs: any, driver: string): { cls?: any; error?: string } {
    const named = vs.spec?.volumeSnapshotClassName;
    if (named) {
      const cls = this.model.get(VOLUME_SNAPSHOT_CLASSES_RESOURCE, undefined, named)?.object;
      return cls ? { cls } : { error: `failed to get input parameters to create snapshot ${vs.metadata.name}: "volumesnapshotclass.snapshot.storage.k8s.io \\"${named}\\" not found"` };
    }
    const defaults = this.model.list(VOLUME_SNAPSHOT_CLASSES_RESOURCE).map((s) => s.object).filter((c) => c.driver === driver && isDefaultSnapshotClass(c));
    if (defaults.length === 1) return { cls: defaults[0] };
    return { error: defaults.length === 0 ? `cannot find default snapshot class for driver ${driver}` : `${defaults.length} default snapshot classes were found for driver ${driver}` };
  }

  /** A snapshot of a claim: its volume's directory copied, the content created bound to it, the snapshot ready. */
  private take(stored: StoredObject): Step[] {
    const vs = stored.object;
    const claimName = vs.spec.source.persistentVolumeClaimName;
    const claim = this.model.get(PVCS_RESOURCE, vs.metadata.namespace, claimName)?.object;
    const contentFailed = (why: string) => this.failed(stored, 'SnapshotContentCreationFailed', `Failed to create snapshot content with error ${why}`);
    if (!claim) return contentFailed(`failed to retrieve PVC ${claimName} from the lister: "persistentvolumeclaim \\"${claimName}\\" not found"`);
    const pv = claim.status?.phase === 'Bound' && claim.spec?.volumeName ? this.model.get(PVS_RESOURCE, undefined, claim.spec.volumeName)?.object : undefined;
    if (!pv) return contentFailed(`the PVC ${claimName} is not yet bound to a PV, will not attempt to take a snapshot`);
    const storageClass = this.model.get(STORAGE_CLASSES_RESOURCE, undefined, pv.spec?.storageClassName ?? '')?.object;
    const path: string | undefined = pv.spec?.hostPath?.path;
    if (storageClass?.provisioner !== DATASTORE_PROVISIONER || !path) {
      return contentFailed(`volume ${pv.metadata.name} is not a volume of the datastore (provisioner ${DATASTORE_PROVISIONER}): only those can be snapshotted`);
    }
    const { cls, error } = this.classFor(vs, DATASTORE_PROVISIONER);
    if (!cls) return this.failed(stored, vs.spec?.volumeSnapshotClassName ? 'SnapshotContentCreationFailed' : 'SetDefaultSnapshotClassFailed', vs.spec?.volumeSnapshotClassName ? `Failed to create snapshot content with error ${error}` : `Failed to set default snapshot class with error ${error}`);
    if (cls.driver !== DATASTORE_PROVISIONER) return contentFailed(`the snapshot class ${cls.metadata.name} names driver ${cls.driver}, not the volume's driver ${DATASTORE_PROVISIONER}`);
    // The claim is held (pvc-as-source-protection) from here until the snapshot is ready or deleted.
    if (!(claim.metadata.finalizers ?? []).includes(PVC_AS_SNAPSHOT_SOURCE_FINALIZER)) {
      if (claim.metadata.deletionTimestamp) return contentFailed(`cannot take a snapshot of the PVC ${claimName}: it is being deleted`);
      return [{ writes: [finalizerAdded(PVCS_RESOURCE, this.model.get(PVCS_RESOURCE, vs.metadata.namespace, claimName)!, PVC_AS_SNAPSHOT_SOURCE_FINALIZER, ACTOR)!] }];
    }
    const contentName = `snapcontent-${vs.metadata.uid}`;
    const handle = `snapshot-${vs.metadata.uid}`;
    const takenAt = rfc3339();
    const sizeBytes = storageBytes(pv.spec?.capacity?.storage);
    // A snapshot is a whole copy of its volume: it must fit the datastore beside its volumes and other snapshots.
    const used = datastoreHeldBytes(this.model.list(PVS_RESOURCE).map((s) => s.object), this.model.list(VOLUME_SNAPSHOT_CONTENTS_RESOURCE).map((s) => s.object), this.opts.datastoreDir);
    if (!fitsDatastore(used, sizeBytes, this.opts.datastoreCapacityBytes)) return contentFailed(`failed to take snapshot of the volume ${pv.metadata.name}: ${INSUFFICIENT_CAPACITY}`);
    const restoreSize = pv.spec?.capacity?.storage ?? memoryQuantity(sizeBytes);
    const content = {
      apiVersion: API_VERSION,
      kind: 'VolumeSnapshotContent',
      metadata: { name: contentName, uid: randomUUID(), creationTimestamp: takenAt, generation: 1, finalizers: [SNAPSHOT_CONTENT_FINALIZER] },
      spec: {
        volumeSnapshotRef: { apiVersion: API_VERSION, kind: 'VolumeSnapshot', name: vs.metadata.name, namespace: vs.metadata.namespace, uid: vs.metadata.uid },
        source: { volumeHandle: pv.metadata.name },
        driver: DATASTORE_PROVISIONER,
        deletionPolicy: cls.deletionPolicy,
        volumeSnapshotClassName: cls.metadata.name,
        sourceVolumeMode: pv.spec?.volumeMode ?? 'Filesystem',
      },
      status: { snapshotHandle: handle, creationTime: Number(nanos(takenAt)), readyToUse: true, restoreSize: sizeBytes },
    };
    const next = {
      ...vs,
      metadata: { ...vs.metadata, finalizers: [...new Set([...(vs.metadata.finalizers ?? []), SNAPSHOT_AS_SOURCE_FINALIZER, SNAPSHOT_BOUND_FINALIZER])] },
      spec: { ...vs.spec, volumeSnapshotClassName: cls.metadata.name },
      status: { boundVolumeSnapshotContentName: contentName, creationTime: takenAt, readyToUse: true, restoreSize },
    };
    if (!vs.spec.volumeSnapshotClassName) next.metadata.generation = (vs.metadata.generation ?? 1) + 1;
    const what = `${vs.metadata.namespace}/${vs.metadata.name}`;
    this.reported.delete(vs.metadata.uid);
    return [{
      before: () => this.store.take(handle, path, { sizeBytes, takenAt, volume: pv.metadata.name }),
      lost: () => this.uncommitted.set(handle, vs.metadata.uid),
      writes: [
        write(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, content, ObjectEventTypes.created, this.model.streamVersion(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, undefined, contentName)),
        write(VOLUME_SNAPSHOTS_RESOURCE, next, ObjectEventTypes.updated, stored.streamVersion),
        this.event(vs, 'Normal', 'CreatingSnapshot', `Waiting for a snapshot ${what} to be created by the CSI driver.`),
        this.event(vs, 'Normal', 'SnapshotCreated', `Snapshot ${what} was successfully created by the CSI driver.`),
        this.event(vs, 'Normal', 'SnapshotReady', `Snapshot ${what} is ready to use.`),
      ],
    }];
  }

  /** A snapshot of an existing content: bound once the content names it back and its snapshot exists. */
  private bindPreProvisioned(stored: StoredObject): Step[] {
    const vs = stored.object;
    const name = vs.spec.source.volumeSnapshotContentName;
    const contentStored = this.model.get(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, undefined, name);
    const content = contentStored?.object;
    if (!content) return this.failed(stored, 'SnapshotContentMissing', `VolumeSnapshotContent ${name} is missing`);
    const ref = content.spec?.volumeSnapshotRef ?? {};
    if (ref.name !== vs.metadata.name || ref.namespace !== vs.metadata.namespace || (ref.uid && ref.uid !== vs.metadata.uid)) {
      return this.failed(stored, 'SnapshotMisbound', `VolumeSnapshotContent ${name} is bound to another snapshot: its volumeSnapshotRef does not name ${vs.metadata.namespace}/${vs.metadata.name}`);
    }
    if (!content.status?.readyToUse) return this.failed(stored, 'SnapshotContentNotReady', `VolumeSnapshotContent ${name} is not ready to use${content.status?.error?.message ? `: ${content.status.error.message}` : ''}`);
    const writes: StreamAppend[] = [];
    if (!ref.uid || !(content.metadata.finalizers ?? []).includes(SNAPSHOT_CONTENT_FINALIZER)) {
      const bound = {
        ...content,
        metadata: { ...content.metadata, finalizers: [...new Set([...(content.metadata.finalizers ?? []), SNAPSHOT_CONTENT_FINALIZER])] },
        spec: { ...content.spec, volumeSnapshotRef: { ...ref, apiVersion: API_VERSION, kind: 'VolumeSnapshot', uid: vs.metadata.uid } },
      };
      writes.push(write(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, bound, ObjectEventTypes.updated, contentStored!.streamVersion));
    }
    const taken = content.status?.creationTime ? rfc3339(Number(BigInt(content.status.creationTime) / 1_000_000n)) : undefined;
    const next = {
      ...vs,
      metadata: { ...vs.metadata, finalizers: [...new Set([...(vs.metadata.finalizers ?? []), SNAPSHOT_AS_SOURCE_FINALIZER, SNAPSHOT_BOUND_FINALIZER])] },
      status: { boundVolumeSnapshotContentName: name, ...(taken ? { creationTime: taken } : {}), readyToUse: true, ...(content.status?.restoreSize !== undefined ? { restoreSize: memoryQuantity(content.status.restoreSize) } : {}) },
    };
    writes.push(write(VOLUME_SNAPSHOTS_RESOURCE, next, ObjectEventTypes.updated, stored.streamVersion));
    this.reported.delete(vs.metadata.uid);
    return [{ writes }];
  }

  /**
   * A snapshot being deleted: nothing while a Pending claim restores from it (volumesnapshot-as-source-protection);
   * then its bound content goes with its data (deletion policy Delete) or stays, unbound from it (Retain), and the
   * snapshot's finalizers go, and with them the snapshot.
   */
  private deleting(stored: StoredObject): Step[] {
    const vs = stored.object;
    if (this.restoringFrom(vs)) return [];
    const writes: StreamAppend[] = [];
    let before: (() => Promise<void> | void) | undefined;
    const contentName = vs.status?.boundVolumeSnapshotContentName;
    const contentStored = contentName ? this.model.get(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, undefined, contentName) : undefined;
    const content = contentStored?.object;
    if (content && content.spec?.volumeSnapshotRef?.uid === vs.metadata.uid) {
      if (content.spec.deletionPolicy === 'Delete') {
        const handle = content.status?.snapshotHandle ?? content.spec?.source?.snapshotHandle;
        before = () => (handle ? this.store.remove(handle) : undefined);
        writes.push(write(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, content, ObjectEventTypes.deleted, contentStored!.streamVersion));
      } else {
        const released = finalizersRemoved(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, contentStored!, [SNAPSHOT_CONTENT_FINALIZER], ACTOR);
        if (released) writes.push(released);
      }
    }
    const gone = finalizersRemoved(VOLUME_SNAPSHOTS_RESOURCE, stored, [SNAPSHOT_AS_SOURCE_FINALIZER, SNAPSHOT_BOUND_FINALIZER], ACTOR);
    if (gone) writes.push(gone);
    return writes.length ? [{ writes, before }] : [];
  }

  /**
   * A content of its own: a pre-provisioned one (a snapshot handle, no status yet) is ready once its snapshot exists
   * in the store; one deleted while no snapshot holds it goes (its data too, under the Delete policy); one whose
   * snapshot is gone for good is deleted with its data under the Delete policy.
   */
  private reconcileContent(stored: StoredObject): Step[] {
    const content = stored.object;
    const ref = content.spec?.volumeSnapshotRef ?? {};
    const snapshot = ref.name ? this.model.get(VOLUME_SNAPSHOTS_RESOURCE, ref.namespace, ref.name)?.object : undefined;
    const held = !!snapshot && (!ref.uid || snapshot.metadata.uid === ref.uid);
    const handle: string | undefined = content.status?.snapshotHandle ?? content.spec?.source?.snapshotHandle;
    if (content.metadata.deletionTimestamp) {
      if (held) return [];
      const step = finalizersRemoved(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, stored, [SNAPSHOT_CONTENT_FINALIZER], ACTOR);
      return step ? [{ writes: [step], before: () => (content.spec?.deletionPolicy === 'Delete' && handle ? this.store.remove(handle) : undefined) }] : [];
    }
    if (ref.uid && !held && content.spec?.deletionPolicy === 'Delete') {
      return [{ writes: [write(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, content, ObjectEventTypes.deleted, stored.streamVersion)], before: () => (handle ? this.store.remove(handle) : undefined) }];
    }
    if (content.status === undefined && content.spec?.source?.snapshotHandle) {
      const facts = this.store.read(content.spec.source.snapshotHandle);
      const status = facts
        ? { snapshotHandle: content.spec.source.snapshotHandle, creationTime: Number(nanos(facts.takenAt)), readyToUse: true, restoreSize: facts.sizeBytes }
        : { readyToUse: false, error: { message: `snapshot ${content.spec.source.snapshotHandle} does not exist in the datastore`, time: rfc3339() } };
      return [{ writes: [write(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, { ...content, status }, ObjectEventTypes.statusUpdated, stored.streamVersion)] }];
    }
    return [];
  }
}

