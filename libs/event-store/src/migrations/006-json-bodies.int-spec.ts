import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventStore } from '../event-store';
import { readAllText } from '../read-all';
import { jsonBodiesMigration } from './006-json-bodies';
import { migrate, migrations } from './migrate';
import { migrateTo, readWholeLog } from './migration.spec-support';

const catalogue = { ThingHappened: { type: 'object' } };
const body = { name: 'vm-1', spec: { cpus: 2, labels: { 'a/b': 'c' } }, list: [1, 'two', null, { deep: true }], text: 'quote " and \u2603' };
const ev = (data: unknown) => ({ type: 'ThingHappened', data, metadata: { actor: 'tester', source: 'test', requestId: 'req-1' } });

const columnTypes = async (db: TestDatabase) =>
  (await db.pool.query(`SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_name = 'events' AND column_name IN ('data', 'metadata') ORDER BY column_name`)).rows;

describe('migration 6 (json event bodies) on a database that already holds events', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migration6');
    await migrateTo(db, jsonBodiesMigration.version - 1);
  });
  afterAll(() => db.drop());

  it('keeps every event as it was, and appends of every kind write and read json bodies after it', async () => {
    const store = new EventStore(db.pool, { catalogue });
    for (let s = 0; s < 5; s++) await store.append(`things/t-${s}`, [ev({ ...body, n: s }), ev({ n: s, second: true })]);
    await db.pool.query(`INSERT INTO events (stream_id, stream_version, event_id, type, data) VALUES ('things/default-meta', 1, gen_random_uuid(), 'ThingHappened', '{"n": 9}')`);
    const before = await readWholeLog(db);
    expect((await columnTypes(db)).map((c) => c.data_type)).toEqual(['jsonb', 'jsonb']);

    // This migration and every later one (each has its own test from the state before it).
    expect(await migrate(db.pool)).toEqual(migrations.filter((m) => m.version >= jsonBodiesMigration.version).map((m) => m.version));

    expect(await columnTypes(db)).toEqual([
      { column_name: 'data', data_type: 'json', column_default: null },
      { column_name: 'metadata', data_type: 'json', column_default: "'{}'::json" },
    ]);
    expect(await readWholeLog(db)).toEqual(before);
    expect(before.find((e) => e.streamId === 'things/default-meta')!.metadata).toEqual({});

    // Every append path after it: one stream, a later version, a many-stream batch.
    await store.append('things/new', [ev(body)], { expectedVersion: 'no_stream' });
    await store.append('things/t-0', [ev({ n: 100 })], { expectedVersion: 2 });
    await store.appendBatch([
      { streamId: 'things/b-1', events: [ev({ n: 1, nested: { x: [1, 2] } })], expectedVersion: 'no_stream' },
      { streamId: 'things/b-2', events: [ev({ n: 2 }), ev({ n: 3 })], expectedVersion: 'no_stream' },
    ]);
    const after = await readWholeLog(db, before[before.length - 1]);
    expect(after.map((e) => [e.streamId, e.streamVersion, e.data])).toEqual([
      ['things/new', 1, body],
      ['things/t-0', 3, { n: 100 }],
      ['things/b-1', 1, { n: 1, nested: { x: [1, 2] } }],
      ['things/b-2', 1, { n: 2 }],
      ['things/b-2', 2, { n: 3 }],
    ]);
    expect(after[0].metadata).toEqual({ actor: 'tester', source: 'test', requestId: 'req-1' });
    // A json body is the text as written: the writer's key order, no spaces added.
    const text = (await readAllText(db.pool, { after: before[before.length - 1], limit: 1 }))[0];
    expect(text.data).toBe(JSON.stringify(body));
    // The append-only rules still hold after the table was rewritten.
    await expect(db.pool.query(`UPDATE events SET type = 'X'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM events`)).rejects.toThrow(/append-only/);
  });
});
