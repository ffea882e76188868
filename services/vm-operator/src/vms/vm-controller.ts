import { NatsNames, ObjectEventTypes } from '@openpacific/contracts';
import { milliValue, parseQuantity } from '@openpacific/kube-api';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { decryptedEvent, LogFollower, objectEvent, PassLoop, pokedFollower, ReadModel, sameJson, SecretKey, StoredObject, VM_PLACEMENT_ANNOTATION, VmPlacement } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { ensurePool, freeAddress, VM_IP_ANNOTATION } from './address-pools';
import { Condition, Lookup, resolveBootstrap, resolveClass, resolveImage, resolveStorage } from './vm-resolve';
import { R, VM_FINALIZER } from './vm-resources';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
/** The conditions this controller owns; the scheduler owns placement, the host the rest. */
const OWN = ['VirtualMachineClassReady', 'VirtualMachineImageReady', 'VirtualMachineStorageReady', 'VirtualMachineBootstrapReady'];

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Reconciles every VirtualMachine (in the elected vm-operator): holds it with a finalizer, resolves its
 * class, image, storage and bootstrap references into conditions, gives it an address from its namespace's
 * pool, and, when everything resolved, hands it to the scheduler through the placement annotation. The host
 * it lands on creates it; a VM deleted before it was placed is finished here. A reference that stops
 * resolving is a Warning Event (`ClassNotFound`, `ImageNotFound`, ...), written with the condition's change,
 * so a resync that changes nothing says nothing again.
 */
export class VmController {
  private readonly model = new ReadModel();
  private follower?: LogFollower;
  private readonly loop: PassLoop;

  constructor(private readonly deps: { store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: Logger; secretKey?: SecretKey }) {
    this.loop = new PassLoop(() => this.pass(), { resyncMs: 5000, retryMs: 200, onError: (err) => deps.logger.warn('VM pass failed', { error: (err as Error).message }) });
  }

  async start(): Promise<void> {
    this.follower = pokedFollower(this.deps, (events) => {
      let relevant = false;
      for (const e of events) if (this.model.apply(decryptedEvent(e, this.deps.secretKey))) relevant = true;
      if (relevant) this.loop.schedule();
    });
    await this.follower.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.follower?.stop();
  }

  get lookup(): Lookup {
    return {
      get: (resource, namespace, name) => this.model.get(resource, namespace, name)?.object,
      list: (resource, namespace) => this.model.list(resource, namespace).map((s) => s.object),
    };
  }

  private async pass(): Promise<void> {
    let retry = false;
    for (const stored of this.model.list(R.vms)) {
      try {
        await this.reconcile(stored);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('reconciling a VM failed', { vm: stored.object.metadata.name, error: (err as Error).message });
        retry = true;
      }
    }
    if (retry) this.loop.schedule(200);
  }

