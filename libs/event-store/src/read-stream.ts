import type { Pool, PoolClient } from 'pg';
import { EVENT_COLUMNS, RecordedEvent, toRecordedEvent } from './recorded-event';

/** One stream's events in stream order, optionally a range of versions (inclusive). */
export async function readStream(
  db: Pool | PoolClient,
  streamId: string,
  opts: { fromVersion?: number; toVersion?: number } = {},
): Promise<RecordedEvent[]> {
  const { rows } = await db.query(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3
     ORDER BY stream_version`,
    [streamId, opts.fromVersion ?? 1, opts.toVersion ?? Number.MAX_SAFE_INTEGER],
  );
  return rows.map(toRecordedEvent);
}

/**
 * A stream's version is its last event's (0 without events): one descent of the unique
 * (stream_id, stream_version) index to the stream's last entry (since migration 5 there is no `streams` table).
 */
export async function streamVersion(db: Pool | PoolClient, streamId: string): Promise<number> {
  const { rows } = await db.query('SELECT max(stream_version) AS version FROM events WHERE stream_id = $1', [streamId]);
  return Number(rows[0].version ?? 0);
}

/** The versions of several streams; a stream without events is absent from the map. */
export async function streamVersions(db: Pool | PoolClient, streamIds: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query(
    `SELECT s.stream_id, (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = s.stream_id) AS version
     FROM unnest($1::text[]) AS s(stream_id)`,
    [streamIds],
  );
  return new Map(rows.filter((r) => r.version !== null).map((r) => [r.stream_id, Number(r.version)]));
}

/**
 * Ids of the streams whose id starts with `prefix` (`hosts.infrastructure.openpacific.io/`), with their
 * versions. A skip scan over the (stream_id, stream_version) index, walking down from the highest id: each
 * step is one descent to the next lower stream's last event, so the cost follows the number of streams,
 * not of their events.
 */
export async function listStreams(db: Pool | PoolClient, prefix: string): Promise<{ streamId: string; version: number }[]> {
  const { rows } = await db.query(
    `WITH RECURSIVE heads AS (
       (SELECT stream_id, stream_version FROM events
        WHERE stream_id >= $1 AND stream_id < $1 || chr(1114111)
        ORDER BY stream_id DESC, stream_version DESC LIMIT 1)
       UNION ALL
       SELECT next.* FROM heads, LATERAL (
         SELECT stream_id, stream_version FROM events
         WHERE stream_id >= $1 AND stream_id < heads.stream_id
         ORDER BY stream_id DESC, stream_version DESC LIMIT 1) next
     )
     SELECT stream_id, stream_version AS version FROM heads ORDER BY stream_id`,
    [prefix],
  );
  return rows.map((r) => ({ streamId: r.stream_id, version: Number(r.version) }));
}
