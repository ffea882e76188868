import { type Logger, serviceMetrics } from '@openpacific/service-kit';
import { hostZone, HOSTS_RESOURCE, PDBS_RESOURCE, POD_IP_ANNOTATION, PVCS_RESOURCE, STORAGE_CLASSES_RESOURCE, streamResource, ZONES_RESOURCE } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import { controllerReadModel, type FollowerDeps, nodeLostPod, PassLoop, podUnbound, type SharedFollower, StoredObject, timerDelay, vmPlacement } from '@openpacific/objects';
import { HostView, unschedulableMessage } from './filters';
import { HostTallies } from './host-tallies';
import { holdsResources } from './pod-requests';
import { networksPods, PodAddressAllocator, PodAddressesExhausted, withPodAddress } from './pod-addresses';
import { scoreHost } from './scoring';
import { asWorkload, pendingVms, placeVm, tooBigFor, unplaceableVm, unplaceVm, VMS } from '../vms/vm-workloads';
import { NamespaceZones, namespaceZoneRule, namespaceZones, vmZoneRule, zoneFilter } from '../vms/vm-zones';
import { boundPod, ObjectEventTypes, podBinding, podChange, podEvent, SCHEDULER_ACTOR, unschedulablePod } from './scheduling-records';
import { PlacementDecision, PlacementWriter } from './placement-writer';
import { NominatedPods } from './nominated-pods';
import { lowestPriority, NOT_HELPFUL } from './preemption';
import { preemptOrWait, PreemptionDeps } from './preemption-step';
import { isUnschedulable, SchedulerMetrics } from './scheduler-metrics';
import { taintEvictionPass, TaintEvictions } from './taint-eviction';
import { ClaimLookup, claimsPreFilter } from './volume-prefilter';

/** A decision whose first write carries the object as the writes leave it. */
function decided(stored: StoredObject, writes: StreamAppend[]): PlacementDecision {
  return { stored, object: (writes[0].events[0].data as { object: any }).object, writes };
}

/**
 * Higher priority first, then oldest first (kube-scheduler's PrioritySort). Timestamps are RFC 3339 in UTC: code-unit
 * order is time order, without `localeCompare`'s cost per comparison.
 */
