import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { eventually } from '@openpacific/testing';
import { parse } from 'yaml';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';

/** An open watch as a client holds it: its Audit-Id, and `close()` to go away as kubectl does on Ctrl-C. */
interface OpenWatch {
  auditId: string;
  close(): void;
}

/**
 * The stages at which the real gateway records requests, as kube-apiserver's audit does: a watch when its stream starts
 * (ResponseStarted) and again when it ends (ResponseComplete), also when the gateway shuts down under it; a plain
 * request once, complete.
 */
describe('the audit stages of long-running requests (api-gateway)', () => {
  let stack: GatewayWithPolicy;
  const opened: OpenWatch[] = [];
  const call = gatewayCaller(() => stack.dataDir);

  /** Starts a watch and resolves once its response started (the status line and headers came). */
  function watch(path: string): Promise<OpenWatch> {
    const server = parse(readFileSync(join(stack.dataDir, 'kubeconfig'), 'utf8')).clusters[0].cluster.server;
    const token = readFileSync(join(stack.dataDir, 'admin.token'), 'utf8').trim();
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server), { ca: readFileSync(join(stack.dataDir, 'pki', 'ca.crt')), headers: { authorization: `Bearer ${token}` } }, (res: IncomingMessage) => {
        if (res.statusCode !== 200) return reject(new Error(`watch answered ${res.statusCode}`));
        res.on('data', () => undefined);
        res.on('error', () => undefined);
        const w = { auditId: String(res.headers['audit-id']), close: () => req.destroy() };
        opened.push(w);
        resolve(w);
      });
      req.on('error', () => undefined);
      req.end();
    });
  }

  const recordsOf = async (requestId: string) => {
    const answer = await call('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=${encodeURIComponent(`requestID=${requestId}`)}`);
    expect(answer.status).toBe(200);
    return (answer.json.items as any[]).reverse();
  };

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('auditstages', { gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
  }, 90_000);
  afterAll(async () => {
    for (const w of opened) w.close();
    await stack?.stop();
  }, 30_000);

  it('records a plain GET once, at ResponseComplete', async () => {
    const got = await call('GET', '/api/v1/namespaces/default');
    expect(got.status).toBe(200);
    const auditId = String(got.headers['audit-id']);
    await eventually(async () => expect((await recordsOf(auditId)).map((r) => [r.verb, r.code, r.stage])).toEqual([['get', 200, 'ResponseComplete']]));
    // Still one, a while later: a record written meanwhile would be there by the time a later request's is.
    const later = String((await call('GET', '/api/v1/namespaces/kube-system')).headers['audit-id']);
    await eventually(async () => expect(await recordsOf(later)).toHaveLength(1));
    expect(await recordsOf(auditId)).toHaveLength(1);
  });

  it('records a watch at ResponseStarted (200) while it is open, and at ResponseComplete once the client went', async () => {
    const w = await watch('/api/v1/namespaces/default/configmaps?watch=true');
    await eventually(async () => expect((await recordsOf(w.auditId)).map((r) => [r.verb, r.resource, r.namespace, r.code, r.stage])).toEqual([
      ['watch', 'configmaps', 'default', 200, 'ResponseStarted'],
    ]));
    w.close();
    let records: any[] = [];
    await eventually(async () => {
      records = await recordsOf(w.auditId);
      expect(records.map((r) => [r.code, r.stage])).toEqual([[200, 'ResponseStarted'], [200, 'ResponseComplete']]);
    });
    const [started, complete] = records;
    expect(complete).toMatchObject({ time: started.time, requestID: started.requestID, user: 'admin', verb: 'watch', decision: 'allow' });
    expect(Date.parse(complete.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(started.stageTimestamp));
  });

  it('records a refused watch once, complete, with its Status code', async () => {
    const refused = await call('GET', '/api/v1/namespaces/default/configmaps?watch=true', undefined, { token: 'not-a-token' });
    expect(refused.status).toBe(401);
    const auditId = String(refused.headers['audit-id']);
    await eventually(async () => expect((await recordsOf(auditId)).map((r) => [r.user, r.code, r.stage])).toEqual([['system:anonymous', 401, 'ResponseComplete']]));
  });

  it('records the end of the watches still open when the gateway shuts down cleanly, before it exits', async () => {
    const w = await watch('/api/v1/namespaces/default/secrets?watch=true');
    await eventually(async () => expect((await recordsOf(w.auditId)).map((r) => r.stage)).toEqual(['ResponseStarted']));
    await stack.gateway!.stop();
    stack.gateway = undefined;
    // Written by the stopped gateway: read from its table, not through an API that is gone.
    const { rows } = await stack.db.pool.query('SELECT code, stage FROM audit_records WHERE request_id = $1 ORDER BY id', [w.auditId]);
    expect(rows).toEqual([{ code: 200, stage: 'ResponseStarted' }, { code: 200, stage: 'ResponseComplete' }]);
  });
});
