import type { Logger } from '@openpacific/service-kit';
import { randomUUID } from 'node:crypto';
import {
  DEPLOYMENTS_RESOURCE, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, ObjectEventTypes, objectStreamId, PDBS_RESOURCE, POD_TEMPLATE_HASH_LABEL, REPLICASETS_RESOURCE,
  REPLICATION_CONTROLLERS_RESOURCE, replicationControllerSelector, REVISION_ANNOTATION, STATEFULSETS_RESOURCE, rfc3339,
} from '@openpacific/contracts';
import { NewEvent, StreamAppend } from '@openpacific/event-store';
import { controllerReadModel, type FollowerDeps, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import {
  controllerOf, deletionOrder, deploymentReplicaFailure, deploymentStatus, isActivePod, progressDeadlineAt, isPodAvailable, isPodReady, podTemplateHash, recreateStep, replicaFailureConditions,
  resolveFenceposts, REVISION_HISTORY_ANNOTATION, revisedAnnotations, revisionOf, rollingStep, RsView, sameTemplateIgnoringHash,
} from './workload-logic';
import { append, clean, controllerNamed, PodOwnersController, ownerRef, workloadEvent, POD_ADMISSION_RESOURCES } from './owned-pods';
import { budgetStatus, disruptionDeadline } from './disruption-logic';
import { claim } from './claims';
import { proportionalSizes } from './proportional-scaling';
import { SyncFailureBackoff } from './sync-backoff';

const DEPLOYMENT_CONTROLLER = controllerNamed('deployment-controller');
const REPLICASET_CONTROLLER = controllerNamed('replicaset-controller');
const REPLICATION_CONTROLLER = controllerNamed('replication-controller');
const DISRUPTION_CONTROLLER = controllerNamed('disruption-controller');

/** What differs between a ReplicaSet and a ReplicationController to the one controller that runs both (kube-controller-manager's too). */
interface ReplicasKind {
  resource: string;
  by: ReturnType<typeof controllerNamed>;
  /** The object with its selector as a label selector (a ReplicationController's is a label map). */
  view(obj: any): any;
}
const REPLICA_SETS: ReplicasKind = { resource: REPLICASETS_RESOURCE, by: REPLICASET_CONTROLLER, view: (rs) => rs };
const REPLICATION_CONTROLLERS: ReplicasKind = {
  resource: REPLICATION_CONTROLLERS_RESOURCE,
  by: REPLICATION_CONTROLLER,
  view: (rc) => ({ ...rc, spec: { ...rc.spec, selector: replicationControllerSelector(rc) } }),
};
/** Pods a ReplicaSet creates or deletes per pass (kube-controller-manager's burstReplicas). */
const BURST = 500;
/** How long a ReplicaSet waits to see its own creations and deletions before deciding again. */
const EXPECTATIONS_TIMEOUT_MS = 30_000;
/** Annotations of a Deployment not copied to its ReplicaSets. */
const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION]);

/** The Deployment's annotations a ReplicaSet of it carries (kube-controller-manager's copyDeploymentAnnotationsToReplicaSet). */
function copiedAnnotations(d: any): Record<string, string> {
  return Object.fromEntries(Object.entries<string>(d.metadata.annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));
}

interface Expectation {
  creates: Set<string>;
  deletes: Set<string>;
  since: number;
}

/**
 * The Deployment, ReplicaSet and disruption controllers of OpenPacific, run by the elected scheduler (which already
 * follows every pod and places them). Level-triggered passes over the whole state, as the volume binder's:
 *
 * - Deployment → one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`, revision annotations),
 *   RollingUpdate within maxSurge/maxUnavailable or Recreate, old empty ReplicaSets pruned beyond
 *   revisionHistoryLimit, and the status `kubectl rollout status` reads.
 * - PodDisruptionBudget → its status from the pods it covers and the replicas their controllers want
 *   (disruption-logic.ts), which the gateway's evictions read and take from.
 * - ReplicaSet → `<rs>-<5 chars>` pods owned by it (admitted by the policy service like any pod, as the API
 *   server would), replacing pods deleted or Failed; scaling down removes unscheduled, not-ready, newest first.
 *
 * Every write is at the object's stream version; a conflict only asks for another pass. A ReplicaSet decides
 * again only once the read model shows the pods it created and deleted (kube-controller-manager's expectations).
 */
