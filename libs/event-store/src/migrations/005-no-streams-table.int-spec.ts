import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventStore } from '../event-store';
import { noStreamsTableMigration } from './005-no-streams-table';
import { migrate, migrations } from './migrate';
import { indexes, migrateTo, readWholeLog } from './migration.spec-support';

const catalogue = { ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } };
const ev = (n: number) => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

/** Appends as the store did before migration 5: the stream's row in `streams` moved, the events inserted after it. */
async function appendAsBefore(db: TestDatabase, streamId: string, count: number): Promise<void> {
  const { rows } = await db.pool.query(
    `INSERT INTO streams (stream_id, version) VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version RETURNING version`,
    [streamId, count],
  );
  for (let v = Number(rows[0].version) - count + 1; v <= Number(rows[0].version); v++) {
    await db.pool.query(`INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata) VALUES ($1, $2, gen_random_uuid(), 'ThingHappened', $3, '{"actor":"tester","source":"test"}')`, [
      streamId,
      v,
      { n: v },
    ]);
  }
}

describe('migration 5 (no streams table) on a database that already holds events', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migration5');
    await migrateTo(db, noStreamsTableMigration.version - 1);
  });
  afterAll(() => db.drop());

  it("keeps every stream's version, drops the table, and appends and reads on at those versions", async () => {
    for (let s = 0; s < 12; s++) await appendAsBefore(db, `hosts/h-${s}`, 1 + (s % 4));
    await appendAsBefore(db, 'hosts/h-0', 2);
    await appendAsBefore(db, 'pods/default/p', 1);
    const versions = (await db.pool.query('SELECT stream_id, version FROM streams ORDER BY stream_id')).rows.map((r) => [r.stream_id, Number(r.version)]);
    const before = await readWholeLog(db);

    // This migration and every later one (each has its own test from the state before it).
    expect(await migrate(db.pool)).toEqual(migrations.filter((m) => m.version >= noStreamsTableMigration.version).map((m) => m.version));

    expect((await db.pool.query(`SELECT to_regclass('streams') AS t`)).rows[0].t).toBeNull();
    expect(await readWholeLog(db)).toEqual(before);
    const store = new EventStore(db.pool, { catalogue });
    expect(await Promise.all(versions.map(async ([id]) => [id, await store.streamVersion(id as string)]))).toEqual(versions);
    expect((await store.listStreams('hosts/')).map((s) => [s.streamId, s.version])).toEqual(versions.filter(([id]) => (id as string).startsWith('hosts/')));
    expect(await store.streamVersion('hosts/none')).toBe(0);
    // The unique indexes stay: they are the version check now, and event ids stay unique.
    expect(await indexes(db, 'events')).toEqual([
      'events_event_id_key: (event_id)',
      'events_pkey: (transaction_id, "position")',
      'events_stream_id_stream_version_key: (stream_id, stream_version)',
    ]);

    await expect(store.append('hosts/h-0', [ev(4)], { expectedVersion: 2 })).rejects.toMatchObject({ actualVersion: 3 });
    await expect(store.append('hosts/h-0', [ev(4)], { expectedVersion: 'no_stream' })).rejects.toMatchObject({ actualVersion: 3 });
    expect((await store.append('hosts/h-0', [ev(4)], { expectedVersion: 3 })).streamVersion).toBe(4);
    expect((await store.append('pods/default/p', [ev(2), ev(3)], { expectedVersion: 'any' })).streamVersion).toBe(3);
    expect((await store.readStream('hosts/h-0')).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    await expect(db.pool.query('DELETE FROM events')).rejects.toThrow(/append-only/);
  });

  it("refuses to drop the table where a stream's version is not its last event's, and changes nothing", async () => {
    const other = await createTestDatabase('migration5bad');
    try {
      await migrateTo(other, noStreamsTableMigration.version - 1);
      await appendAsBefore(other, 'pods/default/a', 2);
      await other.pool.query(`UPDATE streams SET version = 3 WHERE stream_id = 'pods/default/a'`);
      await expect(migrate(other.pool)).rejects.toThrow(/stream pods\/default\/a has a version in streams other than its last event's/);
      expect((await other.pool.query('SELECT version FROM streams')).rows).toEqual([{ version: '3' }]);
      expect((await other.pool.query('SELECT max(version) AS v FROM schema_migrations')).rows[0].v).toBe(noStreamsTableMigration.version - 1);
    } finally {
      await other.drop();
    }
  });
});
