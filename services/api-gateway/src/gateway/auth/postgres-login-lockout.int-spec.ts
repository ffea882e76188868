import { Pool } from 'pg';
import { migrate } from '@openpacific/event-store';
import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { LoginLockoutUnavailableError, PostgresLoginLockout } from './postgres-login-lockout';
import { LockoutPolicy, nameKey } from './wcp-login-lockout';

/** A clock the test moves by hand, shared by the "replicas": no test here sleeps. */
function fakeClock(start = Date.parse('2026-12-06T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

/** A password check that counts its runs and lets others run meanwhile, as scrypt does. */
function checker() {
  const check = { runs: 0, verify: (good: boolean) => async () => (check.runs++, await new Promise((r) => setTimeout(r, 5)), good ? 'ok' : undefined) };
  return check;
}

const POLICY: LockoutPolicy = { maxFailures: 3, failureWindowSeconds: 60, lockoutSeconds: 120 };

describe('the login lockout in Postgres, shared by the gateway replicas', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const clock = fakeClock();
  /** A gateway replica's lockout: a pool of its own on the one database. */
  const replica = () => {
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    return new PostgresLoginLockout(pool, POLICY, clock.now);
  };

  beforeAll(async () => {
    db = await createTestDatabase('loginlockout');
    await migrate(db.pool);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  it('locks a name on one replica with failures made on the other', async () => {
    const [a, b] = [replica(), replica()];
    const check = checker();
    expect(await a.attempt('dev', check.verify(false))).toEqual({ result: 'failed' });
    expect(await b.attempt('dev', check.verify(false))).toEqual({ result: 'failed' });
    expect(await a.attempt('dev', check.verify(false))).toEqual({ result: 'failed', lockedUntil: clock.now() + 120_000 });
    expect(await b.attempt('dev', check.verify(true))).toEqual({ result: 'locked', lockedUntil: clock.now() + 120_000 });
    expect(check.runs).toBe(3);
  });

  it('keeps a lock for a replica started after it, until the lock ends', async () => {
    const check = checker();
    expect((await replica().attempt('dev', check.verify(true))).result).toBe('locked');
    expect(check.runs).toBe(0);
    clock.advance(120);
    expect(await replica().attempt('dev', check.verify(true))).toEqual({ result: 'ok', value: 'ok' });
  });

  it('judges guesses sent together to both replicas one after another: no more checks than the policy allows', async () => {
    const [a, b] = [replica(), replica()];
    const check = checker();
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).attempt('burst', check.verify(false))));
    expect(check.runs).toBe(3);
    expect(burst.filter((o) => o.result === 'failed')).toHaveLength(3);
    expect(burst.filter((o) => o.result === 'locked')).toHaveLength(17);
  });

  it('keeps a digest of the name, not the name, and forgets rows whose window and lock have passed', async () => {
    const a = replica();
    const check = checker();
    await a.attempt('s3cret-typed-as-a-name', check.verify(false));
    const { rows } = await db.pool.query('SELECT * FROM login_lockouts');
    expect(JSON.stringify(rows)).not.toContain('s3cret');
    const kept = async () => (await db.pool.query('SELECT name_digest FROM login_lockouts')).rows.map((r) => r.name_digest).sort();
    // 'dev' signed in successfully: its row remembered nothing and went with this write.
    expect(await kept()).toEqual([nameKey('burst'), nameKey('s3cret-typed-as-a-name')].sort());
    // 'burst' is locked for 120 s: past its window but within its lock, it stays; the other's window has passed.
    clock.advance(61);
    await a.attempt('later', check.verify(false));
    expect(await kept()).toEqual([nameKey('burst'), nameKey('later')].sort());
    expect((await a.attempt('burst', check.verify(true))).result).toBe('locked');
  });

  it('refuses to judge a login when Postgres cannot be reached, without checking the password', async () => {
    const down = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    pools.push(down);
    const check = checker();
    await expect(new PostgresLoginLockout(down, POLICY, clock.now).attempt('dev', check.verify(true))).rejects.toBeInstanceOf(LoginLockoutUnavailableError);
    expect(check.runs).toBe(0);
  });
});
