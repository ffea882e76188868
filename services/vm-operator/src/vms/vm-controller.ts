import { ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { milliValue, parseQuantity } from '@openpacific/kube-api';
import { EventStore, RecordedEvent, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { byConditionType, controllerReadModel, decryptedEvent, objectEvent, PassLoop, sameJson, SecretKey, type SharedFollower, StoredObject, VM_PLACEMENT_ANNOTATION, VmPlacement } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { addressesOf, ensurePool, freeAddress, VM_IP_ANNOTATION } from './address-pools';
import { Condition, Lookup, resolveBootstrap, resolveClass, resolveImage, ResolvedVm, resolveStorage } from './vm-resolve';
import { R, VM_FINALIZER } from './vm-resources';

/** VMs written per transaction, and transactions in flight (the service's pool has ten connections). */
const WRITE_BATCH = 25;
const WRITE_CONCURRENCY = 4;
const RESYNC_MS = 5000;
const RETRY_MS = 200;

/**
 * What a VM refers to (or its address pool lives on): a change to one of these may change any VM. Anything
 * else in the log (core Events, pods, hosts...) changes no VM: during a burst, the hosts' Events with each
 * VM's status would otherwise make every pass reconcile every VM.
 */
const REFERRED = new Set<string>([R.classes, R.images, R.clusterImages, R.policies, R.secrets, R.configMaps, R.storageClasses, R.claims, R.volumes, R.namespaces]);

/**
 * Whose VMs a change to something they may refer to concerns: a namespaced object's (a class, image, Secret,
 * ConfigMap, claim, set policy) only its own namespace's, since a VM refers to those in its namespace; a
 * cluster-scoped one's (a cluster image, StorageClass, PersistentVolume), every VM: undefined. So is a Namespace's:
 * the address pools are shared out across namespaces, and one freed may be what another's VMs wait for. A Secret
 * written anywhere had every VM of the cluster reconciled.
 */
export function referrersNamespace(resource: string, object: any): string | undefined {
  if (resource === R.namespaces) return undefined;
  return object?.metadata?.namespace || undefined;
}

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
/** The conditions this controller owns; the scheduler owns placement, the host the rest. */
const OWN = ['VirtualMachineClassReady', 'VirtualMachineImageReady', 'VirtualMachineStorageReady', 'VirtualMachineBootstrapReady'];

/**
 * Reconciles every VirtualMachine (in the elected vm-operator): holds it with a finalizer, resolves its
 * class, image, storage and bootstrap references into conditions, gives it an address from its namespace's
 * pool, and, when everything resolved, hands it to the scheduler through the placement annotation. The host
 * it lands on creates it; a VM deleted before it was placed is finished here. A reference that stops
 * resolving is a Warning Event (`ClassNotFound`, `ImageNotFound`, ...), written with the condition's change,
 * so a resync that changes nothing says nothing again.
 */
export class VmController {
  private readonly model = controllerReadModel([R.vms, ...REFERRED]);
  private readonly loop: PassLoop;
  private resync?: NodeJS.Timeout;
  /** VMs whose object changed since their last reconcile (uids). */
  private readonly dirty = new Set<string>();
  /** Every VM is reconciled on the next pass: at start, on a resync, and when what they refer to changed. */
  private full = true;
  /**
   * Addresses given to VMs by appends the model has not caught up with yet (VM uid → address): VMs
   * reconciled in the same pass, or before the follower applied the last one's update, must not get the
   * same lowest free address.
   */
  private readonly reserved = new Map<string, string>();
  /** The addresses each namespace uses, during one pass (see `allocateAddress`). */
  private readonly addressBooks = new Map<string, { used: Set<string>; from: number }>();

  /** Reads the log through `feed`, which the caller starts (replaying the log) before `start`. */
  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger; secretKey?: SecretKey }) {
    this.loop = new PassLoop(() => this.pass(), { resyncMs: RESYNC_MS, retryMs: 200, onError: (err) => deps.logger.warn('VM pass failed', { error: (err as Error).message }) });
    deps.feed.add(this.model.follows, (events) => this.read(events));
  }

  private read(events: RecordedEvent[]): void {
    let relevant = false;
    /** Namespaces whose referred objects changed: their VMs are marked once after the batch. */
    const namespaces = new Set<string>();
    for (const e of events) {
      const change = this.model.apply(decryptedEvent(e, this.deps.secretKey));
      if (!change) continue;
      if (change.resource !== R.vms) {
        if (!REFERRED.has(change.resource)) continue;
        const namespace = referrersNamespace(change.resource, change.object);
        if (namespace === undefined) this.full = relevant = true;
        else namespaces.add(namespace);
        continue;
      }
      relevant = true;
      const { uid } = change.object.metadata;
      if (change.type === 'DELETED' || change.object.metadata.annotations?.[VM_IP_ANNOTATION]) this.reserved.delete(uid);
      if (change.type !== 'DELETED') this.dirty.add(uid);
    }
    for (const namespace of namespaces) {
      for (const vm of this.model.list(R.vms, namespace)) {
        this.dirty.add(vm.object.metadata.uid);
        relevant = true;
      }
    }
    if (relevant) this.loop.schedule();
  }

  start(): void {
    this.resync = setInterval(() => {
      this.full = true;
      this.loop.schedule();
    }, RESYNC_MS);
    this.loop.start();
  }

  stop(): void {
    clearInterval(this.resync);
    this.loop.stop();
  }

  get lookup(): Lookup {
    return {
      get: (resource, namespace, name) => this.model.get(resource, namespace, name)?.object,
      list: (resource, namespace) => this.model.list(resource, namespace).map((s) => s.object),
    };
  }

  /**
   * The VMs that changed (every VM when what they refer to changed). Their writes go out in batches, one
   * transaction each: a burst of new VMs costs a commit per batch rather than one per VM.
   */
  private async pass(): Promise<void> {
    // A pass after a few changes looks up those VMs, not every VM: with thousands of VMs a pass per page of the
    // log went over all of them. In list order (namespace, then name) either way, so addresses go out alike.
    const todo = this.full ? this.model.list(R.vms) : this.dirtyVms();
    this.full = false;
    this.dirty.clear();
    const writes: { stored: StoredObject; appends: StreamAppend[] }[] = [];
    const failed: StoredObject[] = [];
    this.addressBooks.clear();
    for (const stored of todo) {
      try {
        const appends = await this.reconcile(stored);
        if (appends.length) writes.push({ stored, appends });
      } catch (err) {
        this.deps.logger.warn('reconciling a VM failed', { vm: stored.object.metadata.name, error: (err as Error).message });
        failed.push(stored);
      }
    }
    const batches: (typeof writes)[] = [];
    for (let i = 0; i < writes.length; i += WRITE_BATCH) batches.push(writes.slice(i, i + WRITE_BATCH));
    await eachLimited(batches, WRITE_CONCURRENCY, async (batch) => {
      try {
        await this.deps.store.appendBatch(batch.flatMap((w) => w.appends));
      } catch {
        // One stale VM fails its whole batch: each VM's writes again on their own, so only the stale one waits.
        for (const w of batch) {
          try {
            await this.deps.store.appendBatch(w.appends);
          } catch (err) {
            if (!(err instanceof VersionConflictError)) this.deps.logger.warn('writing a VM failed', { vm: w.stored.object.metadata.name, error: (err as Error).message });
            failed.push(w.stored);
          }
        }
      }
    });
    for (const stored of failed) {
      this.reserved.delete(stored.object.metadata.uid);
      this.dirty.add(stored.object.metadata.uid);
    }
    // Most failures are a stale version: the follower brings the newer one shortly.
    if (failed.length) setTimeout(() => this.loop.schedule(), RETRY_MS).unref();
  }

  /** The dirty VMs still in the model, sorted as `ReadModel.list` sorts (namespace, then name, by code unit). */
  private dirtyVms(): StoredObject[] {
    const found: { sortKey: string; stored: StoredObject }[] = [];
    for (const uid of this.dirty) {
      const at = this.model.findByUid(uid);
      if (at?.resource !== R.vms) continue;
      const { namespace, name } = at.stored.object.metadata;
      found.push({ sortKey: `${namespace}\u0000${name}`, stored: at.stored });
    }
    return found.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)).map((f) => f.stored);
  }

  /** What the VM's object should become, as the appends that make it so (none when it is as it should be). */
  private async reconcile(stored: StoredObject): Promise<StreamAppend[]> {
    const vm = stored.object;
    if (vm.metadata.deletionTimestamp) return this.deleteUnplaced(stored);
    const cls = resolveClass(vm, this.lookup);
    const image = resolveImage(vm, this.lookup);
    const conditions: Condition[] = [cls.condition, image.condition, resolveStorage(vm, this.lookup), resolveBootstrap(vm, this.lookup)];
    // What should change, found before anything is copied: a resync finds most VMs as they should be.
    const finalizers: string[] = vm.metadata.finalizers ?? [];
    const addFinalizer = !finalizers.includes(VM_FINALIZER);
    let annotations: Record<string, string> | undefined;
    let specImage: { kind: string; name: string } | undefined;
    if (conditions.every((c) => c.status === 'True') && cls.hardware && image.image) {
      const ip = vm.metadata.annotations?.[VM_IP_ANNOTATION] ?? this.reserved.get(vm.metadata.uid) ?? (await this.allocateAddress(vm));
      if (!ip) return [];
      const wanted = { ...(vm.metadata.annotations ?? {}), [VM_IP_ANNOTATION]: ip, [VM_PLACEMENT_ANNOTATION]: JSON.stringify(this.placementOf(vm, cls.hardware, image.image, ip)) };
      if (!sameJson(wanted, vm.metadata.annotations ?? {})) annotations = wanted;
      // As the real mutating webhook does: imageName (an object or display name) resolved into spec.image.
      if (vm.spec.image?.name !== image.image.name || vm.spec.image?.kind !== image.image.kind) specImage = { kind: image.image.kind, name: image.image.name };
    }
    const metaChanged = addFinalizer || annotations !== undefined || specImage !== undefined;
    const status = withConditions(vm.status ?? {}, conditions);
    const statusChanged = !sameJson(status, vm.status ?? {});
    if (!metaChanged && !statusChanged) return [];
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    if (addFinalizer) next.metadata.finalizers = [...finalizers, VM_FINALIZER];
    if (annotations) next.metadata.annotations = annotations;
    if (specImage) next.spec.image = specImage;
    if (statusChanged) next.status = structuredClone(status);
    // One event for both: a new VM's finalizer, annotations and first conditions are one change of the object
    // (one MODIFIED for watchers; every reader of the log parses one copy of the VM instead of two).
    const events = [{ type: metaChanged ? ObjectEventTypes.updated : ObjectEventTypes.statusUpdated, data: { resource: R.vms, object: next }, metadata: ACTOR }];
    const warnings = newlyFailed(vm.status?.conditions ?? [], conditions).map((c) => vmEvent(vm, 'Warning', conditionEventReason(c), c.message));
    return [{ streamId: stored.streamId, events, expectedVersion: stored.streamVersion }, ...warnings];
  }

  /** What the scheduler and the host need of a resolved VM (the placement annotation). */
  private placementOf(vm: any, hardware: NonNullable<ResolvedVm['hardware']>, image: NonNullable<ResolvedVm['image']>, ip: string): VmPlacement {
    const classObj = this.lookup.get(R.classes, vm.metadata.namespace, hardware.className);
    const reserved = classObj?.spec?.policies?.resources?.requests ?? {};
    return {
      className: hardware.className,
      cpus: hardware.cpus,
      memoryBytes: hardware.memoryBytes,
      // Only reservations are held against a host's capacity; vCPUs and memory beyond them are shared.
      requests: { cpuMillis: reserved.cpu ? (milliValue(String(reserved.cpu)) ?? 0) : 0, memoryBytes: reserved.memory ? (parseQuantity(String(reserved.memory)) ?? 0) : 0 },
      image: { kind: image.kind, name: image.name },
      ports: image.ports,
      ip,
      ...(vm.spec?.reserved?.resourcePolicyName ? { resourcePolicy: vm.spec.reserved.resourcePolicyName } : {}),
      ...(vm.metadata.annotations?.['vsphere-cluster-module-group'] ? { moduleGroup: vm.metadata.annotations['vsphere-cluster-module-group'] } : {}),
    };
  }

  /** The namespace's pool (taking one for it first), then the lowest free address in it. */
  private async allocateAddress(vm: any): Promise<string | undefined> {
    const pool = await ensurePool(this.deps.store, this.model, vm.metadata.namespace, ACTOR);
    if (pool === undefined) {
      setTimeout(() => this.loop.schedule(), RETRY_MS).unref();
      return undefined;
    }
    // Built once per namespace and pass, then only added to: lowest-first allocation never looks back.
    let book = this.addressBooks.get(vm.metadata.namespace);
    if (!book) {
      book = { used: addressesOf(this.lookup.list(R.vms, vm.metadata.namespace)), from: 1 };
      for (const ip of this.reserved.values()) book.used.add(ip);
      this.addressBooks.set(vm.metadata.namespace, book);
    }
    const found = freeAddress(pool, book.used, book.from);
    if (!found) return undefined;
    book.used.add(found.ip);
    book.from = found.n + 1;
    this.reserved.set(vm.metadata.uid, found.ip);
    return found.ip;
  }

  /** Deleted before any host took it: nothing to power off; the finalizer goes and with it the object. */
  private deleteUnplaced(stored: StoredObject): StreamAppend[] {
    const vm = stored.object;
    if (vm.status?.nodeName) return [];
    const finalizers = (vm.metadata.finalizers ?? []).filter((f: string) => f !== VM_FINALIZER);
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    next.metadata.finalizers = finalizers;
    if (finalizers.length === (vm.metadata.finalizers ?? []).length) return [];
    const type = finalizers.length === 0 ? ObjectEventTypes.deleted : ObjectEventTypes.updated;
    return [{ streamId: stored.streamId, events: [{ type, data: { resource: R.vms, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion }];
  }
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The conditions that are False now and were not, or were False for another reason or message before. */
function newlyFailed(existing: any[], conditions: Condition[]): Condition[] {
  return conditions.filter((c) => {
    if (c.status !== 'False') return false;
    const old = existing.find((e) => e.type === c.type);
    return !old || old.status !== c.status || old.reason !== c.reason || old.message !== c.message;
  });
}

/** `VirtualMachineImageReady` False `NotFound` → `ImageNotFound`: one CamelCase word, as Kubernetes' reasons. */
function conditionEventReason(c: Condition): string {
  return `${c.type.replace(/^VirtualMachine/, '').replace(/Ready$/, '')}${c.reason}`;
}

function vmEvent(vm: any, type: 'Normal' | 'Warning', reason: string, message: string) {
  const { name, namespace, uid } = vm.metadata;
  return objectEvent({ apiVersion: vm.apiVersion ?? 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', name, namespace, uid }, { type, reason, message, component: 'vmware-system-vmop', actor: ACTOR });
}

function withConditions(status: any, conditions: Condition[]): any {
  // Read only when a condition changes: a pass that changes nothing should not format a date per VM.
  let now: string | undefined;
  const existing: any[] = status.conditions ?? [];
  const merged = existing.filter((c) => !OWN.includes(c.type));
  for (const c of conditions) {
    const old = existing.find((e) => e.type === c.type);
    const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
    merged.push(same ? old : { type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : (now ??= rfc3339()) });
  }
  return { ...status, conditions: merged.sort(byConditionType) };
}
