import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { StreamAppend } from './append-batch';
import { VersionConflictError } from './errors';
import { EventStore } from './event-store';
import { migrate } from './migrations/migrate';
import { NewEvent, RecordedEvent } from './recorded-event';

const catalogue = {
  ThingHappened: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
};
const ev = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });
const evs = (...ns: number[]) => ns.map(ev);

describe('a batch of many streams in one statement', () => {
  let db: TestDatabase;
  let store: EventStore;
  let quiet: EventStore;
  const appended: RecordedEvent[][] = [];

  beforeAll(async () => {
    db = await createTestDatabase('appendbatch');
    await migrate(db.pool);
    store = new EventStore(db.pool, { catalogue, onAppended: (events) => appended.push(events) });
    quiet = new EventStore(db.pool, { catalogue, notify: false });
    await store.append('c-exists', evs(1), { expectedVersion: 'no_stream' });
  });
  afterAll(() => db.drop());

  const count = async (prefix: string) => {
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id LIKE $1', [`${prefix}%`]);
    return rows[0].n as number;
  };
  const versions = async (prefix: string) => (await store.listStreams(prefix)).map((s) => [s.streamId, s.version]);

  it('writes streams with mixed expected versions, in item order, in one transaction', async () => {
    await store.append('m-at-2', evs(1, 2), { expectedVersion: 'no_stream' });
    await store.append('m-any-old', evs(1), { expectedVersion: 'no_stream' });
    appended.length = 0;
    const results = await store.appendBatch([
      { streamId: 'm-new', events: evs(1, 2), expectedVersion: 'no_stream' },
      { streamId: 'm-at-2', events: evs(3), expectedVersion: 2 },
      { streamId: 'm-any-old', events: evs(2, 3, 4) },
      { streamId: 'm-any-new', events: evs(1), expectedVersion: 'any' },
      { streamId: 'm-zero', events: evs(1), expectedVersion: 0 },
    ]);
    expect(results.map((r) => r.streamVersion)).toEqual([2, 3, 4, 1, 1]);
    expect(results.map((r) => r.events.map((e) => [e.streamId, e.streamVersion, e.data.n]))).toEqual([
      [['m-new', 1, 1], ['m-new', 2, 2]],
      [['m-at-2', 3, 3]],
      [['m-any-old', 2, 2], ['m-any-old', 3, 3], ['m-any-old', 4, 4]],
      [['m-any-new', 1, 1]],
      [['m-zero', 1, 1]],
    ]);
    const all = results.flatMap((r) => r.events);
    expect(new Set(all.map((e) => e.transactionId)).size).toBe(1);
    const positions = all.map((e) => e.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(appended).toEqual([all]);
    expect((await store.readStream('m-any-old')).map((e) => [e.streamVersion, e.data.n, e.id])).toEqual([
      [1, 1, expect.any(String)],
      ...results[2].events.map((e) => [e.streamVersion, e.data.n, e.id]),
    ]);
    expect(await versions('m-')).toEqual([['m-any-new', 1], ['m-any-old', 4], ['m-at-2', 3], ['m-new', 2], ['m-zero', 1]]);
  });

  it.each<[string, StreamAppend, number]>([
    ['a stream that exists, expected absent', { streamId: 'c-exists', events: evs(2), expectedVersion: 'no_stream' }, 1],
    ['a stream at another version', { streamId: 'c-exists', events: evs(2), expectedVersion: 3 }, 1],
    ['a stream that does not exist, expected at a version', { streamId: 'c-missing', events: evs(1), expectedVersion: 1 }, 0],
  ])('writes nothing when one stream in the middle conflicts: %s', async (_, bad, actual) => {
    const before = await count('c-');
    appended.length = 0;
    const attempt = store.appendBatch([
      { streamId: 'c-first', events: evs(1), expectedVersion: 'no_stream' },
      { streamId: 'c-any', events: evs(1, 2) },
      bad,
      ...Array.from({ length: 20 }, (_, i) => ({ streamId: `c-later-${i}`, events: evs(1) })),
    ]);
    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    await expect(attempt).rejects.toMatchObject({
      code: 'EVENTSTORE.VERSION_CONFLICT',
      streamId: bad.streamId,
      expectedVersion: bad.expectedVersion,
      actualVersion: actual,
      message: `stream ${bad.streamId} is at version ${actual}, expected ${bad.expectedVersion}`,
    });
    expect(await count('c-')).toBe(before);
    expect(await versions('c-')).toEqual([['c-exists', 1]]);
    expect(appended).toEqual([]);
  });

  it('lets a stream appear twice: each expectation counts the items before it', async () => {
    const results = await store.appendBatch([
      { streamId: 't-twice', events: evs(1, 2), expectedVersion: 'no_stream' },
      { streamId: 't-other', events: evs(1) },
      { streamId: 't-twice', events: evs(3), expectedVersion: 2 },
      { streamId: 't-twice', events: evs(4) },
    ]);
    expect(results.map((r) => r.streamVersion)).toEqual([2, 1, 3, 4]);
    expect((await store.readStream('t-twice')).map((e) => [e.streamVersion, e.data.n, e.position])).toEqual(
      [results[0], results[2], results[3]].flatMap((r) => r.events.map((e) => [e.streamVersion, e.data.n, e.position])),
    );
  });

  it('reports the first item, in order, whose expectation fails as the items before it left the stream', async () => {
    await store.append('t-at-1', evs(1), { expectedVersion: 'no_stream' });
    const contradiction = store.appendBatch([
      { streamId: 't-at-1', events: evs(2, 3) },
      { streamId: 't-fresh', events: evs(1), expectedVersion: 'no_stream' },
      { streamId: 't-at-1', events: evs(4), expectedVersion: 'no_stream' },
    ]);
    await expect(contradiction).rejects.toMatchObject({ streamId: 't-at-1', expectedVersion: 'no_stream', actualVersion: 3 });
    const stale = store.appendBatch([
      { streamId: 't-fresh', events: evs(1), expectedVersion: 'no_stream' },
      { streamId: 't-at-1', events: evs(2) },
      { streamId: 't-at-1', events: evs(3), expectedVersion: 3 },
    ]);
    await expect(stale).rejects.toMatchObject({ streamId: 't-at-1', expectedVersion: 3, actualVersion: 2 });
    expect(await store.streamVersion('t-at-1')).toBe(1);
    expect(await store.readStream('t-fresh')).toEqual([]);
  });

  it('gives items without events version 0 and checks nothing for them', async () => {
    const results = await store.appendBatch([
      { streamId: 'e-none', events: [], expectedVersion: 7 },
      { streamId: 'e-one', events: evs(1), expectedVersion: 'no_stream' },
      { streamId: 'e-two', events: evs(1) },
    ]);
    expect(results.map((r) => [r.streamVersion, r.events.length])).toEqual([[0, 0], [1, 1], [1, 1]]);
    expect(await store.streamVersion('e-none')).toBe(0);
  });

  it('writes 1,200 streams in one batch, and a conflict in the last of them writes none', async () => {
    const big = Array.from({ length: 1200 }, (_, i) => ({ streamId: `big-${i}`, events: evs(i, i + 1), expectedVersion: 'no_stream' as const }));
    const results = await quiet.appendBatch(big);
    expect(results.map((r) => r.streamVersion)).toEqual(big.map(() => 2));
    expect(results.map((r) => r.events[1].data.n)).toEqual(big.map((_, i) => i + 1));
    expect(await count('big-')).toBe(2400);
    const again = big.map((item) => ({ ...item, events: evs(9), expectedVersion: 2 }));
    again[1199] = { ...again[1199], expectedVersion: 1 };
    await expect(quiet.appendBatch(again)).rejects.toMatchObject({ streamId: 'big-1199', actualVersion: 2, expectedVersion: 1 });
    expect(await count('big-')).toBe(2400);
  });

  it('lets exactly one of two concurrent batches at the same versions win', async () => {
    await store.appendBatch([
      { streamId: 'r-1', events: evs(1), expectedVersion: 'no_stream' },
      { streamId: 'r-2', events: evs(1), expectedVersion: 'no_stream' },
    ]);
    const batch = (n: number) => [
      { streamId: 'r-1', events: evs(n), expectedVersion: 1 },
      { streamId: 'r-2', events: evs(n), expectedVersion: 1 },
    ];
    const outcomes = await Promise.allSettled([store.appendBatch(batch(2)), store.appendBatch(batch(3))]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: expect.any(VersionConflictError) });
    const winner = (await store.readStream('r-1'))[1].data.n;
    expect((await store.readStream('r-2')).map((e) => e.data.n)).toEqual([1, winner]);
  });

  it('runs inside a transaction of the caller, where a conflict leaves the transaction usable', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const conflict = store.appendBatch(
        [
          { streamId: 'x-a', events: evs(1), expectedVersion: 'no_stream' },
          { streamId: 'x-b', events: evs(1), expectedVersion: 4 },
        ],
        { client },
      );
      await expect(conflict).rejects.toMatchObject({ streamId: 'x-b', actualVersion: 0 });
      const ok = await store.appendBatch(
        [
          { streamId: 'x-a', events: evs(1), expectedVersion: 'no_stream' },
          { streamId: 'x-b', events: evs(1), expectedVersion: 'no_stream' },
        ],
        { client },
      );
      expect(ok.map((r) => r.streamVersion)).toEqual([1, 1]);
      expect(await count('x-')).toBe(0);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await count('x-')).toBe(2);
  });

  it('wakes LISTENers once the batch commits when NOTIFY is on', async () => {
    const listener = await db.pool.connect();
    try {
      const heard = new Promise((resolve) => listener.on('notification', resolve));
      await listener.query('LISTEN op_events_appended');
      await store.appendBatch([
        { streamId: 'n-1', events: evs(1) },
        { streamId: 'n-2', events: evs(1) },
      ]);
      await expect(heard).resolves.toMatchObject({ channel: 'op_events_appended' });
    } finally {
      await listener.query('UNLISTEN *');
      listener.release();
    }
  });
});
