import { Pool } from 'pg';
import type { Logger } from '../logging/logger';

export interface RetryOptions {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryOptions = { maxAttempts: 60, initialDelayMs: 250, maxDelayMs: 2_000 };

/**
 * Opens a pool and waits until Postgres answers, retrying with backoff: in a
 * compose cluster the database may still be starting when services boot.
 */
export async function connectPostgres(
  url: string,
  applicationName: string,
  logger: Logger,
  retry: RetryOptions = defaultRetry,
  isStopping: () => boolean = () => false,
  poolSize = 10,
): Promise<Pool> {
  // A server that does not answer at all (stopped, partitioned) fails a request within 5 s instead of hanging it.
  const pool = new Pool({ connectionString: url, application_name: applicationName, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn('postgres idle client error', { error: err.message }));
  let delay = retry.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    logger.info('connecting to postgres', { attempt, host: safeHost(url) });
    try {
      await pool.query('select 1');
      logger.info('connected to postgres', { attempt });
      return pool;
    } catch (err) {
      logger.warn('postgres connection failed', { attempt, error: (err as Error).message });
      if (attempt >= retry.maxAttempts || isStopping()) {
        await pool.end().catch(() => undefined);
        throw err;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, retry.maxDelayMs);
    }
  }
}

// Never log credentials embedded in the URL.
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'unparsable';
  }
}
