import { natsNames } from '@openpacific/contracts';
import { EventStore, migrate, readAll } from '@openpacific/event-store';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { NatsConnection } from 'nats';
import { eventMessage, EventRelay } from './event-relay';
import { ensureEventStream } from './event-stream';
import { connectNats } from './nats-connection';

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
});