export class WorkloadsController extends PodOwnersController {
  private readonly expectations = new Map<string, Expectation>();
  /** ReplicaSets (and ReplicationControllers) whose pods could not be made: tried again only after a growing delay. */
  private readonly createBackoff = new SyncFailureBackoff();
  /** When the next pass is due (ms since the epoch): a progress deadline, a budget's, the end of a creation back-off. */
  private nextDeadline = Infinity;

  constructor(
    private readonly deps: FollowerDeps<Logger> & { log: SharedFollower },
    opts: { resyncMs?: number; admissionTimeoutMs?: number } = {},
  ) {
    super(deps, controllerReadModel([DEPLOYMENTS_RESOURCE, REPLICASETS_RESOURCE, REPLICATION_CONTROLLERS_RESOURCE, 'pods', PDBS_RESOURCE, STATEFULSETS_RESOURCE, ...POD_ADMISSION_RESOURCES]), 'workloads', opts);
  }

  protected async pass(): Promise<void> {
    const touched = new Set<string>();
    this.nextDeadline = Infinity;
    for (const stored of this.model.list(DEPLOYMENTS_RESOURCE)) {
      if (stored.object.metadata.deletionTimestamp) continue;
      await this.syncDeployment(stored, touched);
    }
    for (const stored of this.model.list(REPLICASETS_RESOURCE)) {
      if (stored.object.metadata.deletionTimestamp || touched.has(stored.object.metadata.uid)) continue;
      await this.syncReplicaSet(stored, REPLICA_SETS);
    }
    for (const stored of this.model.list(REPLICATION_CONTROLLERS_RESOURCE)) {
      if (!stored.object.metadata.deletionTimestamp) await this.syncReplicaSet(stored, REPLICATION_CONTROLLERS);
    }
    for (const stored of this.model.list(PDBS_RESOURCE)) {
      if (!stored.object.metadata.deletionTimestamp) await this.syncBudget(stored);
    }
    for (const uid of this.expectations.keys()) if (!this.model.findByUid(uid)) this.expectations.delete(uid);
    this.createBackoff.gc((uid) => !!this.model.findByUid(uid));
    this.passAt(this.nextDeadline, 0);
  }

  private ownedPods(owner: any): any[] {
    return this.model.list('pods', owner.metadata.namespace).map((s) => s.object).filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
  }

  // ---- Deployments ----

