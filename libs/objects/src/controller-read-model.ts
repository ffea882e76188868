import type { RecordedEvent } from '@openpacific/event-store';
import { CONTROLLER_IGNORED, ObjectChange, ReadModel, StoredObject } from './read-model';

/**
 * A read model of some resources only: what a controller follows. It holds nothing else (the follower built
 * with its `follows` reads nothing else), and asking it for another resource is a programming error, thrown
 * rather than answered with an empty list: a controller that reads a resource it did not declare would
 * otherwise see it as absent forever.
 */
export class FollowedReadModel extends ReadModel {
  /** The resources held, for the follower: `pokedFollower(deps, apply, { follows: model.follows })`. */
  readonly follows: readonly string[];
  private readonly held: ReadonlySet<string>;

  constructor(follows: readonly string[]) {
    super({ ignore: CONTROLLER_IGNORED });
    this.held = new Set(follows);
    this.follows = [...this.held];
  }

  override apply(event: RecordedEvent): ObjectChange | undefined {
    const resource = (event.data as { resource?: string } | undefined)?.resource;
    return resource && this.held.has(resource) ? super.apply(event) : undefined;
  }

  override get(resource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return super.get(this.followed(resource), namespace, name);
  }

  override list(resource: string, namespace?: string): StoredObject[] {
    return super.list(this.followed(resource), namespace);
  }

  override streamVersion(resource: string, namespace: string | undefined, name: string): number {
    return super.streamVersion(this.followed(resource), namespace, name);
  }

  private followed(resource: string): string {
    if (!this.held.has(resource)) throw new Error(`this read model does not follow ${resource} (it follows ${this.follows.join(', ')})`);
    return resource;
  }
}

/**
 * The read model of a controller (or a host's worker): the resources it reads, and never core Events (which
 * controllers only create, under new names; a burst of 10,000 pods writes 20,000 of them). Its follower reads
 * only these resources from the log: `pokedFollower(deps, apply, { follows: model.follows })`.
 */
export function controllerReadModel(follows: readonly string[]): FollowedReadModel {
  return new FollowedReadModel(follows);
}
