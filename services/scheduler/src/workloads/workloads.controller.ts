import type { Logger } from '@openpacific/service-kit';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AdmissionRequest, AdmissionResponse, DEPLOYMENTS_RESOURCE, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, ObjectEventTypes, objectStreamId,
  POD_TEMPLATE_HASH_LABEL, REPLICASETS_RESOURCE, REVISION_ANNOTATION,
} from '@openpacific/contracts';
import { NewEvent, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { requestJson } from '@openpacific/messaging';
import { controllerReadModel, type FollowerDeps, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import {
  controllerOf, deletionOrder, deploymentStatus, isActivePod, progressDeadlineAt, isPodAvailable, isPodReady, podTemplateHash, resolveFenceposts, revisionOf, rollingStep, RsView, safeString,
  sameTemplateIgnoringHash,
} from './workload-logic';

const DEPLOYMENT_ACTOR = { actor: 'system:serviceaccount:kube-system:deployment-controller', source: 'scheduler' };
const REPLICASET_ACTOR = { actor: 'system:serviceaccount:kube-system:replicaset-controller', source: 'scheduler' };
const RS_USER = { username: REPLICASET_ACTOR.actor, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };
/** Pods a ReplicaSet creates or deletes per pass (kube-controller-manager's burstReplicas). */
const BURST = 500;
/** How long a ReplicaSet waits to see its own creations and deletions before deciding again. */
const EXPECTATIONS_TIMEOUT_MS = 30_000;
/** Annotations of a Deployment not copied to its ReplicaSets. */
const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION_ANNOTATION, 'deployment.kubernetes.io/revision-history', DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION]);

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function clean(obj: any): any {
  const next = structuredClone(obj);
  delete next.metadata.resourceVersion;
  return next;
}

function append(resource: string, obj: any, type: string, expectedVersion: StreamAppend['expectedVersion'], actor = DEPLOYMENT_ACTOR): StreamAppend {
  return { streamId: objectStreamId(resource, obj.metadata.namespace, obj.metadata.name), events: [{ type, data: { resource, object: obj }, metadata: actor } as NewEvent], expectedVersion };
}

function ownerRef(owner: any, apiVersion: string, kind: string) {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** A core v1 Event about a Deployment or ReplicaSet (`kubectl describe` lists them). */
function workloadEvent(obj: any, kind: string, component: string, type: 'Normal' | 'Warning', reason: string, message: string): StreamAppend {
  const now = timestamp();
  const namespace = obj.metadata.namespace;
  const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
  const object = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: now, generation: 1 },
    involvedObject: { apiVersion: 'apps/v1', kind, name: obj.metadata.name, namespace, uid: obj.metadata.uid },
    reason, message, type,
    source: { component },
    reportingComponent: component,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  return { streamId: objectStreamId('events', namespace, name), events: [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: DEPLOYMENT_ACTOR } as NewEvent], expectedVersion: 'no_stream' };
}

function qosClass(spec: any): string {
  const containers: any[] = spec.containers ?? [];
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined && String(c.resources.requests?.[r] ?? c.resources.limits[r]) === String(c.resources.limits[r])));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

interface Expectation {
  creates: Set<string>;
  deletes: Set<string>;
  since: number;
}

/**
 * The Deployment and ReplicaSet controllers of OpenPacific, run by the elected scheduler (which already follows
 * every pod and places them). Level-triggered passes over the whole state, as the volume binder's:
 *
 * - Deployment → one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`, revision annotations),
 *   RollingUpdate within maxSurge/maxUnavailable or Recreate, old empty ReplicaSets pruned beyond
 *   revisionHistoryLimit, and the status `kubectl rollout status` reads.
 * - ReplicaSet → `<rs>-<5 chars>` pods owned by it (admitted by the policy service like any pod, as the API
 *   server would), replacing pods deleted or Failed; scaling down removes unscheduled, not-ready, newest first.
 *
 * Every write is at the object's stream version; a conflict only asks for another pass. A ReplicaSet decides
 * again only once the read model shows the pods it created and deleted (kube-controller-manager's expectations).
 */
export class WorkloadsController {
  private readonly model = controllerReadModel([DEPLOYMENTS_RESOURCE, REPLICASETS_RESOURCE, 'pods']);
  private readonly loop: PassLoop;
  private readonly expectations = new Map<string, Expectation>();
  /** A pass at the earliest progress deadline of the pass before, so a stalled rollout times out on time. */
  private deadlineTimer?: NodeJS.Timeout;
  private nextDeadline = Infinity;

