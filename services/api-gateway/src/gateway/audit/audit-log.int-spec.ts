import { migrate } from '@openpacific/event-store';
import { createLogger } from '@openpacific/service-kit';
import { createTestDatabase, eventually, TestDatabase } from '@openpacific/testing';
import { AuditEntry, AuditLog } from './audit-log';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  time: new Date('2026-11-30T10:00:00Z'),
  requestId: 'r-1',
  username: 'alice',
  groups: ['system:authenticated'],
  verb: 'get',
  apiGroup: '',
  resource: 'configmaps',
  subresource: '',
  namespace: 'team-a',
  name: 'cm-1',
  path: '/api/v1/namespaces/team-a/configmaps/cm-1',
  decision: 'allow',
  code: 200,
  userAgent: 'kubectl/v1.32.0',
  sourceIp: '127.0.0.1',
  ...over,
});

describe('the audit log table and its batched writer', () => {
  let db: TestDatabase;
  const lines: string[] = [];
  const logger = createLogger('audit-test', 'debug', 'test', (line) => lines.push(line));

  beforeAll(async () => {
    db = await createTestDatabase('auditlog');
  });
  afterAll(() => db.drop());

  it('retries a failed write (here: the table does not exist yet), logging it, and loses nothing', async () => {
    const log = new AuditLog(db.pool, logger, { flushIntervalMs: 10, retryDelayMs: 20 });
    log.append(entry({ requestId: 'before-migration' }));
    await eventually(() => expect(lines.some((l) => l.includes('audit records not written; retrying'))).toBe(true));
    expect(log.pending).toBe(1);
    await migrate(db.pool);
    await eventually(() => expect(log.pending).toBe(0));
    const { rows } = await db.pool.query("SELECT request_id FROM audit_records WHERE request_id = 'before-migration'");
    expect(rows).toHaveLength(1);
    expect(lines.some((l) => l.includes('audit records written again after failures'))).toBe(true);
    await log.stop();
  });

  it('refuses UPDATE, DELETE and TRUNCATE: the table is append-only', async () => {
    await expect(db.pool.query("UPDATE audit_records SET username = 'mallory'")).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.pool.query('DELETE FROM audit_records')).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.pool.query('TRUNCATE audit_records')).rejects.toThrow(/append-only: TRUNCATE refused/);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM audit_records WHERE username = 'alice'");
    expect(rows[0].n).toBe(1);
  });

  it('writes a full batch at once in one INSERT, and keeps the rest queued until the next flush', async () => {
    // The timer is far away: only a full batch is written before flush().
    const log = new AuditLog(db.pool, logger, { flushIntervalMs: 600_000, maxBatch: 200 });
    for (let i = 0; i < 450; i++) log.append(entry({ requestId: `batch-${i}`, username: 'batcher' }));
    await eventually(async () => {
      const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM audit_records WHERE username = 'batcher'");
      expect(rows[0].n).toBe(400);
    });
    expect(log.pending).toBe(50);
    await log.flush();
    // Rows of one INSERT statement share its transaction (xmin): 200 + 200 + 50.
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n, min(id) AS first FROM audit_records WHERE username = 'batcher' GROUP BY xmin::text ORDER BY first",
    );
    expect(rows.map((r) => r.n)).toEqual([200, 200, 50]);
    const order = await db.pool.query("SELECT request_id FROM audit_records WHERE username = 'batcher' ORDER BY id");
    expect(order.rows.map((r) => r.request_id)).toEqual(Array.from({ length: 450 }, (_, i) => `batch-${i}`));
    // Newest first by id, numerically (ids 9 and 10, 99 and 100 are in this range).
    const newest = await log.query({ user: 'batcher', limit: 1000 });
    expect(newest.map((e) => e.requestId)).toEqual(Array.from({ length: 450 }, (_, i) => `batch-${449 - i}`));
    await log.stop();
  });

  it('filters by user, namespace, time and fields, newest first, paged by id', async () => {
    const log = new AuditLog(db.pool, logger);
    const at = (s: string) => new Date(`2026-11-30T12:00:${s}Z`);
    log.append(entry({ requestId: 'q-1', username: 'bob', namespace: 'ns-q', verb: 'create', code: 201, time: at('01') }));
    log.append(entry({ requestId: 'q-2', username: 'bob', namespace: 'ns-q', verb: 'get', time: at('02') }));
    log.append(entry({ requestId: 'q-3', username: 'carol', namespace: 'ns-q', verb: 'delete', time: at('03') }));
    log.append(entry({ requestId: 'q-4', username: 'bob', namespace: 'ns-other', verb: 'list', time: at('04'), decision: 'deny', code: 403 }));
    await log.flush();
    const ids = async (q: Parameters<AuditLog['query']>[0]) => (await log.query(q)).map((e) => e.requestId);

    expect(await ids({ namespace: 'ns-q', limit: 10 })).toEqual(['q-3', 'q-2', 'q-1']);
    expect(await ids({ user: 'bob', limit: 10 })).toEqual(['q-4', 'q-2', 'q-1']);
    expect(await ids({ user: 'bob', namespace: 'ns-q', since: at('02'), limit: 10 })).toEqual(['q-2']);
    expect(await ids({ user: 'bob', until: at('02'), limit: 10 })).toEqual(['q-1']);
    expect(await ids({ user: 'bob', fields: [{ column: 'code', operator: '=', value: '403' }], limit: 10 })).toEqual(['q-4']);
    expect(await ids({ namespace: 'ns-q', fields: [{ column: 'verb', operator: '!=', value: 'get' }], limit: 10 })).toEqual(['q-3', 'q-1']);

    const [first, second] = await log.query({ namespace: 'ns-q', limit: 2 });
    expect(await ids({ namespace: 'ns-q', beforeId: second.id, limit: 2 })).toEqual(['q-1']);
    const one = await log.get(first.id);
    expect(one).toMatchObject({ requestId: 'q-3', username: 'carol', groups: ['system:authenticated'], decision: 'allow', code: 200 });
    expect(one!.time.toISOString()).toBe('2026-11-30T12:00:03.000Z');
    expect(await log.get('999999999')).toBeUndefined();
    expect(await log.get('not-an-id')).toBeUndefined();
    await log.stop();
  });

  it('keeps every field as it came, groups with quotes, backslashes, commas and braces included', async () => {
    const log = new AuditLog(db.pool, logger);
    const odd = entry({
      requestId: 'fields-1', username: 'o\'brien "x"', groups: ['a,b', 'c"d', 'e\\f', '{g}', '', 'NULL'], verb: 'create', apiGroup: 'apps',
      resource: 'deployments', subresource: 'scale', namespace: 'ns-f', name: 'web', path: '/apis/apps/v1/namespaces/ns-f/deployments/web/scale',
      decision: 'deny', code: 403, userAgent: 'kubectl/v1.32 (linux) ünïcode', sourceIp: '10.0.0.7', time: new Date('2026-11-30T13:14:15.678Z'),
    });
    log.append(odd);
    log.append(entry({ requestId: 'fields-2', namespace: 'ns-f', groups: [] }));
    await log.flush();
    const [second, first] = await log.query({ namespace: 'ns-f', limit: 10 });
    const { id, ...stored } = first;
    expect(id).toMatch(/^[0-9]+$/);
    expect(stored).toEqual(odd);
    expect(second).toMatchObject({ requestId: 'fields-2', groups: [] });
    await log.stop();
  });

  it('keeps a record\'s annotations as they came, and a record without any has none', async () => {
    const log = new AuditLog(db.pool, logger);
    const annotations = {
      'validation.policy.admission.k8s.io/validation_failure': '[{"message":"replicas \\u003c= 5","policy":"p","binding":"b","expressionIndex":0,"validationActions":["Audit"]}]',
      'p/owner': 'team "blue", ünïcode',
    };
    log.append(entry({ requestId: 'annotated', namespace: 'ns-a', annotations }));
    log.append(entry({ requestId: 'plain', namespace: 'ns-a' }));
    await log.flush();
    const [plain, annotated] = await log.query({ namespace: 'ns-a', limit: 10 });
    expect(annotated).toMatchObject({ requestId: 'annotated', annotations });
    expect(plain.requestId).toBe('plain');
    expect(plain).not.toHaveProperty('annotations');
    const { rows } = await db.pool.query("SELECT annotations FROM audit_records WHERE request_id = 'plain'");
    expect(rows).toEqual([{ annotations: null }]);
    await log.stop();
  });
});
