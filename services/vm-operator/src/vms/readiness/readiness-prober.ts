import { ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { EventStore, RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, objectEvent, type SharedFollower, VM_GUEST_HEARTBEAT_ANNOTATION, VM_GUEST_INFO_ANNOTATION } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { R } from '../vm-resources';
import { probeAction, probePeriodMs, ProbeResult, readyCondition, withReadyCondition } from './readiness-probe';
import { tcpProbe } from './tcp-probe';

/** Probes in flight at once: a TCP probe that hangs holds its slot for its timeout, so hundreds of VMs need many. */
const MAX_IN_FLIGHT = 64;
const RETRY_MS = 200;
const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
/** The name VM Operator records its probe Events under. */
const COMPONENT = 'virtualmachine-prober-manager';

interface Scheduled {
  at: number;
  /** What the probe's outcome depends on, as last seen: a change to it probes again at once. */
  inputs: string;
}

/**
 * Runs the VMs' `spec.readinessProbe` (in the elected vm-operator) and writes what it finds as their `Ready`
 * condition, as VM Operator's prober does: every `periodSeconds`, and at once when the probe or what it depends
 * on (power state, address, heartbeat, guestinfo keys) changes. One timer serves every VM; a VM without a
 * probe is never scheduled. A result is written only when the condition changes, with an Event when its status
 * does.
 */
export class ReadinessProber {
  private readonly model = controllerReadModel([R.vms]);
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly inFlight = new Set<string>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private started = false;

  /** Reads the log through `feed`, which the caller starts (replaying the log) before `start`. */
  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    deps.feed.add(this.model.follows, (events) => this.read(events));
  }

  private read(events: RecordedEvent[]): void {
    let woke = false;
    for (const e of events) {
      const change = this.model.apply(e);
      if (change?.resource !== R.vms) continue;
      const vm = change.object;
      const uid = vm.metadata.uid;
      const period = change.type === 'DELETED' || vm.metadata.deletionTimestamp ? undefined : probePeriodMs(vm);
      if (period === undefined) {
        this.scheduled.delete(uid);
        continue;
      }
      const annotations = vm.metadata.annotations;
      const inputs = JSON.stringify([vm.spec.readinessProbe, vm.status?.powerState, vm.status?.network?.primaryIP4, annotations?.[VM_GUEST_HEARTBEAT_ANNOTATION], annotations?.[VM_GUEST_INFO_ANNOTATION]]);
      const known = this.scheduled.get(uid);
      if (known?.inputs === inputs) continue;
      this.scheduled.set(uid, { at: Date.now(), inputs });
      woke = true;
    }
    if (woke) this.wake();
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  stop(): void {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** VMs the prober keeps a schedule for (those with a probe). */
  get size(): number {
    return this.scheduled.size;
  }

  /** Starts the probes that are due, then sets the one timer for the next. */
  private wake(): void {
    if (!this.started) return;
    const now = Date.now();
    let next = Infinity;
    for (const [uid, s] of this.scheduled) {
      if (this.inFlight.has(uid)) continue;
      if (s.at > now || this.inFlight.size >= MAX_IN_FLIGHT) {
        next = Math.min(next, Math.max(s.at, now + RETRY_MS));
        continue;
      }
      this.inFlight.add(uid);
      void this.probe(uid).finally(() => {
        this.inFlight.delete(uid);
        this.wake();
      });
    }
    if (next === this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = next === Infinity ? undefined : setTimeout(() => {
      this.timerAt = Infinity;
      this.wake();
    }, next - now);
    this.timer?.unref();
  }

  private async probe(uid: string): Promise<void> {
    const found = this.model.findByUid(uid);
    const schedule = this.scheduled.get(uid);
    if (!schedule) return;
    if (found?.resource !== R.vms) {
      this.scheduled.delete(uid);
      return;
    }
    const vm = found.stored.object;
    const period = probePeriodMs(vm) ?? 0;
    const action = probeAction(vm);
    const result: ProbeResult = 'tcp' in action ? await tcpProbe(action.tcp.host, action.tcp.port, action.tcp.timeoutMs) : action.decided;
    let retry = false;
    try {
      await this.write(uid, result);
    } catch (err) {
      retry = true;
      if (!(err instanceof VersionConflictError)) this.deps.logger.warn('writing a VM readiness failed', { vm: vm.metadata.name, namespace: vm.metadata.namespace, error: (err as Error).message });
    }
    // The VM may have changed meanwhile (its schedule replaced, or gone): that schedule stands.
    if (this.scheduled.get(uid) === schedule) schedule.at = Date.now() + (retry ? RETRY_MS : period);
  }

  /** The condition for the result, onto the VM as the model holds it now (the probe took time). */
  private async write(uid: string, result: ProbeResult): Promise<void> {
    const found = this.model.findByUid(uid);
    if (!this.started || found?.resource !== R.vms || found.stored.object.metadata.deletionTimestamp) return;
    const { stored } = found;
    const vm = stored.object;
    const wanted = readyCondition(result);
    const status = withReadyCondition(vm.status, wanted, rfc3339);
    if (!status) return;
    const next = structuredClone(vm);
    delete next.metadata.resourceVersion;
    next.status = status;
    const old = (vm.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    // As VM Operator: an Event when the condition first appears or its status changes, not for a new message.
    const notes = !old || old.status !== wanted.status ? [this.event(vm, wanted.status === 'True' ? 'Ready' : wanted.reason, wanted.message)] : [];
    await this.deps.store.appendBatch([
      { streamId: stored.streamId, events: [{ type: ObjectEventTypes.statusUpdated, data: { resource: R.vms, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion },
      ...notes,
    ]);
    this.deps.logger.info('VM readiness changed', { vm: vm.metadata.name, namespace: vm.metadata.namespace, status: wanted.status, reason: wanted.reason });
  }

  private event(vm: any, reason: string, message: string) {
    const { name, namespace, uid } = vm.metadata;
    return objectEvent({ apiVersion: vm.apiVersion ?? 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', name, namespace, uid }, { type: 'Normal', reason, message, component: COMPONENT, actor: ACTOR });
  }
}
