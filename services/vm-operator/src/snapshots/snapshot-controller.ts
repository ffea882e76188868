import { ObjectEventTypes, VIRTUAL_MACHINE_SNAPSHOTS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, objectEvent, feedPassLoop, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { R, VM_API_VERSION } from '../vms/vm-resources';
import { REVERT_CONDITION, revertedVm, revertProblem } from './snapshot-revert';
import { addSnapshot, changedChildren, contains, managed, removeSnapshot, SnapshotTree, treeOf } from './snapshot-tree';
import { recordOf, SNAPSHOT_FINALIZER, SNAPSHOT_RECORD_ANNOTATION, SnapshotFacts, snapshotConditions, takenStatus } from './snapshot.status';

const SNAPSHOTS = VIRTUAL_MACHINE_SNAPSHOTS_RESOURCE;
const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
const COMPONENT = 'vmware-system-vmop';

function write(resource: string, stored: StoredObject, object: any, type: string): StreamAppend {
  const next = { ...object, metadata: { ...object.metadata } };
  delete next.metadata.resourceVersion;
  return { streamId: stored.streamId, events: [{ type, data: { resource, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

const revertCondition = (vm: any) => (vm.status?.conditions ?? []).find((c: any) => c.type === REVERT_CONDITION);

function note(obj: any, kind: string, type: 'Normal' | 'Warning', reason: string, message: string): StreamAppend {
  const { name, namespace, uid } = obj.metadata;
  return objectEvent({ apiVersion: VM_API_VERSION, kind, name, namespace, uid }, { type, reason, message, component: COMPONENT, actor: ACTOR });
}

/**
 * VirtualMachineSnapshots (in the elected vm-operator), as VM Operator's snapshot and VM controllers: a new snapshot
 * is held by a finalizer, owned by its VM (the garbage collector deletes it with the VM), records the VM's spec,
 * hardware and power state, and joins the VM's snapshot tree under its current snapshot; it is Ready at once (no CSI
 * volume snapshots to wait for). A VM whose `spec.currentSnapshotName` names one of its Ready snapshots is reverted
 * to it, with a `Reverted` Event; a revert that cannot happen is the VM's VirtualMachineSnapshotRevertSucceeded
 * condition and a Warning. A deleted snapshot leaves the tree (its children move up) before its finalizer goes.
 * The writes that change one VM's tree go out in one transaction, one per VM and pass.
 */
export class SnapshotController {
  private readonly model = controllerReadModel([SNAPSHOTS, R.vms]);
  private readonly loop: PassLoop;

  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'VM snapshot', logger: deps.logger });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    // One change of a VM's tree per pass: the next change builds on what the model shows of this one.
    const touched = new Set<string>();
    let again = false;
    const run = async (what: string, obj: any, vmName: string, work: () => Promise<boolean>) => {
      const vmKey = `${obj.metadata.namespace}/${vmName}`;
      if (touched.has(vmKey)) {
        again = true;
        return;
      }
      try {
        if (await work()) touched.add(vmKey);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn(`VM snapshot ${what} failed`, { namespace: obj.metadata.namespace, name: obj.metadata.name, error: (err as Error).message });
        again = true;
      }
    };
    for (const stored of this.model.list(R.vms)) {
      const vm = stored.object;
      if (vm.metadata.deletionTimestamp) continue;
      if (vm.spec?.currentSnapshotName) await run('revert', vm, vm.metadata.name, () => this.revert(stored));
      else if (revertCondition(vm)) await run('revert', vm, vm.metadata.name, () => this.abandonRevert(stored));
    }
    for (const stored of this.model.list(SNAPSHOTS)) await run('reconcile', stored.object, stored.object.spec?.vmName ?? '', () => this.reconcile(stored));
    if (again) setTimeout(() => this.loop.schedule(), 200).unref();
  }

  private vmOf(snap: any): StoredObject | undefined {
    const vm = snap.spec?.vmName ? this.model.get(R.vms, snap.metadata.namespace, snap.spec.vmName) : undefined;
    return vm && !vm.object.metadata.deletionTimestamp ? vm : undefined;
  }

  private treeOf(vm: any): SnapshotTree {
    const mine = this.model.list(SNAPSHOTS, vm.metadata.namespace).filter((s) => s.object.spec?.vmName === vm.metadata.name);
    return treeOf(vm, mine.map((s) => s.object));
  }

  /** The writes that make the objects show `after` instead of `before` (skipping `except`, which is being written anyway). */
  private treeWrites(vmStored: StoredObject, before: SnapshotTree, after: SnapshotTree, except: string): StreamAppend[] {
    const vm = vmStored.object;
    const writes: StreamAppend[] = [];
    for (const [name, kids] of changedChildren(before, after)) {
      const at = name === except ? undefined : this.model.get(SNAPSHOTS, vm.metadata.namespace, name);
      if (!at) continue;
      const status = { ...at.object.status, children: kids.map(managed) };
      if (!kids.length) delete status.children;
      writes.push(write(SNAPSHOTS, at, { ...at.object, status }, ObjectEventTypes.statusUpdated));
    }
    const status = { ...vm.status, rootSnapshots: after.roots.map(managed), ...(after.current ? { currentSnapshot: managed(after.current) } : {}) };
    if (!after.current) delete status.currentSnapshot;
    if (!after.roots.length) delete status.rootSnapshots;
    if (!sameJson(status, vm.status ?? {})) writes.push(write(R.vms, vmStored, { ...vm, status }, ObjectEventTypes.statusUpdated));
    return writes;
  }

  /** Returns whether it wrote to the VM's tree. */
  private async reconcile(stored: StoredObject): Promise<boolean> {
    const snap = stored.object;
    const finalizers: string[] = snap.metadata.finalizers ?? [];
    if (snap.metadata.deletionTimestamp) return finalizers.includes(SNAPSHOT_FINALIZER) && this.remove(stored);
    const done = (snap.status?.conditions ?? []).some((c: any) => c.type === 'VirtualMachineSnapshotCreated' && c.status === 'True');
    if (done) return false;
    const vmStored = this.vmOf(snap);
    const vm = vmStored?.object;
    const facts: SnapshotFacts = !vm ? { vm: 'missing', namespace: snap.metadata.namespace, vmName: snap.spec?.vmName ?? '' } : vm.status?.uniqueID ? { vm: 'ok' } : { vm: 'notCreated' };
    const next = structuredClone(snap);
    next.metadata.finalizers = finalizers.includes(SNAPSHOT_FINALIZER) ? finalizers : [...finalizers, SNAPSHOT_FINALIZER];
    const writes: StreamAppend[] = [];
    if (facts.vm === 'ok') {
      const record = recordOf(vm);
      next.metadata.annotations = { ...(snap.metadata.annotations ?? {}), [SNAPSHOT_RECORD_ANNOTATION]: JSON.stringify(record) };
      const owner = { apiVersion: vm.apiVersion ?? VM_API_VERSION, kind: 'VirtualMachine', name: vm.metadata.name, uid: vm.metadata.uid };
      next.metadata.ownerReferences = [...(snap.metadata.ownerReferences ?? []).filter((o: any) => o.uid !== vm.metadata.uid), owner];
      next.status = { ...snap.status, ...takenStatus(snap, vm, record) };
      const before = this.treeOf(vm);
      const added = contains(before, snap.metadata.name) ? { tree: before } : addSnapshot(before, snap.metadata.name);
      writes.push(...this.treeWrites(vmStored!, before, added.tree, snap.metadata.name));
    }
    next.status = { ...next.status, conditions: snapshotConditions(facts, snap.status?.conditions, rfc3339()) };
    if (sameJson(next, snap)) return false;
    const failed = next.status.conditions.find((c: any) => c.type === 'VirtualMachineSnapshotCreated' && c.reason === 'VirtualMachineSnapshotCreationFailed');
    const was = (snap.status?.conditions ?? []).find((c: any) => c.type === 'VirtualMachineSnapshotCreated');
    if (failed && was?.message !== failed.message) writes.push(note(snap, 'VirtualMachineSnapshot', 'Warning', failed.reason, failed.message));
    await this.deps.store.appendBatch([write(SNAPSHOTS, stored, next, ObjectEventTypes.updated), ...writes]);
    return facts.vm === 'ok';
  }

  /** A deleted snapshot leaves its VM's tree, then its finalizer goes; with its VM gone, there is no tree to leave. */
  private async remove(stored: StoredObject): Promise<boolean> {
    const snap = stored.object;
    const vmStored = this.vmOf(snap);
    const writes: StreamAppend[] = [];
    if (vmStored) {
      const before = this.treeOf(vmStored.object);
      if (contains(before, snap.metadata.name)) writes.push(...this.treeWrites(vmStored, before, removeSnapshot(before, snap.metadata.name), snap.metadata.name));
    }
    const finalizers = (snap.metadata.finalizers ?? []).filter((f: string) => f !== SNAPSHOT_FINALIZER);
    const next = { ...snap, metadata: { ...snap.metadata, finalizers } };
    await this.deps.store.appendBatch([write(SNAPSHOTS, stored, next, finalizers.length ? ObjectEventTypes.updated : ObjectEventTypes.deleted), ...writes]);
    return writes.length > 0;
  }

  /** The request was withdrawn: a failed revert's condition goes with it. */
  private async abandonRevert(stored: StoredObject): Promise<boolean> {
    const vm = stored.object;
    const conditions = vm.status.conditions.filter((c: any) => c.type !== REVERT_CONDITION);
    await this.deps.store.appendBatch([write(R.vms, stored, { ...vm, status: { ...vm.status, conditions } }, ObjectEventTypes.statusUpdated)]);
    return false;
  }

  /** `spec.currentSnapshotName`: revert to that snapshot, or say on the VM why not. */
  private async revert(stored: StoredObject): Promise<boolean> {
    const vm = stored.object;
    const name = vm.spec.currentSnapshotName;
    const snap = this.model.get(SNAPSHOTS, vm.metadata.namespace, name)?.object;
    const problem = revertProblem(vm, snap);
    if (problem) {
      const was = revertCondition(vm);
      if (was?.status === 'False' && was.reason === problem.reason && was.message === problem.message) return false;
      const condition = { type: REVERT_CONDITION, status: 'False', reason: problem.reason, message: problem.message, lastTransitionTime: was?.status === 'False' ? was.lastTransitionTime : rfc3339() };
      const conditions = [...(vm.status?.conditions ?? []).filter((c: any) => c.type !== REVERT_CONDITION), condition].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
      await this.deps.store.appendBatch([write(R.vms, stored, { ...vm, status: { ...vm.status, conditions } }, ObjectEventTypes.statusUpdated), note(vm, 'VirtualMachine', 'Warning', problem.reason, problem.message)]);
      return false;
    }
    const next = revertedVm(vm, snap);
    await this.deps.store.appendBatch([write(R.vms, stored, next, ObjectEventTypes.updated), note(vm, 'VirtualMachine', 'Normal', 'Reverted', `Reverted to snapshot "${name}"`)]);
    return true;
  }
}
