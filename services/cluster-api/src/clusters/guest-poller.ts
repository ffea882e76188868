import type { Logger } from '@openpacific/service-kit';
import { guestRequest } from './guest-client';
import type { GuestAccess } from './guest-nodes';

interface Watched<T> {
  access: GuestAccess;
  value?: T;
  /** When the guest's API last answered (ms since the epoch). */
  answeredAt?: number;
  timer?: NodeJS.Timeout;
  inFlight: boolean;
}

export interface GuestPollerOptions<T> {
  /** What to GET from each guest's API, e.g. `/api/v1/nodes`. */
  path: string;
  /** Turns the answer into what is kept. */
  read: (answer: any) => T;
  /** Whether two reads are the same (`onChange` is called only when they are not). */
  same: (a: T, b: T) => boolean;
  intervalMs: number;
  /** Bounds each request. */
  timeoutMs: number;
  /** How long after its API last answered a guest still counts as reachable. */
  staleMs: number;
  logger: Logger;
  onChange: () => void;
}

/**
 * Polls one path of each guest cluster's API (through its kubeconfig's access) every interval while the cluster is
 * tracked, one request at a time per cluster, and calls `onChange` on the first answer and whenever it differs from
 * the one before. A cluster whose server or token changes is polled afresh.
 */
export class GuestPoller<T> {
  private readonly clusters = new Map<string, Watched<T>>();

  constructor(private readonly opts: GuestPollerOptions<T>) {}

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
      const w: Watched<T> = { access, inFlight: false };
      this.clusters.set(uid, w);
      this.poll(uid, w);
    }
  }

  /** What the guest's API last answered, however long ago; undefined when it never has. */
  lastSeen(uid: string): T | undefined {
    return this.clusters.get(uid)?.value;
  }

  /**
   * What the guest's API last answered when that was within `staleMs` of `now`, else undefined: a cluster that
   * stopped answering is unreachable, and what was last seen of it is no ground for acting.
   */
  latest(uid: string, now = Date.now()): T | undefined {
    const w = this.clusters.get(uid);
    return w?.answeredAt !== undefined && now - w.answeredAt <= this.opts.staleMs ? w.value : undefined;
  }

  /** The access the cluster is polled with: the same object until it is re-tracked with another server or token. */
  access(uid: string): GuestAccess | undefined {
    return this.clusters.get(uid)?.access;
  }

  stop(): void {
    for (const w of this.clusters.values()) clearTimeout(w.timer);
    this.clusters.clear();
  }

  private poll(uid: string, w: Watched<T>): void {
    if (this.clusters.get(uid) !== w || w.inFlight) return;
    w.inFlight = true;
    guestRequest(w.access, 'GET', this.opts.path, { timeoutMs: this.opts.timeoutMs })
      .then((answer) => {
        const value = this.opts.read(answer);
        const changed = w.value === undefined || !this.opts.same(w.value, value);
        w.value = value;
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
