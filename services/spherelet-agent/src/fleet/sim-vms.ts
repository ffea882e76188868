import { NatsNames, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
import type { EventStore, RecordedEvent } from '@openpacific/event-store';
import { CONTROLLER_IGNORED, decryptedEvent, LogFollower, objectKey, ReadModel, SecretKey, secretKeyFrom, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { MemoryHypervisor } from '../vms/memory-hypervisor';
import { SharedVmFeed, vmHosts, VmWorker } from '../vms/vm-worker';

export interface FleetVmDeps {
  store: EventStore;
  pool: Pool;
  nats: NatsConnection;
  names: NatsNames;
  logger: Logger;
}

/**
 * The VMs of a simulated fleet: one view of the log (Secrets decrypted, for cloud-init user data) shared by every
 * host's VM worker, each VM found by the host it is placed on, and a change waking only the hosts it concerns.
 * Each host runs the agent's VmWorker over a MemoryHypervisor: its VMs are records in this process with no guest
 * anywhere, as its pods are, and they go with the host's epoch (a new epoch starts with an empty hypervisor).
 */
export class FleetVms implements SharedVmFeed {
  readonly model = new ReadModel({ ignore: CONTROLLER_IGNORED });
  private readonly listeners = new Map<string, (uid: string, here: boolean) => void>();
  /** host → VM key → where to find it: the VMs whose status.nodeName is that host. */
  private readonly placed = new Map<string, Map<string, { namespace: string; name: string }>>();
  private follower?: LogFollower;
  private readonly secretKey?: SecretKey;

  /** `encryptionKey`: SECRETS_ENCRYPTION_KEY ('' when Secrets are stored in the clear). */
  constructor(encryptionKey: string) {
    this.secretKey = encryptionKey ? secretKeyFrom(encryptionKey) : undefined;
  }

  /** `follow` makes the follower that calls `apply` with each batch (a poked follower in the service). */
  async start(follow: (apply: (events: RecordedEvent[]) => void) => LogFollower): Promise<void> {
    this.follower = follow((events) => this.apply(events));
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  /** A started VM worker for `host` at `epoch`, over a hypervisor of its own. */
  async startHost(deps: FleetVmDeps, host: string, epoch: number, resyncMs: number): Promise<VmWorker> {
    const worker = new VmWorker({ ...deps, feed: this }, { host, epoch, hypervisor: new MemoryHypervisor(), resyncMs });
    await worker.start();
    return worker;
  }

  subscribe(host: string, changed: (uid: string, here: boolean) => void): () => void {
    this.listeners.set(host, changed);
    return () => {
      if (this.listeners.get(host) === changed) this.listeners.delete(host);
    };
  }

  vmsOn(host: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const { namespace, name } of this.placed.get(host)?.values() ?? []) {
      const stored = this.model.get(VIRTUAL_MACHINES_RESOURCE, namespace, name);
      if (stored) out.push(stored);
    }
    return out;
  }

  apply(events: RecordedEvent[]): void {
    for (const e of events) {
      const change = this.model.apply(decryptedEvent(e, this.secretKey));
      if (change?.resource !== VIRTUAL_MACHINES_RESOURCE) continue;
      const { namespace, name, uid } = change.object.metadata;
      const key = objectKey(namespace, name);
      const { before, after } = vmHosts(change);
      if (before && before !== after) {
        this.placed.get(before)?.delete(key);
        this.listeners.get(before)?.(uid, false);
      }
      if (after) {
        let vms = this.placed.get(after);
        if (!vms) this.placed.set(after, (vms = new Map()));
        vms.set(key, { namespace, name });
        this.listeners.get(after)?.(uid, true);
      }
    }
  }
}
