import { Client } from 'pg';
import { CodedError } from '@openpacific/contracts';
import { LauncherErrorCodes } from './launcher-errors';
import { isLocalHost } from './network';
import { EmbeddedPostgresRunner } from './embedded-postgres.runner';

export interface PostgresHandle {
  url: string;
  /** Set when the launcher started Postgres itself and must stop it. */
  embedded?: EmbeddedPostgresRunner;
}

/**
 * Makes sure the database in `url` exists: uses the server that answers there,
 * or, when nothing answers on a local address, starts an embedded one.
 */
export async function provisionPostgres(url: string, dataDir: string, log: (line: string) => void): Promise<PostgresHandle> {
  const target = new URL(url);
  const probe = await probeServer(url);
  if (probe === 'refused') {
    if (!isLocalHost(target.hostname)) {
      throw new CodedError(LauncherErrorCodes.postgresUnavailable, `nothing answers at ${redact(url)}`);
    }
    log(`postgres: nothing answers at ${target.host}; starting embedded Postgres in ${dataDir}`);
    const embedded = new EmbeddedPostgresRunner({
      dataDir,
      port: Number(target.port || 5432),
      user: decodeURIComponent(target.username || 'postgres'),
      password: target.password ? decodeURIComponent(target.password) : undefined,
    });
    await embedded.start();
    await ensureDatabase(url);
    return { url, embedded };
  }
  if (probe instanceof Error) {
    throw new CodedError(LauncherErrorCodes.postgresUnavailable, `cannot use Postgres at ${redact(url)}: ${probe.message}`, {
      cause: probe,
    });
  }
  await ensureDatabase(url);
  log(`postgres: using ${redact(url)}`);
  return { url };
}

/** 'ok', 'refused' when no server listens, or the error of a server that answered badly. */
async function probeServer(url: string): Promise<'ok' | 'refused' | Error> {
  const client = new Client({ connectionString: adminUrl(url), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return 'ok';
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ECONNREFUSED' || code === 'ENOENT' ? 'refused' : (err as Error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named in the URL when it is missing. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const client = new Client({ connectionString: adminUrl(url), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (err) {
    // Two launchers racing on the same database: the other one created it.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name || 'openpacific';
}

/** The same server, connected to the always-present `postgres` database. */
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
