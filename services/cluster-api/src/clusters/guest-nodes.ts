import { sameJson } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { guestRequest } from './guest-client';

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

interface Watched {
  access: GuestAccess;
  nodes?: Map<string, GuestNode>;
  /** When the guest's API last answered (ms since the epoch). */
  answeredAt?: number;
  timer?: NodeJS.Timeout;
  inFlight: boolean;
}

/**
 * Reads the Nodes of each guest cluster through its own API (its kubeconfig: the control-plane endpoint, the
 * cluster CA, the admin token), as Cluster API's machine controller reads a workload cluster's nodes to set
 * `nodeRef` and its MachineHealthCheck reads their conditions. Polls every interval while the cluster is known
 * (each request bounded by `timeoutMs`); calls `onChange` when what it sees changes.
 */
export class GuestNodeMonitor {
  private readonly clusters = new Map<string, Watched>();

  /** `staleMs`: how long after its API last answered a guest still counts as reachable. */
  constructor(private readonly opts: { intervalMs: number; timeoutMs: number; staleMs: number; logger: Logger; onChange: () => void }) {}

  /** Watch exactly these clusters (by uid), with their access; others are forgotten. */
  track(wanted: Map<string, GuestAccess>): void {
    for (const [uid, w] of this.clusters) {
      if (!wanted.has(uid)) {
        clearTimeout(w.timer);
        this.clusters.delete(uid);
      }
    }
    for (const [uid, access] of wanted) {
      const existing = this.clusters.get(uid);
      if (existing && existing.access.server === access.server && existing.access.token === access.token) continue;
      if (existing) clearTimeout(existing.timer);
      const w: Watched = { access, inFlight: false };
      this.clusters.set(uid, w);
      this.poll(uid, w);
    }
  }

  /** The guest's nodes as last seen, or undefined when its API has never answered. */
  nodes(uid: string): Map<string, GuestNode> | undefined {
    return this.clusters.get(uid)?.nodes;
  }

  /**
   * The guest's nodes when its API answered within `staleMs`, else undefined: a cluster that stopped answering is
   * unreachable, and what was last seen of it is no ground for replacing machines.
   */
  reachableNodes(uid: string, now = Date.now()): Map<string, GuestNode> | undefined {
    const w = this.clusters.get(uid);
    return w?.answeredAt !== undefined && now - w.answeredAt <= this.opts.staleMs ? w.nodes : undefined;
  }

  stop(): void {
    for (const w of this.clusters.values()) clearTimeout(w.timer);
    this.clusters.clear();
  }

  private poll(uid: string, w: Watched): void {
    if (this.clusters.get(uid) !== w || w.inFlight) return;
    w.inFlight = true;
    listNodes(w.access, this.opts.timeoutMs)
      .then((nodes) => {
        const changed = !w.nodes || !sameNodes(w.nodes, nodes);
        w.nodes = nodes;
        w.answeredAt = Date.now();
        if (changed) this.opts.onChange();
      })
      .catch((err) => this.opts.logger.debug('guest cluster API did not answer', { server: w.access.server, error: (err as Error).message }))
      .finally(() => {
        w.inFlight = false;
        if (this.clusters.get(uid) === w) w.timer = setTimeout(() => this.poll(uid, w), this.opts.intervalMs).unref();
      });
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

async function listNodes(access: GuestAccess, timeoutMs: number): Promise<Map<string, GuestNode>> {
  const items: any[] = (await guestRequest(access, 'GET', '/api/v1/nodes', { timeoutMs }))?.items ?? [];
  return new Map(items.map((n) => [n.metadata.name, guestNode(n)]));
}
