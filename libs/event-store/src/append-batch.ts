import { DatabaseError, type Pool, type PoolClient } from 'pg';
import { APPEND_CHANNEL } from './append';
import { newEventId } from './event-id';
import { ExpectedVersion, VersionConflictError } from './errors';
import { streamVersions } from './read-stream';
import { DECIDED, Decided, NewEvent, RecordedEvent, parseDecided, recordedFromSent } from './recorded-event';
import { appendStatement, versionTaken } from './version-check';

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedVersion?: ExpectedVersion;
}

/** Raised by events_version_conflict() (migration 3): the statement wrote nothing. */
export const VERSION_CONFLICT_SQLSTATE = 'EV409';

/**
 * What a whole batch asks of one stream: the version it must be at before the batch (`base`; null for
 * 'any'). A stream named by several items gets one plan: each item's expectation, shifted by the events of
 * the items before it, must agree on `base`.
 */
interface StreamPlan {
  streamId: string;
  base: number | null;
}

/** The version the stream must be at before the batch for `expected` to hold after `before` earlier events of the batch. */
function requiredBase(expected: ExpectedVersion, before: number): number | 'any' | 'never' {
  if (expected === 'any') return 'any';
  // As appendToStream reads it: a positive number is an exact version, anything else means no stream yet.
  const target = typeof expected === 'number' && expected > 0 ? expected : 0;
  return target < before ? 'never' : target - before;
}

/** Per stream plans, or null if no base satisfies every item. */
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
  return [...plans].map(([streamId, p]) => ({ streamId, base: p.base === 'any' ? null : p.base }));
}

/**
 * Every stream of the batch checked and every event inserted in ONE statement, all or nothing without a
 * transaction of its own. `heads` holds each stream's version before the batch: its last event's, or 0
 * without reading for a stream that must be new (the insert's unique check is the test). If a stream is not
 * at the version the batch wants, `verdict` calls events_version_conflict(), which aborts the statement;
 * a writer that took one of the versions meanwhile makes the unique (stream_id, stream_version) index abort
 * it. An event's version is its stream's head plus its place in the batch's share of the stream (`rel`).
 * Positions are taken in item order (`numbered`), and the rows are then inserted in stream order, so that
 * concurrent batches wait on each other's index entries in one order and cannot deadlock. The events'
 * bodies arrive as two JSON arrays, matched to the other columns by their ordinality.
 */
const APPEND_BATCH_SQL = (notify: boolean) => `
WITH heads AS MATERIALIZED (
  SELECT i.stream_id, i.base, CASE WHEN i.base = 0 THEN 0
    ELSE (SELECT coalesce(max(e.stream_version), 0) FROM events e WHERE e.stream_id = i.stream_id) END AS version
  FROM unnest($1::text[], $2::bigint[]) AS i(stream_id, base)
),
verdict AS (
  SELECT CASE WHEN bool_and(base IS NULL OR version = base) THEN true
    ELSE events_version_conflict((SELECT stream_id FROM heads WHERE version <> base LIMIT 1)) END AS ok
  FROM heads
),
numbered AS MATERIALIZED (
  SELECT e.stream_id, e.rel, e.id, e.type, d.data, m.metadata, nextval('events_position_seq') AS position
  FROM unnest($3::text[], $4::bigint[], $5::uuid[], $6::text[]) WITH ORDINALITY AS e(stream_id, rel, id, type, n)
  JOIN json_array_elements($7::json) WITH ORDINALITY AS d(data, n) ON d.n = e.n
  JOIN json_array_elements($8::json) WITH ORDINALITY AS m(metadata, n) ON m.n = e.n
  ORDER BY e.n
),
ins AS (
  INSERT INTO events (position, stream_id, stream_version, event_id, type, data, metadata)
  SELECT n.position, n.stream_id, h.version + n.rel, n.id, n.type, n.data, n.metadata
  FROM numbered n JOIN heads h ON h.stream_id = n.stream_id
  WHERE (SELECT ok FROM verdict)
  ORDER BY n.stream_id, n.rel
  RETURNING stream_id, ${DECIDED}
)
SELECT ins.*${notify ? `, (SELECT pg_notify('${APPEND_CHANNEL}', '') IS NULL) AS notified` : ''} FROM ins`;

