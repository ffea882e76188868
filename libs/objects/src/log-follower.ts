/** The logging a follower needs (service-kit's Logger satisfies it). */
export interface FollowerLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}
import { compareLogPositions, EventStore, LogPosition, RecordedEvent } from '@openpacific/event-store';
import type { Pool, PoolClient } from 'pg';
import { FollowedPage, readFollowed } from './followed-read';

const APPEND_CHANNEL = 'op_events_appended';

export interface LogFollowerOptions {
  batchSize?: number;
  pollMs?: number;
  /**
   * The resources followed (undefined: all of them). The follower reads only their events (Postgres
   * sends no others), and a wake-up that names only other resources costs it no read; its position
   * still moves past everything on each read, so the poll keeps it near the tip.
   */
  follows?: readonly string[];
}

/** A wake-up from outside: the resources appended when the sender named them, else undefined. */
export type LogPoke = (resources?: readonly string[]) => void;

/**
 * Follows the global log in commit order and hands every event to `apply`.
 * Wakes on Postgres NOTIFY (sent by every append), on `kick()` after the
 * gateway's own writes, and on a short poll: a transaction that held the
 * visibility horizon back can commit without notifying. A follower of some
 * resources (`follows`) skips wake-ups naming only others; the poll and NOTIFY
 * name nothing, so they always read, and a lost wake-up costs at most a poll.
 */
export class LogFollower {
  private position: LogPosition = { transactionId: 0n, position: 0n };
  private listenClient?: PoolClient;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly waiters: Array<{ target: LogPosition; resolve: () => void }> = [];
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly follows?: ReadonlySet<string>;
  private readonly followed?: string[];

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
  }
  private unwake?: () => void;

  get current(): LogPosition {
    return this.position;
  }

  /** Replays the whole log, then keeps following. */
  async start(): Promise<void> {
    await this.catchUp();
    this.listenClient = await this.pool.connect();
    this.listenClient.on('notification', () => this.kick());
    this.listenClient.on('error', (err) => this.logger.warn('log listener failed', { error: err.message }));
    await this.listenClient.query(`LISTEN ${APPEND_CHANNEL}`);
    this.unwake = this.wake?.((resources) => {
      if (this.concerns(resources)) void this.kick();
    });
    const poll = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(poll, this.pollMs);
    };
    this.timer = setTimeout(poll, this.pollMs);
    await this.catchUp();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unwake?.();
    await this.running?.catch(() => undefined);
    if (this.listenClient) {
      this.listenClient.removeAllListeners('notification');
      await this.listenClient.query(`UNLISTEN ${APPEND_CHANNEL}`).catch(() => undefined);
      this.listenClient.release();
    }
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Read whatever is new, now; coalesces concurrent calls into one reader. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.catchUp()
      .catch((err) => this.logger.warn('reading the log failed', { error: (err as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  /** Resolves once the event at `target` has been applied (or the timeout passes; returns whether it was). */
  async waitFor(target: LogPosition, timeoutMs = 10_000): Promise<boolean> {
    if (compareLogPositions(this.position, target) >= 0) return true;
    let timeout: NodeJS.Timeout | undefined;
    const reached = new Promise<boolean>((resolve) => {
      this.waiters.push({ target, resolve: () => resolve(true) });
      timeout = setTimeout(() => resolve(false), timeoutMs);
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

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.readPage();
      if (page.scanned === 0) break;
      if (page.events.length > 0) this.apply(page.events);
      this.position = page.scannedTo!;
      this.release();
      if (page.scanned < this.batchSize) break;
    }
  }

  /** The next page: every event, or only the followed ones and the page's last position. */
  private async readPage(): Promise<FollowedPage> {
    if (this.followed) return readFollowed(this.pool, { after: this.position, limit: this.batchSize, resources: this.followed });
    const events = await this.store.readAll({ after: this.position, limit: this.batchSize });
    const last = events[events.length - 1];
    return { events, scannedTo: last && { transactionId: last.transactionId, position: last.position }, scanned: events.length };
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (compareLogPositions(this.position, this.waiters[i].target) >= 0) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}
