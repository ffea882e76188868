import { createTestDatabase, eventually, TestDatabase } from '@openpacific/testing';
import { EventStore } from './event-store';
import { migrate } from './migrations/migrate';
import { Projection } from './projection';
import { NewEvent } from './recorded-event';

const catalogue = { Counted: { type: 'object', required: ['n'] } };
const ev = (n: number): NewEvent => ({ type: 'Counted', data: { n }, metadata: { actor: 'tester', source: 'test' } });

describe('a projection', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('projection');
    await migrate(db.pool);
    await db.pool.query('CREATE TABLE totals (id int PRIMARY KEY, sum bigint NOT NULL, seen int NOT NULL)');
    await db.pool.query('INSERT INTO totals VALUES (1, 0, 0)');
    store = new EventStore(db.pool, { catalogue });
  });
  afterAll(() => db.drop());

  const total = async () => (await db.pool.query('SELECT sum, seen FROM totals WHERE id = 1')).rows[0];

  it('commits its checkpoint with the read-model writes: a failure midway moves neither, a restart resumes without double effect', async () => {
    for (let i = 1; i <= 10; i++) await store.append(`c-${i}`, [ev(i)]);
    // The log is read below the oldest transaction running anywhere on this (shared) server: wait until all
    // ten appends are below it, so that runOnce meets the crash rather than an empty read.
    await eventually(async () => expect(await store.readAll({ limit: 100 })).toHaveLength(10));
    let failOn = 7;
    const handle = async (events: any[], client: any) => {
      for (const e of events) {
        await client.query('UPDATE totals SET sum = sum + $1, seen = seen + 1 WHERE id = 1', [e.data.n]);
        if (e.data.n === failOn) throw new Error('crash in the middle of a batch');
      }
    };
    const first = new Projection(db.pool, { name: 'totals', handle, batchSize: 4 });
    await expect(first.runOnce()).rejects.toThrow('crash');
    // Batches 1-4 committed; the batch holding 7 rolled back whole, checkpoint included.
    expect(await total()).toEqual({ sum: '10', seen: 4 });

    failOn = -1;
    const second = new Projection(db.pool, { name: 'totals', handle, batchSize: 4 });
    await second.runOnce();
    expect(await total()).toEqual({ sum: '55', seen: 10 });
    await second.runOnce();
    expect(await total()).toEqual({ sum: '55', seen: 10 });
  });

  it('follows new events as they are appended', async () => {
    const handle = async (events: any[], client: any) => {
      for (const e of events) await client.query('UPDATE totals SET sum = sum + $1, seen = seen + 1 WHERE id = 1', [e.data.n]);
    };
    const live = new Projection(db.pool, { name: 'totals', handle });
    await live.start();
    try {
      const { events } = await store.append('live', [ev(100)]);
      await live.waitUntilProcessed(events[0]);
      await eventually(async () => expect(await total()).toEqual({ sum: '155', seen: 11 }));
    } finally {
      await live.stop();
    }
  });
});
