import type { Logger } from '@openpacific/service-kit';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_COMPLETION_INDEX_ENV, JOB_CONTROLLER_MANAGER, JOB_TRACKING_FINALIZER, jobCondition, JOBS_RESOURCE, markDeletion, ObjectEventTypes } from '@openpacific/contracts';
import { controllerReadModel, type FollowerDeps, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import { decideJob, INDEX_FAILURE_COUNT_ANNOTATION, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION, type IndexFailures } from './job-logic';
import { holdsTracking, settleCounts } from './job-tracking';
import { claim } from './claims';
import { append, clean, controllerNamed, PodOwnersController, PodShape, workloadEvent, POD_ADMISSION_RESOURCES } from './owned-pods';
import { controllerOf, ownedPodEvent, selectedByAny } from './workload-logic';

const JOB_CONTROLLER = controllerNamed('job-controller');

/**
 * The pod of one completion index of an Indexed Job: `<job>-<index>-<5 chars>`, the index as annotation and label,
 * `JOB_COMPLETION_INDEX` in every container's environment, and hostname `<job>-<index>`. With backoffLimitPerIndex
 * it carries the index's failures so far, which outlive the failed pods.
 */
function indexedPod(job: any, index: number, failures?: IndexFailures): PodShape {
  return {
    namePrefix: `${job.metadata.name}-${index}`,
    apply: (pod) => {
      const value = String(index);
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [JOB_COMPLETION_INDEX_ANNOTATION]: value };
      if (failures) {
        pod.metadata.annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(failures.failed);
        if (failures.ignored > 0) pod.metadata.annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(failures.ignored);
      }
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [JOB_COMPLETION_INDEX_ANNOTATION]: value };
      for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
        c.env = [...(c.env ?? []).filter((e: any) => e.name !== JOB_COMPLETION_INDEX_ENV), { name: JOB_COMPLETION_INDEX_ENV, value }];
      }
      pod.spec.hostname ??= `${job.metadata.name}-${index}`;
    },
  };
}
/** Every pod of a Job carries the tracking finalizer, so it cannot go before the controller has counted it. */
function trackedPod(shape?: PodShape): PodShape {
  return {
    ...shape,
    apply: (pod) => {
      shape?.apply(pod);
      pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []).filter((f: string) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
    },
  };
}

/** A Job this controller syncs: `spec.managedBy` unset or its own (another controller, such as a queue's, owns the rest). */
const managedHere = (job: any) => (job.spec?.managedBy ?? JOB_CONTROLLER_MANAGER) === JOB_CONTROLLER_MANAGER;

/** A Job that adopts and releases pods: one this controller syncs that has not finished (a finished Job's sync stops before it claims any, as in kube-controller-manager). */
const adopting = (job: any) => managedHere(job) && !jobCondition(job, 'Complete') && !jobCondition(job, 'Failed');

const TTL_CONTROLLER = controllerNamed('ttl-after-finished-controller');
/** The finalizer that holds an owner deleted in the foreground until the garbage collector has taken its dependents. */
const FOREGROUND_DELETION = 'foregroundDeletion';
/** Pods a Job creates per pass (kube-controller-manager's burst for Jobs). */
const BURST = 500;

/**
 * The Job controller of OpenPacific (batch/v1), run by the elected scheduler beside the Deployment and
 * ReplicaSet controllers: level-triggered passes that start pods from the template up to `parallelism` until
 * `completions` have succeeded (or, without completions, until one has and the rest finished; Indexed: every
 * index, or what `successPolicy` asks), count failures (pods Failed as `podFailurePolicy` judges them, container
 * restarts under OnFailure) against `backoffLimit` or `backoffLimitPerIndex`, wait the pod-failure back-off before
 * a replacement, enforce `activeDeadlineSeconds`, suspend and resume, and write the status and conditions
 * `kubectl get jobs` and `kubectl wait` read (job-logic.ts decides; this class writes). Every pod carries the `batch.kubernetes.io/job-tracking` finalizer until it is counted (job-tracking.ts), so deleted
 * finished pods change no count. Until it finishes a Job adopts the orphans its selector matches and releases its
 * pods it no longer matches (claims.ts), the finalizer coming and going with its reference. Finished pods are kept for their logs; the Job's deletion takes them,
 * and a finished Job with `ttlSecondsAfterFinished` is deleted once that time has passed.
 */
