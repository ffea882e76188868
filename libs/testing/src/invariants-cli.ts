import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Pool } from 'pg';
import { checkInvariants, formatInvariantReport } from './invariants';

/**
 * node libs/testing/dist/invariants-cli.js [--database-url URL]
 * Exits 0 when every invariant holds, 1 when one is violated, 2 when it could not check.
 */
const USAGE = 'usage: node libs/testing/dist/invariants-cli.js [--database-url URL]';
const repoRoot = resolve(__dirname, '..', '..', '..');

export class UsageError extends Error {}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function parseArgs(argv: string[]): { databaseUrl?: string; help: boolean } {
  let databaseUrl: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg.startsWith('--database-url=')) databaseUrl = arg.slice('--database-url='.length);
    else if (arg === '--database-url') {
      databaseUrl = argv[++i];
      if (!databaseUrl) throw new UsageError('--database-url needs a value');
    } else throw new UsageError(`unknown argument: ${arg}`);
  }
  return { databaseUrl, help };
}

/** --database-url, else DATABASE_URL, else the databaseUrl of the running local cluster's cluster.json. */
export function resolveDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const dataDir = env.DATA_DIR || '.data';
  const file = join(isAbsolute(dataDir) ? dataDir : resolve(repoRoot, dataDir), 'cluster.json');
  if (!existsSync(file)) throw new UsageError(`no database: pass --database-url, set DATABASE_URL, or start a cluster (no ${file})`);
  const url = JSON.parse(readFileSync(file, 'utf8')).databaseUrl;
  if (typeof url !== 'string' || url === '') throw new UsageError(`${file} has no databaseUrl`);
  return url;
}

export async function runInvariantsCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let url: string;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    url = resolveDatabaseUrl(args.databaseUrl, env);
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const report = await checkInvariants(pool);
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
