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

export async function streamVersion(db: Pool | PoolClient, streamId: string): Promise<number> {
  const { rows } = await db.query('SELECT version FROM streams WHERE stream_id = $1', [streamId]);
  return Number(rows[0]?.version ?? 0);
}

/** Ids of the streams whose id starts with `prefix` (`hosts.infrastructure.openpacific.io/`). */
export async function listStreams(db: Pool | PoolClient, prefix: string): Promise<{ streamId: string; version: number }[]> {
  const { rows } = await db.query(
    `SELECT stream_id, version FROM streams WHERE stream_id >= $1 AND stream_id < $1 || chr(1114111) ORDER BY stream_id`,
    [prefix],
  );
  return rows.map((r) => ({ streamId: r.stream_id, version: Number(r.version) }));
}