export class JobsController extends PodOwnersController {
  /** The policy service's last refusal of a Job's pod, by Job uid: recorded as an Event once, tried again at the resync. */
  private readonly refusals = new Map<string, string>();

  private readonly backoffMs?: number;

  /** Uids of pods whose tracking finalizer this controller removed, until the read model shows it gone (kube-controller-manager's finalizer expectations). */
  private readonly released = new Set<string>();

  /** `backoffMs`: the first pod-failure back-off (10 s by default; tests shorten it). */
  constructor(deps: FollowerDeps<Logger> & { log: SharedFollower }, opts: { resyncMs?: number; admissionTimeoutMs?: number; backoffMs?: number } = {}) {
    // Of the pods, only Jobs' own and the orphans one of them selects (to adopt): the scheduler's other controllers hold every pod already.
    const model = controllerReadModel([JOBS_RESOURCE, 'pods', ...POD_ADMISSION_RESOURCES]);
    super(deps, model, 'jobs', {
      ...opts,
      keep: (e) => ownedPodEvent(e, 'Job', (pod) => selectedByAny(model.list(JOBS_RESOURCE, pod.metadata?.namespace).map((s) => s.object).filter(adopting), pod)),
    });
    this.backoffMs = opts.backoffMs;
  }

  protected async pass(): Promise<void> {
    for (const uid of this.released) {
      const pod = this.model.findByUid(uid)?.stored.object;
      if (!pod || !holdsTracking(pod)) this.released.delete(uid);
    }
    await this.syncEach(JOBS_RESOURCE, (stored) => this.syncJob(stored), 50, [this.refusals]);
    await this.releaseOrphans();
  }