  constructor(
    private readonly deps: FollowerDeps<Logger> & { log: SharedFollower },
    private readonly opts: { resyncMs?: number; admissionTimeoutMs?: number } = {},
  ) {
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: opts.resyncMs ?? 5000,
      onError: (err) => deps.logger.warn('workloads pass failed; retrying', { error: (err as Error).message }),
    });
    deps.log.add(this.model.follows, (events) => {
      let relevant = false;
      for (const e of events) if (this.model.apply(e)) relevant = true;
      if (relevant) this.loop.schedule();
    });
  }

  /** Passes from now on; `deps.log` has replayed the log into the read model. */
  start(): void {
    this.loop.start();
  }

  stop(): void {
    clearTimeout(this.deadlineTimer);
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const touched = new Set<string>();
    this.nextDeadline = Infinity;
    for (const stored of this.model.list(DEPLOYMENTS_RESOURCE)) {
      if (stored.object.metadata.deletionTimestamp) continue;
      await this.syncDeployment(stored, touched);
    }
    for (const stored of this.model.list(REPLICASETS_RESOURCE)) {
      if (stored.object.metadata.deletionTimestamp || touched.has(stored.object.metadata.uid)) continue;
      await this.syncReplicaSet(stored);
    }
    for (const uid of this.expectations.keys()) if (!this.model.findByUid(uid)) this.expectations.delete(uid);
    clearTimeout(this.deadlineTimer);
    if (Number.isFinite(this.nextDeadline)) {
      // A second past the deadline: the condition's times have whole seconds.
      this.deadlineTimer = setTimeout(() => this.loop.schedule(), Math.max(this.nextDeadline - Date.now() + 1000, 0));
      this.deadlineTimer.unref();
    }
  }

  private ownedPods(owner: any): any[] {
    return this.model.list('pods', owner.metadata.namespace).map((s) => s.object).filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
  }

  // ---- Deployments ----

  private async syncDeployment(stored: StoredObject, touched: Set<string>): Promise<void> {
    const d = stored.object;
    const ns = d.metadata.namespace;
    const desired = d.spec?.replicas ?? 1;
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

    if (d.spec?.paused) {
      // Paused: no rollout; the current ReplicaSet only follows the replicas.
      if (newRs && (newRs.object.spec?.replicas ?? 0) !== desired) writes.push(this.scaleRs(d, newRs, desired, touched));
    } else if (!newRs) {
      const recreate = d.spec?.strategy?.type === 'Recreate';
      const { maxSurge } = resolveFenceposts(desired, d.spec?.strategy);
      const oldTotal = olds.reduce((n, s) => n + (s.object.spec?.replicas ?? 0), 0);
      const initial = olds.length === 0 ? desired : recreate ? 0 : Math.max(0, Math.min(desired, desired + maxSurge - oldTotal));
      const rs = this.newReplicaSet(d, deploymentRevision, initial);
      writes.push([append(REPLICASETS_RESOURCE, rs, ObjectEventTypes.created, this.model.streamVersion(REPLICASETS_RESOURCE, ns, rs.metadata.name))]);
      writes.push([workloadEvent(d, 'Deployment', 'deployment-controller', 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${initial}`)]);
      if (recreate) for (const o of olds) if ((o.object.spec?.replicas ?? 0) > 0) writes.push(this.scaleRs(d, o, 0, touched));
      newRs = undefined;
      this.deps.logger.info('deployment: new replica set', { deployment: `${ns}/${d.metadata.name}`, replicaSet: rs.metadata.name, revision: deploymentRevision });
    } else {
      // An older template again (rollout undo): its ReplicaSet becomes the newest revision.
      if (revisionOf(newRs.object) <= maxOldRevision) {
        deploymentRevision = maxOldRevision + 1;
        const next = clean(newRs.object);
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(deploymentRevision) };
        touched.add(newRs.object.metadata.uid);
        writes.push([append(REPLICASETS_RESOURCE, next, ObjectEventTypes.updated, newRs.streamVersion)]);
      } else if (d.spec?.strategy?.type === 'Recreate') {
        const oldActive = olds.some((o) => podsOf.get(o.object.metadata.uid)!.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'));
        for (const o of olds) if ((o.object.spec?.replicas ?? 0) > 0) writes.push(this.scaleRs(d, o, 0, touched));
        // The new pods start only once every old pod is gone.
        if (!oldActive && (newRs.object.spec?.replicas ?? 0) !== desired) writes.push(this.scaleRs(d, newRs, desired, touched));
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
      timestamp(),
    );
    const deadline = progressDeadlineAt(d, next.status);
    if (deadline !== undefined) this.nextDeadline = Math.min(this.nextDeadline, deadline);
    const events: NewEvent[] = [];
    const annotated = clean(d);
    annotated.metadata.annotations = next.metadata.annotations;
    if (!sameJson(annotated.metadata, clean(d).metadata)) events.push({ type: ObjectEventTypes.updated, data: { resource: DEPLOYMENTS_RESOURCE, object: annotated }, metadata: DEPLOYMENT_ACTOR } as NewEvent);
    if (!sameJson(statusWithoutTimes(next.status), statusWithoutTimes(d.status))) {
      events.push({ type: ObjectEventTypes.statusUpdated, data: { resource: DEPLOYMENTS_RESOURCE, object: next }, metadata: DEPLOYMENT_ACTOR } as NewEvent);
    }
    if (events.length) writes.push([{ streamId: objectStreamId(DEPLOYMENTS_RESOURCE, ns, d.metadata.name), events, expectedVersion: stored.streamVersion }]);
    for (const w of writes) await this.write(w);
  }

  private newReplicaSet(d: any, revision: number, replicas: number): any {
    const hash = podTemplateHash(d.spec.template);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    delete template.metadata.creationTimestamp;
    const annotations = Object.fromEntries(Object.entries<string>(d.metadata.annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));
    const { maxSurge } = resolveFenceposts(d.spec.replicas ?? 1, d.spec.strategy);
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        uid: randomUUID(),
        creationTimestamp: timestamp(),
        generation: 1,
        labels: template.metadata.labels,
        annotations: {
          ...annotations,
          [DESIRED_REPLICAS_ANNOTATION]: String(d.spec.replicas ?? 1),
          [MAX_REPLICAS_ANNOTATION]: String((d.spec.replicas ?? 1) + (d.spec.strategy?.type === 'Recreate' ? 0 : maxSurge)),
          [REVISION_ANNOTATION]: String(revision),
        },
        ownerReferences: [ownerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: {
        replicas,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
        template,
      },
    };
  }

  private scaleRs(d: any, rs: StoredObject, replicas: number, touched: Set<string>): StreamAppend[] {
    const from = rs.object.spec?.replicas ?? 0;
    const next = clean(rs.object);
    next.spec.replicas = replicas;
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESIRED_REPLICAS_ANNOTATION]: String(d.spec?.replicas ?? 1) };
    touched.add(rs.object.metadata.uid);
    return [
      append(REPLICASETS_RESOURCE, next, ObjectEventTypes.updated, rs.streamVersion),
      workloadEvent(d, 'Deployment', 'deployment-controller', 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.object.metadata.name} from ${from} to ${replicas}`),
    ];
  }

  /** Old ReplicaSets scaled to 0 with no pods left, beyond revisionHistoryLimit, oldest revision first. */
  private prune(d: any, olds: StoredObject[], podsOf: Map<string, any[]>): StreamAppend[][] {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const empty = olds
      .filter((s) => (s.object.spec?.replicas ?? 0) === 0 && podsOf.get(s.object.metadata.uid)!.length === 0)
      .sort((a, b) => revisionOf(a.object) - revisionOf(b.object));
    return empty.slice(0, Math.max(empty.length - limit, 0)).map((s) => [append(REPLICASETS_RESOURCE, clean(s.object), ObjectEventTypes.deleted, s.streamVersion)]);
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

  private async syncReplicaSet(stored: StoredObject): Promise<void> {
    const rs = stored.object;
    const pods = this.ownedPods(rs);
    if (!this.expectationsMet(rs, pods)) return;
    const active = pods.filter(isActivePod);
    const want = rs.spec?.replicas ?? 1;
    const diff = active.length - want;
    const expectation: Expectation = { creates: new Set(), deletes: new Set(), since: Date.now() };
    let refused: string | undefined;
    if (diff < 0 && rs.spec?.template) {
      for (let i = 0; i < Math.min(-diff, BURST); i++) {
        const made = await this.createPod(rs);
        if (typeof made === 'string') {
          refused = made;
          break;
        }
        if (made) expectation.creates.add(made);
      }
    } else if (diff > 0) {
      for (const pod of deletionOrder(active).slice(0, Math.min(diff, BURST))) {
        if (await this.deletePod(rs, pod)) expectation.deletes.add(pod.metadata.name);
      }
    }
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
    const failure = (rs.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
    if (refused) status.conditions = [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: failure?.message === refused ? failure.lastTransitionTime : timestamp(), reason: 'FailedCreate', message: refused }];
    if (sameJson(status, rs.status ?? {})) return;
    const next = clean(rs);
    next.status = status;
    await this.write([append(REPLICASETS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, REPLICASET_ACTOR)]);
  }

  /** A pod from the template, admitted by the policy service. Its name, undefined on a lost race, or the refusal. */
  private async createPod(rs: any): Promise<string | undefined> {
    const ns = rs.metadata.namespace;
    const template = rs.spec.template;
    const name = `${rs.metadata.name}-${safeString(randomBytes(5), 5)}`;
    let pod: any = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        uid: randomUUID(),
        creationTimestamp: timestamp(),
        generation: 1,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [ownerRef(rs, 'apps/v1', 'ReplicaSet')],
      },
      spec: structuredClone(template.spec),
    };
    pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
    let verdict: AdmissionResponse & { error?: { message: string } };
    try {
      verdict = await requestJson<AdmissionRequest, AdmissionResponse>(this.deps.nats, this.deps.names.admission, {
        uid: randomUUID(), operation: 'CREATE', user: RS_USER, resource: { group: '', version: 'v1', resource: 'pods' }, kind: 'Pod', namespace: ns, name, object: pod, dryRun: false,
      }, this.opts.admissionTimeoutMs ?? 5000);
    } catch (err) {
      throw new Error(`admission of a pod of replica set ${ns}/${rs.metadata.name} failed: ${(err as Error).message}`);
    }
    if (verdict.error) throw new Error(`admission of a pod of replica set ${ns}/${rs.metadata.name} failed: ${verdict.error.message}`);
    if (!verdict.allowed) {
      const message = `pods "${name}" is forbidden: ${verdict.status?.message ?? 'denied by the policy service'}`.replace(`pods "${name}" is forbidden: pods "${name}" is forbidden: `, `pods "${name}" is forbidden: `);
      const said = (rs.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure')?.message;
      if (said !== message) await this.write([workloadEvent(rs, 'ReplicaSet', 'replicaset-controller', 'Warning', 'FailedCreate', `Error creating: ${message}`)]);
      return message;
    }
    if (verdict.patchedObject) pod = verdict.patchedObject;
    const ok = await this.write([
      append('pods', pod, ObjectEventTypes.created, 'no_stream', REPLICASET_ACTOR),
      workloadEvent(rs, 'ReplicaSet', 'replicaset-controller', 'Normal', 'SuccessfulCreate', `Created pod: ${name}`),
    ]);
    return ok ? name : undefined;
  }

  /** A bound pod goes gracefully (its host stops it, then finishes the deletion); an unbound one at once. */
  private async deletePod(rs: any, pod: any): Promise<boolean> {
    const stored = this.model.get('pods', pod.metadata.namespace, pod.metadata.name)!;
    const next = clean(pod);
    const graceful = !!pod.spec?.nodeName || (pod.metadata.finalizers ?? []).length > 0;
    if (graceful) {
      next.metadata.deletionTimestamp = timestamp();
      next.metadata.deletionGracePeriodSeconds = pod.spec?.nodeName ? (pod.spec.terminationGracePeriodSeconds ?? 30) : 0;
    }
    return this.write([
      append('pods', next, graceful ? ObjectEventTypes.deletionStarted : ObjectEventTypes.deleted, stored.streamVersion, REPLICASET_ACTOR),
      workloadEvent(rs, 'ReplicaSet', 'replicaset-controller', 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`),
    ]);
  }

  /** One atomic write; a conflict (someone changed the object meanwhile) only asks for another pass. */
  private async write(writes: StreamAppend[]): Promise<boolean> {
    try {
      await this.deps.store.appendBatch(writes);
      return true;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      this.loop.schedule();
      return false;
    }
  }
}

/** Conditions' times change on every write; they alone do not make a new status. */
function statusWithoutTimes(status: any): any {
  if (!status) return {};
  return { ...status, conditions: (status.conditions ?? []).map((c: any) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) };
}
