import { ObjectEventTypes, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { controllerReadModel, decryptedEvent, LogFollower, objectKey, ReadModel, SecretKey, secretKeyFrom, StoredObject } from '@openpacific/objects';
import { configScope, EVERY_POD, POD_WORKER_FOLLOWS, SharedPodFeed } from '../pods/pod-worker';
import { SharedVmFeed, vmHosts, VM_WORKER_FOLLOWS } from '../vms/vm-worker';

/** What the fleet's hosts read from the log: their pod workers' resources and their VM workers'. */
export const FLEET_FOLLOWS: readonly string[] = [...new Set([...POD_WORKER_FOLLOWS, ...VM_WORKER_FOLLOWS])];

type Ref = { namespace: string | undefined; name: string };

/** Objects of one resource by the host they are on, so that a host lists its own without scanning every object. */
class HostIndex {
  private readonly byHost = new Map<string, Map<string, Ref>>();

  /** The object `key` moved from host `before` to host `after` (either may be none). */
  move(key: string, ref: Ref, before: string | undefined, after: string | undefined): void {
    if (before && before !== after) this.byHost.get(before)?.delete(key);
    if (!after) return;
    let refs = this.byHost.get(after);
    if (!refs) this.byHost.set(after, (refs = new Map()));
    refs.set(key, ref);
  }

  list(model: ReadModel, resource: string, host: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const ref of this.byHost.get(host)?.values() ?? []) {
      const stored = model.get(resource, ref.namespace, ref.name);
      if (stored) out.push(stored);
    }
    return out;
  }
}

/** A status the pod's host wrote itself (a spherelet writes pod status only as `system:node:<host>`). */
function ownStatus(e: RecordedEvent, host: string | undefined): boolean {
  return !!host && e.type === ObjectEventTypes.statusUpdated && e.metadata?.actor === `system:node:${host}`;
}

/** One listener per host; a host restarted with a new epoch subscribes again before its old worker's unsubscribe runs, or after. */
class HostListeners<F> {
  readonly byHost = new Map<string, F>();

  add(host: string, listener: F): () => void {
    this.byHost.set(host, listener);
    return () => {
      if (this.byHost.get(host) === listener) this.byHost.delete(host);
    };
  }
}

/**
 * The fleet's one view of the log, shared by every simulated host's pod worker and VM worker: one follower
 * and one read model (Secrets decrypted, for the VMs' cloud-init user data) where a feed for pods and another
 * for VMs read and held everything twice. A change to a pod or a VM wakes only the hosts it is (or was) on,
 * and each host finds its pods and VMs in indexes by host: a hundred workers each following the whole log and
 * scanning every object on every pass cost a hundred times the CPU for nothing.
 */
export class FleetFeed {
  readonly model = controllerReadModel(FLEET_FOLLOWS);
  /** What the hosts' pod workers read. */
  readonly pods: SharedPodFeed;
  /** What the hosts' VM workers read. */
  readonly vms: SharedVmFeed;
  private readonly podListeners = new HostListeners<(pods?: string[]) => void>();
  private readonly vmListeners = new HostListeners<(uid: string, here: boolean) => void>();
  private readonly podsByHost = new HostIndex();
  private readonly vmsByHost = new HostIndex();
  private readonly secretKey?: SecretKey;
  private follower?: LogFollower;

  /** `encryptionKey`: SECRETS_ENCRYPTION_KEY ('' when Secrets are stored in the clear). */
  constructor(encryptionKey = '') {
    this.secretKey = encryptionKey ? secretKeyFrom(encryptionKey) : undefined;
    const model = this.model;
    this.pods = {
      model,
      subscribe: (host, changed) => this.podListeners.add(host, changed),
      podsOn: (host) => this.podsByHost.list(model, 'pods', host),
    };
    this.vms = {
      model,
      subscribe: (host, changed) => this.vmListeners.add(host, changed),
      vmsOn: (host) => this.vmsByHost.list(model, VIRTUAL_MACHINES_RESOURCE, host),
    };
  }

  /** `follow` makes the follower that calls `apply` with each batch (a poked follower of FLEET_FOLLOWS in the service, a stub in tests). */
  async start(follow: (apply: (events: RecordedEvent[]) => void) => LogFollower): Promise<void> {
    this.follower = follow((events) => this.apply(events));
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  /** A pass over every pod of `host` soon (its resync: see StaggeredResync). */
  resync(host: string): void {
    this.podListeners.byHost.get(host)?.();
  }

  /** The hosts with a pod worker subscribed, in the order they subscribed. */
  hosts(): string[] {
    return [...this.podListeners.byHost.keys()];
  }

  /**
   * Applies a batch to the model and the indexes; tells each VM's hosts at once, and wakes each host with
   * changed pods once after the batch, naming them: a ConfigMap, Secret or claim changed names the pods of its
   * namespace on every host (`configScope`), a RuntimeClass wakes every host for all its pods.
   * A pod's status written by its own host wakes nobody: the host wrote what it had seen, and a pass to find
   * that again was half of a burst's passes, each over every pod of the host.
   */
  apply(events: RecordedEvent[]): void {
    const woken = new Map<string, string[]>();
    const wake = (host: string, key: string) => {
      const keys = woken.get(host);
      if (keys) keys.push(key);
      else woken.set(host, [key]);
    };
    let everyone = false;
    /** Namespaces of changed ConfigMaps, Secrets and claims: their pods are named once after the batch. */
    const namespaces = new Set<string>();
    for (const e of events) {
      const change = this.model.apply(decryptedEvent(e, this.secretKey));
      if (!change) continue;
      const scope = configScope(change.resource, change.object);
      if (scope === EVERY_POD) everyone = true;
      else if (scope !== undefined) namespaces.add(scope);
      const { namespace, name, uid } = change.object.metadata;
      const key = objectKey(namespace, name);
      if (change.resource === 'pods') {
        const before: string | undefined = change.previous?.spec?.nodeName;
        const after: string | undefined = change.type === 'DELETED' ? undefined : change.object.spec?.nodeName;
        this.podsByHost.move(key, { namespace, name }, before, after);
        if (before === after && ownStatus(e, after)) continue;
        if (before) wake(before, key);
        if (after && after !== before) wake(after, key);
      } else if (change.resource === VIRTUAL_MACHINES_RESOURCE) {
        const { before, after } = vmHosts(change);
        this.vmsByHost.move(key, { namespace, name }, before, after);
        if (before && before !== after) this.vmListeners.byHost.get(before)?.(uid, false);
        if (after) this.vmListeners.byHost.get(after)?.(uid, true);
      }
    }
    if (!everyone) {
      for (const namespace of namespaces) {
        for (const stored of this.model.list('pods', namespace)) {
          const host: string | undefined = stored.object.spec?.nodeName;
          if (host) wake(host, objectKey(namespace, stored.object.metadata.name));
        }
      }
    }
    for (const [host, changed] of this.podListeners.byHost) {
      if (everyone) changed();
      else if (woken.has(host)) changed(woken.get(host));
    }
  }
}
