import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Pool } from 'pg';
import { checkInvariants, formatInvariantReport } from './invariants';

/**
 * node libs/testing/dist/invariants-cli.js [--database-url URL] [--no-schemas]
 * Exits 0 when every invariant holds, 1 when one is violated, 2 when it could not check. Every object is also checked
 * against its kind's schema unless --no-schemas.
 */
const USAGE = 'usage: node libs/testing/dist/invariants-cli.js [--database-url URL] [--no-schemas]';
const repoRoot = resolve(__dirname, '..', '..', '..');

export class UsageError extends Error {}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function parseArgs(argv: string[]): { databaseUrl?: string; help: boolean; schemas: boolean } {
  let databaseUrl: string | undefined;
  let help = false;
  let schemas = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--no-schemas') schemas = false;
    else if (arg.startsWith('--database-url=')) databaseUrl = arg.slice('--database-url='.length);
    else if (arg === '--database-url') {
      databaseUrl = argv[++i];
      if (!databaseUrl) throw new UsageError('--database-url needs a value');
    } else throw new UsageError(`unknown argument: ${arg}`);
  }
  return { databaseUrl, help, schemas };
}

function dataDirOf(env: NodeJS.ProcessEnv): string {
  const dataDir = env.DATA_DIR || '.data';
  return isAbsolute(dataDir) ? dataDir : resolve(repoRoot, dataDir);
}

/** SECRETS_ENCRYPTION_KEY, else the local cluster's DATA_DIR/secrets.key, else none (Secrets' contents go unchecked). */
export function resolveSecretsKey(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SECRETS_ENCRYPTION_KEY) return env.SECRETS_ENCRYPTION_KEY;
  const file = join(dataDirOf(env), 'secrets.key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** --database-url, else DATABASE_URL, else the databaseUrl of the running local cluster's cluster.json. */
export function resolveDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const file = join(dataDirOf(env), 'cluster.json');
  if (!existsSync(file)) throw new UsageError(`no database: pass --database-url, set DATABASE_URL, or start a cluster (no ${file})`);
  const url = JSON.parse(readFileSync(file, 'utf8')).databaseUrl;
  if (typeof url !== 'string' || url === '') throw new UsageError(`${file} has no databaseUrl`);
  return url;
}

export async function runInvariantsCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let url: string;
  let schemas: boolean;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    url = resolveDatabaseUrl(args.databaseUrl, env);
    schemas = args.schemas;
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const report = await checkInvariants(pool, { schemas, secretsKey: schemas ? resolveSecretsKey(env) : undefined });
    io.out(formatInvariantReport(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    io.err(`could not check the log: ${(err as Error).message}`);
    return 2;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

if (require.main === module) {
  runInvariantsCli(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
    process.exitCode = code;
  });
}
