import type { Logger } from '@openpacific/service-kit';
import { randomUUID } from 'node:crypto';
import { CRONJOB_SCHEDULED_ANNOTATION, CRONJOBS_RESOURCE, defaultJobSpec, JOBS_RESOURCE, ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import { controllerReadModel, type FollowerDeps, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import { CronJobClock } from './cronjob-clock';
import { decideCronJob, jobReference } from './cronjob-logic';
import { append, clean, controllerNamed, ownerRef, PodOwnersController, workloadEvent } from './owned-pods';
import { controllerOf } from './workload-logic';

const CRONJOB_CONTROLLER = controllerNamed('cronjob-controller');

/** A time as RFC 3339 in an IANA time zone (`2026-12-03T09:05:00+01:00`), or UTC (`…Z`). */
export function rfc3339In(time: Date, timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC') return rfc3339(time);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(time)
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? 'Z' : parts.timeZoneName.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/**
 * The CronJob controller of OpenPacific (batch/v1), run by the elected scheduler beside the Job controller: at
 * each scheduled time (in the CronJob's `timeZone`, else UTC) it starts a Job `<name>-<minutes since the epoch>`
 * from `jobTemplate` (with kube-apiserver's Job defaults and the scheduled time annotated), within
 * `startingDeadlineSeconds`, as `concurrencyPolicy` allows (Forbid passes over a time while a Job runs, Replace
 * deletes the running ones), keeps `successfulJobsHistoryLimit`/`failedJobsHistoryLimit` finished Jobs, and writes
 * `status.active`, `lastScheduleTime` and `lastSuccessfulTime` (cronjob-logic.ts decides; this class writes). Its
 * times are those of its clock (cronjob-clock.ts): the wall clock, unless a test asks for a lead.
 */
export class CronJobsController extends PodOwnersController {
  /** The scheduled time a Forbid policy last passed over, by CronJob uid (its Event is recorded once). */
  private readonly forbidden = new Map<string, number>();
  /** The unexpected Jobs (running, controlled, not started by it) each CronJob warned about, by CronJob uid: one Event each. */
  private readonly warned = new Map<string, Set<string>>();
  private readonly clock: CronJobClock;
  /** The earliest first time of the CronJobs not yet run, seen in this pass (a test clock may hurry it after the pass). */
  private firstRunAt?: number;

  constructor(deps: FollowerDeps<Logger> & { log: SharedFollower }, opts: { resyncMs?: number; clock?: CronJobClock } = {}) {
    super(deps, controllerReadModel([CRONJOBS_RESOURCE, JOBS_RESOURCE]), 'cronjobs', opts);
    this.clock = opts.clock ?? new CronJobClock();
  }

  protected async pass(): Promise<void> {
    this.firstRunAt = undefined;
    await this.syncEach(CRONJOBS_RESOURCE, (stored) => this.syncCronJob(stored), 100, [this.forbidden, this.warned]);
  }

  /** The next pass, at `at` on the controller's clock. A test clock moves here, between passes, so every CronJob of a pass saw the same clock. */
  protected override passAt(at: number, marginMs: number): void {
    if (this.firstRunAt !== undefined) this.clock.hurry(this.firstRunAt);
    super.passAt(this.clock.wallTime(at), marginMs);
  }

  private async syncCronJob(stored: StoredObject): Promise<number | undefined> {
    const cj = stored.object;
    const ns = cj.metadata.namespace;
    const jobs = this.model.list(JOBS_RESOURCE, ns).map((s) => s.object).filter((j) => controllerOf(j)?.uid === cj.metadata.uid);
    const now = this.clock.now();
    const decision = decideCronJob(cj, jobs, now, {
      forbiddenAt: this.forbidden.get(cj.metadata.uid),
      existing: (name) => this.model.get(JOBS_RESOURCE, ns, name)?.object,
      warned: this.warned.get(cj.metadata.uid),
    });
    this.warned.set(cj.metadata.uid, new Set(decision.unexpected));
    const writes: StreamAppend[] = [];
    for (const job of decision.remove) {
      const current = this.model.get(JOBS_RESOURCE, ns, job.metadata.name);
      if (!current) continue;
      // The garbage collector takes the Job's pods once it is gone.
      writes.push(append(JOBS_RESOURCE, clean(job), ObjectEventTypes.deleted, current.streamVersion, CRONJOB_CONTROLLER));
      writes.push(workloadEvent(cj, CRONJOB_CONTROLLER, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`));
    }
    const status = decision.status;
    if (decision.create) {
      const job = this.jobFor(cj, decision.create.name, decision.create.scheduledTime);
      writes.push(append(JOBS_RESOURCE, job, ObjectEventTypes.created, 'no_stream', CRONJOB_CONTROLLER));
      writes.push(workloadEvent(cj, CRONJOB_CONTROLLER, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`));
      status.active = [...(status.active ?? []), jobReference(job)].sort((a, b) => a.name.localeCompare(b.name));
    }
    if (decision.passedOver !== undefined) this.forbidden.set(cj.metadata.uid, decision.passedOver);
    for (const e of decision.events) writes.push(workloadEvent(cj, CRONJOB_CONTROLLER, e.type, e.reason, e.message));
    if (!sameJson(status, cj.status ?? {})) {
      const next = clean(cj);
      next.status = status;
      writes.push(append(CRONJOBS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, CRONJOB_CONTROLLER));
    }
    // One atomic write: a Job is never started without the lastScheduleTime that says so.
    if (writes.length > 0) await this.pods.write(writes);
    if (decision.nextAt !== undefined && !status.lastScheduleTime) this.firstRunAt = Math.min(this.firstRunAt ?? Infinity, decision.nextAt);
    return decision.nextAt;
  }

  /** The Job of one scheduled time: the template's metadata and spec, owned by the CronJob, with a Job's defaults. */
  private jobFor(cj: any, name: string, scheduledTime: Date): any {
    const template = cj.spec.jobTemplate ?? {};
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        uid: randomUUID(),
        creationTimestamp: rfc3339In(scheduledTime, undefined),
        generation: 1,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        annotations: { ...(template.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_ANNOTATION]: rfc3339In(scheduledTime, cj.spec.timeZone) },
        ownerReferences: [ownerRef(cj)],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    return defaultJobSpec(job);
  }
}
