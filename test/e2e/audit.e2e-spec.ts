import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { startKubectlWatch } from './support/kubectl-watch';

/**
 * The audit log as an admin reads it with kubectl: every request is a record (who, what,
 * which object, the status code, allowed or denied), never a body, so a Secret's value
 * is nowhere in the records nor in the gateway's log.
 */
describe('the audit log', () => {
  let cluster: TestCluster;
  const ns = 'audit-e2e';
  const secretValue = `audit-secret-${randomBytes(12).toString('hex')}`;
  const secretValueB64 = Buffer.from(secretValue).toString('base64');

  const kubectl = async (...args: string[]) => {
    const res = await cluster.kubectl(args);
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
    return res.stdout;
  };
  /** The table rows of `kubectl get auditrecords`, as arrays of cells. */
  const auditRows = async (...args: string[]) => {
    const out = await kubectl('get', 'auditrecords', ...args);
    const [header, ...rows] = out.trim().split('\n');
    return { header: header.split(/\s+/), rows: rows.map((r) => r.split(/\s+/)) };
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'audit', hostCount: 1 });
    await kubectl('create', 'namespace', ns);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves auditrecords in discovery as a cluster-scoped, read-only (get, list) resource', async () => {
    const out = await kubectl('api-resources', '--api-group=audit.openpacific.io', '-o', 'wide');
    expect(out).toMatch(/^auditrecords\s+audit\.openpacific\.io\/v1\s+false\s+AuditRecord\s+get,list\s*$/m);
    const del = await cluster.kubectl(['delete', 'auditrecords', '1']);
    expect(del.code).not.toBe(0);
    expect(del.stderr).toMatch(/MethodNotAllowed|does not allow this method|not supported/i);
    const post = await cluster.request('POST', '/apis/audit.openpacific.io/v1/auditrecords', { body: { apiVersion: 'audit.openpacific.io/v1', kind: 'AuditRecord', metadata: { name: 'forged' } } });
    expect(post.status).toBe(405);
    expect(post.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
  });

  it('records the create, get and delete of a ConfigMap and a Secret with their codes, newest first', async () => {
    const create = async (manifest: object) => {
      const res = await cluster.kubectl(['-n', ns, 'create', '-f', '-'], { input: JSON.stringify(manifest) });
      if (res.code !== 0) throw new Error(`kubectl create failed: ${res.stderr}`);
    };
    await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audit-cm' }, data: { k: 'v' } });
    await kubectl('-n', ns, 'get', 'configmap', 'audit-cm');
    await kubectl('-n', ns, 'delete', 'configmap', 'audit-cm', '--wait=false');
    await create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'audit-secret' }, stringData: { password: secretValue } });
    await kubectl('-n', ns, 'get', 'secret', 'audit-secret', '-o', 'yaml');
    await kubectl('-n', ns, 'delete', 'secret', 'audit-secret', '--wait=false');

    await eventually(async () => {
      const { header, rows } = await auditRows('--field-selector', `namespace=${ns}`);
      expect(header).toEqual(['TIME', 'USER', 'VERB', 'RESOURCE', 'NAMESPACE', 'NAME', 'CODE']);
      const mine = rows.filter((r) => r[1] === 'admin' && ['audit-cm', 'audit-secret'].includes(r[5])).map((r) => r.slice(1).join(' '));
      // Newest first.
      expect(mine).toEqual([
        `admin delete secrets ${ns} audit-secret 200`,
        `admin get secrets ${ns} audit-secret 200`,
        `admin create secrets ${ns} audit-secret 201`,
        `admin delete configmaps ${ns} audit-cm 200`,
        `admin get configmaps ${ns} audit-cm 200`,
        `admin create configmaps ${ns} audit-cm 201`,
      ]);
      expect(rows.every((r) => r[4] === ns)).toBe(true);
    });
    // kubectl pages through with limit/continue: pages of 2 give the same rows as one page.
    const paged = await auditRows('--field-selector', `namespace=${ns},user=admin`, '--chunk-size=2', '-o', 'custom-columns=ID:.metadata.name,VERB:.verb');
    const whole = await auditRows('--field-selector', `namespace=${ns},user=admin`, '-o', 'custom-columns=ID:.metadata.name,VERB:.verb');
    expect(paged.rows.length).toBeGreaterThanOrEqual(6);
    expect(paged.rows).toEqual(whole.rows);
    const list = JSON.parse(await kubectl('get', 'auditrecords', '--field-selector', `namespace=${ns},verb=create,resource=secrets`, '-o', 'json'));
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      apiVersion: 'audit.openpacific.io/v1', kind: 'AuditRecord', user: 'admin', groups: expect.arrayContaining(['system:masters']),
      verb: 'create', apiGroup: '', resource: 'secrets', subresource: '', namespace: ns, name: 'audit-secret', decision: 'allow', code: 201,
      sourceIP: '127.0.0.1', userAgent: expect.stringMatching(/^kubectl/),
    });
    expect(list.items[0].requestID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records a request with a bad token as system:anonymous, denied, 401; and a forbidden read of the records as denied', async () => {
    const res = await cluster.request('GET', `/api/v1/namespaces/${ns}/configmaps`, { token: 'not-a-token' });
    expect(res.status).toBe(401);
    const auditId = res.headers['audit-id'];
    expect(auditId).toMatch(/^[0-9a-f-]{36}$/);
    const developer = readFileSync(join(cluster.dataDir, 'user-tokens', 'developer.token'), 'utf8').trim();
    const forbidden = await cluster.request('GET', '/apis/audit.openpacific.io/v1/auditrecords', { token: developer });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json().message).toBe('auditrecords.audit.openpacific.io is forbidden: User "developer" cannot list resource "auditrecords" in API group "audit.openpacific.io" at the cluster scope');

    await eventually(async () => {
      const q = await cluster.request('GET', `/apis/audit.openpacific.io/v1/auditrecords?user=system:anonymous&namespace=${ns}`);
      expect(q.status).toBe(200);
      expect(q.json().kind).toBe('AuditRecordList');
      expect(q.json().items).toEqual([
        expect.objectContaining({ requestID: auditId, user: 'system:anonymous', verb: 'list', resource: 'configmaps', namespace: ns, decision: 'deny', code: 401 }),
      ]);
    });
    await eventually(async () => {
      const q = await cluster.request('GET', '/apis/audit.openpacific.io/v1/auditrecords?user=developer&fieldSelector=resource%3Dauditrecords');
      expect(q.json().items[0]).toMatchObject({ user: 'developer', verb: 'list', apiGroup: 'audit.openpacific.io', decision: 'deny', code: 403 });
    });
  });

  /** The records of the audit API's field selector in namespace `ns`, oldest first. */
  const records = async (fieldSelector: string): Promise<any[]> => {
    const q = await cluster.request('GET', `/apis/audit.openpacific.io/v1/auditrecords?namespace=${ns}&fieldSelector=${encodeURIComponent(fieldSelector)}`);
    expect(q.status).toBe(200);
    return q.json().items.reverse();
  };
  /** A long-running request's two records: the same request id and time, ResponseStarted then ResponseComplete. */
  const expectStartedThenComplete = (pair: any[], code: number) => {
    expect(pair.map((r) => [r.code, r.stage])).toEqual([[code, 'ResponseStarted'], [code, 'ResponseComplete']]);
    expect(pair[1]).toMatchObject({ requestID: pair[0].requestID, time: pair[0].time });
    expect(Date.parse(pair[1].stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(pair[0].stageTimestamp));
  };

  it('records a watch when it starts, while it is still open, and again when the client closed it', async () => {
    const watch = startKubectlWatch(cluster, ['-n', ns, 'get', 'configmaps', '--watch', '--output-watch-events']);
    let started: any;
    try {
      await eventually(async () => {
        [started] = await records('verb=watch,resource=configmaps');
        expect(started).toMatchObject({ user: 'admin', verb: 'watch', resource: 'configmaps', namespace: ns, code: 200, stage: 'ResponseStarted' });
      });
      expect(await records(`requestID=${started.requestID}`)).toHaveLength(1);
    } finally {
      watch.stop();
    }
    await eventually(async () => expectStartedThenComplete(await records(`requestID=${started.requestID}`), 200));
  });

  it('records an exec and a followed log when they start and when they end, with one request id; the get before them once', async () => {
    await cluster.hostsReady(1);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'audit-shell' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo started; sleep 3600'] }] } };
    await cluster.kubectl(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify(pod) });
    await eventually(async () => expect(await kubectl('-n', ns, 'get', 'pod', 'audit-shell', '-o', 'jsonpath={.status.phase}')).toBe('Running'), { timeoutMs: 60_000 });

    expect(await kubectl('-n', ns, 'exec', 'audit-shell', '--', 'echo', 'hi')).toBe('hi\n');
    await eventually(async () => {
      const exec = await records('subresource=exec,name=audit-shell');
      expect(exec.map((r) => [r.user, r.verb, r.resource, r.decision])).toEqual([['admin', 'create', 'pods', 'allow'], ['admin', 'create', 'pods', 'allow']]);
      expectStartedThenComplete(exec, 101);
    });
    // kubectl exec reads the pod first: a plain get, one record each.
    const gets = (await records('verb=get,resource=pods,name=audit-shell')).filter((r) => r.subresource === '');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => r.stage === 'ResponseComplete')).toBe(true);
    expect(new Set(gets.map((r) => r.requestID)).size).toBe(gets.length);

    const logs = startKubectlWatch(cluster, ['-n', ns, 'logs', '-f', 'audit-shell']);
    try {
      await eventually(() => expect(logs.output()).toContain('started'));
      await eventually(async () => expect((await records('subresource=log,name=audit-shell')).map((r) => [r.verb, r.code, r.stage])).toEqual([['get', 200, 'ResponseStarted']]));
    } finally {
      logs.stop();
    }
    await eventually(async () => expectStartedThenComplete(await records('subresource=log,name=audit-shell'), 200));
  }, 120_000);

  it('rejects bad query parameters with a 400 naming the parameter', async () => {
    const since = await cluster.request('GET', '/apis/audit.openpacific.io/v1/auditrecords?since=yesterday');
    expect(since.status).toBe(400);
    expect(since.json().message).toMatch(/^since: Invalid value: "yesterday"/);
    const field = await cluster.request('GET', '/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=spec.body%3Dx');
    expect(field.status).toBe(400);
    expect(field.json().message).toBe('field label not supported: spec.body');
    const until = await cluster.request('GET', `/apis/audit.openpacific.io/v1/auditrecords?until=2000-01-01T00:00:00Z&namespace=${ns}`);
    expect(until.json().items).toEqual([]);
  });

  it("never holds the Secret's value: not in any record, not in the gateway's log", async () => {
    const db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT count(*)::int AS n, string_agg(audit_records::text, E\'\\n\') AS everything FROM audit_records');
      expect(rows[0].n).toBeGreaterThan(10);
      expect(rows[0].everything).toContain('audit-secret');
      expect(rows[0].everything).not.toContain(secretValue);
      expect(rows[0].everything).not.toContain(secretValueB64);
    } finally {
      await db.end();
    }
    const all = await kubectl('get', 'auditrecords', '-o', 'json');
    expect(all).toContain('audit-secret');
    expect(all).not.toContain(secretValue);
    expect(all).not.toContain(secretValueB64);

    const logDir = join(cluster.dataDir, 'logs');
    const gatewayLogs = readdirSync(logDir).filter((f) => f.startsWith('api-gateway'));
    expect(gatewayLogs.length).toBeGreaterThan(0);
    for (const f of gatewayLogs) {
      const text = readFileSync(join(logDir, f), 'utf8');
      expect(text).not.toContain(secretValue);
      expect(text).not.toContain(secretValueB64);
    }
  });
});
