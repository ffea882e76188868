import type { Pool, PoolClient } from 'pg';
import { newEventId } from './event-id';
import { ExpectedVersion, VersionConflictError } from './errors';
import { streamVersion } from './read-stream';
import { DECIDED, NewEvent, RecordedEvent, parseDecided, recordedFromSent } from './recorded-event';
import { appendStatement, versionTaken } from './version-check';

export const APPEND_CHANNEL = 'op_events_appended';

/**
 * How an append checks the stream's version (the unique (stream_id, stream_version) index of `events` is the
 * lock, see version-check.ts):
 * - 'new' (no_stream): the events take versions 1…k; an existing stream holds version 1 already, so the
 *   index refuses the insert. Nothing is read first.
 * - 'exact' N: the stream's last version must be N (one descent of the index to the stream's last entry),
 *   and the events take N+1…; a writer that took N+1 meanwhile makes the index refuse them.
 * - 'any': the events follow the stream's last version, whatever it is; a writer that took the next
 *   version meanwhile makes the index refuse them, and the append goes again. The refusal comes only once
 *   that writer has committed, so the next statement reads past it (in READ COMMITTED, Postgres' default and
 *   what every caller's transaction uses).
 */
type VersionCheck = 'new' | 'exact' | 'any';

/** The stream's version before the append as the FROM item `head(version)`, and the condition on it. $1 is the stream id, $6 the exact version. */
function headSql(check: VersionCheck): { from: string; where: string } {
  if (check === 'new') return { from: '(SELECT 0 AS version) head', where: '' };
  if (check === 'any') return { from: '(SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1::text) head', where: '' };
  return { from: '(SELECT max(stream_version) AS version FROM events WHERE stream_id = $1::text) head', where: 'WHERE head.version = $6::bigint' };
}

/**
 * The append statement, by version check, NOTIFY and whether it carries one event or many: the check and
 * the insert are one statement (one round trip, atomic on its own). It returns only what Postgres decides
 * (position, transaction, stream version, time): the event bodies are what the caller sent, so shipping them
 * back would double the bytes on the wire and the JSON parsing for nothing. One event (most appends) binds
 * plain values, and no ORDER BY wraps the insert: arrays, unnest and the sort each cost about as much server
 * time as a raw INSERT (measured, see docs/benchmarks.md). One event to a new stream is a plain `INSERT …
 * VALUES` at version 1: there is no version to look up, and the unique (stream_id, stream_version) index
 * refuses it if the stream exists.
 */
function appendSql(check: VersionCheck, notify: boolean, single: boolean): string {
  const insert = `INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
      ${insertedRows(check, single)}
      RETURNING ${DECIDED}`;
  return notify ? `WITH ins AS (${insert}) SELECT ins.*, pg_notify('${APPEND_CHANNEL}', '') IS NULL AS notified FROM ins` : insert;
}

/**
 * The rows the append inserts: $1 the stream id, then the events' ids, types and bodies (one each, or arrays;
 * many bodies as one JSON array each, which pg sends as it is, where a json[] it would escape body by body).
 */
function insertedRows(check: VersionCheck, single: boolean): string {
  if (single && check === 'new') return 'VALUES ($1::text, 1, $2::uuid, $3::text, $4::json, $5::json)';
  const head = headSql(check);
  if (single) return `SELECT $1::text, head.version + 1, $2::uuid, $3::text, $4::json, $5::json FROM ${head.from} ${head.where}`;
  return `SELECT $1::text, head.version + e.ord, e.id, e.type, d.data, m.metadata
       FROM ${head.from}, unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS e(id, type, ord)
       JOIN json_array_elements($4::json) WITH ORDINALITY AS d(data, ord) ON d.ord = e.ord
       JOIN json_array_elements($5::json) WITH ORDINALITY AS m(metadata, ord) ON m.ord = e.ord
       ${head.where}`;
}

interface Statement {
  name: string;
  text: string;
}

/** One check's statements, made once, indexed by NOTIFY (0 or 1), then one event (1) or many (0). */
function variants(check: VersionCheck): Statement[][] {
  return [false, true].map((notify) =>
    [false, true].map((single) => ({ name: `op_es_append_${check}_${notify ? 'notify' : 'quiet'}_${single ? 'one' : 'many'}`, text: appendSql(check, notify, single) })),
  );
}

/**
 * Every variant, made once and looked up per append: named, so each connection parses and plans each
 * variant once and then only binds and executes it (planning was a measurable part of a single-event
 * append, see docs/benchmarks.md).
 */
const STATEMENTS: Record<VersionCheck, Statement[][]> = { new: variants('new'), exact: variants('exact'), any: variants('any') };

/**
 * Appends `events` to one stream in one statement (`appendSql`). The path is kept flat for the one-event
 * append from the pool, the commonest: one async function (`appendStatement` adds none from the pool), a
 * refused version caught where it is sent, the statement looked up rather than named anew; each layer of
 * promises showed in the process's CPU per append (docs/benchmarks.md, "Fourteenth round").
 */
export async function appendToStream(
  db: Pool | PoolClient,
  streamId: string,
  events: NewEvent[],
  expected: ExpectedVersion,
  notify = true,
): Promise<RecordedEvent[]> {
  if (events.length === 0) return [];
  const exact = typeof expected === 'number' && expected > 0;
  const check: VersionCheck = exact ? 'exact' : expected === 'any' ? 'any' : 'new';
  const single = events.length === 1;
  const statement = STATEMENTS[check][notify ? 1 : 0][single ? 1 : 0];
  // Lower case, as Postgres prints a uuid: the recorded id is the one a reader of the log will see.
  const ids = events.map((e) => e.id?.toLowerCase() ?? newEventId());
  const data = events.map((e) => JSON.stringify(e.data));
  const metadata = events.map((e) => JSON.stringify(e.metadata));
  const values: unknown[] = single
    ? [streamId, ids[0], events[0].type, data[0], metadata[0]]
    : [streamId, ids, events.map((e) => e.type), `[${data.join(',')}]`, `[${metadata.join(',')}]`];
  if (exact) values.push(expected);
  const query = { name: statement.name, text: statement.text, values };
  let rows: any[] | undefined;
  for (;;) {
    try {
      rows = (await appendStatement(db, () => db.query(query))).rows;
      break;
    } catch (err) {
      if (!versionTaken(err)) throw err;
      // 'any' lost its version to a writer that has committed since: the next attempt reads past it.
      if (check !== 'any') break;
    }
  }
  if (!rows || rows.length === 0) throw new VersionConflictError(streamId, expected, await streamVersion(db, streamId));
  // RETURNING promises no order; stream versions run on in the order of `events`, so they say which row
  // is which.
  const decided = rows.map((row) => parseDecided(row.decided));
  let first = Infinity;
  for (const d of decided) first = Math.min(first, d.streamVersion);
  const recorded: RecordedEvent[] = new Array(rows.length);
  for (const d of decided) {
    const i = d.streamVersion - first;
    recorded[i] = recordedFromSent(d, { id: ids[i], streamId, type: events[i].type, data: data[i], metadata: metadata[i] });
  }
  return recorded;
}
