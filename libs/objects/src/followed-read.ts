import { bodiesAsText, EVENT_COLUMNS, LogPosition, LOG_START, namedQuery, RecordedEvent, toRecordedEvent } from '@openpacific/event-store';
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

const COLUMNS = EVENT_COLUMNS.split(',').map((c) => c.trim());
const EVENT_FIELDS = COLUMNS.map((c) => `e.${c}`).join(', ');
/** The page's last row has the same columns, only its position filled. */
const TIP_FIELDS = COLUMNS.map((c) => (c === 'position' || c === 'transaction_id' ? `last.${c}` : 'NULL')).join(', ');

/**
 * Whether a follower wants one event of a followed resource, asked in log order before its body is parsed
 * (`data` is the body's JSON text): an event it refuses is passed over like another resource's.
 */
export type KeepEvent = (event: { streamId: string; type: string; data: string }) => boolean;

/**
 * The next `limit` events of the log in commit order (the same page, and the same visibility rule, as the
 * event store's readAll), of which Postgres sends only those of the followed resources, and the page's
 * last position whatever its resource, so the reader moves past what it skips. The resource is the first
 * part of the stream id (`streamResource`): a filter on an existing column, so other resources' bodies are
 * never sent nor parsed.
 */
export async function readFollowed(
  db: Pool | PoolClient,
  opts: { after?: LogPosition; limit: number; resources: readonly string[]; keep?: KeepEvent },
): Promise<FollowedPage> {
  const after = opts.after ?? LOG_START;
  const { rows } = await namedQuery(db, {
    ...(opts.keep ? { types: bodiesAsText } : {}),
    // Named (`namedQuery`): parsed once per connection.
    name: 'op_obj_read_followed',
    text: `WITH page AS MATERIALIZED (
       SELECT transaction_id, position, stream_id FROM events
        WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id, position
        LIMIT $3
     )
     SELECT ${EVENT_FIELDS}, NULL::bigint AS scanned FROM events e
      WHERE (e.transaction_id, e.position) IN (SELECT transaction_id, position FROM page WHERE split_part(stream_id, '/', 1) = ANY($4::text[]))
     UNION ALL
     SELECT ${TIP_FIELDS}, (SELECT count(*) FROM page)
       FROM (SELECT transaction_id, position FROM page ORDER BY transaction_id DESC, position DESC LIMIT 1) last
     ORDER BY transaction_id, position, scanned NULLS FIRST`,
    values: [after.transactionId.toString(), after.position.toString(), opts.limit, opts.resources],
  });
  const tip = rows.length > 0 && rows[rows.length - 1].scanned !== null ? rows.pop() : undefined;
  const keep = opts.keep;
  return {
    events: keep
      ? rows
          .filter((row) => keep({ streamId: row.stream_id, type: row.type, data: row.data }))
          .map((row) => {
            row.data = JSON.parse(row.data);
            row.metadata = JSON.parse(row.metadata);
            return toRecordedEvent(row);
          })
      : rows.map(toRecordedEvent),
    scannedTo: tip ? { transactionId: BigInt(tip.transaction_id), position: BigInt(tip.position) } : undefined,
    scanned: tip ? Number(tip.scanned) : 0,
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
