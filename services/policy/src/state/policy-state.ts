import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { compareLogPositions, LogPosition } from '@openpacific/event-store';
import { LogFollower, pokedFollower, ReadModel } from '@openpacific/objects';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { policyKeeps } from './policy-keeps';

/** How long an admission waits for the follower to reach the gateway's position before reading the log itself. */
const CAUGHT_UP_WAIT_MS = 2000;

/**
 * The objects the admitters decide on (quotas, limit ranges, classes, images, namespaces, pods...), kept by
 * following the event log. Secrets are not needed, so they are not decrypted, and the pod events no admitter
 * reads (bindings, statuses that do not end a pod) are passed over unparsed (`policyKeeps`).
 * `fresh()` reads whatever the log has now: admitters call it before a decision that depends on an object
 * the user may just have written (a LimitRange created a moment before a pod). `caughtUp(readAt)` does the
 * same for what the asking gateway had read, usually without reading at all.
 */
@Injectable()
export class PolicyState implements OnModuleInit, OnModuleDestroy {
  readonly model = new ReadModel();
  /** uids of every object ever seen: a quota reservation whose object was created (even if since deleted) is spent. */
  readonly seenUids = new Set<string>();
  private follower?: LogFollower;
  /** The wait in progress for a gateway's position: the reviews of a batch (and of batches at lower positions) share it. */
  private pending?: { target: LogPosition; reached: Promise<void> };
  /** The wait for each batch's position (see caughtUp), by the position object the batch's reviews share. */
  private readonly waits = new WeakMap<LogPosition, Promise<void>>();
  /** Called after each batch of events applied (the quota status controller listens). */
  readonly listeners = new Set<() => void>();

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  async onModuleInit(): Promise<void> {
    this.follower = pokedFollower(this.ctx, (events) => {
      for (const e of events) {
        const change = this.model.apply(e);
        const uid = change?.object?.metadata?.uid;
        if (uid) this.seenUids.add(uid);
      }
      for (const l of this.listeners) l();
    }, { keep: policyKeeps });
    await this.follower.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.follower?.stop();
  }

  /**
   * The read model holds everything the asking gateway had read (`readAt`, see AdmissionContext) — at once
   * when the follower is already there, which it usually is — or, without a position, the whole log as it is
   * now (`fresh`). A follower that cannot get there in time (the log unreadable) falls back to `fresh`, which
   * then fails or succeeds as before.
   */
  async caughtUp(readAt: LogPosition | undefined): Promise<void> {
    const follower = this.follower;
    if (!readAt || !follower) return this.fresh();
    if (compareLogPositions(follower.current, readAt) >= 0) return;
    // Every admitter of every review of one batch asks with the batch's one position: one wait for them all, even
    // one that timed out (a position the follower cannot reach), which would otherwise be waited for once per admitter.
    const asked = this.waits.get(readAt);
    if (asked) return asked;
    const reached = this.waitFor(follower, readAt);
    this.waits.set(readAt, reached);
    return reached;
  }

  private waitFor(follower: LogFollower, readAt: LogPosition): Promise<void> {
    // Batches asked at or below the position being waited for share that wait (one timer for all).
    if (this.pending && compareLogPositions(this.pending.target, readAt) >= 0) return this.pending.reached;
    const reached = (async () => {
      if (!(await follower.waitFor(readAt, CAUGHT_UP_WAIT_MS))) await this.fresh();
    })();
    const pending = { target: readAt, reached };
    this.pending = pending;
    const settled = () => {
      if (this.pending === pending) this.pending = undefined;
    };
    reached.then(settled, settled);
    return reached;
  }

  /** Catches up with the log: the second kick starts a read after this call if one was already running. */
  async fresh(): Promise<void> {
    await this.follower?.kick();
    await this.follower?.kick();
  }
}