  private async reconcile(stored: StoredObject): Promise<void> {
    const vm = stored.object;
    if (vm.metadata.deletionTimestamp) return this.deleteUnplaced(stored);
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    const events = [];
    let metaChanged = false;
    if (!(next.metadata.finalizers ?? []).includes(VM_FINALIZER)) {
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), VM_FINALIZER];
      metaChanged = true;
    }
    const cls = resolveClass(vm, this.lookup);
    const image = resolveImage(vm, this.lookup);
    const conditions: Condition[] = [cls.condition, image.condition, resolveStorage(vm, this.lookup), resolveBootstrap(vm, this.lookup)];
    if (conditions.every((c) => c.status === 'True') && cls.hardware && image.image) {
      const ip = vm.metadata.annotations?.[VM_IP_ANNOTATION] ?? (await this.allocateAddress(vm));
      if (!ip) return;
      const classObj = this.lookup.get(R.classes, vm.metadata.namespace, cls.hardware.className);
      const reserved = classObj?.spec?.policies?.resources?.requests ?? {};
      const placement: VmPlacement = {
        className: cls.hardware.className,
        cpus: cls.hardware.cpus,
        memoryBytes: cls.hardware.memoryBytes,
        // Only reservations are held against a host's capacity; vCPUs and memory beyond them are shared.
        requests: { cpuMillis: reserved.cpu ? (milliValue(String(reserved.cpu)) ?? 0) : 0, memoryBytes: reserved.memory ? (parseQuantity(String(reserved.memory)) ?? 0) : 0 },
        image: { kind: image.image.kind, name: image.image.name },
        ports: image.image.ports,
        ip,
        ...(vm.spec?.reserved?.resourcePolicyName ? { resourcePolicy: vm.spec.reserved.resourcePolicyName } : {}),
        ...(vm.metadata.annotations?.['vsphere-cluster-module-group'] ? { moduleGroup: vm.metadata.annotations['vsphere-cluster-module-group'] } : {}),
      };
      const annotations = { ...(next.metadata.annotations ?? {}), [VM_IP_ANNOTATION]: ip, [VM_PLACEMENT_ANNOTATION]: JSON.stringify(placement) };
      // As the real mutating webhook does: imageName (an object or display name) resolved into spec.image.
      if (next.spec.image?.name !== image.image.name || next.spec.image?.kind !== image.image.kind) {
        next.spec.image = { kind: image.image.kind, name: image.image.name };
        metaChanged = true;
      }
      if (!sameJson(annotations, next.metadata.annotations ?? {})) {
        next.metadata.annotations = annotations;
        metaChanged = true;
      }
    }
    if (metaChanged) events.push({ type: ObjectEventTypes.updated, data: { resource: R.vms, object: structuredClone(next) }, metadata: ACTOR });
    const status = withConditions(next.status ?? {}, conditions);
    if (!sameJson(status, next.status ?? {})) {
      next.status = status;
      events.push({ type: ObjectEventTypes.statusUpdated, data: { resource: R.vms, object: next }, metadata: ACTOR });
    }
    if (!events.length) return;
    const warnings = newlyFailed(vm.status?.conditions ?? [], conditions).map((c) => vmEvent(vm, 'Warning', conditionEventReason(c), c.message));
    await this.deps.store.appendBatch([{ streamId: stored.streamId, events, expectedVersion: stored.streamVersion }, ...warnings]);
  }

  /** The namespace's pool (taking one for it first), then the lowest free address in it. */
  private async allocateAddress(vm: any): Promise<string | undefined> {
    const pool = await ensurePool(this.deps.store, this.model, vm.metadata.namespace, ACTOR);
    if (pool === undefined) {
      this.loop.schedule();
      return undefined;
    }
    return freeAddress(pool, this.lookup.list(R.vms, vm.metadata.namespace));
  }

  /** Deleted before any host took it: nothing to power off; the finalizer goes and with it the object. */
  private async deleteUnplaced(stored: StoredObject): Promise<void> {
    const vm = stored.object;
    if (vm.status?.nodeName) return;
    const finalizers = (vm.metadata.finalizers ?? []).filter((f: string) => f !== VM_FINALIZER);
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    next.metadata.finalizers = finalizers;
    if (finalizers.length === (vm.metadata.finalizers ?? []).length) return;
    const type = finalizers.length === 0 ? ObjectEventTypes.deleted : ObjectEventTypes.updated;
    const append: StreamAppend = { streamId: stored.streamId, events: [{ type, data: { resource: R.vms, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
    await this.deps.store.appendBatch([append]);
  }
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
  const now = timestamp();
  const existing: any[] = status.conditions ?? [];
  const merged = existing.filter((c) => !OWN.includes(c.type));
  for (const c of conditions) {
    const old = existing.find((e) => e.type === c.type);
    const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
    merged.push(same ? old : { type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now });
  }
  return { ...status, conditions: merged.sort((a, b) => a.type.localeCompare(b.type)) };
}