function byPriorityThenCreation(a: any, b: any): number {
  const d = (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0);
  if (d !== 0) return d;
  const x = a.metadata.creationTimestamp;
  const y = b.metadata.creationTimestamp;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Unbound, not being deleted, for this scheduler, with no scheduling gates left, and not finished. */
function waitsForHost(pod: any): boolean {
  if (pod.spec?.nodeName || pod.metadata.deletionTimestamp || (pod.spec?.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return false;
  if (pod.spec?.schedulingGates?.length) return false;
  return pod.status?.phase === undefined || pod.status.phase === 'Pending';
}

/**
 * Binds pending pods to hosts, in batches: every pass takes the pending pods
 * (highest priority first, then oldest, up to `batchSize`), filters and scores the hosts for each
 * against usage that includes earlier choices not yet back from the log, and
 * hands the bindings to the placement writer, which commits them in chunks of
 * `chunkPods`, pipelined, so a burst's first pods are bound while the rest are
 * still being decided. Each binding is written at the pod's stream version, so
 * two schedulers can never bind a pod twice. Pods that fit nowhere get
 * PodScheduled=False/Unschedulable and are retried whenever pods or hosts
 * change, and on a periodic resync.
 */
export class PodScheduler {
  /** PodDisruptionBudgets for preemption, which spares their pods where it can; namespaces and their Zones for VMs. */
  private readonly model = controllerReadModel(['pods', HOSTS_RESOURCE, VMS, PDBS_RESOURCE, PVCS_RESOURCE, STORAGE_CLASSES_RESOURCE, 'namespaces', ZONES_RESOURCE]);
  /** The pods' claims and their classes, for the VolumeBinding pre-filter. */
  private readonly claims: ClaimLookup = {
    claim: (namespace, name) => this.model.get(PVCS_RESOURCE, namespace, name)?.object,
    classes: () => this.model.list(STORAGE_CLASSES_RESOURCE).map((s) => s.object),
  };
  /** Pods waiting for a host, by stream: kept as pods change, so a pass does not sift every pod to find them. */
  private readonly pending = new Map<string, StoredObject>();
  /** Pods and VMs (by stream) whose count on the hosts is due again: changed in the log, or decided or given up on since. */
  private readonly recount = new Map<string, { resource: string; namespace: string; name: string }>();
  private readonly tallies = new HostTallies();
  private readonly addresses?: PodAddressAllocator;
  /** Pods bound by their author to a host that networks its pods, still without an address. */
  private readonly unaddressed = new Map<string, StoredObject>();
  /** A host started or stopped networking its pods: which bound pods need an address is worked out afresh. */
  private networkingChanged = false;
  private readonly loop: PassLoop;
  /**
   * Every decision of a pass (placements, verdicts, addresses, moves off a lost host), each counted as decided
   * until the log brings it back: a pass can run between a decision's commit and the follower's read of it (a
   * transaction still open below it holds the follower back), and deciding again would only lose to a version
   * conflict. Moves off a lost host were written apart once: the pass after them wrote all 100 again, lost them
   * and retried each alone, over a second before any pod could be placed elsewhere.
   */
  private readonly placements: PlacementWriter;
  private readonly preemption: PreemptionDeps;
  /** kube-controller-manager's taint-eviction controller: pods off hosts with NoExecute taints they do not tolerate. */
  private readonly evictions = new TaintEvictions();
  private evictionTimer?: NodeJS.Timeout;
  private readonly metrics: SchedulerMetrics;

  constructor(
    private readonly deps: FollowerDeps<Logger> & { log: SharedFollower; podCIDR?: string },
    private readonly opts = { batchSize: 2000, chunkPods: 250, maxInFlight: 2, resyncMs: 5000 },
  ) {
    const onError = (err: unknown) => deps.logger.warn('scheduling pass failed; retrying', { error: (err as Error).message });
    this.loop = new PassLoop(() => this.scheduleBatch(), { resyncMs: opts.resyncMs, onError });
    this.placements = new PlacementWriter(deps.store, {
      chunkPods: opts.chunkPods,
      maxInFlight: opts.maxInFlight,
      retry: () => this.loop.schedule(),
      onError,
      forgotten: (stored) => this.countAgain(stored.streamId, streamResource(stored.streamId), stored.object),
    });
    this.addresses = deps.podCIDR ? new PodAddressAllocator(deps.podCIDR) : undefined;
    this.metrics = new SchedulerMetrics(serviceMetrics(), () => {
      let unschedulable = 0;
      for (const stored of this.pending.values()) if (isUnschedulable(stored.object)) unschedulable++;
      return { active: this.pending.size - unschedulable, unschedulable };
    });
    this.preemption = {
      model: this.model,
      tallies: this.tallies,
      isAssumed: (streamId) => this.placements.isAssumed(streamId),
      countAgain: (streamId, resource, object) => this.countAgain(streamId, resource, object),
      logger: deps.logger,
    };
    deps.log.add(this.model.follows, (events) => {
      let relevant = false;
      for (const e of events) {
        const change = this.model.apply(e);
        if (!change) continue;
        relevant = true;
        if (change.resource === HOSTS_RESOURCE) {
          const networks = change.type !== 'DELETED' && networksPods(change.object);
          if (networks !== networksPods(change.previous)) this.networkingChanged = true;
          continue;
        }
        if (change.resource === PDBS_RESOURCE || change.resource === PVCS_RESOURCE || change.resource === STORAGE_CLASSES_RESOURCE || change.resource === 'namespaces' || change.resource === ZONES_RESOURCE) continue;
        this.countAgain(e.streamId, change.resource, change.object);
        this.placements.observed(e.streamId, e.streamVersion);
        if (change.resource !== 'pods') continue;
        const stored = change.type === 'DELETED' ? undefined : this.model.get('pods', change.object.metadata.namespace, change.object.metadata.name);
        if (stored && waitsForHost(stored.object)) this.pending.set(e.streamId, stored);
        else this.pending.delete(e.streamId);
      }
      if (relevant) this.loop.schedule();
    });
  }

  /** Passes from now on; `deps.log` has replayed the log into the read model. */
  start(): void {
    this.loop.start();
  }

  /** A pass soon (a host's readiness changed). */
  kick(): void {
    this.loop.schedule();
  }

  /** Stops passing and waits for the bindings in flight. */
  async stop(): Promise<void> {
    this.loop.stop();
    clearTimeout(this.evictionTimer);
    await this.placements.drain();
  }

  /** The pod or VM of this stream is counted on the hosts afresh at the next pass. */
  private countAgain(streamId: string, resource: string, object: any): void {
    this.recount.set(streamId, { resource, namespace: object.metadata.namespace, name: object.metadata.name });
  }

  /**
   * Brings the hosts' counts up to date with what changed since the last pass: each pod as the scheduler must see
   * it (as decided, if its binding is not back from the log yet), and each VM's reservation on its host.
   */
  private updateCounts(): void {
    for (const [streamId, { resource, namespace, name }] of this.recount) {
      const stored = this.model.get(resource, namespace, name);
      if (resource === VMS) {
        const vm = stored && this.placements.current(stored);
        const placement = vm && vmPlacement(vm);
        this.tallies.count(streamId, placement ? vm.status?.nodeName : undefined, placement && asWorkload(vm, placement));
        continue;
      }
      const pod = stored && this.placements.current(stored);
      this.tallies.count(streamId, pod && holdsResources(pod) ? pod.spec.nodeName : undefined, pod);
      this.addresses?.count(streamId, pod);
      if (stored && this.needsAddress(stored)) this.unaddressed.set(streamId, stored);
      else this.unaddressed.delete(streamId);
    }
    this.recount.clear();
    if (this.networkingChanged) {
      this.networkingChanged = false;
      this.unaddressed.clear();
      for (const stored of this.model.list('pods')) if (this.needsAddress(stored)) this.unaddressed.set(stored.streamId, stored);
    }
  }

  private async scheduleBatch(): Promise<void> {
    const failovers = this.failovers();
    if (failovers.length > 0) {
      await this.placements.submit(failovers);
      // The moved pods come back Pending through the log; the pass that follows their return places them.
      this.loop.schedule();
      return;
    }
    await this.taintEvictions();
    this.updateCounts();
    const allocator = this.addresses;
    const addressed = allocator ? this.addressBoundPods(allocator) : [];
    const waiting = [...this.pending.values()].filter((s) => !this.placements.isAssumed(s.streamId));
    const nominated = new NominatedPods(waiting);
    const pending = waiting.sort((a, b) => byPriorityThenCreation(a.object, b.object)).slice(0, this.opts.batchSize);
    const vms = pendingVms(this.model.list(VMS)).filter((s) => !this.placements.isAssumed(s.streamId));
    await this.placements.submit(addressed);
    if (pending.length === 0 && vms.length === 0) return;
    const views = this.tallies.views(this.model.list(HOSTS_RESOURCE));
    await this.placements.submit(this.placeVms(vms, views, nominated));
    let decisions: PlacementDecision[] = [];
    // Computed once a pod fits nowhere: pods of this priority or less have no one to preempt.
    let lowest: number | undefined;
    const zonesByNamespace = new Map<string, NamespaceZones>();
    for (const stored of pending) {
      if (decisions.length >= this.opts.chunkPods) {
        // Each chunk goes to the writer as soon as it is decided, and the event loop gets a turn in between:
        // deciding 2,000 pods in one go held it for seconds at load 40, and the hosts' heartbeats waited.
        await this.placements.submit(decisions);
        decisions = [];
        await new Promise((resolve) => setImmediate(resolve));
      }
      const pod = stored.object;
      const started = process.hrtime.bigint();
      // VolumeBinding's pre-filter: a pod whose claims cannot be used yet fits no host, whatever the hosts.
      const claimProblem = claimsPreFilter(pod, this.claims);
      if (claimProblem) {
        const total = views.length;
        decisions.push(...this.unschedulable(stored, `0/${total} hosts are available: ${claimProblem}. preemption: ${unschedulableMessage(total, new Array(total).fill(NOT_HELPFUL))}.`));
        this.metrics.attempted('unschedulable', started);
        continue;
      }
      const reasons: string[] = [];
      let best: HostView | undefined;
      let bestScore = -Infinity;
      // The namespace's zones first (docs/pods.md, Zones); undefined, so nothing to look at, where zones are not in use.
      const zoneRule = namespaceZoneRule(pod.metadata.namespace, this.namespaceZones(zonesByNamespace, pod.metadata.namespace));
      for (const view of views) {
        const why = zoneFilter(zoneRule, view.host) ?? nominated.filterHost(pod, stored.streamId, view, views);
        if (why) {
          reasons.push(why);
          continue;
        }
        const score = scoreHost(pod, view, views);
        if (score > bestScore || (score === bestScore && best && view.name < best.name)) {
          best = view;
          bestScore = score;
        }
      }
      let address: string | undefined;
      try {
        address = best && allocator && networksPods(best.host) && !pod.spec?.hostNetwork ? allocator.assign(stored.streamId, pod) : undefined;
      } catch (err) {
        if (!(err instanceof PodAddressesExhausted)) throw err;
        decisions.push(...this.unschedulable(stored, `0/${views.length} nodes are available: ${err.message}.`));
        this.metrics.attempted('unschedulable', started);
        continue;
      }
      if (best) {
        const placed = boundPod(pod, best.name, best.host.status?.epoch ?? 0);
        const bound = address ? withPodAddress(placed, address) : placed;
        // Counted where it went for the rest of this pass; the next pass counts it again as the writer left it.
        this.tallies.count(stored.streamId, best.name, bound);
        this.countAgain(stored.streamId, 'pods', pod);
        if (pod.status?.nominatedNodeName) nominated.forget(stored.streamId);
        decisions.push({
          stored,
          object: bound,
          writes: [podBinding(bound, stored.streamVersion), podEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${best.name}`)],
        });
        this.metrics.attempted('scheduled', started);
      } else {
        lowest ??= lowestPriority(views);
        const outcome = preemptOrWait(this.preemption, stored, views, reasons, lowest, zoneRule && ((view) => zoneFilter(zoneRule, view.host)));
        decisions.push(...('decision' in outcome ? [outcome.decision] : this.unschedulable(stored, outcome.message, outcome.clearNomination)));
        // Nominated or not, the pod is not placed yet: kube-scheduler counts both as unschedulable.
        this.metrics.attempted('unschedulable', started);
        if ('decision' in outcome || outcome.searched) this.metrics.preempted('decision' in outcome ? outcome.victims : 0);
      }
    }
    await this.placements.submit(decisions);
  }

  /** kube-controller-manager's taint eviction (`taintEvictionPass`), written through the placement writer. */
  private async taintEvictions(): Promise<void> {
    const pass = taintEvictionPass(this.evictions, this.model.list(HOSTS_RESOURCE), () => this.model.list('pods').filter((s) => !this.placements.isAssumed(s.streamId)), Date.now());
    if (!pass) return;
    clearTimeout(this.evictionTimer);
    if (pass.nextAt !== undefined) this.evictionTimer = setTimeout(() => this.loop.schedule(), timerDelay(pass.nextAt + 5)).unref();
    for (const { stored } of pass.evict) {
      this.deps.logger.info('evicting a pod off a NoExecute taint', { pod: `${stored.object.metadata.namespace}/${stored.object.metadata.name}`, host: stored.object.spec.nodeName });
    }
    await this.placements.submit(pass.evict.map(({ stored, writes }) => decided(stored, writes)));
    if (pass.cancelled.length) await this.deps.store.appendBatch(pass.cancelled);
  }

  /**
   * Pods bound to a host that networks its pods without going through the scheduler (`spec.nodeName` set by
   * their author) get their address here; the host's agent waits for it.
   */
  private addressBoundPods(allocator: PodAddressAllocator): PlacementDecision[] {
    const decisions: PlacementDecision[] = [];
    for (const stored of this.unaddressed.values()) {
      if (this.placements.isAssumed(stored.streamId)) continue;
      const pod = stored.object;
      try {
        const next = withPodAddress(structuredClone(pod), allocator.assign(stored.streamId, pod));
        delete next.metadata.resourceVersion;
        decisions.push(decided(stored, [podChange(next, ObjectEventTypes.updated, stored.streamVersion)]));
      } catch (err) {
        if (!(err instanceof PodAddressesExhausted)) throw err;
        this.deps.logger.warn('no address for a pod', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: err.message });
      }
    }
    return decisions;
  }

  /** Bound to a host that networks its pods, without an address, and still to run there. */
  private needsAddress(stored: StoredObject): boolean {
    const pod = stored.object;
    // A pod on its host's network has the host's address: none is taken from its namespace's range.
    if (!pod.spec?.nodeName || pod.spec.hostNetwork || pod.metadata.annotations?.[POD_IP_ANNOTATION] || pod.metadata.deletionTimestamp) return false;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
    return networksPods(this.model.get(HOSTS_RESOURCE, undefined, pod.spec.nodeName)?.object);
  }

  /**
   * Pods on hosts that stopped heartbeating (NotReady, HeartbeatMissed): by then the host's own lease has run
   * out and its runtime has stopped them. Restartable pods are unbound to be placed elsewhere; pods with
   * restartPolicy Never become Failed (NodeLost); pods being deleted are finished, as their host cannot.
   */
  private failovers(): PlacementDecision[] {
    const lost = new Map<string, string>();
    for (const s of this.model.list(HOSTS_RESOURCE)) {
      const ready = (s.object.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      if (ready?.status !== 'True' && ready?.reason === 'HeartbeatMissed') lost.set(s.object.metadata.name, ready.message ?? '');
    }
    if (lost.size === 0) return [];
    const decisions: PlacementDecision[] = [];
    for (const stored of this.model.list('pods')) {
      const pod = stored.object;
      const host = pod.spec?.nodeName;
      if (!host || !lost.has(host) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || this.placements.isAssumed(stored.streamId)) continue;
      const why = `host ${host} is NotReady: ${lost.get(host)}`;
      if (pod.metadata.deletionTimestamp) {
        const gone = structuredClone(pod);
        delete gone.metadata.resourceVersion;
        // Finalizers (a Job's tracking) hold it: its grace period ends and it is Failed, as its host would have written.
        const held = (pod.metadata.finalizers ?? []).length > 0;
        if (held) {
          gone.metadata.deletionGracePeriodSeconds = 0;
          gone.status = { ...gone.status, phase: 'Failed' };
        }
        decisions.push(decided(stored, [podChange(gone, held ? ObjectEventTypes.updated : ObjectEventTypes.deleted, stored.streamVersion)]));
      } else if (pod.spec.restartPolicy === 'Never') {
        decisions.push(decided(stored, [
          podChange(nodeLostPod(pod, `Pod was running on ${why}`), ObjectEventTypes.statusUpdated, stored.streamVersion),
          podEvent(pod, 'Warning', 'NodeLost', `Pod was running on ${why}; restartPolicy Never: it is Failed`),
        ]));
      } else {
        decisions.push(decided(stored, [
          podUnbound(pod, stored.streamVersion, { reason: 'HostNotReady', message: why }, SCHEDULER_ACTOR),
          podEvent(pod, 'Warning', 'HostFailover', `${why}; starting the pod on another host`),
        ]));
      }
    }
    for (const stored of this.model.list(VMS)) {
      const host = stored.object.status?.nodeName;
      if (host && lost.has(host) && !stored.object.metadata.deletionTimestamp && !this.placements.isAssumed(stored.streamId)) {
        decisions.push(decided(stored, [unplaceVm(stored, `host ${host} is NotReady: ${lost.get(host)}`)]));
      }
    }
    if (decisions.length > 0) this.deps.logger.warn('failing over pods from lost hosts', { hosts: [...lost.keys()], objects: decisions.length });
    return decisions;
  }

  /**
   * VMs go first (they are the bigger pieces), by the same filters and scores as pods (a VM's priority is 0), to the
   * hosts of their zones when zones concern them (docs/vms.md, Zones); such a VM gets the zone of its host.
   */
  private placeVms(vms: StoredObject[], views: HostView[], nominated: NominatedPods): PlacementDecision[] {
    const decisions: PlacementDecision[] = [];
    const zonesByNamespace = new Map<string, NamespaceZones>();
    for (const stored of vms) {
      const workload = asWorkload(stored.object, vmPlacement(stored.object)!);
      const reasons: string[] = [];
      let best: HostView | undefined;
      let bestScore = -Infinity;
      const placement = vmPlacement(stored.object)!;
      const zones = this.namespaceZones(zonesByNamespace, stored.object.metadata.namespace);
      const zoneRule = vmZoneRule(stored.object, zones);
      for (const view of views) {
        const why = zoneFilter(zoneRule, view.host) ?? nominated.filterHost(workload, stored.streamId, view, views) ?? tooBigFor(placement, view);
        if (why) reasons.push(why);
        else {
          const score = scoreHost(workload, view, views);
          if (score > bestScore) [best, bestScore] = [view, score];
        }
      }
      // Counted where it went for the rest of this pass; the next pass counts it again as the writer left it.
      const write = best ? placeVm(stored, best.name, best.host.status?.epoch ?? 0, zoneRule && hostZone(best.host)) : unplaceableVm(stored, unschedulableMessage(views.length, reasons));
      if (best) {
        this.tallies.count(stored.streamId, best.name, workload);
        this.countAgain(stored.streamId, VMS, stored.object);
      }
      if (write) decisions.push(decided(stored, [write]));
    }
    return decisions;
  }

  /** The namespace's Zones, read once per pass. */
  private namespaceZones(known: Map<string, NamespaceZones>, namespace: string): NamespaceZones {
    let zones = known.get(namespace);
    if (!zones) {
      zones = namespaceZones(this.model.get('namespaces', undefined, namespace)?.object, this.model.list(ZONES_RESOURCE, namespace).map((s) => s.object));
      known.set(namespace, zones);
    }
    return zones;
  }

  /** Status and a FailedScheduling event, only when the verdict changed (or a nomination is to be cleared). */
  private unschedulable(stored: StoredObject, message: string, clearNomination = false): PlacementDecision[] {
    const current = (stored.object.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    const nominated = clearNomination && stored.object.status?.nominatedNodeName !== undefined;
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message && !nominated) return [];
    const object = unschedulablePod(stored.object, message);
    if (nominated) delete object.status.nominatedNodeName;
    return [{ stored, object, writes: [podChange(object, ObjectEventTypes.statusUpdated, stored.streamVersion), podEvent(stored.object, 'Warning', 'FailedScheduling', message)] }];
  }
}
