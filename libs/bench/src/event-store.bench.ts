import { randomUUID } from 'node:crypto';
import { EventStore, GroupCommit, migrate, newEventId } from '@openpacific/event-store';
import { createTestDatabase } from '@openpacific/testing';
import { openEmmett } from './emmett-peer';
import { measure } from './measure';

const catalogue = { Benched: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } };
const meta = { actor: 'bench', source: 'bench' };
const BATCH_STREAMS = 250;

/** Slices per cell of `alternating`: about half a second each at the default 3 s. */
const SLICE_MS = 500;

/** The writer's own work between two raw INSERTs in the `spaced` cell, in microseconds of CPU. */
const SPACING_MICROS = 20;

/** Keeps this process's CPU busy for `micros` (the `spaced` cell's work between statements). */
function busy(micros: number): void {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until);
}

/**
 * Runs each kind of work for `durationMs` in total, in slices that take turns (raw, append, raw,
 * append…), so that a change of load on a shared machine falls on both alike rather than on whichever
 * cell ran in the bad second. Per kind: operations/s over its own slices, percentiles over all its
 * operations.
 */
async function alternating<K extends string>(writers: number, durationMs: number, kinds: Record<K, (writer: number) => Promise<void>>) {
  const slices = Math.max(1, Math.round(durationMs / SLICE_MS));
  const names = Object.keys(kinds) as K[];
  const acc = new Map(names.map((k) => [k, { ops: 0, seconds: 0, cpuMicros: 0, latencies: [] as number[] }]));
  for (let slice = 0; slice < slices; slice++) {
    for (const kind of names) {
      const a = acc.get(kind)!;
      const cpu = process.cpuUsage();
      const r = await measure(writers, durationMs / slices, async (w) => {
        const t = performance.now();
        await kinds[kind](w);
        a.latencies.push(performance.now() - t);
      });
      const used = process.cpuUsage(cpu);
      a.cpuMicros += used.user + used.system;
      a.ops += r.ops;
      a.seconds += r.ops > 0 ? r.ops / r.perSecond : durationMs / slices / 1000;
    }
  }
  const out = {} as Record<K, { perSecond: number; p50: number; p99: number; writerMicros: number }>;
  for (const [kind, a] of acc) {
    const sorted = a.latencies.sort((x, y) => x - y);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    out[kind] = { perSecond: a.ops / a.seconds, p50: pct(50), p99: pct(99), writerMicros: a.ops > 0 ? a.cpuMicros / a.ops : 0 };
  }
  return out;
}

/**
 * Appends against raw INSERT transactions on the same database in the same
 * run: 1, 8 and 32 writers, one event per transaction and 100 per
 * transaction (one stream each), so the store's overhead shows as a ratio.
 * Raw and single appends take turns in half-second slices (`alternating`),
 * and the raw INSERT is a named (prepared) statement as the append is, so
 * the ratio compares the work and not the moment or the protocol. "raw event row" takes the same turns: the
 * same event row as a single append writes (its columns, a version 7 id), as a plain named INSERT without
 * RETURNING into a table of the log's own shape (`LIKE events INCLUDING ALL`: the defaults, the position
 * sequence, the CHECK, the three unique indexes; and the same triggers), so that the append's distance from
 * the raw INSERT splits into what the log's rows and index entries cost Postgres and what the store's own
 * statement and code add to that. "next"
 * appends take the same turns: one event to the writer's own existing stream
 * at its exact version, as the services write most of their events (the
 * stream head's update, not its insert). "grouped" appends take the same turns too: the same single-event
 * appends to new streams, through `GroupCommit` as the gateway writes objects, where appends that wait while
 * its statements are out share the next one (one round trip, one commit, each append still on its own). A
 * third cell writes `appendBatch`es of 250 new streams of one event each, the
 * shape of the scheduler's binding chunks and the fleet's status writes.
 * "raw, 20 µs apart" takes the same turns: the raw INSERT after 20 µs of the writer's own CPU, about what the
 * store's code adds to a statement. On a virtual machine whose idle cores wake slowly, that alone can take a
 * single writer's rate far below the raw INSERT's, as the database's core sleeps between statements (see
 * docs/benchmarks.md, "Thirty-eighth round"): the cell says how much of the single writer's gap is the machine.
 * The writer's CPU per transaction (this process's, over each cell's slices) is shown for the raw INSERT and
 * the append.
 * Emmett's PostgreSQL store runs the same cells on the same database when it
 * is installed (see emmett-peer.ts); otherwise a note says why not.
 */
