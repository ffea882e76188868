import { DatabaseError, Pool, type PoolClient } from 'pg';
import { newEventId } from './event-id';
import { ExpectedVersion, VersionConflictError } from './errors';
import { NewEvent, RecordedEvent, recordedFromSent } from './recorded-event';

export const APPEND_CHANNEL = 'op_events_appended';

/**
 * 'new' and 'create' both mean "no stream yet": 'new' with ON CONFLICT DO NOTHING, which a caller's open
 * transaction survives; 'create' a plain INSERT, for statements on their own (given the pool), where the
 * key's unique violation ends only this statement and says the same: the stream exists. A plain insert
 * skips the speculative insertion's second WAL record and its extra look-up of the key.
 */
type VersionCheck = 'any' | 'new' | 'create' | 'exact';

/**
 * Moves the stream's version and inserts the events in ONE statement (one
 * round trip, atomic on its own): the streams row is the optimistic lock,
 * and a version that does not match inserts nothing.
 */
function versionStep(check: VersionCheck): string {
  if (check === 'any') {
    return `INSERT INTO streams (stream_id, version) SELECT $1::text, $2::bigint WHERE $3::bigint IS NULL
            ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version RETURNING version`;
  }
  if (check === 'create') {
    return `INSERT INTO streams (stream_id, version) SELECT $1::text, $2::bigint WHERE $3::bigint IS NULL RETURNING version`;
  }
  if (check === 'new') {
    return `INSERT INTO streams (stream_id, version) SELECT $1::text, $2::bigint WHERE $3::bigint IS NULL
            ON CONFLICT (stream_id) DO NOTHING RETURNING version`;
  }
  return `UPDATE streams SET version = version + $2::bigint WHERE stream_id = $1::text AND version = $3::bigint RETURNING version`;
}

/**
 * The append statement, by version check, NOTIFY and whether it carries one
 * event or many. It returns only what Postgres decides (position,
 * transaction, stream version, time): the event bodies are what the caller
 * sent, so shipping them back would double the bytes on the wire and the JSON
 * parsing for nothing. One event (most appends) binds plain values, and no
 * ORDER BY wraps the insert: arrays, unnest and the sort each cost about as
 * much server time as a raw INSERT (measured, see docs/benchmarks.md).
 */
function appendSql(check: VersionCheck, notify: boolean, single: boolean): string {
  const rows = single
    ? `SELECT $1::text, v.version, $4::uuid, $5::text, $6::jsonb, $7::jsonb FROM v`
    : `SELECT $1::text, v.version - $2::bigint + e.ord, e.id, e.type, e.data, e.metadata
       FROM v, unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)`;
  const insert = `INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
      ${rows}
      RETURNING position, transaction_id, stream_version, created_at`;
  return notify
    ? `WITH v AS (${versionStep(check)}), ins AS (${insert})
       SELECT ins.*, pg_notify('${APPEND_CHANNEL}', '') IS NULL AS notified FROM ins`
    : `WITH v AS (${versionStep(check)}) ${insert}`;
}

/**
 * Named, so each connection parses and plans each variant once and then only
 * binds and executes it: the CTE's planning was a measurable part of a
 * single-event append (see docs/benchmarks.md).
 */
const STATEMENTS = new Map<string, { name: string; text: string }>();
function statement(check: VersionCheck, notify: boolean, single: boolean) {
  const name = `op_es_append_${check}_${notify ? 'notify' : 'quiet'}_${single ? 'one' : 'many'}`;
  let s = STATEMENTS.get(name);
  if (!s) STATEMENTS.set(name, (s = { name, text: appendSql(check, notify, single) }));
  return s;
}

export async function appendToStream(
  db: Pool | PoolClient,
  streamId: string,
  events: NewEvent[],
  expected: ExpectedVersion,
  notify = true,
): Promise<RecordedEvent[]> {
  if (events.length === 0) return [];
  const exact = typeof expected === 'number' && expected > 0;
  const check: VersionCheck = exact ? 'exact' : expected === 'any' ? 'any' : db instanceof Pool ? 'create' : 'new';
  // Lower case, as Postgres prints a uuid: the recorded id is the one a reader of the log will see.
  const ids = events.map((e) => e.id?.toLowerCase() ?? newEventId());
  const data = events.map((e) => JSON.stringify(e.data));
  const metadata = events.map((e) => JSON.stringify(e.metadata));
  const single = events.length === 1;
  const params = single
    ? [streamId, 1, exact ? expected : null, ids[0], events[0].type, data[0], metadata[0]]
    : [streamId, events.length, exact ? expected : null, ids, events.map((e) => e.type), data, metadata];
  const rows = await db.query({ ...statement(check, notify, single), values: params }).then(
    (r) => r.rows,
    (err: unknown) => {
      if (check === 'create' && streamTaken(err)) return [];
      throw err;
    },
  );
  if (rows.length === 0) {
    const actual = await db.query('SELECT version FROM streams WHERE stream_id = $1', [streamId]);
    throw new VersionConflictError(streamId, expected, Number(actual.rows[0]?.version ?? 0));
  }
  // RETURNING promises no order; stream versions run on in the order of
  // `events`, so they say which row is which. The bodies are parsed back
  // from what was stored, so callers get fresh objects as they did when
  // Postgres returned them.
  const first = rows.reduce((min, r) => Math.min(min, Number(r.stream_version)), Infinity);
  const recorded: RecordedEvent[] = new Array(rows.length);
  for (const row of rows) {
    const i = Number(row.stream_version) - first;
    recorded[i] = recordedFromSent(row, { id: ids[i], streamId, type: events[i].type, data: data[i], metadata: metadata[i] });
  }
  return recorded;
}

/** The plain insert of a 'create' found the stream's key taken: the stream exists, a version conflict. */
function streamTaken(err: unknown): boolean {
  return err instanceof DatabaseError && err.code === '23505' && err.constraint === 'streams_pkey';
}
