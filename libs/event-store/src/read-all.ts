import type { Pool, PoolClient } from 'pg';
import { LOG_START, LogPosition } from './log-position';
import { EVENT_COLUMNS, RecordedEvent, toRecordedEvent } from './recorded-event';

/**
 * The global log in commit order, after a checkpoint.
 *
 * A transaction takes its positions when it inserts but becomes visible when
 * it commits, so a transaction holding position 10 may commit after one
 * holding 11. Reading by position alone would hand out 11, move the
 * checkpoint past 10, and skip 10 forever. So: order by (transaction id,
 * position) and read only rows of transactions older than the oldest one
 * still running (pg_snapshot_xmin) — every such transaction has finished, so
 * nothing can appear below the point read.
 */
export async function readAll(
  db: Pool | PoolClient,
  opts: { after?: LogPosition | null; limit?: number } = {},
): Promise<RecordedEvent[]> {
  const after = opts.after ?? LOG_START;
  const { rows } = await db.query(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
       AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY transaction_id, position
     LIMIT $3`,
    [after.transactionId.toString(), after.position.toString(), opts.limit ?? 1000],
  );
  return rows.map(toRecordedEvent);
}
