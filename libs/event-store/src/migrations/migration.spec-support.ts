import type { TestDatabase } from '@openpacific/testing';
import { LogPosition } from '../log-position';
import { readAll } from '../read-all';
import { migrations } from './migrate';

/** Applies the migrations up to `version` not yet applied, as migrate() did when `version` was the newest. */
export async function migrateTo(db: TestDatabase, version: number): Promise<void> {
  await db.pool.query('CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await db.pool.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
  for (const m of migrations.filter((x) => x.version <= version && !done.has(x.version))) {
    await db.pool.query(m.sql);
    await db.pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
  }
}

/**
 * The whole log through readAll, once every transaction older than our appends has finished: readAll stops
 * at the oldest running transaction of the server, and other databases share this Postgres.
 */
export async function readWholeLog(db: TestDatabase, after?: LogPosition) {
  const total = Number((await db.pool.query('SELECT count(*) FROM events')).rows[0].count);
  for (;;) {
    const events = await readAll(db.pool, { after, limit: 1000 });
    const below = after ? Number((await db.pool.query('SELECT count(*) FROM events WHERE (transaction_id, position) <= ($1::text::xid8, $2::bigint)', [after.transactionId.toString(), after.position.toString()])).rows[0].count) : 0;
    if (events.length + below >= total) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A table's indexes as `name: (columns)`, by name. */
export const indexes = async (db: TestDatabase, table: string) =>
  (await db.pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [table])).rows.map((r) => `${r.indexname}: ${r.indexdef.replace(/^.* USING btree /, '')}`);
