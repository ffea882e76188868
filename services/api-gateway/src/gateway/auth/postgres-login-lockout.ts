import type { Pool, PoolClient } from 'pg';
import { CodedError } from '@openpacific/contracts';
import { afterFailure, forgettableAfter, isLocked, LockoutPolicy, LoginLockout, LoginOutcome, nameKey, NameRecord, VCENTER_LOCKOUT_POLICY } from './wcp-login-lockout';

/** The lockout's table could not be read or written: the login is answered 503, never let through unjudged. */
export class LoginLockoutUnavailableError extends CodedError {
  constructor(cause: unknown) {
    super('GATEWAY.LOGIN_LOCKOUT_UNAVAILABLE', `the login lockout's store (Postgres) is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'LoginLockoutUnavailableError';
  }
}

/** Rows forgotten at most per judged login: pruning is bounded work on the way. */
const PRUNE_BATCH = 100;
/**
 * Logins judged at once by this process. Each holds a connection while its password is checked (scrypt, on libuv's
 * four threads): more would only keep the event store's connections waiting.
 */
const CONCURRENT_LOGINS = 4;

/**
 * The lockout in Postgres (table login_lockouts, migration 9), so that every gateway replica shares one count per name
 * and a restart forgets no lock. A login is judged in one transaction holding its name's row (SELECT … FOR UPDATE), its
 * password checked while the row is held, so concurrent logins of one name on any replica are judged one after another.
 * In this process, one name's logins also wait for each other before taking a connection.
 */
export class PostgresLoginLockout implements LoginLockout {
  private readonly tails = new Map<string, Promise<unknown>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly policy: LockoutPolicy = VCENTER_LOCKOUT_POLICY,
    private readonly clock: () => number = Date.now,
  ) {}

  attempt<T>(name: string, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>> {
    const key = nameKey(name);
    const run = (this.tails.get(key) ?? Promise.resolve()).then(() => this.limited(() => this.judge(key, verify)));
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
    return run;
  }

  private async limited<R>(fn: () => Promise<R>): Promise<R> {
    if (this.running >= CONCURRENT_LOGINS) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async judge<T>(key: string, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>> {
    const client = await this.pool.connect().catch((err) => Promise.reject(new LoginLockoutUnavailableError(err)));
    let verifying = false;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const record = await lockRow(client, key);
      if (isLocked(record, this.clock())) {
        await client.query('COMMIT');
        return { result: 'locked', lockedUntil: record.lockedUntil };
      }
      verifying = true;
      const value = await verify();
      verifying = false;
      const now = this.clock();
      const next: NameRecord = value !== undefined ? { failures: [] } : afterFailure({ failures: record.failures }, now, this.policy);
      await client.query('UPDATE login_lockouts SET failures = $2, locked_until = $3, forget_after = $4 WHERE name_digest = $1', [
        key, next.failures.map((at) => new Date(at)), next.lockedUntil === undefined ? null : new Date(next.lockedUntil), new Date(Math.max(forgettableAfter(next, this.policy), now)),
      ]);
      await prune(client, key, now);
      await client.query('COMMIT');
      if (value !== undefined) return { result: 'ok', value };
      return next.lockedUntil === undefined ? { result: 'failed' } : { result: 'failed', lockedUntil: next.lockedUntil };
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      // Only what `verify` threw is the caller's own; anything else is the store's.
      throw verifying ? err : new LoginLockoutUnavailableError(err);
    } finally {
      client.release(broken);
    }
  }
}

/** The name's row, locked for this transaction; made first if absent, again if pruned between the two statements. */
async function lockRow(client: PoolClient, key: string): Promise<NameRecord> {
  for (;;) {
    await client.query('INSERT INTO login_lockouts (name_digest) VALUES ($1) ON CONFLICT DO NOTHING', [key]);
    const { rows } = await client.query<{ failures: Date[]; locked_until: Date | null }>('SELECT failures, locked_until FROM login_lockouts WHERE name_digest = $1 FOR UPDATE', [key]);
    if (rows.length === 0) continue;
    return { failures: rows[0].failures.map((d) => d.getTime()), lockedUntil: rows[0].locked_until?.getTime() };
  }
}

/** Forgets a few rows that remember nothing any more, skipping those other logins hold. */
async function prune(client: PoolClient, key: string, now: number): Promise<void> {
  await client.query(
    `DELETE FROM login_lockouts WHERE name_digest IN (
       SELECT name_digest FROM login_lockouts WHERE forget_after <= $1 AND name_digest <> $2 ORDER BY forget_after LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    [new Date(now), key, PRUNE_BATCH],
  );
}