export async function eventStoreBench(durationMs: number) {
  const db = await createTestDatabase('bench');
  await migrate(db.pool);
  await db.pool.query('CREATE TABLE raw_inserts (id uuid PRIMARY KEY, stream text, data json)');
  await db.pool.query(`CREATE TABLE raw_events (LIKE events INCLUDING ALL);
    CREATE TRIGGER raw_events_no_update_or_delete BEFORE UPDATE OR DELETE ON raw_events FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
    CREATE TRIGGER raw_events_no_truncate BEFORE TRUNCATE ON raw_events FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();`);
  // As the services run it: no Postgres NOTIFY (followers are poked over NATS).
  const store = new EventStore(db.pool, { catalogue, notify: false });
  const grouped = new GroupCommit(store);
  const rows: Record<string, unknown>[] = [];
  const emmett = await openEmmett(db.url, db.pool);
  // Warm up outside the timed cells: the pool's connections, the validator's compiled schema.
  await Promise.all(Array.from({ length: 10 }, () => db.pool.query('SELECT 1')));
  await store.append(`warm-${randomUUID()}`, [{ type: 'Benched', data: { n: 0 }, metadata: meta }]);
  try {
    for (const writers of [1, 8, 32]) {
      // Each writer's own stream for the `next` cell: appends at the exact version it last wrote.
      const own = await Promise.all(Array.from({ length: writers }, async (_, w) => {
        const streamId = `x-${w}-${randomUUID()}`;
        return { streamId, version: (await store.append(streamId, [{ type: 'Benched', data: { n: 0 }, metadata: meta }], { expectedVersion: 'no_stream' })).streamVersion };
      }));
      const rawInsert = () => db.pool.query({ name: 'bench_raw_insert', text: 'INSERT INTO raw_inserts VALUES ($1, $2, $3)', values: [randomUUID(), 'raw', JSON.stringify({ n: 1 })] });
      const { raw, spaced, row, single, next, group } = await alternating(writers, durationMs, {
        raw: async () => {
          await rawInsert();
        },
        spaced: async () => {
          busy(SPACING_MICROS);
          await rawInsert();
        },
        row: async (w) => {
          await db.pool.query({
            name: 'bench_raw_event_row',
            text: 'INSERT INTO raw_events (stream_id, stream_version, event_id, type, data, metadata) VALUES ($1, 1, $2, $3, $4, $5)',
            values: [`r-${w}-${randomUUID()}`, newEventId(), 'Benched', JSON.stringify({ n: 1 }), JSON.stringify(meta)],
          });
        },
        single: async (w) => {
          await store.append(`s-${w}-${randomUUID()}`, [{ type: 'Benched', data: { n: 1 }, metadata: meta }], { expectedVersion: 'no_stream' });
        },
        next: async (w) => {
          own[w].version = (await store.append(own[w].streamId, [{ type: 'Benched', data: { n: 1 }, metadata: meta }], { expectedVersion: own[w].version })).streamVersion;
        },
        group: async (w) => {
          await grouped.append(`g-${w}-${randomUUID()}`, { type: 'Benched', data: { n: 1 }, metadata: meta }, 'no_stream');
        },
      });
      const batch = Array.from({ length: 100 }, (_, n) => ({ type: 'Benched', data: { n }, metadata: meta }));
      const batched = await measure(writers, durationMs, async (w) => {
        await store.append(`b-${w}-${randomUUID()}`, batch, { expectedVersion: 'no_stream' });
      });
      const streams = await measure(writers, durationMs, async (w) => {
        const prefix = `m-${w}-${randomUUID()}`;
        await store.appendBatch(Array.from({ length: BATCH_STREAMS }, (_, n) => ({ streamId: `${prefix}-${n}`, events: [{ type: 'Benched', data: { n }, metadata: meta }], expectedVersion: 'no_stream' as const })));
      });
      const peer =
        typeof emmett === 'string'
          ? undefined
          : {
              single: await measure(writers, durationMs, async (w) => {
                await emmett.append(`s-${w}-${randomUUID()}`, [{ type: 'Benched', data: { n: 1 }, metadata: meta }]);
              }),
              batched: await measure(writers, durationMs, async (w) => {
                await emmett.append(`b-${w}-${randomUUID()}`, batch);
              }),
            };
      /** A cell's rate as a share of another's (by default the raw INSERT's) in the same run. */
      const ofRaw = (cell: { perSecond: number }, base = raw) => `${Math.round((100 * cell.perSecond) / base.perSecond)} %`;
      rows.push({
        writers,
        'raw INSERT tx/s': Math.round(raw.perSecond),
        'append tx/s': Math.round(single.perSecond),
        'append / raw': ofRaw(single),
        'raw event row tx/s': Math.round(row.perSecond),
        'raw event row / raw': ofRaw(row),
        'append / raw event row': ofRaw(single, row),
        [`raw, ${SPACING_MICROS} µs apart / raw`]: ofRaw(spaced),
        'raw: writer µs/tx': Math.round(raw.writerMicros),
        'append: writer µs/tx': Math.round(single.writerMicros),
        'append p50 ms': single.p50.toFixed(2),
        'append p99 ms': single.p99.toFixed(2),
        'next append tx/s': Math.round(next.perSecond),
        'next / raw': ofRaw(next),
        'grouped appends/s': Math.round(group.perSecond),
        'grouped / raw': ofRaw(group),
        'grouped p99 ms': group.p99.toFixed(2),
        '100-event batches: events/s': Math.round(batched.perSecond * 100),
        [`${BATCH_STREAMS}-stream batches: events/s`]: Math.round(streams.perSecond * BATCH_STREAMS),
        ...(peer && {
          'emmett tx/s': Math.round(peer.single.perSecond),
          'emmett / raw': ofRaw(peer.single),
          'emmett p50 ms': peer.single.p50.toFixed(2),
          'emmett 100-event batches: events/s': Math.round(peer.batched.perSecond * 100),
        }),
      });
    }
    if (typeof emmett === 'string') rows.push({ note: emmett });
  } finally {
    if (typeof emmett !== 'string') await emmett.close();
    await db.drop();
  }
  return rows;
}
