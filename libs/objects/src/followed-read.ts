import { EVENT_COLUMNS, LogPosition, LOG_START, namedQuery, RecordedEvent, timesAsText, toRecordedEventLazyTime } from '@openpacific/event-store';
import type { Pool, PoolClient } from 'pg';

/** One page of the log as a follower of some resources reads it. */
export interface FollowedPage {
  /** The page's events of the followed resources, in log order. */
  events: RecordedEvent[];
  /** The last position the page passed over (followed or not); undefined when there was nothing new. */
  scannedTo?: LogPosition;
  /** How many events the page passed over: fewer than the limit means the reader is at the tip. */
  scanned: number;
}

/** A followed row's columns; another resource's row carries only its position, stream and type (the rest NULL). */
const FOLLOWED_FIELDS = EVENT_COLUMNS.split(',')
  .map((c) => c.trim())
  .map((c) => (['position', 'transaction_id', 'stream_id', 'type'].includes(c) ? c : `CASE WHEN followed THEN ${c} END AS ${c}`))
  .join(', ');

/**
 * Whether a follower wants one event of a followed resource, asked in log order before its body is parsed
 * (`data` is the body's JSON text): an event it refuses is passed over like another resource's.
 */
export type KeepEvent = (event: { streamId: string; type: string; data: string }) => boolean;

/**
 * The next `limit` events of the log in commit order (the same page, and the same visibility rule, as the
 * event store's readAll), in one scan of the log's primary key: the rows of the followed resources whole, the
 * others as their position, stream and type only, so the reader moves past what it skips while other resources'
 * bodies are never sent nor parsed. The resource is the first part of the stream id (`streamResource`);
 * `resources` undefined follows every resource (for a reader that sorts events with `keep` alone).
 */
export async function readFollowed(
  db: Pool | PoolClient,
  opts: { after?: LogPosition; limit: number; resources: readonly string[] | undefined; keep?: KeepEvent },
): Promise<FollowedPage> {
  const after = opts.after ?? LOG_START;
  const { rows } = await namedQuery(db, {
    // The time stays text until read (most followers never do); with `keep`, the bodies too until kept.
    types: timesAsText(Boolean(opts.keep)),
    // Named (`namedQuery`): parsed once per connection.
    name: 'op_obj_read_followed',
    text: `SELECT ${FOLLOWED_FIELDS}, followed FROM (
       SELECT e.*, ($4::text[] IS NULL OR split_part(e.stream_id, '/', 1) = ANY($4::text[])) AS followed FROM events e
        WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2::bigint)
          AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.transaction_id, e.position
        LIMIT $3
     ) page
     ORDER BY transaction_id, position`,
    values: [after.transactionId.toString(), after.position.toString(), opts.limit, opts.resources ?? null],
  });
  const last = rows[rows.length - 1];
  const keep = opts.keep;
  const followed = rows.filter((row) => row.followed && (!keep || keep({ streamId: row.stream_id, type: row.type, data: row.data })));
  return {
    events: keep
      ? followed.map((row) => {
          row.data = JSON.parse(row.data);
          row.metadata = JSON.parse(row.metadata);
          return toRecordedEventLazyTime(row);
        })
      : followed.map(toRecordedEventLazyTime),
    scannedTo: last && { transactionId: BigInt(last.transaction_id), position: BigInt(last.position) },
    scanned: rows.length,
  };
}

/**
 * The last position a follower could read now (the same visibility rule as `readFollowed`), undefined for an
 * empty log: a follower at or past it would read nothing. One backward probe of the log's primary key.
 */
export async function readVisibleTip(db: Pool | PoolClient): Promise<LogPosition | undefined> {
  const { rows } = await namedQuery(db, {
    name: 'op_obj_visible_tip',
    text: `SELECT transaction_id, position FROM events
      WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id DESC, position DESC
      LIMIT 1`,
  });
  return rows[0] && { transactionId: BigInt(rows[0].transaction_id), position: BigInt(rows[0].position) };
}
