import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import type { PoolClient } from 'pg';
import { VersionConflictError } from './errors';
import { EventStore } from './event-store';
import { migrate } from './migrations/migrate';
import { NewEvent } from './recorded-event';

const catalogue = { ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } };
const ev = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

/**
 * The stream's version is its last event's, and the unique (stream_id, stream_version) index is the lock
 * (migration 5). These tests hold a writer's transaction open after its insert, start a second writer that
 * read the same version, wait until Postgres has it waiting on the first one's index entry, and only then
 * let the first commit: the race, made deterministic.
 */
describe('the version check of appends: the stream version index catches a racing writer', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('versioncheck');
    await migrate(db.pool);
    store = new EventStore(db.pool, { catalogue });
  });
  afterAll(() => db.drop());

  async function whileHeld<T>(first: (client: PoolClient) => Promise<unknown>, second: () => Promise<T>): Promise<PromiseSettledResult<T>> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await first(client);
      const racing = Promise.allSettled([second()]);
      for (;;) {
        const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await client.query('COMMIT');
      return (await racing)[0];
    } finally {
      client.release();
    }
  }

  it('an append at an exact version loses to the writer that took the next version first', async () => {
    await store.append('r-exact', [ev(1)], { expectedVersion: 'no_stream' });
    const lost = await whileHeld(
      (client) => store.append('r-exact', [ev(2)], { expectedVersion: 1, client }),
      () => store.append('r-exact', [ev(3), ev(4)], { expectedVersion: 1 }),
    );
    expect(lost).toMatchObject({ status: 'rejected', reason: expect.any(VersionConflictError) });
    expect(lost).toMatchObject({ reason: { streamId: 'r-exact', expectedVersion: 1, actualVersion: 2 } });
    expect((await store.readStream('r-exact')).map((e) => e.data.n)).toEqual([1, 2]);
  });

  it("an 'any' append that lost its version goes again and follows the other writer", async () => {
    await store.append('r-any', [ev(1)], { expectedVersion: 'no_stream' });
    const won = await whileHeld(
      (client) => store.append('r-any', [ev(2)], { expectedVersion: 'any', client }),
      () => store.append('r-any', [ev(3), ev(4)], { expectedVersion: 'any' }),
    );
    expect(won).toMatchObject({ status: 'fulfilled', value: { streamVersion: 4 } });
    expect((await store.readStream('r-any')).map((e) => [e.streamVersion, e.data.n])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
  });

  it('refuses an exact version the stream has not reached, and one it has passed', async () => {
    await store.append('r-behind', [ev(1), ev(2)], { expectedVersion: 'no_stream' });
    await expect(store.append('r-behind', [ev(3)], { expectedVersion: 3 })).rejects.toMatchObject({ actualVersion: 2, expectedVersion: 3 });
    await expect(store.append('r-behind', [ev(3)], { expectedVersion: 1 })).rejects.toMatchObject({ actualVersion: 2, expectedVersion: 1 });
    await expect(store.append('r-nothing', [ev(1)], { expectedVersion: 1 })).rejects.toMatchObject({ actualVersion: 0 });
    expect(await store.streamVersion('r-behind')).toBe(2);
  });

  it("inside a caller's transaction, a refused append of several events writes none of them and leaves the transaction usable", async () => {
    await store.append('r-tx', [ev(1)], { expectedVersion: 'no_stream' });
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      // Version 1 is taken, 2 and 3 are free: nothing of the append may stay.
      await expect(store.append('r-tx', [ev(2), ev(3), ev(4)], { expectedVersion: 'no_stream', client })).rejects.toMatchObject({ actualVersion: 1 });
      await expect(store.append('r-tx', [ev(2)], { expectedVersion: 5, client })).rejects.toMatchObject({ actualVersion: 1 });
      await store.append('r-tx', [ev(2)], { expectedVersion: 1, client });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await store.readStream('r-tx')).map((e) => e.data.n)).toEqual([1, 2]);
  });

  it('a batch loses to a writer that took a version it wanted, and writes nothing', async () => {
    await store.append('rb-exact', [ev(1)], { expectedVersion: 'no_stream' });
    const lost = await whileHeld(
      (client) => store.append('rb-exact', [ev(2)], { expectedVersion: 1, client }),
      () => store.appendBatch([
        { streamId: 'rb-fresh', events: [ev(1)], expectedVersion: 'no_stream' },
        { streamId: 'rb-exact', events: [ev(3)], expectedVersion: 1 },
      ]),
    );
    expect(lost).toMatchObject({ status: 'rejected', reason: { streamId: 'rb-exact', expectedVersion: 1, actualVersion: 2 } });
    expect(await store.readStream('rb-fresh')).toEqual([]);
  });

  it("a batch whose 'any' stream lost its version goes again, whole", async () => {
    await store.append('rb-any', [ev(1)], { expectedVersion: 'no_stream' });
    const won = await whileHeld(
      (client) => store.append('rb-any', [ev(2)], { expectedVersion: 'any', client }),
      () => store.appendBatch([
        { streamId: 'rb-any-fresh', events: [ev(1)], expectedVersion: 'no_stream' },
        { streamId: 'rb-any', events: [ev(3)], expectedVersion: 'any' },
      ]),
    );
    expect(won).toMatchObject({ status: 'fulfilled' });
    expect((await store.readStream('rb-any')).map((e) => [e.streamVersion, e.data.n])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect((await store.readStream('rb-any-fresh')).map((e) => e.streamVersion)).toEqual([1]);
  });

  it("in one statement of independent appends, only the item that lost its version is refused, and an 'any' item goes again", async () => {
    await store.append('re-exact', [ev(1)], { expectedVersion: 'no_stream' });
    await store.append('re-any', [ev(1)], { expectedVersion: 'no_stream' });
    const outcomes = await whileHeld(
      async (client) => {
        await store.append('re-exact', [ev(2)], { expectedVersion: 1, client });
        await store.append('re-any', [ev(2)], { expectedVersion: 1, client });
      },
      () => store.appendEach([
        { streamId: 're-exact', event: ev(3), expectedVersion: 1 },
        { streamId: 're-any', event: ev(3), expectedVersion: 'any' },
        { streamId: 're-fresh', event: ev(1), expectedVersion: 'no_stream' },
      ]),
    );
    expect(outcomes.status).toBe('fulfilled');
    const [exact, any, fresh] = (outcomes as PromiseFulfilledResult<any[]>).value;
    expect(exact).toMatchObject({ streamId: 're-exact', actualVersion: 2 });
    expect(exact).toBeInstanceOf(VersionConflictError);
    expect(any).toMatchObject({ streamId: 're-any', streamVersion: 3 });
    expect(fresh).toMatchObject({ streamId: 're-fresh', streamVersion: 1 });
    expect((await store.readStream('re-any')).map((e) => [e.id, e.streamVersion])).toEqual([[expect.any(String), 1], [expect.any(String), 2], [any.id, 3]]);
  });
});
