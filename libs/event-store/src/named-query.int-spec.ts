import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { namedQuery } from './named-query';

describe('a named query', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('namedquery');
    await db.pool.query(`CREATE TABLE things (id int PRIMARY KEY, body jsonb NOT NULL)`);
    await db.pool.query(`INSERT INTO things VALUES (1, '{"a": 1}')`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('goes on answering on a connection that prepared it before a migration changed what it returns', async () => {
    const client = await db.pool.connect();
    try {
      const read = () => namedQuery(client, { name: 'test_read_things', text: 'SELECT id, body FROM things WHERE id = $1', values: [1] });
      expect((await read()).rows).toEqual([{ id: 1, body: { a: 1 } }]);
      await db.pool.query('ALTER TABLE things ALTER COLUMN body TYPE json USING body::json');
      // The statement prepared above now returns json, not jsonb: Postgres refuses to run it as prepared.
      await expect(client.query({ name: 'test_read_things_0', text: 'SELECT id, body FROM things WHERE id = $1', values: [1] })).rejects.toThrow(/cached plan must not change result type/);
      expect((await read()).rows).toEqual([{ id: 1, body: { a: 1 } }]);
      expect((await read()).rows).toEqual([{ id: 1, body: { a: 1 } }]);
    } finally {
      client.release();
    }
  });

  it('passes on any other error', async () => {
    await expect(namedQuery(db.pool, { name: 'test_missing_table', text: 'SELECT * FROM no_such_table' })).rejects.toThrow(/no_such_table/);
  });
});
