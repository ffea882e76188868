import type { Logger } from '@openpacific/service-kit';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultStorageClass, ObjectEventTypes, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, PVCS_RESOURCE, PVS_RESOURCE, SNAPSHOT_GROUP, STORAGE_CLASSES_RESOURCE,
  VIRTUAL_MACHINES_RESOURCE, VOLUME_SNAPSHOT_CONTENTS_RESOURCE, VOLUME_SNAPSHOTS_RESOURCE,
} from '@openpacific/contracts';
import { StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, type FollowerDeps, PassLoop, type SharedFollower, StoredObject } from '@openpacific/objects';
import { EphemeralClaims } from './ephemeral-volumes';
import { SnapshotStore } from './snapshot-store';
import {
  boundClaim, boundVolume, finalizersRemoved, grownClaim, grownVolume, lostClaim, objectWrite, provisionedVolume, storageEvent, volumeInPhase,
} from './storage-records';
import {
  claimHasConsumer, claimIsGone, claimRequestBytes, claimUsers, datastoreHeldBytes, effectiveClassName, fitsDatastore, planClaim, reclaimAction, storageBytes, volumeCapacityBytes, volumeInUse, wantsExpansion,
} from './volume-binding';

export { defaultStorageClass };

export interface VolumeBinderOptions {
  /** DATASTORE_DIR: the datastore, where every provisioned volume is a directory `<datastoreDir>/<pv name>`. */
  datastoreDir: string;
  /** The datastore's size in bytes; claims that do not fit wait. Unset: unlimited. */
  datastoreCapacityBytes?: number;
  resyncMs?: number;
}

/** A claim not bound yet (nor being deleted). */
function isPending(claim: any): boolean {
  return !claim.metadata.deletionTimestamp && (claim.status?.phase ?? 'Pending') === 'Pending';
}

/** A claim being deleted that its in-use protection still holds. */
function isProtectedGoing(claim: any): boolean {
  return !!claim.metadata.deletionTimestamp && (claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER);
}

export const INSUFFICIENT_CAPACITY = 'insufficient capacity in the datastore';

/** One atomic write of a decision, with what must happen on disk before it and what to remember after it. */
interface Step {
  writes: StreamAppend[];
  /** Done before the writes; a volume's data copied from a snapshot or a claim is awaited, not blocking the scheduler. */
  before?: () => Promise<void> | void;
  after?: () => void;
}

/** What a new volume starts with: nothing, or a snapshot's or another volume's data (its `fill`), or why it must wait. */
type Filling = { fill?: (path: string) => Promise<void>; wait?: string };

/** What one pass knows: the classes, the volumes, the datastore's use so far and the volumes already spoken for. */
interface PassState {
  classes: any[];
  volumes: Map<string, StoredObject>;
  usedBytes: number;
  taken: Set<string>;
}

/**
 * The PersistentVolume controller of OpenPacific: binds Pending claims to fitting Available volumes,
 * provisions volumes for claims of `openpacific.io/datastore` classes as directories of the datastore
 * (within its capacity), grows them when a claim asks for more and its class allows it, and reclaims
 * volumes whose claim was deleted (Delete: volume and directory go; Retain: Released, data kept).
 * Level-triggered passes over the whole state; every write is at the streams' versions.
 */
export class VolumeBinder {
  private readonly model = controllerReadModel([PVCS_RESOURCE, PVS_RESOURCE, STORAGE_CLASSES_RESOURCE, 'pods', VIRTUAL_MACHINES_RESOURCE, VOLUME_SNAPSHOTS_RESOURCE, VOLUME_SNAPSHOT_CONTENTS_RESOURCE]);
  private readonly snapshots: SnapshotStore;
  private readonly loop: PassLoop;
  /** The last verdict reported per claim, so a claim that keeps waiting gets one event, not one per pass. */
  private readonly reported = new Map<string, string>();
  /** Claims of pods' generic ephemeral volumes, made before the pass binds them. */
  private readonly ephemeral: EphemeralClaims;

