import { PVCS_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { CONTROLLER_IGNORED, LogFollower, objectKey, ReadModel, StoredObject } from '@openpacific/objects';
import type { SharedPodFeed } from '../pods/pod-worker';

type Ref = { namespace: string | undefined; name: string };

/**
 * The fleet's one view of the log, shared by every simulated host's pod worker. A change to a pod wakes only
 * the hosts it is (or was) bound to, and each host finds its pods in an index by node name: a hundred workers
 * each following the whole log and scanning every pod on every pass cost a hundred times the CPU for nothing.
 */
export class FleetFeed implements SharedPodFeed {
  readonly model = new ReadModel({ ignore: CONTROLLER_IGNORED });
  private readonly listeners = new Map<string, (pods?: string[]) => void>();
  private readonly podsByHost = new Map<string, Map<string, Ref>>();
  private follower?: LogFollower;

  /** `follow` makes the follower that calls `apply` with each batch (a poked follower in the service, a stub in tests). */
  async start(follow: (apply: (events: RecordedEvent[]) => void) => LogFollower): Promise<void> {
    this.follower = follow((events) => this.apply(events));
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  subscribe(host: string, changed: (pods?: string[]) => void): () => void {
    this.listeners.set(host, changed);
    return () => this.listeners.delete(host);
  }

  podsOn(host: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const ref of this.podsByHost.get(host)?.values() ?? []) {
      const stored = this.model.get('pods', ref.namespace, ref.name);
      if (stored) out.push(stored);
    }
    return out;
  }

  /** Applies a batch to the model and the index, then wakes each affected host once, naming its pods that changed. */
  apply(events: RecordedEvent[]): void {
    const woken = new Map<string, string[]>();
    const wake = (host: string, key: string) => {
      const keys = woken.get(host);
      if (keys) keys.push(key);
      else woken.set(host, [key]);
    };
    let everyone = false;
    for (const e of events) {
      const change = this.model.apply(e);
      if (!change) continue;
      if (change.resource === PVCS_RESOURCE) everyone = true;
      if (change.resource !== 'pods') continue;
      const { namespace, name } = change.object.metadata;
      const key = objectKey(namespace, name);
      const before: string | undefined = change.previous?.spec?.nodeName;
      const after: string | undefined = change.type === 'DELETED' ? undefined : change.object.spec?.nodeName;
      if (before && before !== after) this.podsByHost.get(before)?.delete(key);
      if (after) this.index(after).set(key, { namespace, name });
      if (before) wake(before, key);
      if (after && after !== before) wake(after, key);
    }
    for (const [host, changed] of this.listeners) {
      if (everyone) changed();
      else if (woken.has(host)) changed(woken.get(host));
    }
  }

  private index(host: string): Map<string, Ref> {
    let pods = this.podsByHost.get(host);
    if (!pods) this.podsByHost.set(host, (pods = new Map()));
    return pods;
  }
}
