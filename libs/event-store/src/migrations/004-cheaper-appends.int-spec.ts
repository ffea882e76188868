import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventStore } from '../event-store';
import { cheaperAppendsMigration } from './004-cheaper-appends';
import { indexes, migrateTo, readWholeLog } from './migration.spec-support';

const catalogue = { ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } };
const ev = (n: number) => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

describe('migration 4 (cheaper appends) on a database that already holds events', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migration4');
    await migrateTo(db, cheaperAppendsMigration.version - 1);
  });
  afterAll(() => db.drop());

  it('keeps every event and stream, keys the log by its read order, and appends and reads on as before', async () => {
    const store = new EventStore(db.pool, { catalogue });
    for (let s = 0; s < 20; s++) await store.append(`m-${s}`, [ev(1), ev(2)], { expectedVersion: 'no_stream' });
    await store.append('m-0', [ev(3)], { expectedVersion: 2 });
    const before = await readWholeLog(db);
    expect(before).toHaveLength(41);

    await migrateTo(db, cheaperAppendsMigration.version);

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
