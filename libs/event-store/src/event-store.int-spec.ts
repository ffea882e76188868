import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventStore } from './event-store';
import { VersionConflictError } from './errors';
import { migrate, migrations } from './migrations/migrate';
import { NewEvent } from './recorded-event';

const catalogue = {
  ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
  NoteTaken: { type: 'object' },
};
const ev = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

describe('the event store', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('eventstore');
    await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    store = new EventStore(db.pool, { catalogue });
  });
  afterAll(() => db.drop());

  it('applies its migrations once however many processes run them at the same time', async () => {
    const { rows } = await db.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(db.pool)).toEqual([]);
  });

  it('appends events to a new stream and reads them back in order', async () => {
    const result = await store.append('s-1', [ev(1), ev(2)], { expectedVersion: 'no_stream' });
    expect(result.streamVersion).toBe(2);
    const events = await store.readStream('s-1');
    expect(events.map((e) => [e.streamVersion, e.data.n])).toEqual([[1, 1], [2, 2]]);
    expect(events[0].metadata).toEqual({ actor: 'tester', source: 'test' });
  });

  it('returns from every kind of append exactly the events a read of the log returns (position, transaction, version, time)', async () => {
    const plain = (e: { position: bigint; transactionId: bigint; streamVersion: number; createdAt: Date; id: string; data: unknown }) => ({ ...e });
    const one = await store.append('s-same-1', [ev(1)], { expectedVersion: 'no_stream' });
    const next = await store.append('s-same-1', [ev(2), ev(3)], { expectedVersion: 1 });
    const [each] = await store.appendEach([{ streamId: 's-same-2', event: ev(4), expectedVersion: 'any' }]);
    const batch = await store.appendBatch([
      { streamId: 's-same-3', events: [ev(5)], expectedVersion: 'no_stream' },
      { streamId: 's-same-4', events: [ev(6), ev(7)], expectedVersion: 'no_stream' },
    ]);
    const appended = [...one.events, ...next.events, each, ...batch.flatMap((b) => b.events)].map(plain);
    const read = (await Promise.all(['s-same-1', 's-same-2', 's-same-3', 's-same-4'].map((s) => store.readStream(s)))).flat().map(plain);
    expect(appended).toEqual(read);
    expect(appended.map((e) => e.createdAt.getTime() % 1)).toEqual(appended.map(() => 0));
    expect(new Set(appended.map((e) => e.position)).size).toBe(7);
  });

  it('stores each body as the text the writer sent, in order, from every kind of append', async () => {
    // Quotes, backslashes, escapes JSON keeps as text (\u0000 is valid json, not jsonb), other scripts, nesting.
    const awkward = (i: number) => ({ i, text: `"quoted" \\ back\\slash {${i}} [x,y]`, nul: '\u0000', word: 'é漢🙂', nested: [[{ a: [] }], {}, null, -0.5e3] });
    const notes = Array.from({ length: 40 }, (_, i): NewEvent => ({ type: 'NoteTaken', data: awkward(i), metadata: { actor: `a"${i}\\`, source: 'test' } }));
    await store.append('s-text-1', notes.slice(0, 20), { expectedVersion: 'no_stream' });
    await store.append('s-text-1', notes.slice(20, 30), { expectedVersion: 20 });
    await store.appendEach(notes.slice(30, 35).map((event, k) => ({ streamId: `s-text-each-${k}`, event, expectedVersion: 'no_stream' as const })));
    await store.appendBatch(notes.slice(35).map((event, k) => ({ streamId: `s-text-batch-${k}`, events: [event], expectedVersion: 'no_stream' as const })));
    const { rows } = await db.pool.query(
      `SELECT data::text AS data, metadata::text AS metadata FROM events
       WHERE stream_id = 's-text-1' OR stream_id LIKE 's-text-each-%' OR stream_id LIKE 's-text-batch-%'`,
    );
    // Sorted here: Postgres' own JSON operators refuse \u0000 in a body they read.
    rows.sort((a, b) => JSON.parse(a.data).i - JSON.parse(b.data).i);
    expect(rows).toEqual(notes.map((e) => ({ data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) })));
    const stream = await store.readStream('s-text-1');
    expect(stream.map((e) => [e.streamVersion, e.data.i])).toEqual(notes.slice(0, 30).map((_, i) => [i + 1, i]));
  });

  it('refuses an append at the wrong expected version with the actual version', async () => {
    await store.append('s-2', [ev(1)], { expectedVersion: 'no_stream' });
    const attempt = store.append('s-2', [ev(2)], { expectedVersion: 5 });
    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'EVENTSTORE.VERSION_CONFLICT', actualVersion: 1, expectedVersion: 5 });
    await expect(store.append('s-2', [ev(2)], { expectedVersion: 'no_stream' })).rejects.toMatchObject({ actualVersion: 1 });
    await store.append('s-2', [ev(2)], { expectedVersion: 1 });
    expect(await store.streamVersion('s-2')).toBe(2);
  });

  it('lets exactly one of many concurrent writers at the same version win', async () => {
    await store.append('s-race', [ev(0)], { expectedVersion: 'no_stream' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.append('s-race', [ev(i)], { expectedVersion: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await store.streamVersion('s-race')).toBe(2);
  });

  it('lets exactly one of many concurrent creators of a stream win; the others learn its version', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.append('s-create', [ev(i)], { expectedVersion: 'no_stream' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(lost).toHaveLength(7);
    for (const err of lost) expect(err).toMatchObject({ code: 'EVENTSTORE.VERSION_CONFLICT', streamId: 's-create', actualVersion: 1 });
    expect((await store.readStream('s-create')).map((e) => e.streamVersion)).toEqual([1]);
  });

  it("refuses a stream that exists inside a caller's transaction and leaves that transaction usable", async () => {
    await store.append('s-tx', [ev(1)], { expectedVersion: 'no_stream' });
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await expect(store.append('s-tx', [ev(2)], { expectedVersion: 'no_stream', client })).rejects.toMatchObject({ actualVersion: 1 });
      await store.append('s-tx-2', [ev(3)], { expectedVersion: 'no_stream', client });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await store.readStream('s-tx-2')).map((e) => e.data.n)).toEqual([3]);
  });

  it('gives concurrent writers with any version distinct, gap-free stream versions', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append('s-any', [ev(i)], { expectedVersion: 'any' })));
    const versions = (await store.readStream('s-any')).map((e) => e.streamVersion);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('validates every event against the catalogue before writing anything', async () => {
    await expect(store.append('s-bad', [ev(1), { ...ev(2), data: { n: 'two' } }])).rejects.toMatchObject({ code: 'EVENTSTORE.INVALID_EVENT' });
    await expect(store.append('s-bad', [{ ...ev(1), type: 'Nope' }])).rejects.toMatchObject({ code: 'EVENTSTORE.UNKNOWN_EVENT_TYPE' });
    expect(await store.readStream('s-bad')).toEqual([]);
  });

  it('appends to several streams in one transaction, all or nothing', async () => {
    await store.append('b-2', [ev(1)]);
    await expect(
      store.appendBatch([
        { streamId: 'b-1', events: [ev(1)], expectedVersion: 'no_stream' },
        { streamId: 'b-2', events: [ev(2)], expectedVersion: 'no_stream' },
      ]),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await store.readStream('b-1')).toEqual([]);
    const ok = await store.appendBatch([
      { streamId: 'b-1', events: [ev(1)], expectedVersion: 'no_stream' },
      { streamId: 'b-2', events: [ev(2)], expectedVersion: 1 },
    ]);
    expect(ok.map((r) => r.streamVersion)).toEqual([1, 2]);
    expect(ok[0].events[0].transactionId).toBe(ok[1].events[0].transactionId);
  });

  it.each(['UPDATE events SET type = $$x$$', 'DELETE FROM events', 'TRUNCATE events'])('is append-only: Postgres refuses %s', async (sql) => {
    await store.append('s-ro', [ev(1)]);
    const before = await db.pool.query('SELECT count(*)::int AS n, max(position) AS last FROM events');
    await expect(db.pool.query(sql)).rejects.toThrow(/append-only/);
    expect((await db.pool.query('SELECT count(*)::int AS n, max(position) AS last FROM events')).rows).toEqual(before.rows);
  });
});
