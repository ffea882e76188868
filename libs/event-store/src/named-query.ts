import { DatabaseError, type Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';

/**
 * The names' generation: a schema change that changes what a named statement returns (migration 6 turned the
 * bodies from jsonb into json) makes Postgres refuse every later run of that statement on a connection that
 * prepared it before ("cached plan must not change result type"), for as long as the connection lives. The
 * first refusal moves every statement to new names, which each connection then prepares afresh.
 */
let generation = 0;

function planChanged(err: unknown): boolean {
  return err instanceof DatabaseError && err.code === '0A000' && /cached plan must not change result type/.test(err.message);
}

/**
 * A query under a statement name, so that each connection parses it once: what a follower or the relay sends
 * again and again. Postgres still plans it with each run's values (its estimate for an unknown LIMIT makes a plan
 * without them look costlier, and one made while the log was small would not suit it grown: docs/benchmarks.md,
 * seventh round). A statement whose result type a migration changed under a running service is prepared again
 * under a new name (see `generation`), once.
 */
export async function namedQuery(db: Pool | PoolClient, query: QueryConfig & { name: string }): Promise<QueryResult> {
  const used = generation;
  try {
    return await db.query({ ...query, name: `${query.name}_${used}` });
  } catch (err) {
    if (!planChanged(err)) throw err;
    if (generation === used) generation++;
    return db.query({ ...query, name: `${query.name}_${generation}` });
  }
}
