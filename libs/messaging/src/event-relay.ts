import { NatsNames } from '@openpacific/contracts';
import { APPEND_CHANNEL, LeaderElection, loadCheckpoint, readAllText, RecordedEvent, RecordedEventText, storeCheckpoint } from '@openpacific/event-store';
import { NatsConnection, Subscription } from 'nats';
import type { Pool, PoolClient } from 'pg';
import { publishToStream } from './requester';

/** How long a publish waits for JetStream's ack: the JetStream client's default, which the relay used before. */
const PUBLISH_TIMEOUT_MS = 5000;

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
 * The JSON of `eventMessage` (same fields, same order) with the bodies spliced in as the log holds them:
 * the relay passes every event on and never needs its bodies as objects.
 */
export function eventMessageJson(e: RecordedEventText): string {
  return (
    `{"id":${JSON.stringify(e.id)},"streamId":${JSON.stringify(e.streamId)},"streamVersion":${e.streamVersion},` +
    `"type":${JSON.stringify(e.type)},"data":${e.data},"metadata":${e.metadata},"position":"${e.position}",` +
    `"transactionId":"${e.transactionId}","createdAt":"${e.createdAt.toISOString()}"}`
  );
}

/**
 * Publishes committed events to JetStream in commit order. Each batch is
 * published asynchronously and the checkpoint moves only after every ack; a
 * crash in between re-sends the batch, and JetStream drops the re-sends by
 * message id. One relay per database is active: the elected leader (an
 * advisory lock on a connection of its own, checked every second); the
 * others wait for it.
 */
export class EventRelay {
  private listenClient?: PoolClient;
  private election?: LeaderElection;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
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
      afterPublish?: (events: RecordedEventText[]) => Promise<void> | void;
    },
  ) {}

  get isLeader(): boolean {
    return this.election?.isLeader ?? false;
  }

  async start(): Promise<void> {
    // Services poke over NATS after appending (their stores skip NOTIFY); Postgres NOTIFY and the poll cover the rest.
    this.pokes = this.opts.nc.subscribe(this.opts.names.logAppended, { callback: () => void this.kick() });
    this.election = new LeaderElection(this.opts.pool, {
      name: 'event-relay',
      logger: this.opts.logger,
      onElected: () => {
        this.opts.logger?.info('relay leading');
        void this.kick();
      },
    });
    await this.election.start();
    this.listenClient = await this.opts.pool.connect();
    this.listenClient.on('notification', () => void this.kick());
    this.listenClient.on('error', (err) => this.opts.logger?.warn('relay connection failed', { error: err.message }));
    await this.listenClient.query(`LISTEN ${APPEND_CHANNEL}`);
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
    if (this.listenClient) {
      // The pooled client goes back without our handlers, so a later user of it cannot wake this relay.
      this.listenClient.removeAllListeners('notification');
      await this.listenClient.query(`UNLISTEN ${APPEND_CHANNEL}`).catch(() => undefined);
      this.listenClient.release();
      this.listenClient = undefined;
    }
    await this.election?.stop();
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
    if (!this.isLeader) return;
    const consumer = this.opts.consumer ?? 'relay';
    const batchSize = this.opts.batchSize ?? 500;
    for (;;) {
      if (!this.isLeader) return;
      const client = await this.opts.pool.connect();
      try {
        const checkpoint = await loadCheckpoint(client, consumer);
        const events = await readAllText(client, { after: checkpoint, limit: batchSize });
        if (events.length === 0) return;
        await Promise.all(
          events.map((e) =>
            publishToStream(this.opts.nc, this.opts.names.eventSubject(e.type), Buffer.from(eventMessageJson(e)), { msgId: e.id, timeoutMs: PUBLISH_TIMEOUT_MS }),
          ),
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
