import { NatsNames } from '@openpacific/contracts';
import { AckPolicy, ConsumerMessages, DeliverPolicy, JsMsg, nanos, NatsConnection } from 'nats';
import type { Pool, PoolClient } from 'pg';
import type { EventMessage, RelayLogger } from './event-relay';

export interface EventConsumerOptions {
  nc: NatsConnection;
  names: NatsNames;
  pool: Pool;
  /** Durable consumer name; also the inbox key. */
  durable: string;
  /** Only these event types (default: all). */
  eventTypes?: string[];
  /** The effects of one event, written inside the transaction that records it in the inbox. */
  handle: (event: EventMessage, client: PoolClient) => Promise<void>;
  ackWaitMs?: number;
  logger?: RelayLogger;
  /** Test hook: runs after the transaction committed and before the ack. */
  afterCommit?: (event: EventMessage) => Promise<void> | void;
}

/**
 * A durable JetStream consumer for services that act on events. Exactly-once
 * effects from at-least-once delivery: each event id is recorded in the inbox
 * in the same Postgres transaction as the handler's writes, so a redelivery
 * (a crash before the ack, a restart) is recognised, acked and skipped.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(private readonly opts: EventConsumerOptions) {}

  async start(): Promise<void> {
    const { nc, names, durable } = this.opts;
    const jsm = await nc.jetstreamManager();
    const filters = (this.opts.eventTypes ?? []).map((t) => names.eventSubject(t));
    await jsm.consumers.add(names.eventStream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.opts.ackWaitMs ?? 30_000),
      // One type: a server-side filter. Several: no filter (filter_subjects needs NATS 2.10), skipped in process().
      ...(filters.length === 1 ? { filter_subject: filters[0] } : {}),
    });
    const consumer = await nc.jetstream().consumers.get(names.eventStream, durable);
    this.messages = await consumer.consume({ max_messages: 100 });
    this.loop = (async () => {
      for await (const m of this.messages!) {
        try {
          await this.process(m);
        } catch (err) {
          this.opts.logger?.warn('an event could not be handled; it will be redelivered', { consumer: this.opts.durable, error: (err as Error).message });
          m.nak(1000);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
  }

  private async process(m: JsMsg): Promise<void> {
    const event = m.json<EventMessage>();
    if (this.opts.eventTypes && this.opts.eventTypes.length > 1 && !this.opts.eventTypes.includes(event.type)) {
      m.ack();
      return;
    }
    const client = await this.opts.pool.connect();
    try {
      await client.query('BEGIN');
      const fresh = await client.query('INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [this.opts.durable, event.id]);
      if (fresh.rowCount === 1) {
        // Too large for its message: the body is the log's.
        if (event.dataInLog) event.data = (await client.query('SELECT data FROM events WHERE event_id = $1', [event.id])).rows[0]?.data;
        await this.opts.handle(event, client);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.opts.logger?.warn('handling an event failed; it will be redelivered', { consumer: this.opts.durable, event: event.id, error: (err as Error).message });
      m.nak(1000);
      return;
    } finally {
      client.release();
    }
    try {
      await this.opts.afterCommit?.(event);
    } catch {
      return; // simulated crash: no ack, JetStream redelivers after ack_wait
    }
    m.ack();
  }
}
