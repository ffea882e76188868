import { appendedPayload, natsNames, NatsNames, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { compareLogPositions, EventStore, migrate, RecordedEvent } from '@openpacific/event-store';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, NatsConnection } from 'nats';
import { Pool } from 'pg';
import { LogFollower } from './log-follower';
import { pokedFollower } from './poked-follower';

const META = { actor: 'test', source: 'test' };
const logger = { warn: () => undefined };

async function put(store: EventStore, resource: string, n: number): Promise<RecordedEvent> {
  const name = `${resource}-${n}`;
  const object = { apiVersion: 'v1', kind: resource, metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' } };
  const { events } = await store.append(objectStreamId(resource, 'default', name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }]);
  return events[0];
}

const positions = (events: RecordedEvent[]) => events.map((e) => `${e.transactionId}:${e.position}`);

/** A pool whose statements are recorded (a follower's reads and the shared poll's probes are its queries). */
function recordedPool(url: string, applicationName: string): { pool: Pool; statements: string[] } {
  const pool = new Pool({ connectionString: url, max: 4, application_name: applicationName });
  const statements: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const text = args[0];
    statements.push(typeof text === 'string' ? text : (text as { text: string }).text);
    return query(...args);
  };
  return { pool, statements };
}

/** Records the subjects `nc` subscribes to (the connection itself is real). */
function recordSubscriptions(nc: NatsConnection): string[] {
  const subjects: string[] = [];
  const subscribe = nc.subscribe.bind(nc);
  nc.subscribe = (subject, opts) => {
    subjects.push(subject);
    return subscribe(subject, opts);
  };
  return subjects;
}

describe('the wake-ups of a process, shared by its followers', () => {
  let db: TestDatabase;
  let store: EventStore;
  let names: NatsNames;
  const followers: LogFollower[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('logwakeups');
    await migrate(db.pool);
    store = new EventStore(db.pool, { notify: false });
  });
  beforeEach(() => {
    names = natsNames(uniqueNatsPrefix('logwakeups'));
  });
  afterEach(async () => {
    for (const f of followers.splice(0)) await f.stop();
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    await db.drop();
  });

  async function startProcess(label: string) {
    const { pool, statements } = recordedPool(db.url, label);
    const nc = await connect({ servers: testNatsUrl });
    closers.push(() => nc.drain(), () => pool.end());
    const subjects = recordSubscriptions(nc);
    const follow = async (pollMs: number, follows?: string[]) => {
      const seen: RecordedEvent[] = [];
      const follower = pokedFollower({ store, pool, nats: nc, names, logger }, (events) => seen.push(...events), { pollMs, follows });
      followers.push(follower);
      await follower.start();
      seen.splice(0);
      return { follower, seen };
    };
    const listeners = async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN op_events_appended'`, [label]);
      return rows[0].n as number;
    };
    return { nc, statements, subjects, follow, listeners };
  }

  it('holds one LISTEN connection and one NATS subscription however many followers, and lets them go with the last', async () => {
    const p = await startProcess('wakeups-shared');
    const a = await p.follow(600_000, ['pods']);
    const b = await p.follow(600_000, ['configmaps']);
    await p.follow(600_000);
    expect(await p.listeners()).toBe(1);
    expect(p.subjects.filter((s) => s === names.logAppended)).toHaveLength(1);

    // One poke reaches each follower it concerns.
    const [pod, cm] = [await put(store, 'pods', 1), await put(store, 'configmaps', 2)];
    p.nc.publish(names.logAppended, appendedPayload(['pods', 'configmaps']));
    await eventually(() => {
      expect(positions(a.seen)).toEqual(positions([pod]));
      expect(positions(b.seen)).toEqual(positions([cm]));
    });

    for (const f of followers.splice(0)) await f.stop();
    expect(await p.listeners()).toBe(0);
    // A follower started afterwards subscribes and listens again.
    await p.follow(600_000);
    expect(p.subjects.filter((s) => s === names.logAppended)).toHaveLength(2);
    expect(await p.listeners()).toBe(1);
  });

  it('polls once for all its followers while nothing happens, and every follower behind the tip catches up by the poll', async () => {
    const p = await startProcess('wakeups-poll');
    const pods = await p.follow(50, ['pods']);
    const maps = await p.follow(50, ['configmaps']);
    const all = await p.follow(50);
    const isRead = (s: string) => !s.includes('ORDER BY transaction_id DESC');

    // Idle: the poll probes the tip and finds every follower there, so none of them reads.
    const before = p.statements.length;
    await eventually(() => expect(p.statements.length - before).toBeGreaterThanOrEqual(3));
    expect(p.statements.slice(before).filter(isRead)).toEqual([]);

    // No wake-up at all: the poll finds the new tip and wakes each follower behind it.
    const added = [await put(store, 'pods', 10), await put(store, 'configmaps', 11)];
    await eventually(() => {
      expect(positions(pods.seen)).toEqual(positions([added[0]]));
      expect(positions(maps.seen)).toEqual(positions([added[1]]));
      expect(positions(all.seen)).toEqual(positions(added));
    });
    for (const { follower } of [pods, maps, all]) expect(compareLogPositions(follower.current, added[1])).toBe(0);
  });

  it('reaches a write hidden behind a transaction that appends nothing (and so wakes nobody) once that one ends', async () => {
    const p = await startProcess('wakeups-hidden');
    // No poll and no wake-up during the test: only the follower's own re-reads can find the write.
    const { follower, seen } = await p.follow(600_000);
    const open = await db.pool.connect();
    try {
      await open.query('BEGIN');
      // An id of its own, as any writing transaction (an audit record, a lease) has: it holds the horizon back.
      await open.query('SELECT pg_current_xact_id()');
      const hidden = await put(store, 'pods', 200);
      const reached = follower.waitFor(hidden, 20_000);
      // The follower reads at once and finds nothing yet; a while later the open transaction ends, silently.
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual([]);
      await open.query('COMMIT');
      expect(await reached).toBe(true);
      expect(positions(seen)).toEqual(positions([hidden]));
    } finally {
      open.release();
    }
  });

  it('applies every event once, in log order, however many wake-ups come during its reads', async () => {
    const p = await startProcess('wakeups-storm');
    const { follower, seen } = await p.follow(20);
    const added: RecordedEvent[] = [];
    const writes = (async () => {
      for (let i = 0; i < 40; i++) added.push(await put(store, 'pods', 100 + i));
    })();
    const storm = setInterval(() => {
      void follower.kick();
      p.nc.publish(names.logAppended);
    }, 1);
    try {
      await writes;
    } finally {
      clearInterval(storm);
    }
    expect(await follower.waitFor(added[added.length - 1], 10_000)).toBe(true);
    expect(positions(seen)).toEqual(positions(added));
  });
});
