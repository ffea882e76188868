import { NatsNames, ObjectEventTypes, VIRTUAL_MACHINES_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';
import { byConditionType, controllerReadModel, decryptedEvent, EventCorrelator, guestInfoAnnotationValue, hasReadinessProbe, LogFollower, ObjectChange, objectEvent, PassLoop, pokedFollower, ReadModel, sameJson, SecretKey, StoredObject, VM_GUEST_HEARTBEAT_ANNOTATION, VM_GUEST_INFO_ANNOTATION, vmPlacement, vmUserData } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { HypervisorDriver, PowerOpMode, VmInfo, VmPowerState } from './hypervisor';

const VMS = VIRTUAL_MACHINES_RESOURCE;
/** What a VM worker reads from the log (its own model and follower, or a shared feed's): VMs, their bootstrap Secrets, claims and volumes. */
export const VM_WORKER_FOLLOWS: readonly string[] = [VMS, 'secrets', 'persistentvolumeclaims', 'persistentvolumes'];
const FINALIZER = 'vmoperator.vmware.com/virtualmachine';
/** VMs reconciled at once: their appends share the agent's pool of ten connections with its other workers. */
const RECONCILE_CONCURRENCY = 6;
/** A failed reconcile is most often a stale version: the follower brings the newer one shortly. */
const RETRY_MS = 200;

/**
 * One view of the log shared by the VM workers of many hosts in one process (a simulated fleet), in place of a
 * follower and a whole read model per host.
 */
export interface SharedVmFeed {
  readonly model: ReadModel;
  /** Calls `changed(uid, true)` for a VM placed on `host` whose object changed, `changed(uid, false)` for one that left it; returns the unsubscribe. */
  subscribe(host: string, changed: (uid: string, here: boolean) => void): () => void;
  /** The VMs whose status.nodeName is `host`. */
  vmsOn(host: string): StoredObject[];
}

/** The host a VM change takes it from and the one it is on after it (none once deleted). */
export function vmHosts(change: ObjectChange): { before?: string; after?: string } {
  return { before: change.previous?.status?.nodeName, after: change.type === 'DELETED' ? undefined : change.object.status?.nodeName };
}

/**
 * Runs the VirtualMachines placed on this host through the hypervisor driver: creates them, keeps their
 * power state as the spec asks (power off by powerOffMode, suspend, restart on nextRestartTime), resizes
 * them when their class changes (with the power cycle that needs), reports their status (identities,
 * power state, address once the guest answers, Ready from the guest heartbeat; the heartbeat and the guestinfo
 * keys the guest set as annotations, written only when they change), destroys them when they are deleted,
 * and destroys VMs no longer placed here. What changed on the host (created, created again after its host
 * failed, powered on or off, suspended, restarted) is a core v1 Event written with the status that shows it:
 * a resync that changes nothing says nothing.
 */
export class VmWorker {
  private readonly model: ReadModel;
  private follower?: LogFollower;
  private unsubscribe?: () => void;
  private readonly loop: PassLoop;
  /** Writes the VMs' Events, counting up one said again (a VM powered on again) instead of repeating it, as a recorder does. */
  private readonly recorder: EventCorrelator;
  /** VMs on this host whose object changed (or whose guest is still booting) since their last reconcile, by uid. */
  private readonly dirty = new Set<string>();
  /** Every VM of the host is reconciled on the next pass (start, resync, a failed pass). */
  private full = true;
  /** A VM left this host: the next pass compares the hypervisor's VMs with what is placed here. */
  private sweep = true;

  constructor(
    private readonly deps: { store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: Logger; secretKey?: SecretKey; feed?: SharedVmFeed },
    private readonly opts: { host: string; epoch: number; hypervisor: HypervisorDriver; resyncMs: number },
  ) {
    this.recorder = new EventCorrelator(deps.store);
    this.model = deps.feed?.model ?? controllerReadModel(VM_WORKER_FOLLOWS);
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: opts.resyncMs,
      retryMs: 200,
      onError: (err) => deps.logger.warn('VM pass failed', { error: (err as Error).message }),
      // A resync reconciles every VM of the host (their guests may have died) and sweeps the hypervisor.
      onResync: () => {
        this.full = true;
        this.sweep = true;
      },
    });
  }

  async start(): Promise<void> {
    const host = this.opts.host;
    if (this.deps.feed) {
      this.unsubscribe = this.deps.feed.subscribe(host, (uid, here) => this.changed(uid, here));
    } else {
      this.follower = pokedFollower(this.deps, (events) => {
        for (const e of events) {
          const change = this.model.apply(decryptedEvent(e, this.deps.secretKey));
          if (change?.resource !== VMS) continue;
          const { before, after } = vmHosts(change);
          if (after === host || before === host) this.changed(change.object.metadata.uid, after === host);
        }
      }, { follows: VM_WORKER_FOLLOWS });
      await this.follower.start();
    }
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    this.unsubscribe?.();
    await this.follower?.stop();
  }

  /** A VM placed here changed (`here`), or one left this host: the next pass reconciles it, or sweeps the hypervisor. */
  private changed(uid: string, here: boolean): void {
    if (here) this.dirty.add(uid);
    else this.sweep = true;
    this.loop.schedule();
  }

  /**
   * Reconciles the VMs that changed (all of them on a resync), a few at a time: each is a handful of
   * hypervisor calls and one append, and hundreds placed at once should not wait for each other in turn.
   */
  private async pass(): Promise<void> {
    const hv = this.opts.hypervisor;
    const sweep = this.sweep || this.full;
    // Every VM of the host only for a resync or a sweep; after a few changes, those VMs by uid (a pass per
    // change went over all of the host's VMs, thousands of them, to find a handful).
    const mine = this.full || sweep ? this.vmsHere() : [];
    const todo = this.full ? mine : this.dirtyHere();
    this.full = false;
    this.sweep = false;
    this.dirty.clear();
    let retry = false;
    await eachLimited(todo, RECONCILE_CONCURRENCY, async (stored) => {
      try {
        await this.reconcile(stored);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('reconciling a VM failed', { vm: stored.object.metadata.name, error: (err as Error).message });
        this.dirty.add(stored.object.metadata.uid);
        retry = true;
      }
    });
    if (sweep) {
      try {
        const wanted = new Set(mine.map((s) => s.object.metadata.uid));
        for (const vm of (await hv.list()).filter((v) => !wanted.has(v.uid))) {
          this.deps.logger.info('destroying a VM no longer placed on this host', { vm: `${vm.namespace}/${vm.name}` });
          await hv.destroy(vm.uid);
        }
      } catch (err) {
        this.deps.logger.warn('destroying VMs no longer placed here failed', { error: (err as Error).message });
        this.sweep = true;
        retry = true;
      }
    }
    if (retry) setTimeout(() => this.loop.schedule(), RETRY_MS).unref();
  }

  private vmsHere(): StoredObject[] {
    return this.deps.feed?.vmsOn(this.opts.host) ?? this.model.list(VMS).filter((s) => s.object.status?.nodeName === this.opts.host);
  }

  /** The changed VMs that are still placed on this host (one that left is the sweep's). */
  private dirtyHere(): StoredObject[] {
    const out: StoredObject[] = [];
    for (const uid of this.dirty) {
      const found = this.model.findByUid(uid);
      if (found?.resource === VMS && found.stored.object.status?.nodeName === this.opts.host) out.push(found.stored);
    }
    return out;
  }

  private async reconcile(stored: StoredObject): Promise<void> {
    const vm = stored.object;
    const hv = this.opts.hypervisor;
    if (vm.metadata.deletionTimestamp) return this.destroy(stored);
    const placement = vmPlacement(vm);
    if (!placement) return;
    const { userData } = vmUserData(vm, (ns, name) => this.model.get('secrets', ns, name)?.object);
    let info = await hv.create({
      uid: vm.metadata.uid, name: vm.metadata.name, namespace: vm.metadata.namespace, epoch: this.opts.epoch,
      cpus: placement.cpus, memoryBytes: placement.memoryBytes, ip: placement.ip, ports: placement.ports, userData,
      biosUUID: vm.status?.biosUUID, instanceUUID: vm.status?.instanceUUID,
    });
    const want: VmPowerState = vm.spec?.powerState ?? 'PoweredOn';
    // A new class is a resize, which needs the VM powered off.
    if (info.cpus !== placement.cpus || info.memoryBytes !== placement.memoryBytes) {
      if (info.powerState !== 'PoweredOff') info = await hv.powerOff(vm.metadata.uid, 'TrySoft');
      info = await hv.reconfigure(vm.metadata.uid, { cpus: placement.cpus, memoryBytes: placement.memoryBytes });
    }
    let lastRestartTime = vm.status?.lastRestartTime;
    const restartAt = vm.spec?.nextRestartTime;
    if (restartAt && restartAt !== 'now' && restartAt !== lastRestartTime && want === 'PoweredOn') {
      if (info.powerState !== 'PoweredOff') info = await hv.powerOff(vm.metadata.uid, mode(vm.spec?.restartMode));
      lastRestartTime = restartAt;
    }
    if (want === 'PoweredOn' && info.powerState !== 'PoweredOn') info = await hv.powerOn(vm.metadata.uid);
    if (want === 'PoweredOff' && info.powerState !== 'PoweredOff') info = await hv.powerOff(vm.metadata.uid, mode(vm.spec?.powerOffMode));
    if (want === 'Suspended' && info.powerState === 'PoweredOn') info = await hv.suspend(vm.metadata.uid);
    const volumes = this.volumesOf(vm);
    await hv.attachDisks(vm.metadata.uid, volumes.filter((v) => v.path).map((v) => ({ name: v.name, path: v.path! })));
    info = await hv.guestInfo(vm.metadata.uid);
    // Until the guest answers, look again soon: its address and readiness follow its boot.
    if (info.powerState === 'PoweredOn' && info.guestHeartbeat !== 'green') {
      setTimeout(() => {
        this.dirty.add(vm.metadata.uid);
        this.loop.schedule();
      }, 250).unref();
    }
    await this.report(stored, info, placement.className, lastRestartTime, volumes);
  }

  /** The VM's claims and, once bound, their volumes' directories on the datastore. */
  private volumesOf(vm: any): { name: string; path?: string; claim: any; capacity?: string }[] {
    return (vm.spec?.volumes ?? [])
      .filter((v: any) => v.persistentVolumeClaim?.claimName)
      .map((v: any) => {
        const claim = this.model.get('persistentvolumeclaims', vm.metadata.namespace, v.persistentVolumeClaim.claimName)?.object;
        const pv = claim?.status?.phase === 'Bound' ? this.model.get('persistentvolumes', undefined, claim.spec.volumeName)?.object : undefined;
        return { name: v.name, claim, path: pv?.spec?.hostPath?.path, capacity: claim?.status?.capacity?.storage };
      });
  }

  private async report(stored: StoredObject, info: VmInfo, className: string, lastRestartTime: string | undefined, volumes: ReturnType<VmWorker['volumesOf']>): Promise<void> {
    const vm = stored.object;
    const up = info.powerState === 'PoweredOn' && info.guestHeartbeat === 'green';
    const status: any = {
      ...vm.status,
      powerState: info.powerState,
      uniqueID: info.uniqueID,
      biosUUID: info.biosUUID,
      instanceUUID: info.instanceUUID,
      class: { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineClass', name: className },
      network: up ? { primaryIP4: info.ip, interfaces: [{ name: 'eth0', ip: { addresses: [{ address: `${info.ip}/16`, origin: 'static', state: 'preferred' }] } }] } : {},
      ...(lastRestartTime ? { lastRestartTime } : {}),
      ...(volumes.length
        ? { volumes: volumes.map((v) => ({ name: v.name, type: 'Managed', attached: !!v.path, ...(v.claim?.metadata?.uid ? { diskUUID: v.claim.metadata.uid } : {}), ...(v.capacity ? { limit: v.capacity } : {}), ...(v.path ? {} : { error: 'the claim is not bound' }) })) }
        : {}),
    };
    const created = { type: 'VirtualMachineCreated', status: 'True', reason: 'True', message: '' };
    const ready = up
      ? { type: 'Ready', status: 'True', reason: 'True', message: '' }
      : { type: 'Ready', status: 'False', reason: info.powerState === 'PoweredOn' ? 'GuestNotReady' : info.powerState, message: info.powerState === 'PoweredOn' ? 'the guest does not answer its heartbeat yet' : `the VM is ${info.powerState}` };
    // A VM with a readiness probe is Ready as the vm-operator's prober finds it; the host only reports the heartbeat.
    status.conditions = mergeConditions(vm.status?.conditions ?? [], hasReadinessProbe(vm) ? [created] : [created, ready]);
    // What the vm-operator's prober reads besides the status: the heartbeat, and the guestinfo keys the guest set.
    const reported: Record<string, string | undefined> = {
      [VM_GUEST_HEARTBEAT_ANNOTATION]: info.guestHeartbeat,
      [VM_GUEST_INFO_ANNOTATION]: guestInfoAnnotationValue(info.guestInfo),
    };
    const annotationsChanged = Object.entries(reported).some(([key, value]) => vm.metadata.annotations?.[key] !== value);
    if (sameJson(status, vm.status) && !annotationsChanged) return;
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    next.status = status;
    if (annotationsChanged) {
      const annotations: Record<string, string> = { ...(vm.metadata.annotations ?? {}) };
      for (const [key, value] of Object.entries(reported)) {
        if (value === undefined) delete annotations[key];
        else annotations[key] = value;
      }
      next.metadata.annotations = annotations;
    }
    const notes = this.changes(vm, status).map(([type, reason, message]) => this.event(vm, type, reason, message));
    const type = annotationsChanged ? ObjectEventTypes.updated : ObjectEventTypes.statusUpdated;
    await this.recorder.appendBatch([
      { streamId: stored.streamId, events: [{ type, data: { resource: VMS, object: next }, metadata: this.actor }], expectedVersion: stored.streamVersion },
      ...notes,
    ]);
  }

  /** What the new status says happened on this host since the last one (type, reason, message). */
  private changes(vm: any, status: any): ['Normal' | 'Warning', string, string][] {
    const host = this.opts.host;
    const out: ['Normal' | 'Warning', string, string][] = [];
    const created = (vm.status?.conditions ?? []).find((c: any) => c.type === 'VirtualMachineCreated');
    if (created?.status !== 'True') {
      out.push(created?.reason === 'HostFailed'
        ? ['Normal', 'FailedOver', `Created again on host ${host}: ${created.message}`]
        : ['Normal', 'Created', `Created virtual machine on host ${host}`]);
    }
    if (status.lastRestartTime && status.lastRestartTime !== vm.status?.lastRestartTime) out.push(['Normal', 'Restarted', `Restarted on host ${host} (nextRestartTime ${status.lastRestartTime})`]);
    if (status.powerState !== vm.status?.powerState) {
      const said: Record<string, string> = { PoweredOn: 'Powered on', PoweredOff: 'Powered off', Suspended: 'Suspended' };
      out.push(['Normal', status.powerState, `${said[status.powerState] ?? status.powerState} on host ${host}`]);
    }
    return out;
  }

  private event(vm: any, type: 'Normal' | 'Warning', reason: string, message: string) {
    const { name, namespace, uid } = vm.metadata;
    return objectEvent(
      { apiVersion: vm.apiVersion ?? 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', name, namespace, uid },
      { type, reason, message, component: 'spherelet', host: this.opts.host, actor: this.actor },
    );
  }

  /** Power off and destroy on the host, then the finalizer goes (and with the last one, the object). */
  private async destroy(stored: StoredObject): Promise<void> {
    const vm = stored.object;
    await this.opts.hypervisor.destroy(vm.metadata.uid);
    const finalizers = (vm.metadata.finalizers ?? []).filter((f: string) => f !== FINALIZER);
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    next.metadata.finalizers = finalizers;
    const type = finalizers.length === 0 ? ObjectEventTypes.deleted : ObjectEventTypes.updated;
    await this.deps.store.append(stored.streamId, [{ type, data: { resource: VMS, object: next }, metadata: this.actor }], { expectedVersion: stored.streamVersion });
  }

  private get actor() {
    return { actor: `system:node:${this.opts.host}`, source: 'spherelet-agent' };
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

function mode(m: string | undefined): PowerOpMode {
  return m === 'Hard' || m === 'Soft' ? m : 'TrySoft';
}

function mergeConditions(existing: any[], updates: { type: string; status: string; reason: string; message: string }[]): any[] {
  // Read only when a condition changes: a resync that changes nothing should not format a date per VM.
  let now: string | undefined;
  const out = existing.filter((c) => !updates.some((u) => u.type === c.type));
  for (const u of updates) {
    const old = existing.find((c) => c.type === u.type);
    if (old && old.status === u.status && old.reason === u.reason && old.message === u.message) out.push(old);
    else out.push({ ...u, lastTransitionTime: old && old.status === u.status ? old.lastTransitionTime : (now ??= rfc3339()) });
  }
  return out.sort(byConditionType);
}
