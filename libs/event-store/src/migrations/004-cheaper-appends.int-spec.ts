import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventStore } from '../event-store';
import { LogPosition } from '../log-position';
import { readAll } from '../read-all';
import { cheaperAppendsMigration } from './004-cheaper-appends';
import { migrate, migrations } from './migrate';

const catalogue = { ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } };
const ev = (n: number) => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

/** Applies the migrations before `version` as migrate() would have when they were the newest. */
async function migrateBefore(db: TestDatabase, version: number): Promise<void> {
  await db.pool.query('CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const m of migrations.filter((x) => x.version < version)) {
    await db.pool.query(m.sql);
    await db.pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
  }
}

/**
 * The whole log through readAll, once every transaction older than our appends has finished: readAll stops
 * at the oldest running transaction of the server, and other databases share this Postgres.
 */
async function readWholeLog(db: TestDatabase, after?: LogPosition) {
  const total = Number((await db.pool.query('SELECT count(*) FROM events')).rows[0].count);
  for (;;) {
    const events = await readAll(db.pool, { after, limit: 1000 });
    const below = after ? Number((await db.pool.query('SELECT count(*) FROM events WHERE (transaction_id, position) <= ($1::text::xid8, $2::bigint)', [after.transactionId.toString(), after.position.toString()])).rows[0].count) : 0;
    if (events.length + below >= total) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const indexes = async (db: TestDatabase, table: string) =>
  (await db.pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [table])).rows.map((r) => `${r.indexname}: ${r.indexdef.replace(/^.* USING btree /, '')}`);

describe('migration 4 (cheaper appends) on a database that already holds events', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migration4');
    await migrateBefore(db, cheaperAppendsMigration.version);
  });
  afterAll(() => db.drop());

  it('keeps every event and stream, keys the log by its read order, and appends and reads on as before', async () => {
    const store = new EventStore(db.pool, { catalogue });
    for (let s = 0; s < 20; s++) await store.append(`m-${s}`, [ev(1), ev(2)], { expectedVersion: 'no_stream' });
    await store.append('m-0', [ev(3)], { expectedVersion: 2 });
    const before = await readWholeLog(db);
    expect(before).toHaveLength(41);

    expect(await migrate(db.pool)).toEqual([cheaperAppendsMigration.version]);

    expect(await readWholeLog(db)).toEqual(before);
    expect(await indexes(db, 'events')).toEqual([
      'events_event_id_key: (event_id)',
      'events_pkey: (transaction_id, "position")',
      'events_stream_id_stream_version_key: (stream_id, stream_version)',
    ]);
    const { rows } = await db.pool.query(`SELECT reloptions FROM pg_class WHERE relname = 'streams'`);
    expect(rows[0].reloptions).toEqual(['fillfactor=80']);

    await expect(store.append('m-0', [ev(4)], { expectedVersion: 2 })).rejects.toMatchObject({ actualVersion: 3 });
    const next = await store.append('m-0', [ev(4)], { expectedVersion: 3 });
    const after = await readWholeLog(db, before[before.length - 1]);
    expect(after.map((e) => [e.streamId, e.streamVersion, e.position])).toEqual([['m-0', 4, next.events[0].position]]);
    expect((await store.readStream('m-0')).map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
  });

  it('still refuses a second event at a stream version, and a second event with the same id', async () => {
    const taken = (await db.pool.query(`SELECT event_id FROM events LIMIT 1`)).rows[0].event_id;
    const insert = (stream: string, version: number, id: string) =>
      db.pool.query(`INSERT INTO events (stream_id, stream_version, event_id, type, data) VALUES ($1, $2, $3, 'ThingHappened', '{"n":0}')`, [stream, version, id]);
    await expect(insert('m-1', 1, '0190b6a0-0000-7000-8000-000000000001')).rejects.toMatchObject({ code: '23505', constraint: 'events_stream_id_stream_version_key' });
    await expect(insert('m-new', 1, taken)).rejects.toMatchObject({ code: '23505', constraint: 'events_event_id_key' });
  });
});
