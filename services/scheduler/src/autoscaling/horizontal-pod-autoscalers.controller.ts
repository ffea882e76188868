import type { Logger } from '@openpacific/service-kit';
import {
  DEPLOYMENTS_RESOURCE, HPAS_RESOURCE, ObjectEventTypes, REPLICASETS_RESOURCE, REPLICATION_CONTROLLERS_RESOURCE, replicationControllerSelector, STATEFULSETS_RESOURCE,
} from '@openpacific/contracts';
import { type StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import type { HostMetricsCache } from '@openpacific/messaging';
import { controllerReadModel, type FollowerDeps, type PassLoop, type ReadModel, sameJson, type SharedFollower, type StoredObject, timerDelay } from '@openpacific/objects';
import { append, clean, controllerNamed, passesOver, workloadEvent } from '../workloads/owned-pods';
import { reconcileHpa, type HpaDecision, type Scale } from './hpa.reconciler';
import { ScalingHistory } from './scaling-history';

const HPA_CONTROLLER = controllerNamed('horizontal-pod-autoscaler');

/** The kinds whose scale the controller reads and sets: those the scheduler's workload controllers follow. */
const SCALABLE: Record<string, { resource: string; group: string }> = {
  Deployment: { resource: DEPLOYMENTS_RESOURCE, group: 'apps' },
  ReplicaSet: { resource: REPLICASETS_RESOURCE, group: 'apps' },
  StatefulSet: { resource: STATEFULSETS_RESOURCE, group: 'apps' },
  ReplicationController: { resource: REPLICATION_CONTROLLERS_RESOURCE, group: '' },
};

/** A target's label selector (a ReplicationController's label map as one). */
function selectorOf(target: StoredObject): any {
  const obj = target.object;
  return obj.kind === 'ReplicationController' ? replicationControllerSelector(obj) : obj.spec?.selector;
}

interface Target {
  resource: string;
  stored: StoredObject;
}

export interface HpaControllerOptions {
  /** The workload controllers' read model (Deployments, ReplicaSets, StatefulSets and pods): no second copy of the pods. */
  targets: ReadModel;
  metrics: HostMetricsCache;
  /** How often each HPA is synced (HPA_SYNC_PERIOD_MS; kube-controller-manager's --horizontal-pod-autoscaler-sync-period). */
  syncPeriodMs: number;
}

/**
 * The horizontal pod autoscaler controller of OpenPacific (autoscaling/v2), run by the elected scheduler: every sync
 * period each HPA's target is resized from its pods' usage (the hosts' samples, HostMetricsCache) as
 * kube-controller-manager does (hpa.reconciler.ts decides; this class reads the world and writes). It follows only
 * HPAs: pod events cost it nothing, and with no HPA a pass is an empty loop.
 */
export class HorizontalPodAutoscalersController {
  private readonly model = controllerReadModel([HPAS_RESOURCE]);
  private readonly loop: PassLoop;
  private readonly history = new ScalingHistory();
  /** When each HPA (by uid) was last synced, at which generation: a spec change is synced at once, else once a period. */
  private readonly synced = new Map<string, { at: number; generation: number }>();
  /** The Warnings of each HPA's last sync: the same ones again are not recorded again every period. */
  private readonly warned = new Map<string, Set<string>>();
  private dueTimer?: NodeJS.Timeout;

  constructor(
    private readonly deps: FollowerDeps<Logger> & { log: SharedFollower },
    private readonly opts: HpaControllerOptions,
  ) {
    this.loop = passesOver(deps, this.model, 'autoscalers', () => this.pass(), { resyncMs: opts.syncPeriodMs });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    clearTimeout(this.dueTimer);
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    let nextDue = Infinity;
    for (const stored of this.model.list(HPAS_RESOURCE)) {
      const hpa = stored.object;
      if (hpa.metadata.deletionTimestamp) continue;
      const last = this.synced.get(hpa.metadata.uid);
      const now = Date.now();
      if (!last || last.generation !== hpa.metadata.generation || now - last.at >= this.opts.syncPeriodMs) {
        if (await this.sync(stored, now)) this.synced.set(hpa.metadata.uid, { at: now, generation: hpa.metadata.generation });
      }
      nextDue = Math.min(nextDue, (this.synced.get(hpa.metadata.uid)?.at ?? now) + this.opts.syncPeriodMs);
    }
    for (const uid of this.history.keys()) if (!this.model.findByUid(uid)) this.forget(uid);
    for (const uid of this.synced.keys()) if (!this.model.findByUid(uid)) this.forget(uid);
    clearTimeout(this.dueTimer);
    if (Number.isFinite(nextDue)) {
      this.dueTimer = setTimeout(() => this.loop.schedule(), timerDelay(nextDue));
      this.dueTimer.unref();
    }
  }

  private forget(uid: string): void {
    this.history.forget(uid);
    this.synced.delete(uid);
    this.warned.delete(uid);
  }

  /** One HPA's sync; false when a write conflicted (it is tried again on the next pass). */
  private async sync(stored: StoredObject, now: number): Promise<boolean> {
    const hpa = stored.object;
    const target = this.target(hpa);
    const scale: Scale | { error: string } = 'error' in target ? target : { replicas: target.stored.object.spec?.replicas ?? 1, selector: selectorOf(target.stored) };
    const pods = 'error' in target ? [] : this.podsOf(hpa.metadata.namespace, selectorOf(target.stored));
    const readings = pods.length ? this.opts.metrics.pods(hpa.metadata.namespace) : [];
    const decision = reconcileHpa({ hpa, scale, pods, readings, history: this.history, now });
    const written = await this.write(stored, 'error' in target ? undefined : target, decision);
    if (written) decision.written?.();
    return written;
  }

  private target(hpa: any): Target | { error: string } {
    const ref = hpa.spec.scaleTargetRef ?? {};
    const group = String(ref.apiVersion ?? '').includes('/') ? ref.apiVersion.split('/')[0] : '';
    const scalable = SCALABLE[ref.kind];
    if (!scalable || (ref.apiVersion && group !== scalable.group)) return { error: `no matches for kind "${ref.kind}" in group "${group}"` };
    const resource = scalable.resource;
    const stored = this.opts.targets.get(resource, hpa.metadata.namespace, ref.name);
    return stored ? { resource, stored } : { error: `${resource} "${ref.name}" not found` };
  }

  private podsOf(namespace: string, selector: any): any[] {
    if (!selector) return [];
    const wanted = labelSelectorFromObject(selector);
    if (wanted.length === 0) return [];
    return this.opts.targets.list('pods', namespace).map((s) => s.object).filter((p) => matchesLabelSelector(wanted, p.metadata.labels ?? {}));
  }

  private async write(stored: StoredObject, target: Target | undefined, decision: HpaDecision): Promise<boolean> {
    const hpa = stored.object;
    const writes: StreamAppend[] = [];
    if (decision.scaleTo !== undefined && target) {
      // As the scale subresource writes it: the target's spec at the version read, a new generation.
      const next = clean(target.stored.object);
      next.spec.replicas = decision.scaleTo;
      next.metadata.generation = (next.metadata.generation ?? 1) + 1;
      writes.push(append(target.resource, next, ObjectEventTypes.updated, target.stored.streamVersion, HPA_CONTROLLER));
    }
    if (!sameJson(decision.status, hpa.status ?? {})) {
      const next = clean(hpa);
      next.status = decision.status;
      writes.push(append(HPAS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, HPA_CONTROLLER));
    }
    const said = this.warned.get(hpa.metadata.uid) ?? new Set<string>();
    const warnings = new Set(decision.events.filter((e) => e.type === 'Warning').map((e) => `${e.reason}\u0000${e.message}`));
    for (const e of decision.events) {
      if (e.type === 'Warning' && said.has(`${e.reason}\u0000${e.message}`)) continue;
      writes.push(workloadEvent(hpa, HPA_CONTROLLER, e.type, e.reason, e.message));
    }
    if (writes.length === 0) return true;
    try {
      await this.deps.store.appendBatch(writes);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      this.loop.schedule();
      return false;
    }
    this.warned.set(hpa.metadata.uid, warnings);
    return true;
  }
}
