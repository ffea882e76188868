import { appendedPayload, natsNames, NatsNames, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { appendToStream, compareLogPositions, EventStore, LogPosition, migrate, RecordedEvent } from '@openpacific/event-store';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, NatsConnection } from 'nats';
import { Pool } from 'pg';
import { readFollowed } from './followed-read';
import { LogFollower } from './log-follower';
import { pokedFollower } from './poked-follower';

const META = { actor: 'test', source: 'test' };
const logger = { warn: () => undefined };
const object = (kind: string, name: string, n: number) => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default', uid: `uid-${kind}-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' }, data: { n } });

/** Appends one object event of `resource` (a new stream each time) and returns it. */
async function put(store: EventStore, resource: string, n: number): Promise<RecordedEvent> {
  const name = `${resource}-${n}`;
  const { events } = await store.append(objectStreamId(resource, 'default', name), [
    { type: ObjectEventTypes.created, data: { resource, object: object(resource, name, n) }, metadata: META },
  ]);
  return events[0];
}

const positions = (events: RecordedEvent[]) => events.map((e) => `${e.transactionId}:${e.position}`);
const inLogOrder = (events: RecordedEvent[]) => [...events].sort((a, b) => compareLogPositions(a, b));

/** A pool whose queries are counted: a follower's reads are its queries (its LISTEN uses a client of its own). */
function countedPool(url: string): { pool: Pool; queries: () => number } {
  const pool = new Pool({ connectionString: url, max: 2 });
  let n = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    n++;
    return query(...args);
  };
  return { pool, queries: () => n };
}

