import { nanoTime, ObjectEventTypes, powerStateStamp, VIRTUAL_MACHINE_GROUPS_RESOURCE, VMG_APPLY_POWER_STATE_ANNOTATION, VMG_LAST_UPDATED_POWER_STATE_ANNOTATION, rfc3339 } from '@openpacific/contracts';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, feedPassLoop, PassLoop, sameJson, type SharedFollower, StoredObject, timerDelay } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { R, VM_API_VERSION } from '../vms/vm-resources';
import { applying, appliedStamp, bootSchedule, GROUP_FINALIZER, GROUP_LINKED, linkedCondition, Member, memberLink, mergeConditions, placementReady, powerSynced, readyCondition, Step, withCondition } from './group-logic';

const GROUPS = VIRTUAL_MACHINE_GROUPS_RESOURCE;
const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
const resourceOf = (kind: string) => (kind === 'VirtualMachineGroup' ? GROUPS : R.vms);

/** An object as this pass will leave it: written once, with the changes of every step of the pass. */
interface Draft {
  resource: string;
  stored: StoredObject;
  next: any;
}

function ownerRef(group: any) {
  return { apiVersion: VM_API_VERSION, kind: 'VirtualMachineGroup', name: group.metadata.name, uid: group.metadata.uid };
}

/**
 * Owner references to groups the object no longer names dropped (its groupName deleted or changed). A reference to
 * the group it still names stays, even once that group is gone: the garbage collector's to act on.
 */
function dropStaleOwners(obj: any): void {
  const refs: any[] = obj.metadata.ownerReferences ?? [];
  const kept = refs.filter((r) => r.kind !== 'VirtualMachineGroup' || r.name === (obj.spec?.groupName ?? ''));
  if (kept.length === refs.length) return;
  if (kept.length) obj.metadata.ownerReferences = kept;
  else delete obj.metadata.ownerReferences;
}

/** The write that makes the log show the draft: a spec change bumps the generation, a status-only change is a status write. */
function writeOf(d: Draft): StreamAppend | undefined {
  const before = d.stored.object;
  if (sameJson(before, d.next)) return undefined;
  const next = { ...d.next, metadata: { ...d.next.metadata } };
  delete next.metadata.resourceVersion;
  const specChanged = !sameJson(before.spec ?? {}, next.spec ?? {});
  if (specChanged) next.metadata.generation = (before.metadata.generation ?? 1) + 1;
  const statusOnly = !specChanged && sameJson({ ...before.metadata, resourceVersion: undefined }, { ...next.metadata, resourceVersion: undefined });
  const type = next.metadata.deletionTimestamp && !next.metadata.finalizers?.length ? ObjectEventTypes.deleted : statusOnly ? ObjectEventTypes.statusUpdated : ObjectEventTypes.updated;
  return { streamId: d.stored.streamId, events: [{ type, data: { resource: d.resource, object: next }, metadata: ACTOR }], expectedVersion: d.stored.streamVersion };
}

/**
 * VirtualMachineGroups (in the elected vm-operator), as VM Operator's group and VM controllers: a group holds its
 * finalizer, links the members its boot order lists whose `spec.groupName` names it (an owner reference to the
 * group, as VM Operator sets: the garbage collector deletes them with the group unless it is deleted with
 * `--cascade=orphan`), and reports each member in `status.members` (GroupLinked, PowerStateSynced, PlacementReady;
 * a nested group's Ready) and itself in `Ready`. A member's own GroupLinked condition says whether its groupName's
 * group lists it. A new power state (stamped by the webhook) is applied to the linked members: all at once to power
 * off or suspend, and in boot order to power on, each entry when its cumulative `powerOnDelay` has passed since the
 * stamp (its time kept on the member in the apply-power-state-time annotation); once every entry is applied,
 * `status.lastUpdatedPowerStateTime`. A member that does not exist yet is reported (NotFound) and powered when it
 * comes while the group is still applying. One group's writes (its status and its members') go out in one
 * transaction: members powered off together are written together.
 */
