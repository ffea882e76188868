import type { RecordedEvent } from '@openpacific/event-store';
import { LogFollower } from './log-follower';
import { FollowerDeps, pokedFollower } from './poked-follower';

/** A controller's share of the log: the events of one page, of which its read model keeps the resources it follows. */
export type LogReader = (events: RecordedEvent[]) => void;

/**
 * One log follower for several controllers of a process (the scheduler's placement, volumes and workloads;
 * vm-operator's VMs, VM services, pod services, network policies and DNS): each page of the log is read and
 * parsed once and handed to every controller. With a follower each, every wake-up and every poll of a busy log
 * cost one read per controller (most of them finding nothing of theirs in a pod burst), and a pod event was
 * read and parsed once per controller that follows pods. The events handed over are shared by every reader:
 * a read model must never change them in place.
 */
export class SharedFollower {
  private readonly readers: LogReader[] = [];
  private readonly follows = new Set<string>();
  private follower?: LogFollower;

  constructor(private readonly deps: FollowerDeps) {}

  /** A controller's reader of these resources; added before `start`, so that the replay reaches it too. */
  add(follows: readonly string[], read: LogReader): void {
    if (this.follower) throw new Error('readers are added before the shared follower starts');
    for (const resource of follows) this.follows.add(resource);
    this.readers.push(read);
  }

  /**
   * A controller's read model, fed every page of the resources it follows; `changed` runs after a page that changed
   * what the model holds (a controller schedules its next pass there).
   */
  addModel(model: { follows: readonly string[]; apply(event: RecordedEvent): unknown }, changed: () => void): void {
    this.add(model.follows, (events) => {
      let relevant = false;
      for (const e of events) if (model.apply(e)) relevant = true;
      if (relevant) changed();
    });
  }

  /** Replays the log into every reader, then keeps following. */
  async start(): Promise<void> {
    this.follower = pokedFollower(this.deps, (events) => {
      for (const read of this.readers) read(events);
    }, { follows: [...this.follows] });
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }
}
