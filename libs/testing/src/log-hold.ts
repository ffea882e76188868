import { EventStore, StreamAppend } from '@openpacific/event-store';
import type { Pool, PoolClient } from 'pg';

/**
 * A transaction held open with a transaction id. Readers of the log stay below the oldest running transaction,
 * so nothing committed after it reaches a follower until it ends: a test can make a controller's passes run
 * while its own writes are committed but not yet read back, as a busy database does now and then.
 */
export class LogHold {
  private client?: Promise<PoolClient>;
  private ended = false;

  constructor(private readonly pool: Pool) {}

  /** Whether the transaction has been opened (and not yet ended). */
  get holding(): boolean {
    return !!this.client && !this.ended;
  }

  /** Opens it once: callers at the same moment share it; after `release`, does nothing. */
  async hold(): Promise<void> {
    if (this.ended) return;
    this.client ??= (async () => {
      const client = await this.pool.connect();
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      return client;
    })();
    await this.client;
  }

  /** Ends it (if it was opened); safe to call again, and from a test's clean-up after a failed assertion. */
  async release(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const client = await this.client;
    if (!client) return;
    await client.query('COMMIT').catch(() => undefined);
    client.release();
  }
}

/**
 * The real event store, which records the stream of every append item `watched` picks (in order, once per attempt)
 * and, once `hold` is set, holds the log back from the first of them until `hold.release()`: the writing
 * controller's commit then sits above a transaction still running while its passes go on.
 */
export class HeldBackStore extends EventStore {
  readonly attempts: string[] = [];
  hold?: LogHold;

  constructor(
    pool: Pool,
    private readonly watched: (item: StreamAppend) => boolean,
  ) {
    super(pool);
  }

  override async appendBatch(items: StreamAppend[], opts: { client?: PoolClient } = {}) {
    const picked = items.filter(this.watched);
    this.attempts.push(...picked.map((i) => i.streamId));
    if (picked.length > 0) await this.hold?.hold();
    return super.appendBatch(items, opts);
  }
}
