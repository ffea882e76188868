import { HOSTS_RESOURCE, natsNames } from '@openpacific/contracts';
import { compareLogPositions, LogPosition, parseResourceVersion, resourceVersionOf } from '@openpacific/event-store';
import type { ObjectChange, ReadModel } from '@openpacific/objects';
import { JSONCodec, NatsConnection, Subscription } from 'nats';
import { NODE_LEASE_RENEW_INTERVAL_MS, nodeLeaseObject, NodeLeaseState } from './node-lease-object';

export interface NodeLeaseChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: any;
}
export type NodeLeaseListener = (change: NodeLeaseChange) => void;

const beatCodec = JSONCodec<{ host?: unknown; epoch?: unknown }>();
/**
 * A renewal's resourceVersion lies in the gap after the log position it was made at and before the next transaction's
 * (positions of one transaction stay far below this): unique, rising with the log's along a watch, and a place a watch
 * can resume from. Only a transaction the follower reads in two pages could put events behind a renewal made between.
 */
const RENEWAL_BASE = 999_000_000_000n;

/**
 * The node Leases of kube-node-lease, never stored: heartbeats are not events (docs/ha.md). Every replica hears
 * every host's heartbeats (core NATS, no queue group, as it hears their metrics) and renews a host's Lease as kubelet
 * renews its own: on a heartbeat at least `renewIntervalMs` after the last renewal. A Lease exists while its Host
 * (Node) does; a host that stops heartbeating keeps its last renewTime.
 */
export class NodeLeaseView {
  private readonly states = new Map<string, NodeLeaseState>();
  private readonly listeners = new Set<NodeLeaseListener>();
  private renewals = { transactionId: -1n, next: 0n };
  private sub?: Subscription;
  private readonly renewIntervalMs: number;
  private readonly now: () => number;
  private readonly runStart?: (host: string) => Promise<number | undefined>;

  constructor(
    private readonly readModel: ReadModel,
    /** The log position the replica's read model is at. */
    private readonly position: () => LogPosition,
    opts: {
      renewIntervalMs?: number;
      now?: () => number;
      /** When a host's current run began (its last registration in the log), for a run that began before this replica. */
      runStart?: (host: string) => Promise<number | undefined>;
    } = {},
  ) {
    this.renewIntervalMs = opts.renewIntervalMs ?? NODE_LEASE_RENEW_INTERVAL_MS;
    this.now = opts.now ?? Date.now;
    this.runStart = opts.runStart;
  }

