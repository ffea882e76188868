import type { Pool, PoolClient } from 'pg';
import { APPEND_CHANNEL } from './append';
import { newEventId } from './event-id';
import { ExpectedVersion, VersionConflictError } from './errors';
import { streamVersions } from './read-stream';
import { DECIDED, NewEvent, RecordedEvent, parseDecided, recordedFromSent } from './recorded-event';

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
 * version is checked on its own, as `appendToStream` checks one (`expected`: null for 'any', 0 for no stream,
 * else the exact version the stream's last event must have), and an item whose check fails inserts nothing
 * while the others are written. A racing writer that took an item's version meanwhile is caught by the
 * unique (stream_id, stream_version) index; `ON CONFLICT … DO NOTHING` leaves out only that item (one event
 * per item, so an item is never half written). A new stream is not read first: its insert's own unique check
 * is the test. The input is sorted by stream id so that concurrent batches tend to wait on each other's
 * rows in the same order; Postgres still may find a deadlock between two batches, and then aborts one
 * statement whole (GroupCommit retries it). The bodies arrive as two JSON arrays matched to the other columns
 * by their ordinality, as appendBatch's do: as json[] pg would escape every body again into an array literal
 * in JavaScript (1 % of the gateway's wall-clock samples in a burst, docs/benchmarks.md "Thirty-eighth round").
 */
const APPEND_EACH_SQL = (notify: boolean) => `
WITH input AS (
  SELECT i.stream_id, i.expected, i.event_id, i.type, d.data, m.metadata
  FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[]) WITH ORDINALITY AS i(stream_id, expected, event_id, type, n)
  JOIN json_array_elements($5::json) WITH ORDINALITY AS d(data, n) ON d.n = i.n
  JOIN json_array_elements($6::json) WITH ORDINALITY AS m(metadata, n) ON m.n = i.n
  ORDER BY i.stream_id
),
ins AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata)
  SELECT i.stream_id, head.version + 1, i.event_id, i.type, i.data, i.metadata
  FROM input i, LATERAL (
    SELECT CASE WHEN i.expected = 0 THEN 0
      ELSE (SELECT coalesce(max(e.stream_version), 0) FROM events e WHERE e.stream_id = i.stream_id) END AS version
  ) head
  WHERE i.expected IS NULL OR head.version = i.expected
  ON CONFLICT (stream_id, stream_version) DO NOTHING
  RETURNING stream_id, ${DECIDED}
)
SELECT ins.*${notify ? `, (SELECT pg_notify('${APPEND_CHANNEL}', '') IS NULL) AS notified` : ''} FROM ins`;

const STATEMENTS = { notify: { name: 'op_es_append_each_notify', text: APPEND_EACH_SQL(true) }, quiet: { name: 'op_es_append_each_quiet', text: APPEND_EACH_SQL(false) } };

/** The version an item's check wants the stream at before its event: null for 'any', 0 for no stream. */
function expectedOf(expected: ExpectedVersion): number | null {
  if (expected === 'any') return null;
  return typeof expected === 'number' && expected > 0 ? expected : 0;
}

/**
 * See APPEND_EACH_SQL. Throws if two items name the same stream: the caller must put those in separate
 * calls. An 'any' item that lost its version to a racing writer goes again in a statement of its own.
 */
export async function appendEach(db: Pool | PoolClient, items: SingleAppend[], notify = true): Promise<SingleAppendOutcome[]> {
  if (items.length === 0) return [];
  const streams = new Set(items.map((i) => i.streamId));
  if (streams.size !== items.length) throw new Error('appendEach: every item must name a different stream');
  const expected = items.map((i) => expectedOf(i.expectedVersion));
  const ids = items.map((i) => i.event.id?.toLowerCase() ?? newEventId());
  const data = items.map((i) => JSON.stringify(i.event.data));
  const metadata = items.map((i) => JSON.stringify(i.event.metadata));
  const { rows } = await db.query({
    ...STATEMENTS[notify ? 'notify' : 'quiet'],
    values: [items.map((i) => i.streamId), expected, ids, items.map((i) => i.event.type), `[${data.join(',')}]`, `[${metadata.join(',')}]`],
  });
  const written = new Map<string, any>(rows.map((r) => [r.stream_id, r]));
  const outcomes: SingleAppendOutcome[] = new Array(items.length);
  const again: number[] = [];
  const conflicted: number[] = [];
  items.forEach((item, i) => {
    const row = written.get(item.streamId);
    if (row) outcomes[i] = recordedFromSent(parseDecided(row.decided), { id: ids[i], streamId: item.streamId, type: item.event.type, data: data[i], metadata: metadata[i] });
    else (item.expectedVersion === 'any' ? again : conflicted).push(i);
  });
  if (conflicted.length > 0) {
    const actual = await streamVersions(db, conflicted.map((i) => items[i].streamId));
    for (const i of conflicted) outcomes[i] = new VersionConflictError(items[i].streamId, items[i].expectedVersion, actual.get(items[i].streamId) ?? 0);
  }
  if (again.length > 0) {
    // With the ids generated above: what the retry records is what this call said it would.
    const retried = await appendEach(db, again.map((i) => ({ ...items[i], event: { ...items[i].event, id: ids[i] } })), notify);
    again.forEach((i, k) => (outcomes[i] = retried[k]));
  }
  return outcomes;
}
