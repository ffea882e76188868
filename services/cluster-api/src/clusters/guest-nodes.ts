import { sameJson } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { GuestPoller } from './guest-poller';

/** A node condition as the guest reports it (the heartbeat time left out: it moves on every read). */
export interface GuestNodeCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface GuestNode {
  name: string;
  ready: boolean;
  conditions: GuestNodeCondition[];
}

export interface GuestAccess {
  server: string;
  caCertPem: string;
  token: string;
}

/**
 * Reads the Nodes of each guest cluster through its own API (its kubeconfig: the control-plane endpoint, the
 * cluster CA, the admin token), as Cluster API's machine controller reads a workload cluster's nodes to set
 * `nodeRef` and its MachineHealthCheck reads their conditions. Polls every interval while the cluster is known
 * (each request bounded by `timeoutMs`); calls `onChange` when what it sees changes.
 */
export class GuestNodeMonitor {
  private readonly poller: GuestPoller<Map<string, GuestNode>>;

  /** `staleMs`: how long after its API last answered a guest still counts as reachable. */
  constructor(opts: { intervalMs: number; timeoutMs: number; staleMs: number; logger: Logger; onChange: () => void }) {
    this.poller = new GuestPoller({ ...opts, path: '/api/v1/nodes', read: readNodes, same: sameNodes });
  }

  /** Watch exactly these clusters (by uid), with their access; others are forgotten. */
  track(wanted: Map<string, GuestAccess>): void {
    this.poller.track(wanted);
  }

  /** The guest's nodes as last seen, or undefined when its API has never answered. */
  nodes(uid: string): Map<string, GuestNode> | undefined {
    return this.poller.lastSeen(uid);
  }

  /**
   * The guest's nodes when its API answered within `staleMs`, else undefined: a cluster that stopped answering is
   * unreachable, and what was last seen of it is no ground for replacing machines.
   */
  reachableNodes(uid: string, now = Date.now()): Map<string, GuestNode> | undefined {
    return this.poller.latest(uid, now);
  }

  stop(): void {
    this.poller.stop();
  }
}

function sameNodes(a: Map<string, GuestNode>, b: Map<string, GuestNode>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, n] of a) if (!sameJson(b.get(name), n)) return false;
  return true;
}

function guestNode(n: any): GuestNode {
  const conditions: GuestNodeCondition[] = (n.status?.conditions ?? []).map((c: any) => ({
    type: c.type,
    status: c.status,
    ...(c.lastTransitionTime ? { lastTransitionTime: c.lastTransitionTime } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  }));
  return { name: n.metadata.name, ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'), conditions };
}

function readNodes(list: any): Map<string, GuestNode> {
  const items: any[] = list?.items ?? [];
  return new Map(items.map((n) => [n.metadata.name, guestNode(n)]));
}
