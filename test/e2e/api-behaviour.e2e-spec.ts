import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { Client } from 'pg';

/**
 * What the gateway does beyond the happy path: every kind of bad input gets
 * the Status kube-apiserver would send and writes nothing; dry runs persist
 * nothing; custom kinds, the status subresource, owner references,
 * finalizers; and admission that does not answer.
 */
const host = (name: string, spec: object = {}) => ({ apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name }, spec });
const HOSTS = '/apis/infrastructure.openpacific.io/v1alpha1/hosts';

describe('the api-gateway under bad input, dry runs, owners, finalizers and admission', () => {
  let cluster: TestCluster;
  /** Events the admin's requests appended; hosts and the scheduler write on their own, so count only the user's. */
  const logLength = async () => {
    const db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT count(*)::int AS n FROM events WHERE metadata->>'actor' = 'admin'");
      return rows[0].n as number;
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'apibehaviour' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves a custom cluster-scoped kind through kubectl, with its status subresource and generation', async () => {
    const created = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(host('esx-1', { unschedulable: false })) });
    expect(created.stdout.trim()).toBe('host.infrastructure.openpacific.io/esx-1 created');
    const status = await cluster.request('PATCH', `${HOSTS}/esx-1/status`, {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { status: { epoch: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'HeartbeatsArriving' }] } },
    });
    expect(status.status).toBe(200);
    expect(status.json().metadata.generation).toBe(1);
    const table = await cluster.kubectl(['get', 'hosts']);
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+EPOCH\s+AGE$/m);
    expect(table.stdout).toMatch(/^esx-1\s+HeartbeatsArriving\s+1\s+\d+s$/m);
    // A spec change bumps generation; the main resource cannot change status.
    await cluster.kubectl(['patch', 'host', 'esx-1', '--type=merge', '-p', '{"spec":{"unschedulable":true},"status":{"epoch":9}}']);
    const after = JSON.parse((await cluster.kubectl(['get', 'host', 'esx-1', '-o', 'json'])).stdout);
    expect(after.metadata.generation).toBe(2);
    expect(after.status.epoch).toBe(1);
  });

  it('answers malformed bodies, unknown kinds and versions, bad names and schema violations with the right Status and writes nothing', async () => {
    const rv = await logLength();
    const malformed = await cluster.request('POST', HOSTS, { headers: { 'Content-Type': 'application/json' }, body: '{"apiVersion": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });

    const unknownKind = await cluster.request('GET', '/apis/infrastructure.openpacific.io/v1alpha1/foos');
    expect(unknownKind.status).toBe(404);
    expect((await cluster.request('GET', '/apis/infrastructure.openpacific.io/v9/hosts')).status).toBe(404);
    expect((await cluster.kubectl(['get', 'foos'])).stderr).toContain('the server doesn\'t have a resource type "foos"');

    const badName = await cluster.request('POST', HOSTS, { body: host('Not_A_Name') });
    expect(badName.status).toBe(422);
    expect(badName.json().details.causes[0].field).toBe('metadata.name');

    const badEnum = await cluster.request('POST', HOSTS, { body: host('h-enum', { taints: [{ key: 'k', effect: 'Sometimes' }] }) });
    expect(badEnum.status).toBe(422);
    expect(badEnum.json().message).toContain('spec.taints[0].effect: Unsupported value: "Sometimes"');

    const strict = await cluster.request('POST', `${HOSTS}?fieldValidation=Strict`, { body: host('h-strict', { nope: 1 }) });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toContain('unknown field "spec.nope"');

    const mismatch = await cluster.request('POST', HOSTS, { body: { ...host('h-kind'), kind: 'Namespace' } });
    expect(mismatch.status).toBe(400);

    const big = await cluster.request('POST', HOSTS, { body: { ...host('h-big'), metadata: { name: 'h-big', annotations: { a: 'x'.repeat(3.5 * 1024 * 1024) } } } });
    expect(big.status).toBe(413);

    const protobuf = await cluster.request('POST', HOSTS, { headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: 'k8s\u0000...' });
    expect(protobuf.status).toBe(415);

    const smp = await cluster.kubectl(['patch', 'host', 'esx-1', '-p', '{"spec":{"unschedulable":false}}']);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain('application/strategic-merge-patch+json is not supported');

    expect(await logLength()).toBe(rv);
    expect((await cluster.request('GET', '/readyz', { token: null })).status).toBe(200);
  });

  it('reads a null field as one left out, as kube-apiserver does (manifests rendered with `resources: null`)', async () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: nulls, labels: null, annotations: null}',
      'spec:',
      '  replicas: null',
      '  selector: {matchLabels: {app: nulls}}',
      '  template:',
      '    metadata: {labels: {app: nulls}}',
      '    spec:',
      '      nodeSelector: null',
      '      tolerations: null',
      '      containers: [{name: c, image: busybox, command: [sleep, "3600"], resources: null, env: null}]',
    ].join('\n');
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifest });
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('deployment.apps/nulls created');
    const stored = JSON.parse((await cluster.kubectl(['get', 'deployment', 'nulls', '-o', 'json'])).stdout);
    // replicas: null is replicas left out, so defaulted; the nulls are not stored.
    expect(stored.spec.replicas).toBe(1);
    expect(stored.spec.template.spec).not.toHaveProperty('nodeSelector');
    expect(stored.spec.template.spec.containers[0]).not.toHaveProperty('resources', null);
    expect((await cluster.kubectl(['delete', 'deployment', 'nulls'])).code).toBe(0);
  });

  it('refuses a stale resourceVersion and an existing name with 409', async () => {
    const current = (await cluster.request('GET', `${HOSTS}/esx-1`)).json();
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' }, spec: { unschedulable: false } };
    const replaced = await cluster.kubectl(['replace', '-f', '-'], { input: JSON.stringify(stale) });
    expect(replaced.stderr).toContain('Error from server (Conflict)');
    expect(replaced.stderr).toContain('the object has been modified');
    const again = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(host('esx-1')) });
    expect(again.stderr).toContain('Error from server (AlreadyExists)');
    expect(again.stderr).toContain('hosts.infrastructure.openpacific.io "esx-1" already exists');
  });

  it('never persists a dry run or a diff', async () => {
    const rv = await logLength();
    const dry = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(host('esx-dry')) });
    expect(dry.stdout.trim()).toBe('host.infrastructure.openpacific.io/esx-dry created (server dry run)');
    expect((await cluster.request('GET', `${HOSTS}/esx-dry`)).status).toBe(404);
    const diff = await cluster.kubectl(['diff', '-f', '-'], { input: JSON.stringify(host('esx-1', { unschedulable: false })) });
    expect(diff.stdout).toContain('unschedulable');
    const deleteDry = await cluster.kubectl(['delete', 'host', 'esx-1', '--dry-run=server']);
    expect(deleteDry.stdout).toContain('deleted (server dry run)');
    expect(await logLength()).toBe(rv);
    expect((await cluster.request('GET', `${HOSTS}/esx-1`)).status).toBe(200);
  });

  it('collects dependents of a deleted owner, and keeps them with --cascade=orphan', async () => {
    const owner = (await cluster.request('POST', HOSTS, { body: host('owner-a') })).json();
    const dependent = (name: string, o: any) => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name, ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid }] },
      involvedObject: { kind: 'Host', name: o.metadata.name }, reason: 'Owned', message: 'owned by a host',
    });
    expect((await cluster.request('POST', '/api/v1/namespaces/default/events', { body: dependent('dep-a', owner) })).status).toBe(201);
    await cluster.kubectl(['delete', 'host', 'owner-a']);
    await eventually(async () => expect((await cluster.request('GET', '/api/v1/namespaces/default/events/dep-a')).status).toBe(404));

    const owner2 = (await cluster.request('POST', HOSTS, { body: host('owner-b') })).json();
    await cluster.request('POST', '/api/v1/namespaces/default/events', { body: dependent('dep-b', owner2) });
    await cluster.kubectl(['delete', 'host', 'owner-b', '--cascade=orphan']);
    await eventually(async () => expect((await cluster.request('GET', `${HOSTS}/owner-b`)).status).toBe(404));
    const kept = await cluster.request('GET', '/api/v1/namespaces/default/events/dep-b');
    expect(kept.status).toBe(200);
    expect(kept.json().metadata.ownerReferences).toBeUndefined();
  });

  it('holds an object with a finalizer until the finalizer is removed', async () => {
    await cluster.request('POST', HOSTS, { body: { ...host('held'), metadata: { name: 'held', finalizers: ['example.com/cleanup'] } } });
    const del = await cluster.kubectl(['delete', 'host', 'held', '--wait=false']);
    expect(del.stdout.trim()).toBe('host.infrastructure.openpacific.io "held" deleted');
    const held = (await cluster.request('GET', `${HOSTS}/held`)).json();
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await cluster.kubectl(['patch', 'host', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    await eventually(async () => expect((await cluster.request('GET', `${HOSTS}/held`)).status).toBe(404));
  });

  it('takes finalizer names as kube-apiserver does: one without a path refused on a ConfigMap, only warned of on other kinds', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', namespace: 'default', finalizers: ['held'] } };
    const refused = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(cm) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The ConfigMap "fin" is invalid: metadata.finalizers[0]: Invalid value: "held": name is neither a standard finalizer name nor is it fully qualified');
    expect((await cluster.request('GET', '/api/v1/namespaces/default/configmaps/fin')).status).toBe(404);
    const warned = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify({ ...host('fin'), metadata: { name: 'fin', finalizers: ['cleanup.example.com'] } }) });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('Warning: metadata.finalizers: "cleanup.example.com": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers');
    expect((await cluster.kubectl(['patch', 'host', 'fin', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'])).code).toBe(0);
    expect((await cluster.kubectl(['delete', 'host', 'fin'])).code).toBe(0);
  });

  it('answers a delete as kube-apiserver does: a Status naming a ConfigMap that went at once, the Pod itself for a pod', async () => {
    const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
    const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
    expect((await cluster.request('POST', CONFIGMAPS, { body: configMap('answered') })).status).toBe(201);
    // kubectl waits for what it deleted by the uid in the Status's details.
    const del = await cluster.kubectl(['delete', 'configmap', 'answered', '-n', 'default']);
    expect({ code: del.code, stdout: del.stdout.trim() }).toEqual({ code: 0, stdout: 'configmap "answered" deleted' });

    const created = (await cluster.request('POST', CONFIGMAPS, { body: configMap('raw-answered') })).json();
    const raw = await cluster.kubectl(['delete', '--raw', `${CONFIGMAPS}/raw-answered`]);
    expect(raw.code).toBe(0);
    expect(JSON.parse(raw.stdout)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'raw-answered', kind: 'configmaps', uid: created.metadata.uid },
    });
    expect((await cluster.request('GET', `${CONFIGMAPS}/raw-answered`)).status).toBe(404);

    const pod = (await cluster.request('POST', '/api/v1/namespaces/default/pods', {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'raw-answered' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] } },
    })).json();
    const podRaw = await cluster.kubectl(['delete', '--raw', '/api/v1/namespaces/default/pods/raw-answered?gracePeriodSeconds=0']);
    expect(podRaw.code).toBe(0);
    expect(JSON.parse(podRaw.stdout)).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'raw-answered', uid: pod.metadata.uid } });
  });

  it('lists events across namespaces and describes with their field selectors', async () => {
    const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'seen' }, involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: 'kube-public', namespace: 'kube-public', uid: 'u-1' }, reason: 'Looked', message: 'looked at it', type: 'Normal', count: 1, lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    await cluster.kubectl(['create', '-n', 'kube-public', '-f', '-'], { input: JSON.stringify(ev) });
    const all = await cluster.kubectl(['get', 'events', '-A']);
    expect(all.stdout).toMatch(/^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    expect(all.stdout).toMatch(/kube-public\s+\d+s\s+Normal\s+Looked\s+namespace\/kube-public\s+looked at it/);
    const selected = await cluster.request('GET', '/api/v1/namespaces/kube-public/events?fieldSelector=involvedObject.name%3Dkube-public,involvedObject.kind%3DNamespace');
    expect(selected.json().items.map((e: any) => e.metadata.name)).toEqual(['seen']);
    const unsupported = await cluster.request('GET', '/api/v1/namespaces/kube-public/events?fieldSelector=spec.nope%3Dx');
    expect(unsupported.status).toBe(400);
  });

  it('never answers garbage with a 5xx and stays up', async () => {
    const rv = await logLength();
    const NS = '/api/v1/namespaces';
    const cases: Array<[string, string, unknown, string?]> = [
      ['POST', NS, 'null'],
      ['POST', NS, '[]'],
      ['POST', NS, '"a string"'],
      ['POST', NS, '12'],
      ['POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: 'x' }],
      ['POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 7 } }],
      ['POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lbl', labels: 'x' } }],
      ['POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lbl', labels: { 'bad key!': 'v' } } }],
      ['POST', NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x'.repeat(300) } }],
      ['POST', NS, JSON.stringify({ a: JSON.parse('['.repeat(500) + ']'.repeat(500)) })],
      ['POST', NS, Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
      ['POST', NS, 'apiVersion: v1\nkind: [', 'application/yaml'],
      ['PUT', `${NS}/default`, '[]'],
      ['PUT', `${NS}/nope`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nope' } }],
      ['PUT', `${NS}/default`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }],
      ['PATCH', `${NS}/default`, 'null', 'application/merge-patch+json'],
      ['PATCH', `${NS}/default`, '{"metadata":null}', 'application/merge-patch+json'],
      ['PATCH', `${NS}/default`, '{"op":"add"}', 'application/json-patch+json'],
      ['PATCH', `${NS}/default`, '[{"op":"replace","path":"/metadata/name","value":"x"}]', 'application/json-patch+json'],
      ['PATCH', `${NS}/default`, '[{"op":"bogus","path":"/a"}]', 'application/json-patch+json'],
      ['PATCH', `${NS}/default`, '[{"op":"remove","path":"/nope/deeper"}]', 'application/json-patch+json'],
      ['PATCH', `${NS}/default`, '{"spec":{"$patch":"delete"}}', 'application/strategic-merge-patch+json'],
      ['PATCH', `${NS}/default`, '[]', 'application/apply-patch+yaml'],
      ['PATCH', `${NS}/default`, '{}', 'text/plain'],
      ['PATCH', `${NS}/nope`, '{}', 'application/merge-patch+json'],
      ['DELETE', `${NS}/nope`, undefined],
      ['DELETE', `${NS}/default`, '{"propagationPolicy":"Sideways"}'],
      ['DELETE', `${NS}/default`, 'not json'],
      ['GET', `${NS}?labelSelector=${encodeURIComponent('a in (b')}`, undefined],
      ['GET', `${NS}?labelSelector=${encodeURIComponent('=x')}`, undefined],
      ['GET', `${NS}?fieldSelector=${encodeURIComponent('metadata.name')}`, undefined],
      ['GET', `${NS}?watch=true&resourceVersion=abc`, undefined],
      ['GET', `${NS}/default?asOfResourceVersion=-1`, undefined],
      ['GET', `${NS}/default/status/extra/deep`, undefined],
      ['GET', '/api/v1/namespaces/default/events/x/status', undefined],
      ['GET', '/apis/nope.example.com/v1/things', undefined],
      ['GET', '/apis', undefined],
      ['GET', '/openapi/v3/apis/nope/v1', undefined],
      ['POST', '/api/v1/namespaces/nope/events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: {} }],
      ['POST', '/api/v1/namespaces/default/events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'other' }, involvedObject: {} }],
      ['OPTIONS', NS, undefined],
    ];
    for (const [method, path, body, contentType] of cases) {
      const headers: Record<string, string> = { 'Content-Type': contentType ?? 'application/json' };
      const res = await cluster.request(method, path, { body: typeof body === 'string' ? body : body instanceof Buffer ? body : body === undefined ? undefined : JSON.stringify(body), headers });
      expect({ method, path, status: res.status < 500 ? 'not 5xx' : res.status, body: res.status < 500 ? '' : res.body }).toEqual({ method, path, status: 'not 5xx', body: '' });
      if (res.status >= 400) expect({ method, path, body: JSON.parse(res.body || '{}') }).toMatchObject({ method, path, body: { kind: 'Status', status: 'Failure', code: res.status } });
    }
    expect(await logLength()).toBe(rv);
    expect((await cluster.request('GET', '/api/v1/namespaces/default')).status).toBe(200);
  });

  it('answers 503 and writes nothing when the policy service does not answer, and keeps serving reads', async () => {
    // A namespace whose LimitRange the policy service must judge writes by (docs/governance.md, "When the gateway asks").
    const guarded = '/api/v1/namespaces/guarded/configmaps';
    expect((await cluster.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guarded' } } })).status).toBe(201);
    const limits = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'claims' }, spec: { limits: [{ type: 'PersistentVolumeClaim', max: { storage: '1Ti' } }] } };
    expect((await cluster.request('POST', '/api/v1/namespaces/guarded/limitranges', { body: limits })).status).toBe(201);
    const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    const rv = await logLength();
    // Stopped, not killed: the launcher would restart a dead service at once.
    cluster.killService('policy', 'SIGSTOP');
    try {
      const refused = await cluster.request('POST', guarded, { body: configMap('no-policy') });
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
      const kubectl = await cluster.kubectl(['apply', '-n', 'guarded', '-f', '-'], { input: JSON.stringify(configMap('no-policy')) });
      expect(kubectl.code).not.toBe(0);
      expect(kubectl.stderr).toContain('ServiceUnavailable');
      expect((await cluster.request('GET', `${guarded}/no-policy`)).status).toBe(404);
      expect(await logLength()).toBe(rv);
      expect((await cluster.kubectl(['get', 'hosts', 'esx-1', '-o', 'name'])).stdout.trim()).toBe('host.infrastructure.openpacific.io/esx-1');
      // A write that nothing of the policy service could apply to is not asked about: stored while it is stopped.
      expect((await cluster.request('POST', HOSTS, { body: host('unasked') })).status).toBe(201);
      expect((await cluster.request('DELETE', `${HOSTS}/unasked`)).status).toBe(200);
    } finally {
      cluster.killService('policy', 'SIGCONT');
    }
  });
});
