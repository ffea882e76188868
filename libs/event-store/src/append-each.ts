import type { Pool, PoolClient } from 'pg';
import { APPEND_CHANNEL } from './append';
import { newEventId } from './event-id';
import { ExpectedVersion, VersionConflictError } from './errors';
import { NewEvent, RecordedEvent, recordedFromSent } from './recorded-event';

/** One event for one stream, checked against its own expected version. */
export interface SingleAppend {
  streamId: string;
  event: NewEvent;
  expectedVersion: ExpectedVersion;
}

/** Per item of `appendEach`: the recorded event, or the error (a version conflict, an invalid event) that kept it out of the log. */
export type SingleAppendOutcome = RecordedEvent | Error;

/**
 * Many independent single-event appends in ONE statement (one round trip, one commit): each stream's
 * version is checked and moved on its own, exactly as `appendToStream` does for one, and an item whose
 * check fails inserts nothing while the others are written. The three version checks are three CTEs over
 * the same input; every stream appears at most once, so no row is touched twice. The input is sorted by
 * stream id so that concurrent batches tend to lock their rows in the same order; Postgres still may
 * find a deadlock between two batches, and then aborts one statement whole (GroupCommit retries it).
 */
const APPEND_EACH_SQL = (notify: boolean) => `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])
    AS i(stream_id, check_kind, expected, event_id, type, data, metadata)
  ORDER BY stream_id
),
created AS (
  INSERT INTO streams (stream_id, version)
  SELECT stream_id, 1 FROM input WHERE check_kind = 'new'
  ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id, version
),
moved AS (
  INSERT INTO streams (stream_id, version)
  SELECT stream_id, 1 FROM input WHERE check_kind = 'any'
  ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + 1 RETURNING stream_id, version
),
bumped AS (
  UPDATE streams s SET version = s.version + 1 FROM input i
  WHERE i.check_kind = 'exact' AND s.stream_id = i.stream_id AND s.version = i.expected
  RETURNING s.stream_id, s.version
),
v AS (SELECT * FROM created UNION ALL SELECT * FROM moved UNION ALL SELECT * FROM bumped),
ins AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
  SELECT i.stream_id, v.version, i.event_id, i.type, i.data, i.metadata FROM input i JOIN v ON v.stream_id = i.stream_id
  RETURNING stream_id, position, transaction_id, stream_version, created_at
)
SELECT ins.*${notify ? `, (SELECT pg_notify('${APPEND_CHANNEL}', '') IS NULL) AS notified` : ''} FROM ins`;

const STATEMENTS = { notify: { name: 'op_es_append_each_notify', text: APPEND_EACH_SQL(true) }, quiet: { name: 'op_es_append_each_quiet', text: APPEND_EACH_SQL(false) } };

function checkOf(expected: ExpectedVersion): { kind: 'new' | 'any' | 'exact'; version: number | null } {
  if (typeof expected === 'number' && expected > 0) return { kind: 'exact', version: expected };
  return { kind: expected === 'any' ? 'any' : 'new', version: null };
}

/** See APPEND_EACH_SQL. Throws if two items name the same stream: the caller must put those in separate calls. */
export async function appendEach(db: Pool | PoolClient, items: SingleAppend[], notify = true): Promise<SingleAppendOutcome[]> {
  if (items.length === 0) return [];
  const streams = new Set(items.map((i) => i.streamId));
  if (streams.size !== items.length) throw new Error('appendEach: every item must name a different stream');
  const checks = items.map((i) => checkOf(i.expectedVersion));
  const ids = items.map((i) => i.event.id?.toLowerCase() ?? newEventId());
  const data = items.map((i) => JSON.stringify(i.event.data));
  const metadata = items.map((i) => JSON.stringify(i.event.metadata));
  const { rows } = await db.query({
    ...STATEMENTS[notify ? 'notify' : 'quiet'],
    values: [items.map((i) => i.streamId), checks.map((c) => c.kind), checks.map((c) => c.version), ids, items.map((i) => i.event.type), data, metadata],
  });
  const written = new Map<string, any>(rows.map((r) => [r.stream_id, r]));
  const missed = items.filter((i) => !written.has(i.streamId)).map((i) => i.streamId);
  const actual = new Map<string, number>();
  if (missed.length > 0) {
    const { rows: versions } = await db.query('SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])', [missed]);
    for (const r of versions) actual.set(r.stream_id, Number(r.version));
  }
  return items.map((item, i) => {
    const row = written.get(item.streamId);
    if (!row) return new VersionConflictError(item.streamId, item.expectedVersion, actual.get(item.streamId) ?? 0);
    return recordedFromSent(row, { id: ids[i], streamId: item.streamId, type: item.event.type, data: data[i], metadata: metadata[i] });
  });
}
