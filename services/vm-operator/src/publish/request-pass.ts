import { EventStore, VersionConflictError } from '@openpacific/event-store';
import { type FollowedReadModel, PassLoop, type SharedFollower, StoredObject, timerDelay } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';

/** What a request controller needs of its process. */
export interface RequestControllerDeps {
  store: EventStore;
  feed: SharedFollower;
  logger: Logger;
}

/**
 * The pass of a controller of requests that end and are deleted a time after (publish requests, group publish
 * requests): every request of `resource` is handled on its own (a failure is logged and retried half a second later,
 * a version conflict silently, the next pass seeing what won), and the pass is run again at the earliest time any
 * handler asks for (a TTL running out), besides on every change of the model and every five seconds.
 */
export abstract class RequestPass {
  protected readonly loop: PassLoop;
  private alarm?: NodeJS.Timeout;

  protected constructor(
    protected readonly deps: RequestControllerDeps,
    protected readonly model: FollowedReadModel,
    private readonly resource: string,
    private readonly what: string,
  ) {
    this.loop = new PassLoop(() => this.pass(), { resyncMs: 5000, retryMs: 200, onError: (err) => deps.logger.warn(`${what} pass failed`, { error: (err as Error).message }) });
    deps.feed.addModel(model, () => this.loop.schedule());
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
    clearTimeout(this.alarm);
  }

  /** One request's turn; returns when (ms since the epoch) it wants the next pass, if at a time of its own. */
  protected abstract handle(stored: StoredObject): Promise<number | undefined>;

  private async pass(): Promise<void> {
    let next = Infinity;
    for (const stored of this.model.list(this.resource)) {
      try {
        const at = await this.handle(stored);
        if (at !== undefined) next = Math.min(next, at);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn(`${this.what} failed`, { namespace: stored.object.metadata.namespace, name: stored.object.metadata.name, error: (err as Error).message });
        setTimeout(() => this.loop.schedule(), 500).unref();
      }
    }
    clearTimeout(this.alarm);
    if (next !== Infinity) this.alarm = setTimeout(() => this.loop.schedule(), timerDelay(next + 50)).unref();
  }
}