  start(nc: NatsConnection, prefix: string): void {
    this.sub ??= nc.subscribe(natsNames(prefix).heartbeats, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const beat = beatCodec.decode(msg.data);
          if (typeof beat?.host === 'string' && Number.isInteger(beat.epoch)) this.heard(beat.host, beat.epoch as number);
        } catch {
          // not JSON: ignored, as the scheduler ignores it
        }
      },
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }

  /** A heartbeat of `host` in `epoch`: renews its Lease if the last renewal is old enough, or the host began a new run. */
  heard(host: string, epoch: number): void {
    const stored = this.readModel.get(HOSTS_RESOURCE, undefined, host)?.object;
    // No Node, no Lease; a beat of an earlier run (an agent that has not noticed it was replaced) renews nothing.
    if (!stored || epoch < (stored.status?.epoch ?? 0)) return;
    const state = this.stateOf(stored);
    const now = this.now();
    const newRun = state.epoch !== undefined && state.epoch !== epoch;
    if (newRun) state.acquiredAt = now;
    state.epoch = epoch;
    // The first beat of a run renews at once, as kubelet's first renewal follows its start.
    const sinceRun = state.acquiredAt !== undefined && (state.renewedAt ?? -Infinity) < state.acquiredAt;
    if (!sinceRun && state.renewedAt !== undefined && now - state.renewedAt < this.renewIntervalMs) return;
    state.renewedAt = now;
    state.resourceVersion = this.renewalVersion();
    this.emit({ type: 'MODIFIED', object: nodeLeaseObject(stored, state) });
  }

  /** A change the read model applied: a Host made, re-registered or deleted makes, restarts or ends its Lease. */
  hostChanged(change: ObjectChange): void {
    if (change.resource !== HOSTS_RESOURCE) return;
    const name = change.object.metadata.name;
    if (change.type === 'DELETED') {
      const object = this.deletedLease(change);
      this.states.delete(name);
      return this.emit({ type: 'DELETED', object });
    }
    const newRun = change.type === 'ADDED' || (change.previous?.status?.epoch ?? 0) !== (change.object.status?.epoch ?? 0);
    if (!newRun) return;
    const state = this.stateOf(change.object);
    state.acquiredAt = this.now();
    state.epoch = change.object.status?.epoch;
    state.resourceVersion = change.resourceVersion;
    this.emit({ type: change.type === 'ADDED' ? 'ADDED' : 'MODIFIED', object: nodeLeaseObject(change.object, state) });
  }

  /** The Lease a Host's deletion ended, as it was last (for a watch that replays the deletion too). */
  deletedLease(change: ObjectChange): any {
    const state = this.states.get(change.object.metadata.name);
    return nodeLeaseObject(change.object, { ...state, resourceVersion: change.resourceVersion });
  }

  /** Every host's Lease, by name. */
  leases(): any[] {
    return this.readModel
      .list(HOSTS_RESOURCE)
      .map((s) => nodeLeaseObject(s.object, this.stateOf(s.object)))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** When this replica last renewed the host's Lease (on a heartbeat), in Unix milliseconds. */
  lastRenewed(host: string): number | undefined {
    return this.states.get(host)?.renewedAt;
  }

  lease(name: string): any | undefined {
    const stored = this.readModel.get(HOSTS_RESOURCE, undefined, name)?.object;
    return stored && nodeLeaseObject(stored, this.stateOf(stored));
  }

  /** The Leases changed after `from` (a watch resuming there gets each once, as it is now). */
  changedSince(from: LogPosition): any[] {
    return this.leases().filter((l) => compareLogPositions(parseResourceVersion(l.metadata.resourceVersion)!, from) > 0);
  }

  /** The newest resourceVersion of any Lease, for a list that takes them in. */
  newestVersion(): string | undefined {
    const versions = this.leases().map((l) => BigInt(l.metadata.resourceVersion));
    return versions.length ? versions.reduce((a, b) => (a > b ? a : b)).toString() : undefined;
  }

  subscribe(listener: NodeLeaseListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private stateOf(host: any): NodeLeaseState {
    let state = this.states.get(host.metadata.name);
    if (!state) {
      this.states.set(host.metadata.name, (state = { resourceVersion: host.metadata.resourceVersion ?? '0' }));
      void this.learnRunStart(host.metadata.name, state);
    }
    return state;
  }

  /** acquireTime of a run this replica did not see begin, from the log: a change of the Lease like a renewal. */
  private async learnRunStart(name: string, state: NodeLeaseState): Promise<void> {
    const began = await this.runStart?.(name).catch(() => undefined);
    const host = this.readModel.get(HOSTS_RESOURCE, undefined, name)?.object;
    if (began === undefined || !host || this.states.get(name) !== state || state.acquiredAt !== undefined) return;
    state.acquiredAt = began;
    state.resourceVersion = this.renewalVersion();
    this.emit({ type: 'MODIFIED', object: nodeLeaseObject(host, state) });
  }

  private renewalVersion(): string {
    const at = this.position();
    if (at.transactionId !== this.renewals.transactionId) this.renewals = { transactionId: at.transactionId, next: 0n };
    const position = RENEWAL_BASE + this.renewals.next;
    if (this.renewals.next < 999_999_999n) this.renewals.next++;
    return resourceVersionOf({ transactionId: at.transactionId, position });
  }

  private emit(change: NodeLeaseChange): void {
    for (const l of this.listeners) l(change);
  }
}
