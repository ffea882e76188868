/**
 * A stream's version is its last event's (docs/event-store.md, "What an append writes"): the unique
 * (stream_id, stream_version) index of `events` is the optimistic lock, and the `streams` table, a second
 * row and key entry (or a row update) per append, goes. Versions are not lost: every stream's version is
 * already the highest stream_version of its events, and the migration checks that it is before dropping
 * the table (a database where they disagree is left as it is, with an error naming the stream).
 */
export const noStreamsTableMigration = {
  version: 5,
  name: 'no_streams_table',
  sql: `
DO $$
DECLARE
  differs text;
BEGIN
  SELECT coalesce(s.stream_id, e.stream_id) INTO differs
  FROM streams s FULL JOIN (SELECT stream_id, max(stream_version) AS version FROM events GROUP BY stream_id) e USING (stream_id)
  WHERE s.version IS DISTINCT FROM e.version
  LIMIT 1;
  IF differs IS NOT NULL THEN
    RAISE EXCEPTION 'stream % has a version in streams other than its last event''s: not dropping streams', differs;
  END IF;
END $$;
DROP TABLE streams;
`,
};
