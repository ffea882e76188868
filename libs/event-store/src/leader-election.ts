import type { Pool, PoolClient } from 'pg';

export interface LeaderElectionOptions {
  /** What is led: instances electing under one name exclude each other (per database). */
  name: string;
  /** How often a follower tries to take the lead and a leader checks it still holds it. */
  intervalMs?: number;
  onElected?: () => Promise<void> | void;
  onDeposed?: () => Promise<void> | void;
  logger?: { info(msg: string, fields?: Record<string, unknown>): void; warn(msg: string, fields?: Record<string, unknown>): void };
}

/**
 * One leader per name among any number of instances: the holder of a Postgres session advisory lock on a
 * dedicated connection. The lock goes with the connection, so a leader that dies (or whose connection
 * breaks) frees it at once for another instance. A leader checks its connection every interval and steps
 * down as soon as the check fails, before anyone else could have taken over it is told so (onDeposed).
 * Transitions run one at a time, in order.
 */
export class LeaderElection {
  private client?: PoolClient;
  private leader = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private transitions: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly opts: LeaderElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** Tries once at once (so a lone instance leads before start returns), then every interval. */
  async start(): Promise<void> {
    await this.check();
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.check().finally(tick), this.opts.intervalMs ?? 1000);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.transitions;
    if (this.leader) await this.depose('stopping');
    if (this.client) {
      await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey(this.opts.name)]).catch(() => undefined);
      this.client.release();
      this.client = undefined;
    }
    await this.transitions;
  }

  private check(): Promise<void> {
    this.transitions = this.transitions.then(async () => {
      if (this.stopped) return;
      if (this.leader) {
        try {
          await withTimeout(this.client!.query('SELECT 1'), Math.max(1000, (this.opts.intervalMs ?? 1000) * 2));
        } catch (err) {
          await this.depose(`lock connection failed: ${(err as Error).message}`);
        }
        return;
      }
      try {
        this.client ??= await this.connect();
        const { rows } = await this.client.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [lockKey(this.opts.name)]);
        if (!rows[0].ok) return;
        this.leader = true;
        this.opts.logger?.info('elected leader', { name: this.opts.name });
        await this.opts.onElected?.();
      } catch (err) {
        this.dropClient(err as Error);
        this.opts.logger?.warn('leader election attempt failed', { name: this.opts.name, error: (err as Error).message });
      }
    });
    return this.transitions;
  }

  private async connect(): Promise<PoolClient> {
    const client = await this.pool.connect();
    // An idle checked-out client that loses its server emits 'error'; the next check finds out and steps down.
    client.on('error', () => undefined);
    return client;
  }

  private async depose(reason: string): Promise<void> {
    this.leader = false;
    this.dropClient(new Error(reason));
    if (reason === 'stopping') this.opts.logger?.info('stepping down', { name: this.opts.name });
    else this.opts.logger?.warn('no longer leader', { name: this.opts.name, reason });
    try {
      await this.opts.onDeposed?.();
    } catch (err) {
      this.opts.logger?.warn('stepping down failed', { name: this.opts.name, error: (err as Error).message });
    }
  }

  private dropClient(err: Error): void {
    // Destroy rather than return it: a session that may still hold the lock must not go back to the pool.
    this.client?.release(err);
    this.client = undefined;
  }
}

/** A stable 63-bit key from the name (FNV-1a), the same in every instance. */
export function lockKey(name: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`openpacific:${name}`)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return (h & 0x7fffffffffffffffn).toString();
}

/** A query on a connection whose server went away may never answer: a check that takes too long fails. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
