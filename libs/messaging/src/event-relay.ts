import { NatsNames } from '@openpacific/contracts';
import { APPEND_CHANNEL, LeaderElection, loadCheckpoint, readAllText, RecordedEvent, RecordedEventText, storeCheckpoint } from '@openpacific/event-store';
import { NatsConnection, NatsError, Subscription } from 'nats';
import type { Pool, PoolClient } from 'pg';
import { messageRoom } from './large-payloads';
import { publishToStream, publishUnacked, WRONG_LAST_CODES } from './requester';

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
export type EventMessage = ReturnType<typeof eventMessage> & {
  /**
   * Set on the message of an event whose body does not fit a NATS message (an object near the API's size limit):
   * `data` is null and the body is the log's (`events.data` of the event's id); EventConsumer reads it from there.
   */
  dataInLog?: true;
};

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

/** The message of one event on this connection: `eventMessageJson`, or without its body (`dataInLog`) when it would not fit. */
function relayedData(e: RecordedEventText, room: number): Buffer {
  const whole = Buffer.from(eventMessageJson(e));
  if (whole.length <= room) return whole;
  const json = eventMessageJson({ ...e, data: 'null' });
  return Buffer.from(`${json.slice(0, -1)},"dataInLog":true}`);
}

/**
 * Publishes committed events to JetStream in commit order, each with its event id as message id. The
 * checkpoint moves only once JetStream has stored every event of a batch; a crash in between re-sends the
 * batch, and JetStream drops the re-sends by message id. One relay per database is active: the elected
 * leader (an advisory lock on a connection of its own, checked every second); the others wait for it.
 *
 * A batch is stored one of two ways. With every message acknowledged (the first batch of a leader, and
 * after anything unexpected): each publish waits for its own ack, and the last ack (when it is not a
 * duplicate's) tells the stream's last sequence. Once that is known, the next batch goes out with no
 * acks but for its last message, which carries JetStream's expectations: the stream's last sequence must
 * be the known one plus the batch's other messages, and its last message id the batch's second to last.
 * A connection's messages reach the stream in order, so a stored last message means the others before
 * it were stored too; a message lost, refused or dropped as a duplicate, or another publisher's message
 * in between, fails the expectation, and the batch is published again with every message acknowledged.
 * (The expectations trust that only the elected relay publishes to the event subjects.) Acks were half
 * of what relaying cost both this process and the NATS server.
 */
export class EventRelay {
  private listenClient?: PoolClient;
  private election?: LeaderElection;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private pokes?: Subscription;
  /** The stream's last sequence after this relay's last batch, when known (see the class comment). */
  private lastSequence?: number;

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
        // Another relay may have published since this one last did.
        this.lastSequence = undefined;
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
        await this.publish(events);
        await this.opts.afterPublish?.(events);
        const last = events[events.length - 1];
        await storeCheckpoint(client, consumer, checkpoint, { transactionId: last.transactionId, position: last.position });
        if (events.length < batchSize) return;
      } finally {
        client.release();
      }
    }
  }

  /** Stores a batch in the stream: trusting order when the stream's last sequence is known, else every message acknowledged. */
  private async publish(events: RecordedEventText[]): Promise<void> {
    // Encoded once: a batch refused in order goes out again with every ack.
    const room = messageRoom(this.opts.nc);
    const messages = events.map((e) => ({ id: e.id, subject: this.opts.names.eventSubject(e.type), data: relayedData(e, room) }));
    const known = this.lastSequence;
    this.lastSequence = undefined;
    if (known !== undefined && messages.length > 1 && (await this.publishInOrder(messages, known))) return;
    const acks = await Promise.all(messages.map((m) => publishToStream(this.opts.nc, m.subject, m.data, { msgId: m.id, timeoutMs: PUBLISH_TIMEOUT_MS })));
    // A duplicate's ack names the sequence of the message stored earlier, not the stream's last.
    const last = acks[acks.length - 1];
    if (!last.duplicate) this.lastSequence = last.seq;
  }

  /**
   * Every message but the last without an ack, the last with the expectations that hold only if the others
   * were stored just before it. Whether they held; an error other than their failing is thrown.
   */
  private async publishInOrder(messages: RelayedMessage[], known: number): Promise<boolean> {
    const { nc } = this.opts;
    const last = messages[messages.length - 1];
    for (const m of messages.slice(0, -1)) publishUnacked(nc, m.subject, m.data, m.id);
    try {
      const ack = await publishToStream(nc, last.subject, last.data, {
        msgId: last.id,
        timeoutMs: PUBLISH_TIMEOUT_MS,
        expect: { lastSequence: known + messages.length - 1, lastMsgId: messages[messages.length - 2].id },
      });
      if (ack.duplicate) return false;
      this.lastSequence = ack.seq;
      return true;
    } catch (err) {
      const code = (err as NatsError).api_error?.err_code;
      if (code !== undefined && WRONG_LAST_CODES.has(code)) return false;
      throw err;
    }
  }
}

/** An event as the relay publishes it: its id (the message id), its subject, its message. */
interface RelayedMessage {
  id: string;
  subject: string;
  data: Uint8Array;
}
