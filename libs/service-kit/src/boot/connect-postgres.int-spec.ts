import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { connectPostgres } from './connect-postgres';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as any;

describe('a service pool', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('connectpg');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('plans the named statements once, without their values, on every connection', async () => {
    const pool = await connectPostgres(db.url, 'test', quiet, { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10 });
    try {
      const clients = await Promise.all([pool.connect(), pool.connect()]);
      for (const c of clients) expect((await c.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode).toBe('force_generic_plan');
      for (const c of clients) c.release();
      expect((await pool.query('SELECT current_setting($1) AS name', ['application_name'])).rows[0].name).toBe('test');
    } finally {
      await pool.end();
    }
  });
});
