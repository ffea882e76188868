/** The logging a follower needs (service-kit's Logger satisfies it). */
export interface FollowerLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}
import { compareLogPositions, EventStore, LogPosition, RecordedEvent } from '@openpacific/event-store';
import type { Pool, PoolClient } from 'pg';

const APPEND_CHANNEL = 'op_events_appended';

/**
 * Follows the global log in commit order and hands every event to `apply`.
 * Wakes on Postgres NOTIFY (sent by every append), on `kick()` after the
 * gateway's own writes, and on a short poll: a transaction that held the
 * visibility horizon back can commit without notifying.
 */
export class LogFollower {
  private position: LogPosition = { transactionId: 0n, position: 0n };
  private listenClient?: PoolClient;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly waiters: Array<{ target: LogPosition; resolve: () => void }> = [];

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly apply: (events: RecordedEvent[]) => void,
    private readonly logger: FollowerLogger,
    /** Another wake-up source (the services' NATS pokes); returns its unsubscribe. */
    private readonly wake?: (poke: () => void) => () => void,
    private readonly opts: { batchSize: number; pollMs: number } = { batchSize: 2000, pollMs: 250 },
  ) {}
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
    this.unwake = this.wake?.(() => void this.kick());
    const poll = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(poll, this.opts.pollMs);
    };
    this.timer = setTimeout(poll, this.opts.pollMs);
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

  private async catchUp(): Promise<void> {
    for (;;) {
      const events = await this.store.readAll({ after: this.position, limit: this.opts.batchSize });
      if (events.length === 0) break;
      this.apply(events);
      const last = events[events.length - 1];
      this.position = { transactionId: last.transactionId, position: last.position };
      this.release();
      if (events.length < this.opts.batchSize) break;
    }
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (compareLogPositions(this.position, this.waiters[i].target) >= 0) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}
