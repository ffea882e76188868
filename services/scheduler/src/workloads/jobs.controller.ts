import type { Logger } from '@openpacific/service-kit';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_COMPLETION_INDEX_ENV, JOBS_RESOURCE, ObjectEventTypes, SERVICE_ACCOUNTS_RESOURCE } from '@openpacific/contracts';
import { controllerReadModel, type FollowerDeps, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import { decideJob, INDEX_FAILURE_COUNT_ANNOTATION, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION, type IndexFailures } from './job-logic';
import { append, clean, controllerNamed, PodOwnersController, PodShape, timestamp, workloadEvent } from './owned-pods';
import { controllerOf, ownedPodEvent } from './workload-logic';

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
const TTL_CONTROLLER = controllerNamed('ttl-after-finished-controller');
/** Pods a Job creates per pass (kube-controller-manager's burst for Jobs). */
const BURST = 500;

/**
 * The Job controller of OpenPacific (batch/v1), run by the elected scheduler beside the Deployment and
 * ReplicaSet controllers: level-triggered passes that start pods from the template up to `parallelism` until
 * `completions` have succeeded (or, without completions, until one has and the rest finished; Indexed: every
 * index, or what `successPolicy` asks), count failures (pods Failed as `podFailurePolicy` judges them, container
 * restarts under OnFailure) against `backoffLimit` or `backoffLimitPerIndex`, wait the pod-failure back-off before
 * a replacement, enforce `activeDeadlineSeconds`, suspend and resume, and write the status and conditions
 * `kubectl get jobs` and `kubectl wait` read (job-logic.ts decides; this class writes). Finished pods are kept for their logs; the Job's deletion takes them,
 * and a finished Job with `ttlSecondsAfterFinished` is deleted once that time has passed.
 */
export class JobsController extends PodOwnersController {
  /** The policy service's last refusal of a Job's pod, by Job uid: recorded as an Event once, tried again at the resync. */
  private readonly refusals = new Map<string, string>();

  private readonly backoffMs?: number;

  /** `backoffMs`: the first pod-failure back-off (10 s by default; tests shorten it). */
  constructor(deps: FollowerDeps<Logger> & { log: SharedFollower }, opts: { resyncMs?: number; admissionTimeoutMs?: number; backoffMs?: number } = {}) {
    // Of the pods, only Jobs' own: the scheduler's other controllers hold every pod already.
    super(deps, controllerReadModel([JOBS_RESOURCE, 'pods', SERVICE_ACCOUNTS_RESOURCE]), 'jobs', { ...opts, keep: (e) => ownedPodEvent(e, 'Job') });
    this.backoffMs = opts.backoffMs;
  }

  protected async pass(): Promise<void> {
    await this.syncEach(JOBS_RESOURCE, (stored) => this.syncJob(stored), 50, [this.refusals]);
  }

  /** One Job: its pods made or removed, its status written. When to look again: its active deadline or the end of a back-off, if ahead. */
  private async syncJob(stored: StoredObject): Promise<number | undefined> {
    const job = stored.object;
    const pods = this.model.list('pods', job.metadata.namespace).map((s) => s.object).filter((p) => controllerOf(p)?.uid === job.metadata.uid);
    if (this.awaitingCreates(job, pods)) return undefined;
    const decision = decideJob(job, pods, new Date(), { backoffMs: this.backoffMs });
    if (decision.expired) {
      // Its time to live after finishing is over (the TTL-after-finished controller): deleted, and the garbage collector takes its pods.
      const next = clean(job);
      const finalizers = (job.metadata.finalizers ?? []).length > 0;
      if (finalizers) next.metadata.deletionTimestamp = timestamp();
      await this.pods.write([append(JOBS_RESOURCE, next, finalizers ? ObjectEventTypes.deletionStarted : ObjectEventTypes.deleted, stored.streamVersion, TTL_CONTROLLER)]);
      return undefined;
    }
    for (const pod of decision.remove) await this.pods.delete(job, pod, JOB_CONTROLLER);
    const made = new Set<string>();
    for (let i = 0; i < Math.min(decision.create, BURST); i++) {
      const index = decision.indexes?.[i];
      const outcome = await this.pods.create(job, JOB_CONTROLLER, this.refusals.get(job.metadata.uid), index === undefined ? undefined : indexedPod(job, index, decision.indexFailures?.get(index)));
      if (outcome && 'refused' in outcome) {
        this.refusals.set(job.metadata.uid, outcome.refused);
        break;
      }
      if (outcome) {
        made.add(outcome.created);
        this.refusals.delete(job.metadata.uid);
      }
    }
    if (made.size > 0) {
      this.expect(job, made);
      // The status follows once the read model shows these pods.
      if (!decision.event) return decision.deadlineAt;
    }
    const status = decision.status;
    if ((status.conditions ?? []).length === 0) delete status.conditions;
    const writes = [];
    if (!sameJson(status, job.status ?? {})) {
      const next = clean(job);
      next.status = status;
      writes.push(append(JOBS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, JOB_CONTROLLER));
    }
    if (decision.event) writes.push(workloadEvent(job, JOB_CONTROLLER, decision.event.type, decision.event.reason, decision.event.message));
    if (writes.length > 0) await this.pods.write(writes);
    return decision.deadlineAt;
  }
}