  constructor(
    private readonly deps: FollowerDeps<Logger> & { log: SharedFollower },
    private readonly opts: VolumeBinderOptions,
  ) {
    this.snapshots = new SnapshotStore(opts.datastoreDir);
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: opts.resyncMs ?? 5000,
      onError: (err) => deps.logger.warn('volume binding pass failed; retrying', { error: (err as Error).message }),
    });
    this.ephemeral = new EphemeralClaims(deps, this.model, () => this.loop.schedule());
    deps.log.add(this.model.follows, (events) => {
      let relevant = false;
      let podChanged = false;
      for (const e of events) {
        const change = this.model.apply(e);
        if (change?.resource === 'pods' && this.ephemeral.observe(change.object, change.type === 'DELETED')) relevant = true;
        if (change?.resource === 'pods' || change?.resource === VIRTUAL_MACHINES_RESOURCE) podChanged = true;
        else if (change) relevant = true;
      }
      // Pods and VMs matter only to claims waiting for their first consumer or for their last user to go: a burst of
      // pods wakes no pass over the volumes.
      if (relevant || (podChanged && this.claimsWaiting())) this.loop.schedule();
    });
  }

  /** Passes from now on; `deps.log` has replayed the log into the read model. */
  start(): void {
    mkdirSync(this.opts.datastoreDir, { recursive: true });
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private claimsWaiting(): boolean {
    return this.model.list(PVCS_RESOURCE).some((s) => isPending(s.object) || isProtectedGoing(s.object));
  }

  private async pass(): Promise<void> {
    await this.ephemeral.makeClaims();
    const volumes = new Map(this.model.list(PVS_RESOURCE).map((s) => [s.object.metadata.name as string, s]));
    const state: PassState = {
      classes: this.model.list(STORAGE_CLASSES_RESOURCE).map((s) => s.object),
      volumes,
      // Snapshots of the datastore take room on it too.
      usedBytes: datastoreHeldBytes([...volumes.values()].map((s) => s.object), this.model.list(VOLUME_SNAPSHOT_CONTENTS_RESOURCE).map((s) => s.object), this.opts.datastoreDir),
      taken: new Set(),
    };
    this.forgetGoneClaims();
    const steps = [...this.protections(state), ...this.reclaims(state), ...this.newVolumesAvailable(state), ...this.lostClaims(state), ...this.bindings(state), ...this.expansions(state)];
    for (const step of steps) await this.write(step);
  }

  /**
   * Storage object in-use protection (kube-controller-manager's pvc-protection and pv-protection controllers): a claim
   * being deleted loses `kubernetes.io/pvc-protection`, and goes, once no pod or VM uses it; a volume being deleted
   * loses `kubernetes.io/pv-protection` once no claim is bound to it.
   */
  private protections(state: PassState): Step[] {
    const steps: Step[] = [];
    const claims = this.model.list(PVCS_RESOURCE).filter((s) => isProtectedGoing(s.object));
    if (claims.length) {
      const pods = this.model.list('pods').map((s) => s.object);
      const vms = this.model.list(VIRTUAL_MACHINES_RESOURCE).map((s) => s.object);
      for (const stored of claims) {
        const write = claimUsers(stored.object, pods, vms).length ? undefined : finalizersRemoved(PVCS_RESOURCE, stored, [PVC_PROTECTION_FINALIZER]);
        if (write) steps.push({ writes: [write] });
      }
    }
    for (const stored of state.volumes.values()) {
      if (!stored.object.metadata.deletionTimestamp || volumeInUse(stored.object)) continue;
      const write = finalizersRemoved(PVS_RESOURCE, stored, [PV_PROTECTION_FINALIZER]);
      if (write) steps.push({ writes: [write] });
    }
    return steps;
  }

  /** Volumes whose claim was deleted: released or deleted by their reclaim policy. */
  private reclaims(state: PassState): Step[] {
    const steps: Step[] = [];
    for (const stored of state.volumes.values()) {
      const pv = stored.object;
      const ref = pv.spec?.claimRef;
      if (!claimIsGone(pv, ref && this.model.get(PVCS_RESOURCE, ref.namespace, ref.name)?.object)) continue;
      state.taken.add(pv.metadata.name);
      const action = reclaimAction(pv, this.opts.datastoreDir);
      if (action === 'release') {
        steps.push({ writes: [objectWrite(PVS_RESOURCE, volumeInPhase(pv, 'Released'), ObjectEventTypes.statusUpdated, stored.streamVersion)] });
      } else if (action === 'delete') {
        const gone = structuredClone(pv);
        delete gone.metadata.resourceVersion;
        const path = pv.spec.hostPath.path;
        // The directory goes first: a crash after it leaves a volume to delete again, never a directory nobody owns.
        steps.push({
          writes: [objectWrite(PVS_RESOURCE, gone, ObjectEventTypes.deleted, stored.streamVersion)],
          before: () => rmSync(path, { recursive: true, force: true }),
          after: () => this.deps.logger.info('deleted a volume whose claim was deleted', { volume: pv.metadata.name, path }),
        });
      } else {
        const message = `no deleter for volume "${pv.metadata.name}": only volumes of the datastore are deleted; reclaim it by hand`;
        steps.push({
          writes: [
            objectWrite(PVS_RESOURCE, volumeInPhase(pv, 'Failed', message), ObjectEventTypes.statusUpdated, stored.streamVersion),
            storageEvent(pv, 'Warning', 'VolumeFailedDelete', message),
          ],
        });
      }
    }
    return steps;
  }

  /** Volumes created through the API start Pending; once seen here they are Available. */
  private newVolumesAvailable(state: PassState): Step[] {
    const steps: Step[] = [];
    for (const stored of state.volumes.values()) {
      const pv = stored.object;
      const phase = pv.status?.phase;
      if (pv.metadata.deletionTimestamp || (phase !== undefined && phase !== 'Pending')) continue;
      state.taken.add(pv.metadata.name); // binding waits for the next pass: this write moves the volume's version
      steps.push({ writes: [objectWrite(PVS_RESOURCE, volumeInPhase(pv, 'Available'), ObjectEventTypes.statusUpdated, stored.streamVersion)] });
    }
    return steps;
  }

  /** Bound claims whose volume was deleted from under them. */
  private lostClaims(state: PassState): Step[] {
    const steps: Step[] = [];
    for (const stored of this.model.list(PVCS_RESOURCE)) {
      const claim = stored.object;
      if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName || state.volumes.has(claim.spec.volumeName)) continue;
      steps.push({
        writes: [
          objectWrite(PVCS_RESOURCE, lostClaim(claim), ObjectEventTypes.statusUpdated, stored.streamVersion),
          storageEvent(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!'),
        ],
      });
    }
    return steps;
  }

  private bindings(state: PassState): Step[] {
    const steps: Step[] = [];
    const pending = this.model
      .list(PVCS_RESOURCE)
      .filter((s) => isPending(s.object))
      .sort((a, b) => (a.object.metadata.creationTimestamp ?? '').localeCompare(b.object.metadata.creationTimestamp ?? ''));
    // Read only when a claim waits: at 10,000 pods, a list of every pod per pass is not free.
    const pods = pending.length > 0 ? this.model.list('pods').map((s) => s.object) : [];
    for (const stored of pending) {
      const claim = stored.object;
      const className = effectiveClassName(claim, state.classes);
      // A claim with a data source gets a new volume filled from it, never an existing one.
      const sourced = !claim.spec?.volumeName && !!(claim.spec?.dataSourceRef ?? claim.spec?.dataSource);
      const free = sourced ? [] : [...state.volumes.values()].map((s) => s.object).filter((pv) => !state.taken.has(pv.metadata.name));
      const plan = planClaim(claim, className, state.classes, free, claimHasConsumer(claim, pods));
      if (plan.action === 'bind') {
        state.taken.add(plan.volume.metadata.name);
        steps.push(this.bind(stored, state.volumes.get(plan.volume.metadata.name)!, className));
      } else if (plan.action === 'provision') {
        const filling = sourced ? this.filling(claim, className, state) : {};
        if (filling.wait) steps.push(...this.verdict(claim, claim.metadata.uid, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${filling.wait}`));
        else steps.push(...this.provision(stored, plan.storageClass, state, filling.fill));
      } else {
        steps.push(...this.verdict(claim, claim.metadata.uid, plan.type, plan.reason, plan.message));
      }
    }
    return steps;
  }

  private bind(claim: StoredObject, volume: StoredObject, className: string): Step {
    const pv = boundVolume(volume.object, claim.object);
    return {
      writes: [
        objectWrite(PVS_RESOURCE, pv, ObjectEventTypes.updated, volume.streamVersion),
        objectWrite(PVCS_RESOURCE, boundClaim(claim.object, pv, className), ObjectEventTypes.updated, claim.streamVersion),
      ],
      after: () => this.reported.delete(claim.object.metadata.uid),
    };
  }

  /**
   * Where a claim's new volume takes its data from, as the CSI external-provisioner does: a VolumeSnapshot of the
   * claim's namespace that is ready (its content's snapshot copied in), or a bound claim of the namespace and the same
   * class (its volume cloned); the claim may not ask for less than the source holds. Otherwise why it waits, in the
   * provisioner's words.
   */
  private filling(claim: any, className: string, state: PassState): Filling {
    const ref = claim.spec.dataSourceRef ?? claim.spec.dataSource;
    const namespace = claim.metadata.namespace;
    const requested = claimRequestBytes(claim);
    const handleError = (why: string) => ({ wait: `error getting handle for DataSource Type ${ref.kind} by Name ${ref.name}: ${why}` });
    if (ref.apiGroup === SNAPSHOT_GROUP && ref.kind === 'VolumeSnapshot') {
      const snapshot = this.model.get(VOLUME_SNAPSHOTS_RESOURCE, namespace, ref.name)?.object;
      if (!snapshot) return handleError(`error getting snapshot ${ref.name} from api server: volumesnapshots.snapshot.storage.k8s.io "${ref.name}" not found`);
      const content = snapshot.status?.boundVolumeSnapshotContentName ? this.model.get(VOLUME_SNAPSHOT_CONTENTS_RESOURCE, undefined, snapshot.status.boundVolumeSnapshotContentName)?.object : undefined;
      const handle: string | undefined = content?.status?.snapshotHandle;
      if (!snapshot.status?.readyToUse || snapshot.metadata.deletionTimestamp || !handle || !this.snapshots.read(handle)) return handleError(`snapshot ${ref.name} is not Ready`);
      const size = this.snapshots.read(handle)!.sizeBytes;
      if (requested < size) return handleError(`requested volume size ${requested} is less than the size ${size} for the source snapshot ${ref.name}`);
      return { fill: (path) => this.snapshots.restore(handle, path) };
    }
    if (!ref.apiGroup && ref.kind === 'PersistentVolumeClaim') {
      const source = this.model.get(PVCS_RESOURCE, namespace, ref.name)?.object;
      if (!source) return handleError(`error getting PVC ${ref.name} (namespace "${namespace}"): persistentvolumeclaims "${ref.name}" not found`);
      const volume = source.status?.phase === 'Bound' ? state.volumes.get(source.spec?.volumeName)?.object : undefined;
      const path: string | undefined = volume?.spec?.hostPath?.path;
      if (!volume || !path || source.metadata.deletionTimestamp) return handleError('claim in dataSource not bound or invalid');
      const sourceClass = effectiveClassName(source, state.classes);
      if (sourceClass !== className) return handleError(`the source PVC and destination PVCs must be in the same storage class for cloning.  Source is in ${sourceClass}, but new PVC is in ${className}`);
      const size = storageBytes(source.status?.capacity?.storage ?? volume.spec?.capacity?.storage);
      if (requested < size) return handleError(`error, new PVC request must be greater than or equal in size to the specified PVC data source, requested ${requested} but source is ${size}`);
      return { fill: (target) => this.snapshots.clone(path, target) };
    }
    const kind = ref.apiGroup ? `${ref.kind}.${ref.apiGroup}` : ref.kind;
    return { wait: `data source ${kind} "${ref.name}" is not one this cluster provisions from: only PersistentVolumeClaim and VolumeSnapshot (${SNAPSHOT_GROUP})` };
  }

  /** A directory of the datastore as the claim's volume: `pvc-<claim uid>`, the claim's size, when it fits; `fill` gives it its data. */
  private provision(claim: StoredObject, storageClass: any, state: PassState, fill?: (path: string) => Promise<void>): Step[] {
    const bytes = claimRequestBytes(claim.object);
    if (!fitsDatastore(state.usedBytes, bytes, this.opts.datastoreCapacityBytes)) {
      return this.verdict(claim.object, claim.object.metadata.uid, 'Warning', 'ProvisioningFailed', INSUFFICIENT_CAPACITY);
    }
    state.usedBytes += bytes;
    const name = `pvc-${claim.object.metadata.uid}`;
    const path = join(this.opts.datastoreDir, name);
    const pv = provisionedVolume(claim.object, storageClass, name, path);
    const step: Step = {
      writes: [
        objectWrite(PVS_RESOURCE, pv, ObjectEventTypes.created, this.model.streamVersion(PVS_RESOURCE, undefined, name)),
        objectWrite(PVCS_RESOURCE, boundClaim(claim.object, pv, storageClass.metadata.name), ObjectEventTypes.updated, claim.streamVersion),
        storageEvent(claim.object, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name} using ${storageClass.provisioner}`),
      ],
      before: async () => {
        mkdirSync(path, { recursive: true });
        await fill?.(path);
      },
      after: () => {
        this.reported.delete(claim.object.metadata.uid);
        this.deps.logger.info('provisioned a volume', { claim: `${claim.object.metadata.namespace}/${claim.object.metadata.name}`, volume: name, bytes });
      },
    };
    return [step];
  }

  /** Bound claims asking for more than their volume holds, of classes that allow expansion: the volume grows. */
  private expansions(state: PassState): Step[] {
    const steps: Step[] = [];
    for (const stored of this.model.list(PVCS_RESOURCE)) {
      const claim = stored.object;
      const volume = claim.status?.phase === 'Bound' ? state.volumes.get(claim.spec?.volumeName) : undefined;
      if (!volume || state.taken.has(volume.object.metadata.name) || !wantsExpansion(claim, volume.object, state.classes, this.opts.datastoreDir)) continue;
      const more = claimRequestBytes(claim) - volumeCapacityBytes(volume.object);
      if (!fitsDatastore(state.usedBytes, more, this.opts.datastoreCapacityBytes)) {
        steps.push(...this.verdict(claim, `resize/${claim.metadata.uid}`, 'Warning', 'VolumeResizeFailed', INSUFFICIENT_CAPACITY));
        continue;
      }
      state.usedBytes += more;
      const storage = claim.spec.resources.requests.storage;
      steps.push({
        writes: [
          objectWrite(PVS_RESOURCE, grownVolume(volume.object, storage), ObjectEventTypes.updated, volume.streamVersion),
          objectWrite(PVCS_RESOURCE, grownClaim(claim, storage), ObjectEventTypes.statusUpdated, stored.streamVersion),
          storageEvent(claim, 'Normal', 'VolumeResizeSuccessful', `volume ${volume.object.metadata.name} grew to ${storage}`),
        ],
        after: () => this.reported.delete(`resize/${claim.metadata.uid}`),
      });
    }
    return steps;
  }

  /** An Event saying why a claim waits, only when the reason changed since the last one. */
  private verdict(obj: any, key: string, type: 'Normal' | 'Warning', reason: string, message: string): Step[] {
    const said = `${reason}: ${message}`;
    if (this.reported.get(key) === said) return [];
    return [{ writes: [storageEvent(obj, type, reason, message)], after: () => this.reported.set(key, said) }];
  }

  private forgetGoneClaims(): void {
    const uids = new Set(this.model.list(PVCS_RESOURCE).map((s) => s.object.metadata.uid));
    for (const key of this.reported.keys()) if (!uids.has(key.replace(/^resize\//, ''))) this.reported.delete(key);
  }

  /** Each decision commits on its own: a conflict (someone changed a claim or volume meanwhile) only asks for another pass. */
  private async write(step: Step): Promise<void> {
    await step.before?.();
    try {
      await this.deps.store.appendBatch(step.writes);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      this.loop.schedule();
      return;
    }
    step.after?.();
  }
}
