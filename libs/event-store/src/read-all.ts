import { types, type Pool, type PoolClient } from 'pg';
import { LOG_START, LogPosition } from './log-position';
import { namedQuery } from './named-query';
import { EVENT_COLUMNS, RecordedEvent, RecordedEventText, toRecordedEvent, toRecordedEventLazyTime } from './recorded-event';

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
  opts: { after?: LogPosition | null; limit?: number; lazyTimes?: boolean } = {},
): Promise<RecordedEvent[]> {
  // lazyTimes: `createdAt` parsed when first read (toRecordedEventLazyTime), for a follower of the whole log that
  // rarely reads it (the gateway's).
  if (opts.lazyTimes) return (await namedQuery(db, { ...readAllQuery(opts), types: TIMES_AS_TEXT })).rows.map(toRecordedEventLazyTime);
  const { rows } = await namedQuery(db, readAllQuery(opts));
  return rows.map(toRecordedEvent);
}

/** json and jsonb; every other type keeps pg's own parser. */
const JSON_TYPES = [114, 3802];
/** timestamptz, the log's `created_at`. */
const TIMESTAMPTZ = 1184;

/** A query's `types` that leave the columns of these types as the text Postgres sent; every other type keeps pg's parser. */
function asText(oids: number[]): { getTypeParser: typeof types.getTypeParser } {
  const text = new Set(oids);
  const same = (value: string) => value;
  return { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (text.has(oid) ? same : types.getTypeParser(oid, format))) as typeof types.getTypeParser };
}

/** A query's `types` that leave json bodies as the text Postgres sent (for readers that parse only some, or none). */
export const bodiesAsText = asText(JSON_TYPES);
const TIMES_AS_TEXT = asText([TIMESTAMPTZ]);
const BODIES_AND_TIMES_AS_TEXT = asText([...JSON_TYPES, TIMESTAMPTZ]);

/**
 * A query's `types` that leave `created_at` as the text Postgres sent (and, with `bodies`, the json bodies too), for
 * readers that make recorded events with toRecordedEventLazyTime: most never look at the time, and pg's timestamp
 * parser was 0.8 % of the gateway's wall-clock samples in a burst (docs/benchmarks.md, "Thirty-eighth round").
 */
export function timesAsText(bodies: boolean): { getTypeParser: typeof types.getTypeParser } {
  return bodies ? BODIES_AND_TIMES_AS_TEXT : TIMES_AS_TEXT;
}

/**
 * `readAll` for a reader that passes the bodies on without looking inside them (the JetStream relay):
 * `data` and `metadata` are the JSON text Postgres sent, never parsed into objects.
 */
export async function readAllText(
  db: Pool | PoolClient,
  opts: { after?: LogPosition | null; limit?: number } = {},
): Promise<RecordedEventText[]> {
  const { rows } = await namedQuery(db, { ...readAllQuery(opts), types: bodiesAsText });
  // The same row shape; only the two bodies stayed text.
  return rows.map(toRecordedEvent) as unknown as RecordedEventText[];
}

/** Named (`namedQuery`), as it is sent again and again: parsed once per connection. */
function readAllQuery(opts: { after?: LogPosition | null; limit?: number }): { name: string; text: string; values: unknown[] } {
  const after = opts.after ?? LOG_START;
  return {
    name: 'op_es_read_all',
    text: `SELECT ${EVENT_COLUMNS} FROM events
     WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
       AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY transaction_id, position
     LIMIT $3`,
    values: [after.transactionId.toString(), after.position.toString(), opts.limit ?? 1000],
  };
}
