import { HOSTS_RESOURCE, NatsNames, POD_IP_ANNOTATION } from '@openpacific/contracts';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { LogFollower, nodeLostPod, PassLoop, pokedFollower, podUnbound, ReadModel, StoredObject, vmPlacement } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { filterHost, HostView, unschedulableMessage } from './filters';
import { add, holdsResources, podRequests } from './pod-requests';
import { networksPods, PodAddressAllocator, PodAddressesExhausted, withPodAddress } from './pod-addresses';
import { scoreHost } from './scoring';
import { asWorkload, pendingVms, placeVm, tooBigFor, unplaceableVm, unplaceVm, VMS } from '../vms/vm-workloads';
import { boundPod, ObjectEventTypes, podChange, podEvent, PodEventTypes, SCHEDULER_ACTOR, unschedulablePod } from './scheduling-records';

/**
 * Binds pending pods to hosts, in batches: every pass takes all pending pods
 * (oldest first), filters and scores the hosts for each against usage that
 * includes the pass's own earlier choices, and writes all bindings in one
 * transaction — one commit for a burst. Each binding is written at the pod's
 * stream version, so two schedulers can never bind a pod twice. Pods that fit
 * nowhere get PodScheduled=False/Unschedulable and are retried whenever pods or
 * hosts change, and on a periodic resync.
 */
export class PodScheduler {
  private readonly model = new ReadModel();
  private follower?: LogFollower;
  private readonly loop: PassLoop;

  constructor(
    private readonly deps: { store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: Logger; podCIDR?: string },
    private readonly opts = { batchSize: 2000, resyncMs: 5000 },
  ) {
    this.loop = new PassLoop(() => this.scheduleBatch(), {
      resyncMs: opts.resyncMs,
      onError: (err) => deps.logger.warn('scheduling pass failed; retrying', { error: (err as Error).message }),
    });
  }

  async start(): Promise<void> {
    this.follower = pokedFollower(this.deps, (events) => {
      let relevant = false;
      for (const e of events) {
        const change = this.model.apply(e);
        if (change && (change.resource === 'pods' || change.resource === HOSTS_RESOURCE || change.resource === VMS)) relevant = true;
      }
      if (relevant) this.loop.schedule();
    });
    await this.follower.start();
    this.loop.start();
  }

  /** A pass soon (a host's readiness changed). */
  kick(): void {
    this.loop.schedule();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.follower?.stop();
  }

  private views(): HostView[] {
    const views = new Map<string, HostView>();
    for (const s of this.model.list(HOSTS_RESOURCE)) {
      views.set(s.object.metadata.name, { name: s.object.metadata.name, host: s.object, used: { cpuMillis: 0, memoryBytes: 0, pods: 0 }, pods: [] });
    }
    for (const s of this.model.list('pods')) {
      const view = views.get(s.object.spec?.nodeName);
      if (!view || !holdsResources(s.object)) continue;
      view.used = add(view.used, podRequests(s.object));
      view.pods.push(s.object);
    }
    // VMs hold their reservations on their host like pods hold their requests.
    for (const s of this.model.list(VMS)) {
      const view = views.get(s.object.status?.nodeName);
      const placement = vmPlacement(s.object);
      if (!view || !placement) continue;
      const workload = asWorkload(s.object, placement);
      view.used = add(view.used, podRequests(workload));
      view.pods.push(workload);
    }
    return [...views.values()];
  }

