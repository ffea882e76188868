import { createTestDatabase, eventually, TestDatabase } from '@openpacific/testing';
import { Pool } from 'pg';
import { LeaderElection } from './leader-election';

describe('leader election', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const elections: LeaderElection[] = [];

  /** One instance: its own pool, as separate processes have, and a log of what it was told. */
  function instance(name = 'work') {
    const pool = new Pool({ connectionString: db.url, max: 3, application_name: `instance-${pools.length}` });
    pool.on('error', () => undefined);
    pools.push(pool);
    const told: string[] = [];
    const election = new LeaderElection(pool, { name, intervalMs: 50, onElected: () => void told.push('elected'), onDeposed: () => void told.push('deposed') });
    elections.push(election);
    return { election, told, pool };
  }

  beforeAll(async () => {
    db = await createTestDatabase('leader');
  });
  afterAll(async () => {
    for (const e of elections) await e.stop();
    for (const p of pools) await p.end();
    await db.drop();
  });

  it('elects exactly one of several instances, and another when the leader stops', async () => {
    const a = instance();
    const b = instance();
    const c = instance('other-work');
    await Promise.all([a.election.start(), b.election.start(), c.election.start()]);
    await new Promise((r) => setTimeout(r, 200));
    expect([a.election.isLeader, b.election.isLeader].filter(Boolean)).toHaveLength(1);
    // A different name is led independently.
    expect(c.election.isLeader).toBe(true);
    const [leader, follower] = a.election.isLeader ? [a, b] : [b, a];
    await leader.election.stop();
    expect(leader.told).toEqual(['elected', 'deposed']);
    await eventually(() => expect(follower.election.isLeader).toBe(true));
    expect(follower.told).toEqual(['elected']);
  });

  it('steps down when its lock connection is cut, and the lock passes to another instance', async () => {
    const a = instance('cut');
    await a.election.start();
    expect(a.election.isLeader).toBe(true);
    const b = instance('cut');
    await b.election.start();
    expect(b.election.isLeader).toBe(false);
    // Cut every connection of a's pool from the server side, as a network failure or a Postgres restart would.
    const admin = new Pool({ connectionString: db.url, max: 1 });
    const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [(a.pool as any).options.application_name]);
    expect(rows.length).toBeGreaterThan(0);
    await admin.end();
    await eventually(() => expect(a.told).toEqual(['elected', 'deposed']));
    await eventually(() => expect(b.election.isLeader).toBe(true));
    // a keeps trying, and follows now.
    await new Promise((r) => setTimeout(r, 200));
    expect(a.election.isLeader).toBe(false);
  });
});
