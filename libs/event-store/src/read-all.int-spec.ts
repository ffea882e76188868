import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventStore } from './event-store';
import { compareLogPositions, LogPosition, parseResourceVersion, resourceVersionOf } from './log-position';
import { migrate } from './migrations/migrate';
import { NewEvent, RecordedEvent } from './recorded-event';
import { appendToStream } from './append';

const catalogue = { ThingHappened: { type: 'object' } };
const ev = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n }, metadata: { actor: 'tester', source: 'test' } });

async function readEverything(store: EventStore, after: LogPosition | null): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: out.length ? out[out.length - 1] : after, limit: 3 });
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

/**
 * readEverything once it returns `count` events: readAll stops below the oldest transaction still running
 * on the whole server, and other databases on this Postgres (other tests, other work) have theirs.
 */
async function readSettled(store: EventStore, after: LogPosition | null, count: number): Promise<RecordedEvent[]> {
  for (let waited = 0; ; waited += 100) {
    const events = await readEverything(store, after);
    if (events.length >= count || waited >= 30_000) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('reading the global log', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('readall');
    await migrate(db.pool);
    store = new EventStore(db.pool, { catalogue });
  });
  afterAll(() => db.drop());

  it('never skips an event whose transaction took a lower position but committed later', async () => {
    await store.append('before', [ev(0)]);
    const seen = await readSettled(store, null, 1);
    const checkpoint = seen[seen.length - 1];

    // A transaction takes a position and stays open...
    const slow = await db.pool.connect();
    await slow.query('BEGIN');
    const [held] = await appendToStream(slow, 'slow', [ev(1)], 'any');
    // ...while others take higher positions and commit.
    await store.append('fast', [ev(2)]);
    await store.append('fast', [ev(3)]);

    // The reader must not move past the open transaction's position.
    const whileOpen = await store.readAll({ after: checkpoint });
    expect(whileOpen).toEqual([]);

    await slow.query('COMMIT');
    slow.release();
    const after = await readSettled(store, checkpoint, 3);
    expect(after.map((e) => e.data.n).sort()).toEqual([1, 2, 3]);
    expect(after.map((e) => e.id)).toContain(held.id);
    // Commit order: strictly rising positions in (transaction, position) order.
    for (let i = 1; i < after.length; i++) expect(compareLogPositions(after[i - 1], after[i])).toBeLessThan(0);
  });

  it('turns log positions into resourceVersions that rise along the read order and parse back', async () => {
    const all = await readSettled(store, null, 4);
    const rvs = all.map((e) => BigInt(resourceVersionOf(e)));
    for (let i = 1; i < rvs.length; i++) expect(rvs[i]).toBeGreaterThan(rvs[i - 1]);
    const p = parseResourceVersion(resourceVersionOf(all[1]))!;
    expect(compareLogPositions(p, all[1])).toBe(0);
    expect(parseResourceVersion('abc')).toBeUndefined();
  });

  it('gives the same events with lazy times, each time parsed when first read', async () => {
    await store.append('lazy', [ev(10), ev(11)]);
    const plain = await readSettled(store, null, 2);
    const lazy = await store.readAll({ limit: plain.length, lazyTimes: true });
    expect(lazy.map((e) => e.id)).toEqual(plain.map((e) => e.id));
    // The accessor parses the text Postgres sent: the same instant, to the millisecond, as pg's own parser gives.
    expect(lazy.map((e) => e.createdAt.toISOString())).toEqual(plain.map((e) => e.createdAt.toISOString()));
    expect({ ...lazy[0] }).toEqual({ ...plain[0] });
  });
});
