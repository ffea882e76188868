import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@openpacific/testing';
import { parse } from 'yaml';
import { gatewayCaller } from './gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from './gateway-with-policy.spec-support';

/**
 * The gateway keeps nothing of its own: stopped and started again, it
 * rebuilds every object, resourceVersion and the watch buffer from the log.
 */
describe('the api-gateway across a restart', () => {
  let stack: GatewayWithPolicy;

  const call = gatewayCaller(() => stack.dataDir);

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('gwrestart', { startGateway: false, gatewayEnv: { WATCH_CACHE_SIZE: '12' } });
  }, 60_000);
  afterAll(() => stack?.stop(), 30_000);

  it('serves the same objects and resourceVersions after a restart, and replays or expires watches from the rebuilt buffer', async () => {
    let gateway = await stack.startGateway();
    let created: { json: any };
    let last: any;
    try {
      created = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept', labels: { v: '0' } } });
      expect(created.json.metadata.name).toBe('kept');
      last = created.json;
      for (let i = 1; i <= 20; i++) last = (await call('PATCH', '/api/v1/namespaces/kept', { metadata: { labels: { v: String(i) } } })).json;
    } finally {
      await gateway.stop();
    }

    gateway = await stack.startGateway();
    try {
      const after = await call('GET', '/api/v1/namespaces/kept');
      expect(after.json.metadata).toMatchObject({ uid: created.json.metadata.uid, resourceVersion: last.metadata.resourceVersion, labels: { v: '20' } });
      const defaults = (await call('GET', '/api/v1/namespaces')).json.items.map((n: any) => n.metadata.name);
      expect(defaults).toEqual(['default', 'kept', 'kube-node-lease', 'kube-public', 'kube-system']);

      // The buffer holds the last 12 changes: older resourceVersions are 410 Expired, newer ones replay. (Besides the
      // namespace's changes it holds the gateway's own writes at start, a few: its identity Lease, the `kubernetes`
      // Service and endpoints at its new port.)
      const expired = await call('GET', `/api/v1/namespaces?watch=true&timeoutSeconds=1&resourceVersion=${created.json.metadata.resourceVersion}`);
      expect(JSON.parse(expired.text.trim().split('\n')[0])).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
      const history = (await call('GET', '/api/v1/namespaces/kept/history')).json.items;
      const from = history[history.length - 3].resourceVersion;
      const replay = await call('GET', `/api/v1/namespaces?watch=true&timeoutSeconds=1&resourceVersion=${from}`);
      const events = replay.text.trim().split('\n').map((l) => JSON.parse(l));
      expect(events.map((e) => [e.type, e.object.metadata.labels.v])).toEqual([['MODIFIED', '19'], ['MODIFIED', '20']]);
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('holds an identity Lease in kube-system while it serves, and deletes it when it stops', async () => {
    const gateway = await stack.startGateway();
    let name: string;
    try {
      const leases = await eventually(async () => {
        const items = (await call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases')).json.items;
        expect(items).toHaveLength(1);
        return items;
      }, { timeoutMs: 10_000 });
      name = leases[0].metadata.name;
      const port = new URL(parse(readFileSync(join(stack.dataDir, 'kubeconfig'), 'utf8')).clusters[0].cluster.server).port;
      expect(leases[0].metadata.annotations['alpha.apiserver.kubernetes.io/peer-endpoint']).toBe(`127.0.0.1:${port}`);
    } finally {
      await gateway.stop();
    }
    const { rows } = await stack.db.pool.query('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [`leases.coordination.k8s.io/kube-system/${name}`]);
    expect(rows.map((r) => r.type).at(-1)).toBe('ResourceDeleted');
  }, 60_000);

  it('takes concurrent merge-patches of one object in turn: every one answered 200, none lost, one event each', async () => {
    const gateway = await stack.startGateway();
    try {
      await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'contended' } });
      const patches = await Promise.all(
        Array.from({ length: 16 }, (_, i) => call('PATCH', '/api/v1/namespaces/contended', { metadata: { labels: { [`k${i}`]: String(i) } } })),
      );
      expect(patches.map((p) => p.status)).toEqual(Array(16).fill(200));
      const labels = (await call('GET', '/api/v1/namespaces/contended')).json.metadata.labels;
      for (let i = 0; i < 16; i++) expect(labels[`k${i}`]).toBe(String(i));
      // The create, then one update per patch: no patch was written twice or dropped.
      expect((await call('GET', '/api/v1/namespaces/contended/history')).json.items).toHaveLength(17);
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('answers a write, GET, LIST and watch with the same object, and ties the Audit-Id to the audit record and the event', async () => {
    const gateway = await stack.startGateway();
    try {
      await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'answers' } });
      const watch = call('GET', '/api/v1/namespaces/answers/configmaps?watch=true&timeoutSeconds=2');
      const created = await call('POST', '/api/v1/namespaces/answers/configmaps', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-' }, data: { quoted: '"x"\n\u00e9' },
      });
      expect(created.status).toBe(201);
      const name = created.json.metadata.name;
      const patched = await call('PATCH', `/api/v1/namespaces/answers/configmaps/${name}`, { data: { more: 'y' } });
      const got = await call('GET', `/api/v1/namespaces/answers/configmaps/${name}`);
      expect(got.json).toEqual(patched.json);
      const listed = await call('GET', '/api/v1/namespaces/answers/configmaps');
      expect(listed.json).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
      // As in Kubernetes, the namespace holds kube-root-ca.crt as well (the root CA publisher's, made as the namespace is).
      const ours = (cm: any) => cm.metadata.name !== 'kube-root-ca.crt';
      expect(listed.json.items.filter(ours)).toEqual([patched.json]);
      const events = (await watch).text.trim().split('\n').map((l) => JSON.parse(l));
      expect(events.filter((e) => ours(e.object))).toEqual([{ type: 'ADDED', object: created.json }, { type: 'MODIFIED', object: patched.json }]);

      // One request id: the Audit-Id header, the audit record (which names the created object) and the event written.
      const requestId = created.headers['audit-id'];
      const { rows } = await stack.db.pool.query("SELECT metadata->>'requestId' AS id FROM events WHERE stream_id = $1 ORDER BY stream_version", [`configmaps/answers/${name}`]);
      expect(rows[0].id).toBe(requestId);
      expect(rows[1].id).toBe(patched.headers['audit-id']);
      await eventually(async () => {
        const records = (await call('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=requestID=${requestId}`)).json.items;
        expect(records).toMatchObject([{ verb: 'create', resource: 'configmaps', namespace: 'answers', name, code: 201 }]);
      });
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('records what the policy service\'s admission says for the audit log in the audit record of the request, allowed or refused', async () => {
    const gateway = await stack.startGateway();
    try {
      const namespace = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'audited' } });
      const rules = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }];
      const apply = async (kind: string, plural: string, name: string, spec: any) => {
        const res = await call('POST', `/apis/admissionregistration.k8s.io/v1/${plural}`, { apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, spec });
        expect(res.status).toBe(201);
      };
      const policy = (name: string, spec: any) => apply('ValidatingAdmissionPolicy', 'validatingadmissionpolicies', name, { matchConstraints: { resourceRules: rules }, ...spec });
      const binding = (name: string, policyName: string, validationActions: string[]) =>
        apply('ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', name, { policyName, validationActions });
      await policy('size.example.com', {
        validations: [{ expression: '!has(object.data) || size(object.data) <= 1', message: 'at most one key' }],
        auditAnnotations: [{ key: 'keys', valueExpression: "has(object.data) ? string(size(object.data)) + ' keys' : null" }],
      });
      await binding('size-audit', 'size.example.com', ['Audit']);
      await policy('no-forbidden.example.com', { validations: [{ expression: "!has(object.data) || !('forbidden' in object.data)" }] });
      await binding('no-forbidden-deny', 'no-forbidden.example.com', ['Deny']);

      const configMap = (name: string, data: Record<string, string>) => call('POST', '/api/v1/namespaces/audited/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
      const allowed = await configMap('two', { a: '1', b: '2' });
      expect(allowed.status).toBe(201);
      const refused = await configMap('refused', { a: '1', forbidden: 'x' });
      expect(refused.status).toBe(422);
      expect(refused.json.message).toContain("binding 'no-forbidden-deny' denied request");

      const failure = '[{"message":"at most one key","policy":"size.example.com","binding":"size-audit","expressionIndex":0,"validationActions":["Audit"]}]';
      const recordOf = async (res: { headers: Record<string, unknown> }) => {
        const items = (await call('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=requestID=${res.headers['audit-id']}`)).json.items;
        expect(items).toHaveLength(1);
        return items[0];
      };
      await eventually(async () => {
        expect(await recordOf(allowed)).toMatchObject({
          verb: 'create', resource: 'configmaps', name: 'two', code: 201,
          annotations: { 'size.example.com/keys': '2 keys', 'validation.policy.admission.k8s.io/validation_failure': failure },
        });
        const refusal = await recordOf(refused);
        expect(refusal).toMatchObject({ code: 422, decision: 'allow' });
        expect(refusal.annotations).toEqual({ 'size.example.com/keys': '2 keys', 'validation.policy.admission.k8s.io/validation_failure': failure });
        // A request no policy applies to has no annotations.
        expect(await recordOf(namespace)).not.toHaveProperty('annotations');
      });
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});
