import { compareLogPositions, EventStore, LogPosition, RecordedEvent } from '@openpacific/event-store';
import type { Pool } from 'pg';
import { FollowedPage, KeepEvent, readFollowed } from './followed-read';
import { FollowerLogger, LogPoke, watchLog } from './log-wakeups';

export type { FollowerLogger, LogPoke } from './log-wakeups';

interface Waiter {
  target: LogPosition;
  resolve: () => void;
}

/** The first re-read for a waiter hidden by a running transaction: most transactions end within a few ms. */
const FIRST_RETRY_MS = 5;

export interface LogFollowerOptions {
  batchSize?: number;
  pollMs?: number;
  /**
   * The resources followed (undefined: all of them). The follower reads only their events (Postgres
   * sends no other bodies), and a wake-up that names only other resources costs it no read; its position
   * still moves past everything on each read, so the poll keeps it near the tip.
   */
  follows?: readonly string[];
  /** Which of the followed events (of every resource, without `follows`) to parse and apply at all (see `KeepEvent`). */
  keep?: KeepEvent;
}

/**
 * Follows the global log in commit order and hands every event to `apply`.
 * Wakes on Postgres NOTIFY (sent by appends outside the services), on `kick()`
 * after the gateway's own writes, and on a short poll: a transaction that held
 * the visibility horizon back can commit without notifying. The poll and the
 * LISTEN are shared by the followers of a pool (`watchLog`): the poll kicks the
 * followers behind the log's visible tip. A follower of some resources
 * (`follows`) skips wake-ups naming only others; its reads still move it past
 * everything, so the poll finds it at the tip and a lost wake-up costs at most a poll.
 */
export class LogFollower {
  private position: LogPosition = { transactionId: 0n, position: 0n };
  private unwatch?: () => Promise<void>;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly waiters: Waiter[] = [];
  /** A re-read for waiters whose position an older, still running transaction hides (see `retryHidden`). */
  private retry?: NodeJS.Timeout;
  private retryMs = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly follows?: ReadonlySet<string>;
  private readonly followed?: string[];
  private readonly keep?: KeepEvent;

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly apply: (events: RecordedEvent[]) => void,
    private readonly logger: FollowerLogger,
    /** Another wake-up source (the services' NATS pokes); returns its unsubscribe. */
    private readonly wake?: (poke: LogPoke) => () => void,
    opts: LogFollowerOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 2000;
    this.pollMs = opts.pollMs ?? 250;
    this.follows = opts.follows && new Set(opts.follows);
    this.followed = this.follows && [...this.follows];
    this.keep = opts.keep;
  }
  private unwake?: () => void;

  get current(): LogPosition {
    return this.position;
  }

  /** Replays the whole log, then keeps following. */
  async start(): Promise<void> {
    await this.catchUp();
    this.unwatch = await watchLog(this.pool, this.pollMs, this.logger, this);
    this.unwake = this.wake?.((resources) => {
      if (this.concerns(resources)) void this.kick();
    });
    // Through kick, as every read from now on: a wake-up during this read must not start a second reader.
    await this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwake?.();
    clearTimeout(this.retry);
    await this.running?.catch(() => undefined);
    await this.unwatch?.();
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Read whatever is new, now; coalesces concurrent calls into one reader. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.retry);
    this.running = this.catchUp()
      .catch((err) => this.logger.warn('reading the log failed', { error: (err as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          void this.kick();
        } else if (this.waiters.length > 0) this.retryHidden();
      });
    return this.running;
  }

  /** Resolves once the event at `target` has been applied (or the timeout passes; returns whether it was). */
  async waitFor(target: LogPosition, timeoutMs = 10_000): Promise<boolean> {
    if (compareLogPositions(this.position, target) >= 0) return true;
    let timeout: NodeJS.Timeout | undefined;
    const reached = new Promise<boolean>((resolve) => {
      const waiter = { target, resolve: () => resolve(true) };
      this.waiters.push(waiter);
      // A waiter given up on leaves: it must not keep the follower re-reading for a position it never reaches.
      timeout = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(false);
      }, timeoutMs);
    });
    void this.kick();
    const ok = await reached;
    clearTimeout(timeout);
    return ok;
  }

  /** Whether a wake-up naming these resources (undefined: it names none) may bring something followed. */
  private concerns(resources: readonly string[] | undefined): boolean {
    if (!this.follows || !resources) return true;
    return resources.some((r) => this.follows!.has(r));
  }

  /**
   * Waiters left after a read that started after they came (a later one would have set `again`): what they wait
   * for has committed, but an older transaction still running hides it. That transaction may be no append (an
   * audit record, a lease, a checkpoint) and wake nobody when it ends, so read again soon, backing off to the poll
   * period while it stays open; any other read first cancels this one.
   */
  private retryHidden(): void {
    this.retryMs = Math.min(this.pollMs, this.retryMs > 0 ? this.retryMs * 2 : FIRST_RETRY_MS);
    this.retry = setTimeout(() => void this.kick(), this.retryMs);
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      // A wake-up before this read's query is answered by it (it sees every commit made before it is sent).
      this.again = false;
      const page = await this.readPage();
      if (page.scanned === 0) break;
      this.retryMs = 0;
      if (page.events.length > 0) this.apply(page.events);
      this.position = page.scannedTo!;
      this.release();
      if (page.scanned < this.batchSize) break;
    }
  }

  /** The next page: every event, or only the followed (and kept) ones and the page's last position. */
  private async readPage(): Promise<FollowedPage> {
    if (this.followed || this.keep) return readFollowed(this.pool, { after: this.position, limit: this.batchSize, resources: this.followed, keep: this.keep });
    const events = await this.store.readAll({ after: this.position, limit: this.batchSize, lazyTimes: true });
    const last = events[events.length - 1];
    return { events, scannedTo: last && { transactionId: last.transactionId, position: last.position }, scanned: events.length };
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (compareLogPositions(this.position, this.waiters[i].target) >= 0) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}
