import type { Pool, PoolClient } from 'pg';
import { APPEND_CHANNEL } from './append';
import { loadCheckpoint, storeCheckpoint } from './checkpoints';
import { compareLogPositions, LOG_START, LogPosition } from './log-position';
import { readAll } from './read-all';
import { RecordedEvent } from './recorded-event';

export interface ProjectionOptions {
  /** The checkpoint's name: one per read model. */
  name: string;
  /** Writes the read model for a batch, inside the transaction that also moves the checkpoint. */
  handle: (events: RecordedEvent[], client: PoolClient) => Promise<void>;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Keeps a Postgres read model up to date with the log. Each batch is handled
 * and checkpointed in one transaction, so a crash at any point leaves the
 * read model and the checkpoint in step: the batch is redone whole or not at
 * all. Instances racing on one checkpoint serialize on its row.
 */
export class Projection {
  private listener?: PoolClient;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private again = false;
  private stopped = false;
  private processed: LogPosition = LOG_START;

  constructor(
    private readonly pool: Pool,
    private readonly opts: ProjectionOptions,
  ) {}

  async start(): Promise<void> {
    this.listener = await this.pool.connect();
    this.listener.on('notification', () => void this.wake());
    this.listener.on('error', (err) => this.opts.onError?.(err));
    await this.listener.query(`LISTEN ${APPEND_CHANNEL}`);
    const poll = () => {
      if (this.stopped) return;
      void this.wake();
      this.timer = setTimeout(poll, this.opts.pollIntervalMs ?? 500);
    };
    poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (this.listener) {
      this.listener.removeAllListeners('notification');
      await this.listener.query(`UNLISTEN ${APPEND_CHANNEL}`).catch(() => undefined);
      this.listener.release();
      this.listener = undefined;
    }
  }

  /** Processes everything visible now; resolves to the number of events handled. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runBatch();
      total += n;
      if (n < (this.opts.batchSize ?? 500)) return total;
    }
  }

  /** Waits until the projection has handled the event at `target`. */
  async waitUntilProcessed(target: LogPosition, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (compareLogPositions(this.processed, target) < 0) {
      if (Date.now() > deadline) throw new Error(`projection ${this.opts.name} did not reach the position in ${timeoutMs} ms`);
      await this.wake();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private wake(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runOnce()
      .catch((err) => {
        this.opts.onError?.(err);
        return 0;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.wake();
        }
      });
    return this.running;
  }

  private async runBatch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const checkpoint = await loadCheckpoint(client, this.opts.name, true);
      const events = await readAll(client, { after: checkpoint, limit: this.opts.batchSize ?? 500 });
      if (events.length === 0) {
        await client.query('COMMIT');
        if (checkpoint) this.processed = checkpoint;
        return 0;
      }
      await this.opts.handle(events, client);
      const last = events[events.length - 1];
      const next = { transactionId: last.transactionId, position: last.position };
      await storeCheckpoint(client, this.opts.name, checkpoint, next);
      await client.query('COMMIT');
      this.processed = next;
      return events.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