export class GroupController {
  private readonly model = controllerReadModel([GROUPS, R.vms]);
  private readonly loop: PassLoop;
  private wake?: { at: number; timer: NodeJS.Timeout };

  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'VM group', logger: deps.logger });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
    clearTimeout(this.wake?.timer);
  }

  private async pass(): Promise<void> {
    const now = Date.now();
    const drafts = new Map<string, Draft>();
    const draft = (resource: string, stored: StoredObject): Draft => {
      const key = `${resource}/${stored.object.metadata.namespace}/${stored.object.metadata.name}`;
      let d = drafts.get(key);
      if (!d) drafts.set(key, (d = { resource, stored, next: structuredClone(stored.object) }));
      return d;
    };
    for (const stored of this.model.list(R.vms)) {
      if (!stored.object.metadata.deletionTimestamp) this.linkVm(draft(R.vms, stored));
    }
    let again = false;
    let nextDue: number | undefined;
    for (const stored of this.model.list(GROUPS)) {
      const own = draft(GROUPS, stored);
      const touched = [own];
      const due = this.reconcile(own, now, (kind, name) => {
        const s = this.model.get(resourceOf(kind), stored.object.metadata.namespace, name);
        if (!s || s.object.metadata.deletionTimestamp) return undefined;
        const d = draft(resourceOf(kind), s);
        touched.push(d);
        return d;
      });
      if (due !== undefined) nextDue = Math.min(nextDue ?? due, due);
      again = (await this.write(touched, stored.object)) || again;
    }
    for (const d of drafts.values()) again = (await this.write([d], d.stored.object)) || again;
    if (again) setTimeout(() => this.loop.schedule(), 200).unref();
    if (nextDue !== undefined) this.wakeAt(nextDue);
  }

  /** Writes the changed drafts (once each: a written draft is marked as the model's). Returns whether to retry. */
  private async write(drafts: Draft[], about: any): Promise<boolean> {
    const writes = drafts.map(writeOf).filter((w): w is StreamAppend => !!w);
    if (!writes.length) return false;
    try {
      await this.deps.store.appendBatch(writes);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) this.deps.logger.warn('VM group write failed', { namespace: about.metadata.namespace, name: about.metadata.name, error: (err as Error).message });
      return true;
    } finally {
      for (const d of drafts) d.stored = { ...d.stored, object: d.next };
    }
    return false;
  }

  /** A pass at the next boot-order entry's due time: delays are kept to the timer, not to the resync. */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at && this.wake.at > Date.now()) return;
    clearTimeout(this.wake?.timer);
    const timer = setTimeout(() => {
      this.wake = undefined;
      this.loop.schedule();
    }, timerDelay(at + 5));
    timer.unref();
    this.wake = { at, timer };
  }

  /** A VM's own GroupLinked condition: whether its groupName's group lists it (none without a groupName). */
  private linkVm(d: Draft): void {
    const vm = d.next;
    const groupName = vm.spec?.groupName ?? '';
    const group = groupName ? this.model.get(GROUPS, vm.metadata.namespace, groupName)?.object : undefined;
    const condition = groupName ? linkedCondition(group, 'VirtualMachine', vm.metadata.name) : undefined;
    const conditions = withCondition(vm.status?.conditions, GROUP_LINKED, condition, rfc3339(Date.now()));
    if (!sameJson(conditions, vm.status?.conditions ?? [])) vm.status = { ...vm.status, conditions };
    dropStaleOwners(vm);
  }

  /** One group: its finalizer, its members and power, its status. Returns when its next boot-order entry is due. */
  private reconcile(own: Draft, now: number, member: (kind: string, name: string) => Draft | undefined): number | undefined {
    const group = own.next;
    const finalizers: string[] = group.metadata.finalizers ?? [];
    if (group.metadata.deletionTimestamp) {
      if (finalizers.includes(GROUP_FINALIZER)) group.metadata.finalizers = finalizers.filter((f) => f !== GROUP_FINALIZER);
      return undefined;
    }
    if (!finalizers.includes(GROUP_FINALIZER)) group.metadata.finalizers = [...finalizers, GROUP_FINALIZER];
    dropStaleOwners(group);
    const at = rfc3339(now);
    const parent = group.spec?.groupName ? this.model.get(GROUPS, group.metadata.namespace, group.spec.groupName)?.object : undefined;
    const linked = group.spec?.groupName ? linkedCondition(parent, 'VirtualMachineGroup', group.metadata.name) : undefined;
    let conditions = withCondition(group.status?.conditions, GROUP_LINKED, linked, at);
    if (linked?.status === 'False') {
      conditions = withCondition(conditions, 'Ready', readyCondition(group.status?.members ?? [], 'failed to reconcile group name: group is not linked to its parent group'), at);
      group.status = { ...group.status, conditions };
      return undefined;
    }
    const schedule = bootSchedule(group);
    if ('error' in schedule) {
      conditions = withCondition(conditions, 'Ready', readyCondition(group.status?.members ?? [], `failed to reconcile group members: ${schedule.error}`), at);
      group.status = { ...group.status, conditions };
      return undefined;
    }
    const isApplying = applying(group);
    let complete = isApplying;
    let nextDue: number | undefined;
    const members: any[] = [];
    for (const step of schedule) {
      const isDue = step.at <= now;
      if (isApplying && !isDue) {
        complete = false;
        nextDue = Math.min(nextDue ?? step.at, step.at);
      }
      for (const m of step.members) {
        const d = member(m.kind, m.name);
        const status = this.memberStatus(group, m, d, isApplying && isDue ? step : undefined, isApplying, at);
        if (status.conditions.find((c: any) => c.type === GROUP_LINKED)?.status !== 'True') complete = false;
        members.push(status);
      }
    }
    conditions = withCondition(conditions, 'Ready', readyCondition(members), at);
    group.status = { ...group.status, members, conditions };
    if (!members.length) delete group.status.members;
    if (complete) group.status.lastUpdatedPowerStateTime = rfc3339(appliedStamp(group));
    return nextDue;
  }

  /** One listed member: linked (owner reference), powered when its boot-order entry is due, and its status. */
  private memberStatus(group: any, m: Member, d: Draft | undefined, due: Step | undefined, isApplying: boolean, at: string): any {
    const previous = (group.status?.members ?? []).find((s: any) => s.kind === m.kind && s.name === m.name);
    const link = memberLink(m, d?.next, group.metadata.name);
    const status: any = { name: m.name, kind: m.kind };
    if (link.status !== 'True' || !d) return { ...status, conditions: mergeConditions(previous?.conditions, [link], at) };
    const obj = d.next;
    const refs: any[] = obj.metadata.ownerReferences ?? [];
    if (!refs.some((r) => r.uid === group.metadata.uid)) obj.metadata.ownerReferences = [...refs, ownerRef(group)];
    if (due) this.applyPower(group, obj, m.kind, due);
    const conditions = [link];
    if (m.kind === 'VirtualMachine') {
      status.uid = obj.metadata.uid;
      if (obj.status?.powerState) status.powerState = obj.status.powerState;
      const synced = powerSynced(group, obj, isApplying);
      if (synced) conditions.push(synced);
      conditions.push(placementReady(obj, group.metadata.name, true));
    } else {
      const ready = (obj.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      if (ready) conditions.push({ type: 'Ready', status: ready.status, reason: ready.reason, message: ready.message ?? '' });
    }
    return { ...status, conditions: mergeConditions(previous?.conditions, conditions, at) };
  }

  /**
   * The group's power state and modes on a member whose entry is due; powering on also records when (the
   * apply-power-state-time). A nested group gets the stamp its webhook would give a new power state, so it applies
   * it to its own members from that time.
   */
  private applyPower(group: any, obj: any, kind: string, step: Step): void {
    const want = group.spec.powerState;
    const changed = obj.spec?.powerState !== want;
    obj.spec = { ...obj.spec, powerState: want };
    if (group.spec.powerOffMode) obj.spec.powerOffMode = group.spec.powerOffMode;
    if (group.spec.suspendMode) obj.spec.suspendMode = group.spec.suspendMode;
    const annotations = { ...(obj.metadata.annotations ?? {}) };
    if (want === 'PoweredOn') annotations[VMG_APPLY_POWER_STATE_ANNOTATION] = nanoTime(step.at);
    if (kind === 'VirtualMachineGroup' && changed) annotations[VMG_LAST_UPDATED_POWER_STATE_ANNOTATION] = powerStateStamp(annotations[VMG_LAST_UPDATED_POWER_STATE_ANNOTATION]);
    if (Object.keys(annotations).length) obj.metadata.annotations = annotations;
  }
}
