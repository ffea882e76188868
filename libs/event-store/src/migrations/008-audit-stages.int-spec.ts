import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { auditStagesMigration } from './008-audit-stages';
import { migrate, migrations } from './migrate';
import { migrateTo } from './migration.spec-support';

const insert = `INSERT INTO audit_records (time, request_id, username, verb, decision, code) VALUES (now(), $1, 'alice', 'create', 'allow', 201)`;

describe('migration 8 (audit stages) on a database that already holds audit records', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migration8');
    await migrateTo(db, auditStagesMigration.version - 1);
  });
  afterAll(() => db.drop());

  it('keeps the records written before it, without a stage, and the table stays append-only', async () => {
    await db.pool.query(insert, ['before']);
    const before = (await db.pool.query(`SELECT * FROM audit_records`)).rows;

    expect(await migrate(db.pool)).toEqual(migrations.filter((m) => m.version >= auditStagesMigration.version).map((m) => m.version));

    const after = (await db.pool.query(`SELECT * FROM audit_records WHERE request_id = 'before'`)).rows;
    expect(after).toEqual([expect.objectContaining({ ...before[0], stage: null, stage_timestamp: null })]);
    const ended = new Date('2026-11-30T10:05:00.250Z');
    await db.pool.query(`INSERT INTO audit_records (time, request_id, username, verb, decision, code, stage, stage_timestamp) VALUES (now(), 'after', 'alice', 'create', 'allow', 101, 'ResponseComplete', $1)`, [ended]);
    const written = (await db.pool.query(`SELECT stage, stage_timestamp FROM audit_records WHERE request_id = 'after'`)).rows;
    expect(written).toEqual([{ stage: 'ResponseComplete', stage_timestamp: ended }]);
    await expect(db.pool.query(`UPDATE audit_records SET stage = 'ResponseStarted'`)).rejects.toThrow(/append-only: UPDATE refused/);
  });
});
