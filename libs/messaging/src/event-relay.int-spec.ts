import { natsNames } from '@openpacific/contracts';
import { EventStore, migrate, readAll } from '@openpacific/event-store';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { randomUUID } from 'node:crypto';
import { Msg, NatsConnection } from 'nats';
import { eventMessage, EventRelay } from './event-relay';
import { ensureEventStream } from './event-stream';
import { connectNats } from './nats-connection';
import { publishToStream } from './requester';

const catalogue = { Noted: { type: 'object' } };
const note = (n: number) => ({ type: 'Noted', data: { n }, metadata: { actor: 'tester', source: 'test' } });

describe('the event relay', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  const names = natsNames(uniqueNatsPrefix('relay'));

  beforeAll(async () => {
    db = await createTestDatabase('relay');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'relay-test' });
    await ensureEventStream(nc, names);
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(names.eventStream).catch(() => undefined);
    await nc.close();
    await db.drop();
  });

  const streamMessages = async () => (await (await nc.jetstreamManager()).streams.info(names.eventStream)).state.messages;

  it('publishes each committed event exactly once even when it crashes after publishing and before its checkpoint', async () => {
    const store = new EventStore(db.pool, { catalogue });
    for (let i = 0; i < 5; i++) await store.append(`n-${i}`, [note(i)]);

    let crashed = false;
    const first = new EventRelay({
      pool: db.pool, nc, names, pollIntervalMs: 50,
      afterPublish: () => {
        crashed = true;
        throw new Error('crash before the checkpoint');
      },
    });
    await first.start();
    await eventually(() => expect(crashed).toBe(true));
    await first.stop();
    expect(await streamMessages()).toBe(5);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM checkpoints')).rows[0].n).toBe(0);

    // The restarted relay re-sends the same batch; JetStream drops the duplicates by message id.
    const second = new EventRelay({ pool: db.pool, nc, names, pollIntervalMs: 50 });
    await second.start();
    await store.append('n-late', [note(99)]);
    await eventually(async () => expect(await streamMessages()).toBe(6));
    await second.stop();

    const seen: number[] = [];
    for (let seq = 1; seq <= 6; seq++) {
      const m = await (await nc.jetstreamManager()).streams.getMessage(names.eventStream, { seq });
      seen.push(m.json<{ data: { n: number } }>().data.n);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 99]);
  });

  it('publishes each event as eventMessage gives it, bodies as the log holds them', async () => {
    const store = new EventStore(db.pool, { catalogue: { Shaped: { type: 'object' } } });
    const data = { text: 'quote " backslash \\ snowman \u2603 tab \t', nested: { list: [1, 2.5, null, true], empty: {} }, n: -0.125 };
    await store.append('shaped-1', [{ type: 'Shaped', data, metadata: { actor: 'tester', source: 'test', requestId: 'r-1' } }]);
    const relay = new EventRelay({ pool: db.pool, nc, names, pollIntervalMs: 50 });
    await relay.start();
    await eventually(async () => expect(await streamMessages()).toBe(7));
    await relay.stop();
    const recorded = (await readAll(db.pool, { limit: 100 })).find((e) => e.streamId === 'shaped-1')!;
    const m = await (await nc.jetstreamManager()).streams.getMessage(names.eventStream, { seq: 7 });
    expect(m.json()).toEqual(eventMessage(recorded));
    expect(m.json<{ data: unknown }>().data).toEqual(data);
  });

  it('lets only one of two relays on a database lead', async () => {
    const a = new EventRelay({ pool: db.pool, nc, names, pollIntervalMs: 50 });
    const b = new EventRelay({ pool: db.pool, nc, names, pollIntervalMs: 50 });
    await a.start();
    await eventually(() => expect(a.isLeader).toBe(true));
    await b.start();
    await b.kick();
    expect(b.isLeader).toBe(false);
    await a.stop();
    await eventually(async () => {
      await b.kick();
      expect(b.isLeader).toBe(true);
    });
    await b.stop();
  });

  it('relays nothing once stopped, even when appends notify it', async () => {
    const store = new EventStore(db.pool, { catalogue });
    const relay = new EventRelay({ pool: db.pool, nc, names, pollIntervalMs: 50 });
    await relay.start();
    await store.append('before-stop', [note(1)]);
    await eventually(async () => expect(await streamMessages()).toBe(8));
    await relay.stop();
    expect(relay.isLeader).toBe(false);
    await store.append('after-stop', [note(2)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await streamMessages()).toBe(8);
  });

  it('keeps its checkpoint while its publishes fail, and relays the batch once the stream is there', async () => {
    const elsewhere = natsNames(uniqueNatsPrefix('relaynostream'));
    const consumer = 'relay-elsewhere';
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_msg: string, fields?: Record<string, unknown>) => void warnings.push(String(fields?.error)) };
    const relay = new EventRelay({ pool: db.pool, nc, names: elsewhere, consumer, pollIntervalMs: 50, logger });
    await relay.start();
    try {
      await eventually(() => expect(warnings.length).toBeGreaterThan(1));
      expect(warnings[0]).toMatch(/no JetStream stream captures/);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM checkpoints WHERE consumer = $1', [consumer])).rows[0].n).toBe(0);

      await ensureEventStream(nc, elsewhere);
      const logged = (await readAll(db.pool, { limit: 100 })).length;
      await eventually(async () => expect((await db.pool.query('SELECT count(*)::int AS n FROM checkpoints WHERE consumer = $1', [consumer])).rows[0].n).toBe(1));
      expect((await (await nc.jetstreamManager()).streams.info(elsewhere.eventStream)).state.messages).toBe(logged);
    } finally {
      await relay.stop();
      await (await nc.jetstreamManager()).streams.delete(elsewhere.eventStream).catch(() => undefined);
    }
  });

  describe('with the stream\'s last sequence known', () => {
    const ordered = natsNames(uniqueNatsPrefix('relayordered'));
    const consumer = 'relay-ordered';
    /** Every message published to the event subjects, in order: its message id and whether it asked for an ack. */
    const published: Array<{ id: string; acked: boolean }> = [];
    let relay: EventRelay;
    let store: EventStore;

    beforeAll(async () => {
      await ensureEventStream(nc, ordered);
      nc.subscribe(ordered.eventSubjects, { callback: (_err, m: Msg) => published.push({ id: m.headers!.get('Nats-Msg-Id'), acked: m.reply !== undefined && m.reply !== '' }) });
      store = new EventStore(db.pool, { catalogue });
      for (let i = 0; i < 10; i++) await store.append(`ordered-${i}`, [note(i)]);
      relay = new EventRelay({ pool: db.pool, nc, names: ordered, consumer, batchSize: 4, pollIntervalMs: 50 });
    });
    afterAll(async () => {
      await relay.stop();
      await (await nc.jetstreamManager()).streams.delete(ordered.eventStream).catch(() => undefined);
    });

    /** The message ids in the stream, by sequence. */
    const storedIds = async (): Promise<string[]> => {
      const jsm = await nc.jetstreamManager();
      const last = (await jsm.streams.info(ordered.eventStream)).state.last_seq;
      const ids: string[] = [];
      for (let seq = 1; seq <= last; seq++) ids.push((await jsm.streams.getMessage(ordered.eventStream, { seq })).header.get('Nats-Msg-Id'));
      return ids;
    };
    const relayed = async (n: number) => eventually(async () => expect((await (await nc.jetstreamManager()).streams.info(ordered.eventStream)).state.messages).toBe(n), 10_000);
    /** Every committed event's id in log order (readAll would hide those above a transaction still running elsewhere). */
    const logIds = async (): Promise<string[]> =>
      (await db.pool.query('SELECT event_id::text AS id FROM events ORDER BY transaction_id, position')).rows.map((r: { id: string }) => r.id);

    it('asks for every ack of its first batch, then only for the last message of each batch, and stores every event once in log order', async () => {
      await relay.start();
      const log = await logIds();
      await relayed(log.length);
      expect(await storedIds()).toEqual(log);
      // The subscriber may get the last messages a moment after the stream stored them.
      await eventually(() => expect(published.map((p) => p.id)).toEqual(log));
      // Batches of at most 4 in log order (4 each, unless a transaction still running elsewhere hides the log's
      // tip for a moment): the first all acknowledged, then only each batch's last message.
      const acks = published.map((p) => (p.acked ? 'A' : '-')).join('');
      expect(acks).toMatch(/^A+(-{0,3}A)*$/);
      expect(acks).toContain('---A');
    });

    it('publishes a batch again with every ack when another message reached the stream since its last batch', async () => {
      const before = (await storedIds()).length;
      await publishToStream(nc, ordered.eventSubject('Noted'), Buffer.from('{"id":"foreign"}'), { msgId: 'foreign-1', timeoutMs: 2000 });
      await store.append('ordered-late', [note(20), note(21), note(22)]);
      const late = (await logIds()).slice(-3);
      await relayed(before + 4);
      expect((await storedIds()).slice(before)).toEqual(['foreign-1', ...late]);
      // Refused as a batch (the last message's expected sequence was one behind), then each acknowledged.
      const attempts = () => published.filter((p) => late.includes(p.id));
      await eventually(() => expect(attempts()).toHaveLength(6));
      expect(attempts()).toEqual([...late.map((id, i) => ({ id, acked: i === 2 })), ...late.map((id) => ({ id, acked: true }))]);
    });

    it('publishes a batch again with every ack when one of its events is already in the stream, and stores that event once', async () => {
      const early = randomUUID();
      await publishToStream(nc, ordered.eventSubject('Noted'), Buffer.from('{"id":"early"}'), { msgId: early, timeoutMs: 2000 });
      // A lone event: acknowledged, so the relay learns the stream's last sequence after the early message.
      await store.append('ordered-lone', [note(30)]);
      const lone = (await logIds()).slice(-1);
      await eventually(async () => expect((await storedIds()).slice(-1)).toEqual(lone), 10_000);
      const before = (await storedIds()).length;
      // Everything published so far has reached the subscriber (in order, from this one connection).
      await eventually(() => expect(published.some((p) => p.id === lone[0])).toBe(true));
      const from = published.length;
      await store.append('ordered-dup', [note(31), { ...note(32), id: early }, note(33)]);
      const batch = (await logIds()).slice(-3);
      expect(batch[1]).toBe(early);
      await relayed(before + 2);
      const ids = await storedIds();
      expect(ids.filter((id) => id === early)).toHaveLength(1);
      expect(ids.slice(-2)).toEqual([batch[0], batch[2]]);
      // Refused as a batch (the early event was dropped as a duplicate, so the sequence was one short), then each acknowledged.
      const attempts = () => published.slice(from).filter((p) => batch.includes(p.id));
      await eventually(() => expect(attempts()).toHaveLength(6));
      expect(attempts()).toEqual([...batch.map((id, i) => ({ id, acked: i === 2 })), ...batch.map((id) => ({ id, acked: true }))]);
    });
  });
});
