import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { ExpectedVersion, VersionConflictError } from './errors';
import { EVENT_COLUMNS, NewEvent, RecordedEvent, toRecordedEvent } from './recorded-event';

export const APPEND_CHANNEL = 'op_events_appended';

/**
 * Moves the stream's version and inserts the events in ONE statement (one
 * round trip, atomic on its own): the streams row is the optimistic lock,
 * and a version that does not match inserts nothing.
 */
function versionStep(expected: ExpectedVersion): string {
  if (expected === 'any') {
    return `INSERT INTO streams (stream_id, version) SELECT $1::text, $2::bigint WHERE $3::bigint IS NULL
            ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version RETURNING version`;
  }
  if (expected === 'no_stream' || expected === 0) {
    return `INSERT INTO streams (stream_id, version) SELECT $1::text, $2::bigint WHERE $3::bigint IS NULL
            ON CONFLICT (stream_id) DO NOTHING RETURNING version`;
  }
  return `UPDATE streams SET version = version + $2::bigint WHERE stream_id = $1::text AND version = $3::bigint RETURNING version`;
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
  const sql = `
    WITH v AS (${versionStep(expected)}),
    ins AS (
      INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
      SELECT $1::text, v.version - $2::bigint + e.ord, e.id, e.type, e.data, e.metadata
      FROM v, unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
      RETURNING ${EVENT_COLUMNS}
    )
    SELECT ins.*${notify ? `, pg_notify('${APPEND_CHANNEL}', '') IS NULL AS notified` : ''} FROM ins ORDER BY position`;
  const params = [
    streamId,
    events.length,
    exact ? expected : null,
    events.map((e) => e.id ?? randomUUID()),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
  ];
  const { rows } = await db.query(sql, params);
  if (rows.length === 0) {
    const actual = await db.query('SELECT version FROM streams WHERE stream_id = $1', [streamId]);
    throw new VersionConflictError(streamId, expected, Number(actual.rows[0]?.version ?? 0));
  }
  return rows.map(toRecordedEvent);
}
