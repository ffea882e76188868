/**
 * Lets one statement fail as a whole on a version conflict: `appendBatch` moves
 * many streams and inserts their events in a single statement (so without a
 * transaction of its own), and when a stream was not at the version the batch
 * expects, this aborts the statement, undoing what it already wrote. The
 * SQLSTATE is ours (see VERSION_CONFLICT_SQLSTATE in append-batch.ts).
 */
export const versionConflictMigration = {
  version: 3,
  name: 'version_conflict',
  sql: `
CREATE FUNCTION events_version_conflict(stream text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stream % is not at the expected version', stream USING ERRCODE = 'EV409';
END $$;
`,
};