  private async syncDeployment(stored: StoredObject, touched: Set<string>): Promise<void> {
    const d = stored.object;
    const ns = d.metadata.namespace;
    const desired = d.spec?.replicas ?? 1;
    const replicaSets = this.model.list(REPLICASETS_RESOURCE, ns).map((s) => s.object).filter((rs) => !rs.metadata.deletionTimestamp);
    if (await claim(this.claimContext, d, REPLICASETS_RESOURCE, replicaSets, DEPLOYMENT_CONTROLLER)) return;
    const all = this.model.list(REPLICASETS_RESOURCE, ns).filter((s) => controllerOf(s.object)?.uid === d.metadata.uid && !s.object.metadata.deletionTimestamp);
    const now = Date.now();
    const minReady = d.spec?.minReadySeconds ?? 0;
    const podsOf = new Map(all.map((s) => [s.object.metadata.uid, this.ownedPods(s.object)]));
    const view = (s: StoredObject): RsView => ({
      name: s.object.metadata.name,
      replicas: s.object.spec?.replicas ?? 0,
      available: podsOf.get(s.object.metadata.uid)!.filter((p) => isActivePod(p) && isPodAvailable(p, minReady, now)).length,
      revision: revisionOf(s.object),
      created: s.object.metadata.creationTimestamp ?? '',
    });
    let newRs = all.find((s) => sameTemplateIgnoringHash(s.object.spec?.template, d.spec?.template));
    const olds = all.filter((s) => s !== newRs);
    const maxOldRevision = Math.max(0, ...olds.map((s) => revisionOf(s.object)));
    const writes: StreamAppend[][] = [];
    let deploymentRevision = newRs ? revisionOf(newRs.object) : maxOldRevision + 1;

    // A ReplicaSet holding pods sized for other replicas: the Deployment was scaled (kube-controller-manager's isScalingEvent).
    const scaled = all.some((s) => (s.object.spec?.replicas ?? 0) > 0 && s.object.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== undefined
      && Number(s.object.metadata.annotations[DESIRED_REPLICAS_ANNOTATION]) !== desired);
    if (d.spec?.paused || scaled) {
      // Paused or scaled: no rollout step; the ReplicaSets only follow the replicas.
      writes.push(...this.scale(d, newRs, olds, newRs ? view(newRs).available : 0, touched));
    } else if (!newRs) {
      const recreate = d.spec?.strategy?.type === 'Recreate';
      // Recreate makes its new ReplicaSet only once the old ones are down to 0 and their pods are gone.
      const step = recreate ? recreateStep(olds.map((o) => this.recreateView(o, podsOf))) : 'scaleUpNew';
      if (step === 'scaleUpNew') {
        const { maxSurge } = resolveFenceposts(desired, d.spec?.strategy);
        const oldTotal = olds.reduce((n, s) => n + (s.object.spec?.replicas ?? 0), 0);
        const initial = olds.length === 0 || recreate ? desired : Math.max(0, Math.min(desired, desired + maxSurge - oldTotal));
        const rs = this.newReplicaSet(d, deploymentRevision, initial);
        writes.push([append(REPLICASETS_RESOURCE, rs, ObjectEventTypes.created, this.model.streamVersion(REPLICASETS_RESOURCE, ns, rs.metadata.name), DEPLOYMENT_CONTROLLER)]);
        // As kube-controller-manager's getNewReplicaSet: no Event for a ReplicaSet made at 0.
        if (initial > 0) writes.push([workloadEvent(d, DEPLOYMENT_CONTROLLER, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${initial}`)]);
        this.deps.logger.info('deployment: new replica set', { deployment: `${ns}/${d.metadata.name}`, replicaSet: rs.metadata.name, revision: deploymentRevision });
      } else {
        if (step === 'scaleDownOld') for (const o of olds) if ((o.object.spec?.replicas ?? 0) > 0) writes.push(this.scaleRs(d, o, 0, touched));
        // No new ReplicaSet yet: the Deployment keeps the revision it had.
        deploymentRevision = Number(d.metadata.annotations?.[REVISION_ANNOTATION]) || maxOldRevision;
      }
      newRs = undefined;
    } else {
      // An older template again (rollout undo): its ReplicaSet becomes the newest revision.
      if (revisionOf(newRs.object) <= maxOldRevision) {
        deploymentRevision = maxOldRevision + 1;
        const next = clean(newRs.object);
        // The revisions it had stay in deployment.kubernetes.io/revision-history (SetNewReplicaSetAnnotations).
        next.metadata.annotations = revisedAnnotations({ ...(next.metadata.annotations ?? {}), ...copiedAnnotations(d) }, deploymentRevision);
        touched.add(newRs.object.metadata.uid);
        writes.push([append(REPLICASETS_RESOURCE, next, ObjectEventTypes.updated, newRs.streamVersion, DEPLOYMENT_CONTROLLER)]);
      } else if (d.spec?.strategy?.type === 'Recreate') {
        const step = recreateStep(olds.map((o) => this.recreateView(o, podsOf)));
        if (step === 'scaleDownOld') for (const o of olds) if ((o.object.spec?.replicas ?? 0) > 0) writes.push(this.scaleRs(d, o, 0, touched));
        // The new pods start only once every old pod is gone.
        if (step === 'scaleUpNew' && (newRs.object.spec?.replicas ?? 0) !== desired) writes.push(this.scaleRs(d, newRs, desired, touched));
      } else {
        const step = rollingStep(desired, d.spec?.strategy, view(newRs), olds.map(view));
        if (step.newReplicas !== (newRs.object.spec?.replicas ?? 0)) writes.push(this.scaleRs(d, newRs, step.newReplicas, touched));
        for (const o of olds) {
          const n = step.oldReplicas.get(o.object.metadata.name)!;
          if (n !== (o.object.spec?.replicas ?? 0)) writes.push(this.scaleRs(d, o, n, touched));
        }
      }
      writes.push(...this.prune(d, olds, podsOf));
    }

    // The Deployment's revision annotation and status, in one append on its stream.
    const next = clean(d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(deploymentRevision) };
    const newPods = newRs ? podsOf.get(newRs.object.metadata.uid)!.filter(isActivePod) : [];
    const allActive = [...podsOf.values()].flat().filter(isActivePod);
    next.status = deploymentStatus(
      d,
      {
        replicas: allActive.length,
        updated: newPods.length,
        ready: allActive.filter(isPodReady).length,
        available: allActive.filter((p) => isPodAvailable(p, minReady, now)).length,
      },
      newRs?.object.metadata.name ?? `${d.metadata.name}-${podTemplateHash(d.spec?.template)}`,
      d.status?.conditions,
      rfc3339(),
      // A paused Deployment only scales: kube-controller-manager's sync() leaves its ReplicaFailure as it was.
      d.spec?.paused ? (d.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure') : deploymentReplicaFailure(newRs?.object, all.map((s) => s.object)),
    );
    const deadline = progressDeadlineAt(d, next.status);
    // A second past the deadline: the condition's times have whole seconds.
    if (deadline !== undefined) this.nextDeadline = Math.min(this.nextDeadline, deadline + 1000);
    const events: NewEvent[] = [];
    const annotated = clean(d);
    annotated.metadata.annotations = next.metadata.annotations;
    if (!sameJson(annotated.metadata, clean(d).metadata)) events.push({ type: ObjectEventTypes.updated, data: { resource: DEPLOYMENTS_RESOURCE, object: annotated }, metadata: DEPLOYMENT_CONTROLLER.actor } as NewEvent);
    if (!sameJson(statusWithoutTimes(next.status), statusWithoutTimes(d.status))) {
      events.push({ type: ObjectEventTypes.statusUpdated, data: { resource: DEPLOYMENTS_RESOURCE, object: next }, metadata: DEPLOYMENT_CONTROLLER.actor } as NewEvent);
    }
    if (events.length) writes.push([{ streamId: objectStreamId(DEPLOYMENTS_RESOURCE, ns, d.metadata.name), events, expectedVersion: stored.streamVersion }]);
    for (const w of writes) await this.pods.write(w);
  }

  private newReplicaSet(d: any, revision: number, replicas: number): any {
    const hash = podTemplateHash(d.spec.template);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    delete template.metadata.creationTimestamp;
    const annotations = copiedAnnotations(d);
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        uid: randomUUID(),
        creationTimestamp: rfc3339(),
        generation: 1,
        labels: template.metadata.labels,
        annotations: {
          ...annotations,
          ...this.replicasAnnotations(d),
          [REVISION_ANNOTATION]: String(revision),
        },
        ownerReferences: [ownerRef(d)],
      },
      spec: {
        replicas,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
        template,
      },
    };
  }

  /**
   * kube-controller-manager's scale(): the one ReplicaSet holding pods (or the newest) takes the replicas; a new
   * ReplicaSet that holds them all, available, leaves the old ones at 0; otherwise a rolling Deployment spreads the
   * change over its ReplicaSets holding pods in proportion to their sizes (proportional-scaling.ts). Each ReplicaSet
   * it sizes (or finds sized) gets the replicas annotations, which end the scaling.
   */
  private scale(d: any, newRs: StoredObject | undefined, olds: StoredObject[], newAvailable: number, touched: Set<string>): StreamAppend[][] {
    const desired = d.spec?.replicas ?? 1;
    const size = (s: StoredObject) => s.object.spec?.replicas ?? 0;
    const newestFirst = [...olds].sort((a, b) => (b.object.metadata.creationTimestamp ?? '').localeCompare(a.object.metadata.creationTimestamp ?? ''));
    const active = [...newestFirst, ...(newRs ? [newRs] : [])].filter((s) => size(s) > 0);
    const resize = (s: StoredObject, n: number) => (n !== size(s) || !this.annotated(d, s.object) ? [this.scaleRs(d, s, n, touched)] : []);
    if (active.length <= 1) {
      const only = active[0] ?? newRs ?? newestFirst[0];
      return only ? resize(only, desired) : [];
    }
    if (newRs && size(newRs) === desired && newRs.object.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(desired) && newAvailable === desired) {
      return active.filter((s) => s !== newRs).map((s) => this.scaleRs(d, s, 0, touched));
    }
    // Recreate leaves the sizes to its rollout; the annotations alone say the scale was seen, or it would wait forever.
    if (d.spec?.strategy?.type === 'Recreate') return active.flatMap((s) => resize(s, size(s)));
    const { maxSurge } = resolveFenceposts(desired, d.spec?.strategy);
    const sizes = proportionalSizes(desired, maxSurge, d.status?.replicas ?? 0, active.map((s) => ({
      name: s.object.metadata.name,
      replicas: size(s),
      created: s.object.metadata.creationTimestamp ?? '',
      maxReplicas: Number(s.object.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]) || undefined,
    })));
    return active.flatMap((s) => resize(s, sizes.get(s.object.metadata.name)!));
  }

  /** What a Recreate rollout reads of an old ReplicaSet (recreateStep). */
  private recreateView(o: StoredObject, podsOf: Map<string, any[]>) {
    return { replicas: o.object.spec?.replicas ?? 0, statusReplicas: o.object.status?.replicas ?? 0, pods: podsOf.get(o.object.metadata.uid)! };
  }

  /** The replicas and max-replicas annotations a ReplicaSet of the Deployment carries once sized for it. */
  private replicasAnnotations(d: any): Record<string, string> {
    const desired = d.spec?.replicas ?? 1;
    const surge = d.spec?.strategy?.type === 'Recreate' ? 0 : resolveFenceposts(desired, d.spec?.strategy).maxSurge;
    return { [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(desired + surge) };
  }

  private annotated(d: any, rs: any): boolean {
    return Object.entries(this.replicasAnnotations(d)).every(([k, v]) => rs.metadata.annotations?.[k] === v);
  }

  /** A ReplicaSet sized (and annotated) for the Deployment; an Event when its size changes. */
  private scaleRs(d: any, rs: StoredObject, replicas: number, touched: Set<string>): StreamAppend[] {
    const from = rs.object.spec?.replicas ?? 0;
    const next = clean(rs.object);
    next.spec.replicas = replicas;
    if (replicas !== from) next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...this.replicasAnnotations(d) };
    touched.add(rs.object.metadata.uid);
    return [
      append(REPLICASETS_RESOURCE, next, ObjectEventTypes.updated, rs.streamVersion, DEPLOYMENT_CONTROLLER),
      ...(replicas !== from ? [workloadEvent(d, DEPLOYMENT_CONTROLLER, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.object.metadata.name} from ${from} to ${replicas}`)] : []),
    ];
  }

  /** Old ReplicaSets scaled to 0 with no pods left, beyond revisionHistoryLimit, oldest revision first. */
  private prune(d: any, olds: StoredObject[], podsOf: Map<string, any[]>): StreamAppend[][] {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const empty = olds
      .filter((s) => (s.object.spec?.replicas ?? 0) === 0 && podsOf.get(s.object.metadata.uid)!.length === 0)
      .sort((a, b) => revisionOf(a.object) - revisionOf(b.object));
    return empty.slice(0, Math.max(empty.length - limit, 0)).map((s) => [append(REPLICASETS_RESOURCE, clean(s.object), ObjectEventTypes.deleted, s.streamVersion, DEPLOYMENT_CONTROLLER)]);
  }

  // ---- ReplicaSets ----

  private expectationsMet(rs: any, pods: any[]): boolean {
    const e = this.expectations.get(rs.metadata.uid);
    if (!e) return true;
    if (Date.now() - e.since > EXPECTATIONS_TIMEOUT_MS) {
      this.expectations.delete(rs.metadata.uid);
      return true;
    }
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    const met = [...e.creates].every((n) => byName.has(n)) && [...e.deletes].every((n) => !byName.get(n) || byName.get(n).metadata.deletionTimestamp);
    if (met) this.expectations.delete(rs.metadata.uid);
    return met;
  }

  /** A ReplicaSet or a ReplicationController (`kind`): its pods made or removed, then its status. */
  private async syncReplicaSet(stored: StoredObject, kind: ReplicasKind): Promise<void> {
    const rs = kind.view(stored.object);
    // As kube-controller-manager, only pods still running (or to run) are adopted or released.
    if (await claim(this.claimContext, rs, 'pods', this.model.list('pods', rs.metadata.namespace).map((s) => s.object).filter(isActivePod), kind.by)) return;
    const uid = rs.metadata.uid;
    const pods = this.ownedPods(rs);
    // What a sync reads: kube-controller-manager syncs a ReplicaSet again at once on any change of it or of its pods.
    const fingerprint = `${stored.streamVersion}|${pods.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion ?? ''}`).sort().join(',')}`;
    if (this.createBackoff.waiting(uid, fingerprint, Date.now())) {
      this.nextDeadline = Math.min(this.nextDeadline, this.createBackoff.until(uid)!);
      return;
    }
    if (!this.expectationsMet(rs, pods)) return;
    const active = pods.filter(isActivePod);
    const want = rs.spec?.replicas ?? 1;
    const diff = active.length - want;
    const expectation: Expectation = { creates: new Set(), deletes: new Set(), since: Date.now() };
    let refused: string | undefined;
    if (diff < 0 && rs.spec?.template) {
      // One create after another, the rest skipped at the first refusal (kube-controller-manager's slowStartBatch).
      for (let i = 0; i < Math.min(-diff, BURST); i++) {
        const said = (rs.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure')?.message;
        const made = await this.pods.create(rs, kind.by, said);
        if (made && 'refused' in made) {
          refused = made.refused;
          break;
        }
        if (made) expectation.creates.add(made.created);
      }
    } else if (diff > 0) {
      for (const pod of deletionOrder(active).slice(0, Math.min(diff, BURST))) {
        if (await this.pods.delete(rs, pod, kind.by)) expectation.deletes.add(pod.metadata.name);
      }
    }
    // A refusal fails the sync: the ReplicaSet is tried again after kube's exponential back-off, unless it or its
    // pods change first; a sync that creates what it needs forgets the failures.
    if (refused) this.nextDeadline = Math.min(this.nextDeadline, this.createBackoff.failed(uid, fingerprint, Date.now()));
    else this.createBackoff.succeeded(uid);
    if (expectation.creates.size || expectation.deletes.size) {
      this.expectations.set(rs.metadata.uid, expectation);
      return; // the status follows once the model shows these pods
    }
    const now = Date.now();
    const status: any = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries<string>(rs.spec?.selector?.matchLabels ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, rs.spec?.minReadySeconds ?? 0, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    const conditions = replicaFailureConditions(rs.status?.conditions, refused, rfc3339());
    if (conditions.length > 0) status.conditions = conditions;
    if (sameJson(status, rs.status ?? {})) return;
    const next = clean(stored.object);
    next.status = status;
    await this.pods.write([append(kind.resource, next, ObjectEventTypes.statusUpdated, stored.streamVersion, kind.by)]);
  }

  // ---- PodDisruptionBudgets (kube-controller-manager's disruption controller, on the pods this model holds) ----

  private async syncBudget(stored: StoredObject): Promise<void> {
    const pdb = stored.object;
    const status = budgetStatus(pdb, this.model.list('pods', pdb.metadata.namespace).map((s) => s.object), (pod) => this.scaleOf(pod), Date.now());
    const deadline = disruptionDeadline(status);
    if (deadline !== undefined) this.nextDeadline = Math.min(this.nextDeadline, deadline + 1000);
    if (sameJson(statusWithoutTimes(status), statusWithoutTimes(pdb.status))) return;
    const next = clean(pdb);
    next.status = status;
    await this.pods.write([append(PDBS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, DISRUPTION_CONTROLLER)]);
  }

  /** The replicas a pod's controller wants (a Deployment's for its ReplicaSets' pods), keyed by that controller. */
  private scaleOf(pod: any): { key: string; replicas: number } | undefined {
    const ref = controllerOf(pod);
    const owner = ref && this.model.findByUid(ref.uid)?.stored.object;
    if (!owner) return undefined;
    if (ref.kind === 'ReplicaSet') {
      const d = controllerOf(owner);
      const deployment = d?.kind === 'Deployment' ? this.model.findByUid(d.uid)?.stored.object : undefined;
      if (deployment) return { key: deployment.metadata.uid, replicas: deployment.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'ReplicaSet' || ref.kind === 'StatefulSet' || ref.kind === 'ReplicationController') return { key: owner.metadata.uid, replicas: owner.spec?.replicas ?? 1 };
    return undefined;
  }
}

/** Conditions' times change on every write; they alone do not make a new status. */
function statusWithoutTimes(status: any): any {
  if (!status) return {};
  return { ...status, conditions: (status.conditions ?? []).map((c: any) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) };
}