  /**
   * Pods holding the finalizer whose Job is gone or being deleted: nothing will count them any more, so the
   * finalizer goes (as kube-controller-manager's orphan pod handling), and a pod being deleted may then go.
   */
  private async releaseOrphans(): Promise<void> {
    for (const stored of this.model.list('pods')) {
      const pod = stored.object;
      if (!holdsTracking(pod) || this.released.has(pod.metadata.uid)) continue;
      const owner = controllerOf(pod);
      const job = owner?.kind === 'Job' ? this.model.findByUid(owner.uid)?.stored.object : undefined;
      if (job && !job.metadata.deletionTimestamp) continue;
      if (job && !managedHere(job)) continue;
      await this.release(job ?? { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: owner?.name ?? '', namespace: pod.metadata.namespace, uid: owner?.uid } }, pod, false);
    }
  }

  /**
   * Step two of the count: the pod's tracking finalizer goes, in one write with its deletion when it is also to
   * stop. A pod being deleted whose grace period is over (or that never ran on a host) is deleted with its last finalizer.
   */
  private async release(job: any, pod: any, remove: boolean): Promise<boolean> {
    const stored = this.model.get('pods', pod.metadata.namespace, pod.metadata.name);
    if (!stored || stored.object.metadata.uid !== pod.metadata.uid) return false;
    const next = clean(stored.object);
    const finalizers = (next.metadata.finalizers ?? []).filter((f: string) => f !== JOB_TRACKING_FINALIZER);
    if (finalizers.length > 0) next.metadata.finalizers = finalizers;
    else delete next.metadata.finalizers;
    let type: string = ObjectEventTypes.updated;
    if (remove && !next.metadata.deletionTimestamp) {
      markDeletion(next.metadata, next.spec?.nodeName ? (next.spec.terminationGracePeriodSeconds ?? 30) : 0);
      type = ObjectEventTypes.deletionStarted;
    }
    if (next.metadata.deletionTimestamp && finalizers.length === 0 && (next.metadata.deletionGracePeriodSeconds ?? 0) === 0) type = ObjectEventTypes.deleted;
    const writes = [append('pods', next, type, stored.streamVersion, JOB_CONTROLLER)];
    if (remove) writes.push(workloadEvent(job, JOB_CONTROLLER, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`));
    const ok = await this.pods.write(writes);
    if (ok) this.released.add(pod.metadata.uid);
    return ok;
  }

  /** One Job: its pods made or removed, its status written. When to look again: its active deadline or the end of a back-off, if ahead. */
  private async syncJob(stored: StoredObject): Promise<number | undefined> {
    const job = stored.object;
    if (!managedHere(job)) return undefined;
    const candidates = this.model.list('pods', job.metadata.namespace).map((s) => s.object);
    // Adopted pods get the tracking finalizer with the reference, released ones lose both (kube's ClaimPods with finalizers).
    if (adopting(job) && (await claim(this.claimContext, job, 'pods', candidates, JOB_CONTROLLER, { finalizer: JOB_TRACKING_FINALIZER }))) return undefined;
    const pods = candidates.filter((p) => controllerOf(p)?.uid === job.metadata.uid);
    if (this.awaitingCreates(job, pods)) return undefined;
    const decision = decideJob(job, pods, new Date(), { backoffMs: this.backoffMs, released: this.released });
    if (decision.expired) {
      // Its time to live after finishing is over: deleted as the TTL-after-finished controller deletes it, in the
      // foreground, so the garbage collector takes its pods before the Job goes (deletionGracePeriodSeconds 0).
      const next = clean(job);
      const finalizers: string[] = [...(job.metadata.finalizers ?? [])];
      if (pods.length > 0 && !finalizers.includes(FOREGROUND_DELETION)) finalizers.push(FOREGROUND_DELETION);
      if (finalizers.length > 0) {
        next.metadata.finalizers = finalizers;
        markDeletion(next.metadata, 0);
      }
      await this.pods.write([append(JOBS_RESOURCE, next, finalizers.length > 0 ? ObjectEventTypes.deletionStarted : ObjectEventTypes.deleted, stored.streamVersion, TTL_CONTROLLER)]);
      return undefined;
    }
    // Step one: the uids of newly finished pods are recorded uncounted before any finalizer goes.
    const status = decision.status;
    if ((status.conditions ?? []).length === 0) delete status.conditions;
    let version = stored.streamVersion;
    let said = false;
    if (!sameJson(status, job.status ?? {})) {
      const next = clean(job);
      next.status = status;
      const writes = [append(JOBS_RESOURCE, next, ObjectEventTypes.statusUpdated, version, JOB_CONTROLLER)];
      if (decision.event) writes.push(workloadEvent(job, JOB_CONTROLLER, decision.event.type, decision.event.reason, decision.event.message));
      if (!(await this.pods.write(writes))) return undefined;
      version += 1;
      said = true;
    }
    // Step two: their finalizers go (with the deletion of those also to stop).
    const removing = new Set(decision.remove);
    for (const pod of decision.release) await this.release(job, pod, removing.delete(pod));
    for (const pod of removing) await this.pods.delete(job, pod, JOB_CONTROLLER);
    // Step three: what no pod holds any more is counted.
    const held = new Set(pods.filter((p) => holdsTracking(p) && !this.released.has(p.metadata.uid)).map((p) => p.metadata.uid));
    const settled = settleCounts(status, held);
    if (!sameJson(settled, status)) {
      const next = clean(job);
      next.status = settled;
      if (!(await this.pods.write([append(JOBS_RESOURCE, next, ObjectEventTypes.statusUpdated, version, JOB_CONTROLLER)]))) return undefined;
    }
    const made = new Set<string>();
    for (let i = 0; i < Math.min(decision.create, BURST); i++) {
      const index = decision.indexes?.[i];
      const outcome = await this.pods.create(job, JOB_CONTROLLER, this.refusals.get(job.metadata.uid), trackedPod(index === undefined ? undefined : indexedPod(job, index, decision.indexFailures?.get(index))));
      if (outcome && 'refused' in outcome) {
        this.refusals.set(job.metadata.uid, outcome.refused);
        break;
      }
      if (outcome) {
        made.add(outcome.created);
        this.refusals.delete(job.metadata.uid);
      }
    }
    // The status counts these pods once the read model shows them.
    this.expect(job, made);
    if (decision.event && !said) await this.pods.write([workloadEvent(job, JOB_CONTROLLER, decision.event.type, decision.event.reason, decision.event.message)]);
    return decision.deadlineAt;
  }
}