const STATEMENTS = {
  notify: { name: 'op_es_append_batch_notify', text: APPEND_BATCH_SQL(true) },
  quiet: { name: 'op_es_append_batch_quiet', text: APPEND_BATCH_SQL(false) },
};

/**
 * The conflict an item-by-item append would meet: the first item, in order, whose expectation fails
 * against the streams' versions as the items before it left them (so the error names the same stream,
 * expectation and actual version as when each item was its own statement). None if every item holds.
 */
async function firstConflict(db: Pool | PoolClient, items: StreamAppend[]): Promise<VersionConflictError | undefined> {
  const versions = await streamVersions(db, [...new Set(items.map((i) => i.streamId))]);
  for (const item of items) {
    if (item.events.length === 0) continue;
    const expected = item.expectedVersion ?? 'any';
    const actual = versions.get(item.streamId) ?? 0;
    const wanted = requiredBase(expected, 0);
    if (wanted !== 'any' && wanted !== actual) return new VersionConflictError(item.streamId, expected, actual);
    versions.set(item.streamId, actual + item.events.length);
  }
  return undefined;
}

/** The statement was refused for a stream's version: its check (EV409) or the unique index (a racing writer). */
function refused(err: unknown): boolean {
  return versionTaken(err) || (err instanceof DatabaseError && err.code === VERSION_CONFLICT_SQLSTATE);
}

/**
 * Appends to several streams, all or nothing, in one statement (see APPEND_BATCH_SQL). Results are per
 * item, in order; an item without events gets version 0 and no events, and checks nothing. With a client
 * (a caller's open transaction), the statement runs under a savepoint, so a version conflict leaves that
 * transaction usable, as a conflicting single append does.
 */
export async function appendStreams(db: Pool | PoolClient, items: StreamAppend[], notify: boolean): Promise<RecordedEvent[][]> {
  const plans = planStreams(items);
  // Items that contradict each other cannot all hold at any version, so the replay finds the first to fail.
  if (!plans) throw (await firstConflict(db, items))!;
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
    plans.map((p) => p.base),
    items.flatMap((item) => item.events.map(() => item.streamId)),
    rel.flat(),
    ids.flat(),
    items.flatMap((item) => item.events.map((e) => e.type)),
    // Bodies go as one JSON array each, not as text[]: pg would escape every body again into an array
    // literal in JavaScript (a quarter of the sim fleet's CPU in a burst profile).
    `[${data.flat().join(',')}]`,
    `[${metadata.flat().join(',')}]`,
  ];
  const query = { ...STATEMENTS[notify ? 'notify' : 'quiet'], values };
  let rows: any[] | undefined;
  while (!rows) {
    try {
      rows = (await appendStatement(db, () => db.query(query))).rows;
    } catch (err) {
      if (!refused(err)) throw err;
      const conflict = await firstConflict(db, items);
      if (conflict) throw conflict;
      // Every expectation holds now: the statement lost an 'any' stream's version (or read a stream just
      // before it reached the version wanted) to a writer that has committed since. It goes again.
    }
  }
  // RETURNING promises no order: (stream, version) says which row is which event, and a stream's
  // lowest version in the batch is the one its first event (rel 1) got.
  const rowOf = new Map<string, Decided>();
  const base = new Map<string, number>();
  for (const r of rows) {
    const decided = parseDecided(r.decided);
    rowOf.set(`${decided.streamVersion}:${r.stream_id}`, decided);
    const before = decided.streamVersion - 1;
    const low = base.get(r.stream_id);
    if (low === undefined || before < low) base.set(r.stream_id, before);
  }
  return items.map((item, i) =>
    item.events.map((event, j) =>
      recordedFromSent(rowOf.get(`${(base.get(item.streamId) ?? 0) + rel[i][j]}:${item.streamId}`)!, {
        id: ids[i][j],
        streamId: item.streamId,
        type: event.type,
        data: data[i][j],
        metadata: metadata[i][j],
      }),
    ),
  );
}
