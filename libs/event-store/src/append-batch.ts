import { DatabaseError, type Pool, type PoolClient } from 'pg';
import { APPEND_CHANNEL } from './append';
import { newEventId } from './event-id';
import { ExpectedVersion, VersionConflictError } from './errors';
import { NewEvent, RecordedEvent, recordedFromSent } from './recorded-event';

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedVersion?: ExpectedVersion;
}

/** Raised by events_version_conflict() (migration 3): the statement wrote nothing. */
export const VERSION_CONFLICT_SQLSTATE = 'EV409';

/**
 * What a whole batch asks of one stream: the version it must be at before the batch (`base`, or any
 * version for 'any'), and how many events the batch adds to it. A stream named by several items gets one
 * plan: each item's expectation, shifted by the events of the items before it, must agree on `base`.
 */
interface StreamPlan {
  streamId: string;
  check: 'new' | 'any' | 'exact';
  base: number;
  total: number;
}

/** The version the stream must be at before the batch for `expected` to hold after `before` earlier events of the batch. */
function requiredBase(expected: ExpectedVersion, before: number): number | 'any' | 'never' {
  if (expected === 'any') return 'any';
  // As appendToStream reads it: a positive number is an exact version, anything else means no stream yet.
  const target = typeof expected === 'number' && expected > 0 ? expected : 0;
  return target < before ? 'never' : target - before;
}

/** Per stream plans (sorted by stream id, so that concurrent batches lock in the same order), or null if no base satisfies every item. */
function planStreams(items: StreamAppend[]): StreamPlan[] | null {
  const plans = new Map<string, { base: number | 'any'; total: number }>();
  for (const item of items) {
    if (item.events.length === 0) continue;
    const plan = plans.get(item.streamId) ?? { base: 'any' as const, total: 0 };
    const base = requiredBase(item.expectedVersion ?? 'any', plan.total);
    if (base === 'never' || (base !== 'any' && plan.base !== 'any' && plan.base !== base)) return null;
    if (base !== 'any') plan.base = base;
    plan.total += item.events.length;
    plans.set(item.streamId, plan);
  }
  return [...plans]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([streamId, p]) => ({
      streamId,
      check: p.base === 'any' ? 'any' : p.base === 0 ? 'new' : 'exact',
      base: p.base === 'any' ? 0 : p.base,
      total: p.total,
    }));
}

/**
 * Every stream of the batch moved and every event inserted in ONE statement, all or nothing without a
 * transaction of its own: each stream appears once, in the CTE of its check (created / moved / bumped, as
 * appendToStream does for one stream), and if any stream did not move, `verdict` calls
 * events_version_conflict(), which aborts the statement and so undoes the rest. Events carry their
 * version within the batch's share of their stream (`rel`), so their stream version is the stream's new
 * version minus the batch's total plus `rel`; ORDER BY keeps positions in the order of the items. The
 * events' bodies arrive as two JSON arrays, matched to the other columns by their ordinality.
 * `verdict` is the preserved side of the final join, so it runs even when no event would be inserted.
 */
const APPEND_BATCH_SQL = (notify: boolean) => `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS i(stream_id, check_kind, base, total)
),
created AS (
  INSERT INTO streams (stream_id, version)
  SELECT stream_id, total FROM input WHERE check_kind = 'new'
  ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id, version
),
moved AS (
  INSERT INTO streams (stream_id, version)
  SELECT stream_id, total FROM input WHERE check_kind = 'any'
  ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version RETURNING stream_id, version
),
bumped AS (
  UPDATE streams s SET version = s.version + i.total FROM input i
  WHERE i.check_kind = 'exact' AND s.stream_id = i.stream_id AND s.version = i.base
  RETURNING s.stream_id, s.version
),
v AS (SELECT * FROM created UNION ALL SELECT * FROM moved UNION ALL SELECT * FROM bumped),
verdict AS (
  SELECT CASE WHEN count(*) = cardinality($1::text[]) THEN true
    ELSE events_version_conflict((SELECT i.stream_id FROM input i WHERE i.stream_id NOT IN (SELECT stream_id FROM v) LIMIT 1))
  END AS ok${notify ? `, pg_notify('${APPEND_CHANNEL}', '') IS NULL AS notified` : ''}
  FROM v
),
ins AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
  SELECT e.stream_id, v.version - i.total + e.rel, e.id, e.type, d.data, m.metadata
  FROM unnest($5::text[], $6::bigint[], $7::uuid[], $8::text[]) WITH ORDINALITY AS e(stream_id, rel, id, type, n)
  JOIN jsonb_array_elements($9::jsonb) WITH ORDINALITY AS d(data, n) ON d.n = e.n
  JOIN jsonb_array_elements($10::jsonb) WITH ORDINALITY AS m(metadata, n) ON m.n = e.n
  JOIN v ON v.stream_id = e.stream_id JOIN input i ON i.stream_id = e.stream_id
  ORDER BY e.n
  RETURNING stream_id, stream_version, position, transaction_id, created_at
)
SELECT verdict.ok, ins.* FROM verdict LEFT JOIN ins ON true`;

