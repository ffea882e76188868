import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LogFollower, pokedFollower, ReadModel } from '@openpacific/objects';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';

/**
 * The objects the admitters decide on (quotas, limit ranges, classes, images, namespaces, pods...), kept by
 * following the event log. Secrets are not needed, so they are not decrypted.
 * `fresh()` reads whatever the log has now: admitters call it before a decision that depends on an object
 * the user may just have written (a LimitRange created a moment before a pod).
 */
@Injectable()
export class PolicyState implements OnModuleInit, OnModuleDestroy {
  readonly model = new ReadModel();
  /** uids of every object ever seen: a quota reservation whose object was created (even if since deleted) is spent. */
  readonly seenUids = new Set<string>();
  private follower?: LogFollower;
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
    });
    await this.follower.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.follower?.stop();
  }

  /** Catches up with the log: the second kick starts a read after this call if one was already running. */
  async fresh(): Promise<void> {
    await this.follower?.kick();
    await this.follower?.kick();
  }
}