describe('a follower of some resources', () => {
  let db: TestDatabase;
  let store: EventStore;
  let nc: NatsConnection;
  let names: NatsNames;
  const followers: LogFollower[] = [];
  const pools: Pool[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('followedlog');
    await migrate(db.pool);
    store = new EventStore(db.pool, { notify: false });
    nc = await connect({ servers: testNatsUrl });
    names = natsNames(uniqueNatsPrefix('followedlog'));
  });
  afterEach(async () => {
    for (const f of followers.splice(0)) await f.stop();
    for (const p of pools.splice(0)) await p.end();
  });
  afterAll(async () => {
    await nc.drain();
    await db.drop();
  });

  /** A poked follower of `follows` over a counted pool of its own, started; `seen` gathers what it applied. */
  async function follow(follows: string[], pollMs: number, batchSize = 2000) {
    const counted = countedPool(db.url);
    pools.push(counted.pool);
    const seen: RecordedEvent[] = [];
    const follower = pokedFollower({ store, pool: counted.pool, nats: nc, names, logger }, (events) => seen.push(...events), { follows, pollMs, batchSize });
    followers.push(follower);
    await follower.start();
    // What the tests before left in the log is the replay's (last test); each test looks at its own appends.
    const replayed = seen.splice(0);
    return { follower, seen, replayed, queries: counted.queries };
  }

  const poke = (resources?: string[]) => nc.publish(names.logAppended, resources ? appendedPayload(resources) : undefined);

  it('reads only its resources, every one of them in log order, across pages and past an open transaction', async () => {
    const start = (await store.readAll({ limit: 100_000 })).pop();
    const after: LogPosition | undefined = start && { transactionId: start.transactionId, position: start.position };
    const written: RecordedEvent[] = [];
    for (let i = 0; i < 12; i++) written.push(await put(store, i % 3 === 0 ? 'pods' : 'configmaps', i));
    // A transaction holding a lower position stays open while others commit above it.
    const slow = await db.pool.connect();
    await slow.query('BEGIN');
    const [held] = await appendToStream(slow, objectStreamId('pods', 'default', 'slow'), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: object('pods', 'slow', 99) }, metadata: META }], 'any');
    const late = [await put(store, 'configmaps', 100), await put(store, 'pods', 101)];

    const read: RecordedEvent[] = [];
    let at = after;
    for (;;) {
      const page = await readFollowed(db.pool, { after: at, limit: 4, resources: ['pods'] });
      if (page.scanned === 0) break;
      read.push(...page.events);
      at = page.scannedTo;
    }
    // Every pod before the open transaction, nothing of it or after it, and no ConfigMap.
    expect(positions(read)).toEqual(positions(written.filter((e) => e.data.resource === 'pods')));
    expect(compareLogPositions(at!, written[written.length - 1])).toBe(0);
    // The time, parsed only when read, is the one the append was given.
    expect(read.map((e) => e.createdAt)).toEqual(written.filter((e) => e.data.resource === 'pods').map((e) => e.createdAt));
    expect(read.every((e) => e.createdAt instanceof Date && e.createdAt.getTime() > 0)).toBe(true);

    await slow.query('COMMIT');
    slow.release();
    const rest = await readFollowed(db.pool, { after: at, limit: 4, resources: ['pods'] });
    expect(positions(rest.events)).toEqual(positions(inLogOrder([held, late[1]])));
    expect(rest.events.map((e) => e.data.object.data.n)).toEqual(inLogOrder([held, late[1]]).map((e) => e.data.object.data.n));
  });

  it('sleeps through wake-ups naming other resources and reads on those naming its own', async () => {
    // Polls far apart: only wake-ups make these followers read during the test.
    const pods = await follow(['pods'], 600_000);
    const maps = await follow(['configmaps'], 600_000);
    const podReads = pods.queries();

    const cms = [await put(store, 'configmaps', 1), await put(store, 'configmaps', 2)];
    poke(['configmaps']);
    // The server delivers the poke to both subscriptions before it answers the flush's ping.
    await nc.flush();
    await eventually(() => expect(positions(maps.seen).slice(-2)).toEqual(positions(cms)));
    // The pods follower had the poke too, and read nothing.
    expect(pods.queries()).toBe(podReads);
    expect(pods.seen).toEqual([]);

    const added = [await put(store, 'pods', 3), await put(store, 'configmaps', 4), await put(store, 'pods', 5)];
    poke(['configmaps', 'pods']);
    await eventually(() => expect(positions(pods.seen)).toEqual(positions([added[0], added[2]])));
    expect(pods.seen.every((e) => e.data.resource === 'pods')).toBe(true);
    // The follower moved past the ConfigMaps it skipped, to the last event it passed over.
    await eventually(() => expect(compareLogPositions(pods.follower.current, added[2])).toBe(0));
  });

  it('still wakes on a wake-up that names nothing, and moves past what it skips when asked to wait for it', async () => {
    const pods = await follow(['pods'], 600_000);
    const cm = await put(store, 'configmaps', 1);
    // Waiting for a position kicks a read: the position passes a ConfigMap the follower never holds.
    expect(await pods.follower.waitFor(cm, 5000)).toBe(true);
    expect(pods.seen).toEqual([]);

    const pod = await put(store, 'pods', 2);
    poke();
    await eventually(() => expect(positions(pods.seen)).toEqual(positions([pod])));
  });

  it('catches up on a lost wake-up by its poll, in order', async () => {
    const pods = await follow(['pods'], 100);
    const added: RecordedEvent[] = [];
    for (let i = 0; i < 6; i++) added.push(await put(store, i % 2 ? 'pods' : 'configmaps', i));
    // A wake-up that names the wrong resources is as good as lost.
    poke(['configmaps']);
    await eventually(() => expect(positions(pods.seen)).toEqual(positions(added.filter((e) => e.data.resource === 'pods'))));
  });

  it('parses and hands out only the followed events `keep` wants, asked in log order with the body as text, and moves past the rest', async () => {
    const start = (await store.readAll({ limit: 100_000 })).pop();
    const after: LogPosition | undefined = start && { transactionId: start.transactionId, position: start.position };
    const written: RecordedEvent[] = [];
    for (let i = 0; i < 9; i++) written.push(await put(store, i % 3 === 0 ? 'configmaps' : 'pods', 200 + i));
    const asked: { streamId: string; type: string; data: unknown }[] = [];
    const read: RecordedEvent[] = [];
    let at = after;
    for (;;) {
      const page = await readFollowed(db.pool, {
        after: at,
        limit: 4,
        resources: ['pods'],
        keep: (e) => {
          asked.push(e);
          return /"n":20[247]\b/.test(e.data);
        },
      });
      if (page.scanned === 0) break;
      read.push(...page.events);
      at = page.scannedTo;
    }
    const pods = written.filter((e) => e.data.resource === 'pods');
    // Asked about every followed event and no other, in log order, with the JSON text of its body.
    expect(asked.map((e) => e.streamId)).toEqual(pods.map((e) => e.streamId));
    expect(asked.every((e) => typeof e.data === 'string' && e.type === ObjectEventTypes.created)).toBe(true);
    expect(asked.map((e) => JSON.parse(e.data as string))).toEqual(pods.map((e) => e.data));
    // Handed out parsed, as a follower without `keep` gets them; past everything else.
    expect(read).toEqual(pods.filter((e) => [202, 204, 207].includes(e.data.object.data.n)));
    expect(compareLogPositions(at!, written[written.length - 1])).toBe(0);
  });

  it('replays every event of its resources from the start of the log after a restart, in small pages', async () => {
    const all = await store.readAll({ limit: 100_000 });
    const pods = await follow(['pods'], 600_000, 3);
    expect(positions(pods.replayed)).toEqual(positions(all.filter((e) => e.data.resource === 'pods')));
    expect(compareLogPositions(pods.follower.current, all[all.length - 1])).toBe(0);
  });
});
