import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { auditAnnotationsMigration } from './007-audit-annotations';
import { migrate, migrations } from './migrate';
import { migrateTo } from './migration.spec-support';

const insert = `INSERT INTO audit_records (time, request_id, username, verb, decision, code) VALUES (now(), $1, 'alice', 'create', 'allow', 201)`;
const insertAnnotated = `INSERT INTO audit_records (time, request_id, username, verb, decision, code, annotations) VALUES (now(), $1, 'alice', 'create', 'allow', 201, $2::jsonb)`;

describe('migration 7 (audit annotations) on a database that already holds audit records', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migration7');
    await migrateTo(db, auditAnnotationsMigration.version - 1);
  });
  afterAll(() => db.drop());

  it('keeps the records written before it, without annotations, and the table stays append-only', async () => {
    await db.pool.query(insert, ['before']);
    const before = (await db.pool.query(`SELECT * FROM audit_records`)).rows;

    // This migration and every later one (each has its own test from the state before it).
    expect(await migrate(db.pool)).toEqual(migrations.filter((m) => m.version >= auditAnnotationsMigration.version).map((m) => m.version));

    const after = (await db.pool.query(`SELECT * FROM audit_records WHERE request_id = 'before'`)).rows;
    // Later migrations add columns of their own: this one's is what is checked.
    expect(after).toEqual([expect.objectContaining({ ...before[0], annotations: null })]);
    await db.pool.query(insertAnnotated, ['after', JSON.stringify({ 'p/k': 'v' })]);
    const written = (await db.pool.query(`SELECT annotations FROM audit_records WHERE request_id = 'after'`)).rows;
    expect(written).toEqual([{ annotations: { 'p/k': 'v' } }]);
    await expect(db.pool.query(`UPDATE audit_records SET annotations = '{}'`)).rejects.toThrow(/append-only: UPDATE refused/);
  });
});