const STATEMENTS = {
  notify: { name: 'op_es_append_batch_notify', text: APPEND_BATCH_SQL(true) },
  quiet: { name: 'op_es_append_batch_quiet', text: APPEND_BATCH_SQL(false) },
};

/**
 * The conflict an item-by-item append would meet: the first item, in order, whose expectation fails
 * against the streams' versions as the items before it left them (so the error names the same stream,
 * expectation and actual version as when each item was its own statement).
 */
async function explainConflict(db: Pool | PoolClient, items: StreamAppend[], named?: string): Promise<VersionConflictError> {
  const ids = [...new Set(items.map((i) => i.streamId))];
  const { rows } = await db.query('SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])', [ids]);
  const versions = new Map<string, number>(rows.map((r) => [r.stream_id, Number(r.version)]));
  for (const item of items) {
    if (item.events.length === 0) continue;
    const expected = item.expectedVersion ?? 'any';
    const actual = versions.get(item.streamId) ?? 0;
    const wanted = requiredBase(expected, 0);
    if (wanted !== 'any' && wanted !== actual) return new VersionConflictError(item.streamId, expected, actual);
    versions.set(item.streamId, actual + item.events.length);
  }
  // The streams moved again since the statement failed: name the stream Postgres named.
  const stream = items.find((i) => i.streamId === named) ?? items[0];
  return new VersionConflictError(stream.streamId, stream.expectedVersion ?? 'any', versions.get(stream.streamId) ?? 0);
}

/**
 * Appends to several streams, all or nothing, in one statement (see APPEND_BATCH_SQL). Results are per
 * item, in order; an item without events gets version 0 and no events, and checks nothing. With a
 * `client`, the statement runs in the caller's transaction under a savepoint, so a version conflict
 * leaves that transaction usable, as a conflicting single append does.
 */
export async function appendStreams(
  db: Pool | PoolClient,
  items: StreamAppend[],
  opts: { notify: boolean; inTransaction: boolean },
): Promise<RecordedEvent[][]> {
  const plans = planStreams(items);
  if (!plans) throw await explainConflict(db, items);
  const ids = items.map((item) => item.events.map((e) => e.id?.toLowerCase() ?? newEventId()));
  const data = items.map((item) => item.events.map((e) => JSON.stringify(e.data)));
  const metadata = items.map((item) => item.events.map((e) => JSON.stringify(e.metadata)));
  const seen = new Map<string, number>();
  const rel = items.map((item) => {
    const before = seen.get(item.streamId) ?? 0;
    seen.set(item.streamId, before + item.events.length);
    return item.events.map((_, j) => before + j + 1);
  });
  const values = [
    plans.map((p) => p.streamId),
    plans.map((p) => p.check),
    plans.map((p) => p.base),
    plans.map((p) => p.total),
    items.flatMap((item) => item.events.map(() => item.streamId)),
    rel.flat(),
    ids.flat(),
    items.flatMap((item) => item.events.map((e) => e.type)),
    // Bodies go as one JSON array each, not as text[]: pg would escape every body again into an array
    // literal in JavaScript (a quarter of the sim fleet's CPU in a burst profile).
    `[${data.flat().join(',')}]`,
    `[${metadata.flat().join(',')}]`,
  ];
  const query = { ...STATEMENTS[opts.notify ? 'notify' : 'quiet'], values };
  let rows: any[];
  if (opts.inTransaction) await db.query('SAVEPOINT op_es_append_batch');
  try {
    rows = (await db.query(query)).rows;
  } catch (err) {
    if (!(err instanceof DatabaseError) || err.code !== VERSION_CONFLICT_SQLSTATE) throw err;
    if (opts.inTransaction) await db.query('ROLLBACK TO SAVEPOINT op_es_append_batch');
    throw await explainConflict(db, items, /stream (.*) is not at/.exec(err.message)?.[1]);
  }
  if (opts.inTransaction) await db.query('RELEASE SAVEPOINT op_es_append_batch');
  // RETURNING promises no order: (stream, version) says which row is which event, and a stream's
  // lowest version in the batch is the one its first event (rel 1) got.
  const rowOf = new Map<string, any>();
  const base = new Map<string, number>();
  for (const r of rows) {
    if (r.stream_id === null) continue;
    rowOf.set(`${r.stream_version}:${r.stream_id}`, r);
    const before = Number(r.stream_version) - 1;
    const low = base.get(r.stream_id);
    if (low === undefined || before < low) base.set(r.stream_id, before);
  }
  return items.map((item, i) =>
    item.events.map((event, j) =>
      recordedFromSent(rowOf.get(`${(base.get(item.streamId) ?? 0) + rel[i][j]}:${item.streamId}`), {
        id: ids[i][j],
        streamId: item.streamId,
        type: event.type,
        data: data[i][j],
        metadata: metadata[i][j],
      }),
    ),
  );
}
