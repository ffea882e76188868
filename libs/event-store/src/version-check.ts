import { DatabaseError, Pool, type PoolClient } from 'pg';

/**
 * Since migration 5 a stream's version is its last event's, and the unique (stream_id, stream_version)
 * index of `events` is the optimistic lock: of two writers that both read version N and insert N+1, the
 * index lets one commit and refuses the other (after waiting for the first to finish). This says whether
 * `err` is that refusal.
 */
export function versionTaken(err: unknown): boolean {
  return err instanceof DatabaseError && err.code === '23505' && err.constraint === STREAM_VERSION_KEY;
}

const STREAM_VERSION_KEY = 'events_stream_id_stream_version_key';

/**
 * Runs one append statement. From the pool it is a transaction of its own, run as it is (no promise of
 * this function's around it: appends are the hot path). Given a client (a caller's open transaction) it runs
 * under a savepoint, so that a refused version leaves that transaction usable and holding nothing of the
 * statement (an insert of several events stops at the first refused one).
 */
export function appendStatement<T>(db: Pool | PoolClient, run: () => Promise<T>): Promise<T> {
  return db instanceof Pool ? run() : underSavepoint(db, run);
}

async function underSavepoint<T>(db: PoolClient, run: () => Promise<T>): Promise<T> {
  await db.query('SAVEPOINT op_es_append');
  try {
    const result = await run();
    await db.query('RELEASE SAVEPOINT op_es_append');
    return result;
  } catch (err) {
    // The statement's error is the one to report; a rollback failing too (a lost connection) adds nothing.
    await db.query('ROLLBACK TO SAVEPOINT op_es_append').catch(() => undefined);
    throw err;
  }
}
