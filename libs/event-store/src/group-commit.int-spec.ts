import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { VersionConflictError } from './errors';
import { EventStore } from './event-store';
import { GroupCommit } from './group-commit';
import { migrate } from './migrations/migrate';
import { NewEvent, RecordedEvent } from './recorded-event';

const catalogue = {
  ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
};
const ev = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

describe('independent appends in one statement', () => {
  let db: TestDatabase;
  let store: EventStore;
  const appended: RecordedEvent[][] = [];

  beforeAll(async () => {
    db = await createTestDatabase('groupcommit');
    await migrate(db.pool);
    store = new EventStore(db.pool, { catalogue, onAppended: (events) => appended.push(events) });
  });
  afterAll(() => db.drop());

  it('checks each item on its own: conflicts and invalid events are theirs alone, the rest commit together', async () => {
    await store.append('e-exists', [ev(1)], { expectedVersion: 'no_stream' });
    await store.append('e-at-1', [ev(1)], { expectedVersion: 'no_stream' });
    await store.append('e-wrong', [ev(1)], { expectedVersion: 'no_stream' });
    appended.length = 0;
    const outcomes = await store.appendEach([
      { streamId: 'e-new', event: ev(1), expectedVersion: 'no_stream' },
      { streamId: 'e-exists', event: ev(2), expectedVersion: 'no_stream' },
      { streamId: 'e-at-1', event: ev(2), expectedVersion: 1 },
      { streamId: 'e-wrong', event: ev(2), expectedVersion: 4 },
      { streamId: 'e-any', event: ev(1), expectedVersion: 'any' },
      { streamId: 'e-bad', event: { ...ev(1), data: { n: 'one' } }, expectedVersion: 'any' },
    ]);
    const [fresh, exists, atOne, wrong, any, bad] = outcomes;
    expect(exists).toBeInstanceOf(VersionConflictError);
    expect(exists).toMatchObject({ actualVersion: 1, expectedVersion: 'no_stream' });
    expect(wrong).toMatchObject({ code: 'EVENTSTORE.VERSION_CONFLICT', actualVersion: 1, expectedVersion: 4 });
    expect(bad).toMatchObject({ code: 'EVENTSTORE.INVALID_EVENT' });
    const written = [fresh, atOne, any] as RecordedEvent[];
    expect(written.map((e) => [e.streamId, e.streamVersion, e.data.n])).toEqual([['e-new', 1, 1], ['e-at-1', 2, 2], ['e-any', 1, 1]]);
    expect(new Set(written.map((e) => e.transactionId)).size).toBe(1);
    // What the log holds is what the callers were told.
    expect((await store.readStream('e-at-1')).map((e) => [e.id, e.streamVersion])).toEqual([[expect.any(String), 1], [atOne.id, 2]]);
    expect(await store.readStream('e-bad')).toEqual([]);
    expect(await store.streamVersion('e-wrong')).toBe(1);
    expect(appended).toHaveLength(1);
    expect(appended[0].map((e) => e.streamId)).toEqual(['e-new', 'e-at-1', 'e-any']);
  });

  it('refuses two items for one stream', async () => {
    await expect(store.appendEach([
      { streamId: 'e-twice', event: ev(1), expectedVersion: 'any' },
      { streamId: 'e-twice', event: ev(2), expectedVersion: 'any' },
    ])).rejects.toThrow('every item must name a different stream');
  });
});

describe('GroupCommit', () => {
  let db: TestDatabase;
  let store: EventStore;
  let wakeUps = 0;

  beforeAll(async () => {
    db = await createTestDatabase('groupcommit2');
    await migrate(db.pool);
    store = new EventStore(db.pool, { catalogue, onAppended: () => wakeUps++ });
  });
  afterAll(() => db.drop());

  it('commits concurrent appends in few statements, with exactly one winner per stream and version', async () => {
    const commits = new GroupCommit(store, { maxInFlight: 2 });
    const streams = Array.from({ length: 30 }, (_, i) => `g-${i}`);
    wakeUps = 0;
    // Two writers race for each new stream: one creates it, the other gets a conflict.
    const results = await Promise.allSettled(streams.flatMap((s, i) => [commits.append(s, ev(i), 'no_stream'), commits.append(s, ev(-i), 'no_stream')]));
    const won = results.filter((r): r is PromiseFulfilledResult<RecordedEvent> => r.status === 'fulfilled').map((r) => r.value);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(won.map((e) => e.streamId).sort()).toEqual([...streams].sort());
    expect(lost).toHaveLength(30);
    for (const err of lost) expect(err).toBeInstanceOf(VersionConflictError);
    expect(wakeUps).toBeLessThan(30);
    const { rows } = await db.pool.query(`SELECT count(DISTINCT transaction_id)::int AS n FROM events WHERE stream_id LIKE 'g-%'`);
    expect(rows[0].n).toBeLessThan(30);
    for (const e of won) expect((await store.readStream(e.streamId)).map((x) => x.id)).toEqual([e.id]);
  });

  it('keeps the order of appends to one stream and gives gap-free versions', async () => {
    const commits = new GroupCommit(store, { maxInFlight: 1 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => commits.append('g-any', ev(i), 'any')));
    expect(results.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await store.readStream('g-any')).map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('rejects an invalid event for its caller only', async () => {
    const commits = new GroupCommit(store, { maxInFlight: 1 });
    const [a, b, c] = await Promise.allSettled([
      commits.append('g-v1', ev(1), 'any'),
      commits.append('g-v2', { ...ev(2), type: 'Nope' }, 'any'),
      commits.append('g-v3', ev(3), 'any'),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'EVENTSTORE.UNKNOWN_EVENT_TYPE' } });
    expect(c.status).toBe('fulfilled');
  });
});