  private async scheduleBatch(): Promise<void> {
    const failovers = this.failovers();
    if (failovers.length > 0) {
      await this.write(failovers);
      // The moved pods come back Pending through the log; the next pass places them.
      this.loop.schedule();
      return;
    }
    const allocator = this.deps.podCIDR ? new PodAddressAllocator(this.deps.podCIDR, this.model.list('pods').map((s) => s.object)) : undefined;
    const addressed = allocator ? this.addressBoundPods(allocator) : [];
    const pending = this.model
      .list('pods')
      .filter((s) => !s.object.spec?.nodeName && !s.object.metadata.deletionTimestamp && (s.object.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler')
      .filter((s) => s.object.status?.phase === undefined || s.object.status.phase === 'Pending')
      .sort((a, b) => a.object.metadata.creationTimestamp.localeCompare(b.object.metadata.creationTimestamp))
      .slice(0, this.opts.batchSize);
    const vms = pendingVms(this.model.list(VMS));
    if (pending.length === 0 && vms.length === 0) return this.write(addressed);
    const views = this.views();
    const writes: StreamAppend[] = [...addressed, ...this.placeVms(vms, views)];
    for (const stored of pending) {
      const pod = stored.object;
      const reasons: string[] = [];
      let best: HostView | undefined;
      let bestScore = -Infinity;
      for (const view of views) {
        const why = filterHost(pod, view, views);
        if (why) {
          reasons.push(why);
          continue;
        }
        const score = scoreHost(pod, view);
        if (score > bestScore || (score === bestScore && best && view.name < best.name)) {
          best = view;
          bestScore = score;
        }
      }
      let address: string | undefined;
      try {
        address = best && allocator && networksPods(best.host) ? allocator.assign(pod) : undefined;
      } catch (err) {
        if (!(err instanceof PodAddressesExhausted)) throw err;
        writes.push(...this.unschedulable(stored, `0/${views.length} nodes are available: ${err.message}.`));
        continue;
      }
      if (best) {
        const placed = boundPod(pod, best.name, best.host.status?.epoch ?? 0);
        const bound = address ? withPodAddress(placed, address) : placed;
        best.used = add(best.used, podRequests(pod));
        best.pods.push(bound);
        writes.push(podChange(bound, PodEventTypes.bound, stored.streamVersion));
        writes.push(podEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${best.name}`));
      } else {
        writes.push(...this.unschedulable(stored, unschedulableMessage(views.length, reasons)));
      }
    }
    await this.write(writes);
  }

  /**
   * Pods bound to a host that networks its pods without going through the scheduler (`spec.nodeName` set by
   * their author) get their address here; the host's agent waits for it.
   */
  private addressBoundPods(allocator: PodAddressAllocator): StreamAppend[] {
    const networked = new Set(this.model.list(HOSTS_RESOURCE).filter((h) => networksPods(h.object)).map((h) => h.object.metadata.name));
    const writes: StreamAppend[] = [];
    for (const stored of this.model.list('pods')) {
      const pod = stored.object;
      if (!networked.has(pod.spec?.nodeName) || pod.metadata.annotations?.[POD_IP_ANNOTATION] || pod.metadata.deletionTimestamp) continue;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      try {
        const next = withPodAddress(structuredClone(pod), allocator.assign(pod));
        delete next.metadata.resourceVersion;
        writes.push(podChange(next, ObjectEventTypes.updated, stored.streamVersion));
      } catch (err) {
        if (!(err instanceof PodAddressesExhausted)) throw err;
        this.deps.logger.warn('no address for a pod', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: err.message });
      }
    }
    return writes;
  }

  /**
   * Pods on hosts that stopped heartbeating (NotReady, HeartbeatMissed): by then the host's own lease has run
   * out and its runtime has stopped them. Restartable pods are unbound to be placed elsewhere; pods with
   * restartPolicy Never become Failed (NodeLost); pods being deleted are finished, as their host cannot.
   */
  private failovers(): StreamAppend[] {
    const lost = new Map<string, string>();
    for (const s of this.model.list(HOSTS_RESOURCE)) {
      const ready = (s.object.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      if (ready?.status !== 'True' && ready?.reason === 'HeartbeatMissed') lost.set(s.object.metadata.name, ready.message ?? '');
    }
    if (lost.size === 0) return [];
    const writes: StreamAppend[] = [];
    for (const stored of this.model.list('pods')) {
      const pod = stored.object;
      const host = pod.spec?.nodeName;
      if (!host || !lost.has(host) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const why = `host ${host} is NotReady: ${lost.get(host)}`;
      if (pod.metadata.deletionTimestamp) {
        const gone = structuredClone(pod);
        delete gone.metadata.resourceVersion;
        writes.push(podChange(gone, ObjectEventTypes.deleted, stored.streamVersion));
      } else if (pod.spec.restartPolicy === 'Never') {
        writes.push(podChange(nodeLostPod(pod, `Pod was running on ${why}`), ObjectEventTypes.statusUpdated, stored.streamVersion));
        writes.push(podEvent(pod, 'Warning', 'NodeLost', `Pod was running on ${why}; restartPolicy Never: it is Failed`));
      } else {
        writes.push(podUnbound(pod, stored.streamVersion, { reason: 'HostNotReady', message: why }, SCHEDULER_ACTOR));
        writes.push(podEvent(pod, 'Warning', 'HostFailover', `${why}; starting the pod on another host`));
      }
    }
    for (const stored of this.model.list(VMS)) {
      const host = stored.object.status?.nodeName;
      if (host && lost.has(host) && !stored.object.metadata.deletionTimestamp) writes.push(unplaceVm(stored, `host ${host} is NotReady: ${lost.get(host)}`));
    }
    if (writes.length > 0) this.deps.logger.warn('failing over pods from lost hosts', { hosts: [...lost.keys()], writes: writes.length });
    return writes;
  }

  /** VMs go first (they are the bigger pieces), by the same filters and scores as pods. */
  private placeVms(vms: StoredObject[], views: HostView[]): StreamAppend[] {
    const writes: StreamAppend[] = [];
    for (const stored of vms) {
      const workload = asWorkload(stored.object, vmPlacement(stored.object)!);
      const reasons: string[] = [];
      let best: HostView | undefined;
      let bestScore = -Infinity;
      const placement = vmPlacement(stored.object)!;
      for (const view of views) {
        const why = filterHost(workload, view, views) ?? tooBigFor(placement, view);
        if (why) reasons.push(why);
        else {
          const score = scoreHost(workload, view);
          if (score > bestScore) [best, bestScore] = [view, score];
        }
      }
      if (best) {
        best.used = add(best.used, podRequests(workload));
        best.pods.push(workload);
        writes.push(placeVm(stored, best.name, best.host.status?.epoch ?? 0));
      } else {
        const w = unplaceableVm(stored, unschedulableMessage(views.length, reasons));
        if (w) writes.push(w);
      }
    }
    return writes;
  }

  /** Status and a FailedScheduling event, only when the verdict changed. */
  private unschedulable(stored: StoredObject, message: string): StreamAppend[] {
    const current = (stored.object.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return [];
    return [
      podChange(unschedulablePod(stored.object, message), ObjectEventTypes.statusUpdated, stored.streamVersion),
      podEvent(stored.object, 'Warning', 'FailedScheduling', message),
    ];
  }

  /** One transaction for the whole batch; when a pod changed meanwhile, the writes go one pod at a time. */
  private async write(writes: StreamAppend[]): Promise<void> {
    if (writes.length === 0) return;
    try {
      await this.deps.store.appendBatch(writes);
      return;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    for (let i = 0; i < writes.length; i++) {
      const group = writes[i + 1]?.expectedVersion === 'no_stream' ? [writes[i], writes[++i]] : [writes[i]];
      try {
        await this.deps.store.appendBatch(group);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        this.loop.schedule(); // a pod changed under us: decide again on the next pass
      }
    }
  }
}
