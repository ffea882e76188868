import { NatsNames } from '@openpacific/contracts';
import { APPEND_CHANNEL, loadCheckpoint, readAll, RecordedEvent, storeCheckpoint } from '@openpacific/event-store';
import { JetStreamClient, JSONCodec, NatsConnection, Subscription } from 'nats';
import type { Pool, PoolClient } from 'pg';

const json = JSONCodec();
const RELAY_LOCK = 7_140_211_002;

export interface RelayLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function eventMessage(e: RecordedEvent) {
  return {
    id: e.id,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    position: e.position.toString(),
    transactionId: e.transactionId.toString(),
    createdAt: e.createdAt.toISOString(),
  };
}
export type EventMessage = ReturnType<typeof eventMessage>;

/**
 * Publishes committed events to JetStream in commit order. Each batch is
 * published asynchronously and the checkpoint moves only after every ack; a
 * crash in between re-sends the batch, and JetStream drops the re-sends by
 * message id. One relay per database is active: the holder of an advisory
 * lock; the others wait for it.
 */
export class EventRelay {
  private lockClient?: PoolClient;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private leader = false;
  private js?: JetStreamClient;
  private pokes?: Subscription;

  constructor(
    private readonly opts: {
      pool: Pool;
      nc: NatsConnection;
      names: NatsNames;
      consumer?: string;
      batchSize?: number;
      pollIntervalMs?: number;
      logger?: RelayLogger;
      /** Test hook: called after a batch is published and before its checkpoint moves. */
      afterPublish?: (events: RecordedEvent[]) => Promise<void> | void;
    },
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    this.js = this.opts.nc.jetstream();
    // Services poke over NATS after appending (their stores skip NOTIFY); Postgres NOTIFY and the poll cover the rest.
    this.pokes = this.opts.nc.subscribe(this.opts.names.logAppended, { callback: () => void this.kick() });
    this.lockClient = await this.opts.pool.connect();
    this.lockClient.on('notification', () => void this.kick());
    this.lockClient.on('error', (err) => this.opts.logger?.warn('relay connection failed', { error: err.message }));
    await this.lockClient.query(`LISTEN ${APPEND_CHANNEL}`);
    const tick = () => {
      if (this.stopped) return;
      void this.kick();
      this.timer = setTimeout(tick, this.opts.pollIntervalMs ?? 500);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pokes?.unsubscribe();
    await this.running?.catch(() => undefined);
    if (this.lockClient) {
      // The pooled client goes back without our handlers, so a later user of it cannot wake this relay.
      this.lockClient.removeAllListeners('notification');
      await this.lockClient.query(`UNLISTEN ${APPEND_CHANNEL}`).catch(() => undefined);
      await this.lockClient.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      this.lockClient.release();
      this.lockClient = undefined;
    }
    this.leader = false;
  }

  /** Relays whatever is committed now (if this instance leads). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.relayAll()
      .catch((err) => this.opts.logger?.warn('relaying events failed; will retry', { error: (err as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  private async relayAll(): Promise<void> {
    if (!this.leader) {
      const { rows } = await this.lockClient!.query('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK]);
      this.leader = rows[0].ok;
      if (!this.leader) return;
      this.opts.logger?.info('relay leading');
    }
    const consumer = this.opts.consumer ?? 'relay';
    const batchSize = this.opts.batchSize ?? 500;
    for (;;) {
      const client = await this.opts.pool.connect();
      try {
        const checkpoint = await loadCheckpoint(client, consumer);
        const events = await readAll(client, { after: checkpoint, limit: batchSize });
        if (events.length === 0) return;
        await Promise.all(
          events.map((e) => this.js!.publish(this.opts.names.eventSubject(e.type), json.encode(eventMessage(e)), { msgID: e.id })),
        );
        await this.opts.afterPublish?.(events);
        const last = events[events.length - 1];
        await storeCheckpoint(client, consumer, checkpoint, { transactionId: last.transactionId, position: last.position });
        if (events.length < batchSize) return;
      } finally {
        client.release();
      }
    }
  }
}
