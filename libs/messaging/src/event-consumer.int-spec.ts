import { natsNames } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { NatsConnection } from 'nats';
import { EventConsumer } from './event-consumer';
import { EventRelay } from './event-relay';
import { messageRoom } from './large-payloads';
import { ensureEventStream } from './event-stream';
import { connectNats } from './nats-connection';

const catalogue = { Paid: { type: 'object', required: ['amount'] } };

describe('an event consumer', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let relay: EventRelay;
  const names = natsNames(uniqueNatsPrefix('consumer'));

  beforeAll(async () => {
    db = await createTestDatabase('consumer');
    await migrate(db.pool);
    await db.pool.query('CREATE TABLE ledger (event_id uuid, amount int)');
    nc = await connectNats({ url: testNatsUrl, name: 'consumer-test' });
    await ensureEventStream(nc, names);
    relay = new EventRelay({ pool: db.pool, nc, names, pollIntervalMs: 50 });
    await relay.start();
  });
  afterAll(async () => {
    await relay.stop();
    await (await nc.jetstreamManager()).streams.delete(names.eventStream).catch(() => undefined);
    await nc.close();
    await db.drop();
  });

  const ledger = async () => (await db.pool.query('SELECT count(*)::int AS n, coalesce(sum(amount), 0)::int AS total FROM ledger')).rows[0];
  const handle = async (e: any, client: any) => {
    await client.query('INSERT INTO ledger VALUES ($1, $2)', [e.id, e.data.amount]);
  };

  it('acts on each event once even when it dies after committing and before acking, and resumes after a restart', async () => {
    const store = new EventStore(db.pool, { catalogue });
    for (let i = 1; i <= 3; i++) await store.append(`pay-${i}`, [{ type: 'Paid', data: { amount: i }, metadata: { actor: 't', source: 't' } }]);

    let crashes = 0;
    const first = new EventConsumer({
      nc, names, pool: db.pool, durable: 'ledger', ackWaitMs: 500, handle,
      afterCommit: () => {
        crashes++;
        throw new Error('died before the ack');
      },
    });
    await first.start();
    await eventually(async () => expect(await ledger()).toEqual({ n: 3, total: 6 }));
    await first.stop();
    expect(crashes).toBeGreaterThanOrEqual(3);

    const second = new EventConsumer({ nc, names, pool: db.pool, durable: 'ledger', ackWaitMs: 500, handle });
    await second.start();
    await store.append('pay-4', [{ type: 'Paid', data: { amount: 10 }, metadata: { actor: 't', source: 't' } }]);
    await eventually(async () => expect(await ledger()).toEqual({ n: 4, total: 16 }));
    // Redeliveries of the first three were acked and skipped; nothing is pending.
    await eventually(async () => {
      const info = await (await nc.jetstreamManager()).consumers.info(names.eventStream, 'ledger');
      expect(info.num_ack_pending + info.num_pending).toBe(0);
    });
    await second.stop();
    expect(await ledger()).toEqual({ n: 4, total: 16 });
  });

  it('gets the body of an event too large for a NATS message from the log: the relay sends it without its data', async () => {
    const store = new EventStore(db.pool, { catalogue: { Filed: { type: 'object' } } });
    // Past the server's max_payload (1 MiB here), as an object near the API's size limit makes.
    const text = 'x'.repeat(messageRoom(nc) + 1000);
    const [filed] = (await store.append('file-1', [{ type: 'Filed', data: { text }, metadata: { actor: 't', source: 't' } }])).events;
    const jsm = await nc.jetstreamManager();
    await eventually(async () => expect((await jsm.streams.info(names.eventStream)).state.messages).toBe(5));
    const stored = await jsm.streams.getMessage(names.eventStream, { last_by_subj: names.eventSubject('Filed') });
    expect(stored.json()).toMatchObject({ id: filed.id, streamId: 'file-1', type: 'Filed', data: null, dataInLog: true });
    expect(stored.data.length).toBeLessThan(1000);

    const seen: any[] = [];
    const consumer = new EventConsumer({ nc, names, pool: db.pool, durable: 'files', eventTypes: ['Filed'], handle: async (e) => void seen.push(e) });
    await consumer.start();
    await eventually(() => expect(seen).toHaveLength(1));
    await consumer.stop();
    expect(seen[0].data.text).toBe(text);
  });
});
