import type { Pool } from 'pg';
import { eventsMigration } from './001-events';
import { auditRecordsMigration } from './002-audit-records';
import { versionConflictMigration } from './003-version-conflict';
import { cheaperAppendsMigration } from './004-cheaper-appends';
import { noStreamsTableMigration } from './005-no-streams-table';
import { jsonBodiesMigration } from './006-json-bodies';
import { auditAnnotationsMigration } from './007-audit-annotations';
import { auditStagesMigration } from './008-audit-stages';
import { loginLockoutsMigration } from './009-login-lockouts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: a released migration is never edited. */
export const migrations: Migration[] = [
  eventsMigration,
  auditRecordsMigration,
  versionConflictMigration,
  cheaperAppendsMigration,
  noStreamsTableMigration,
  jsonBodiesMigration,
  auditAnnotationsMigration,
  auditStagesMigration,
  loginLockoutsMigration,
];

const MIGRATION_LOCK = 7_140_211_001; // arbitrary, constant: serializes migrators across processes

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own
 * transaction, under an advisory lock so that every service may call it at
 * start at the same time.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
