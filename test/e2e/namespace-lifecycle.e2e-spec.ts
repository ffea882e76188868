import { spawn } from 'node:child_process';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * The foundation issue's acceptance path, driven by the real kubectl against
 * a whole local cluster (every service, three hosts, Postgres, NATS).
 */
const manifest = (name: string, labels: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

describe('kubectl against the local cluster: a namespace from apply to delete', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'nslife' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('creates a namespace with apply, then patches it when a label changes, and leaves it alone when nothing does', async () => {
    const created = await cluster.kubectl(['apply', '-f', '-'], { input: manifest('team-a', { stage: 'one' }) });
    expect(created.stdout.trim()).toBe('namespace/team-a created');
    const configured = await cluster.kubectl(['apply', '-f', '-'], { input: manifest('team-a', { stage: 'two' }) });
    expect(configured.stdout.trim()).toBe('namespace/team-a configured');
    const unchanged = await cluster.kubectl(['apply', '-f', '-'], { input: manifest('team-a', { stage: 'two' }) });
    expect(unchanged.stdout.trim()).toBe('namespace/team-a unchanged');

    const obj = JSON.parse((await cluster.kubectl(['get', 'ns', 'team-a', '-o', 'json'])).stdout);
    expect(obj.metadata.labels).toEqual({ stage: 'two', 'kubernetes.io/metadata.name': 'team-a' });
    // kube-apiserver sets no generation on a Namespace.
    expect(obj.metadata.generation).toBeUndefined();
    expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"annotations":{},"labels":{"stage":"two"},"name":"team-a"}}\n',
    );
    expect(obj.status.phase).toBe('Active');
  });

  it('lists namespaces as a table and as YAML, filtered by label and field selectors', async () => {
    const table = await cluster.kubectl(['get', 'ns']);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(lines.find((l) => l.startsWith('team-a'))).toMatch(/^team-a\s+Active\s+\d+s$/);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public']));

    const yaml = await cluster.kubectl(['get', 'ns', 'team-a', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^kind: Namespace$/m);
    expect(yaml.stdout).toMatch(/resourceVersion: "\d+"/);

    const bySet = await cluster.kubectl(['get', 'ns', '-l', 'stage in (one,two),!absent', '-o', 'name']);
    expect(bySet.stdout.trim()).toBe('namespace/team-a');
    const byField = await cluster.kubectl(['get', 'ns', '--field-selector', 'metadata.name=default', '-o', 'name']);
    expect(byField.stdout.trim()).toBe('namespace/default');
  });

  it('streams a change to a watching kubectl', async () => {
    const watcher = spawn('/usr/bin/kubectl', ['get', 'ns', 'team-a', '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` },
    });
    let out = '';
    watcher.stdout.on('data', (d) => (out += d));
    try {
      await eventually(() => expect(out).toMatch(/team-a/), { timeoutMs: 15_000 });
      await cluster.kubectl(['label', 'ns', 'team-a', 'watched=yes']);
      await eventually(() => expect(out).toMatch(/MODIFIED\s+team-a\s+Active/), { timeoutMs: 15_000 });
    } finally {
      watcher.kill();
    }
  });

  it('lets kubectl wait for a condition on a field that another client changes', async () => {
    const wait = cluster.kubectl(['wait', '--for=jsonpath={.metadata.labels.stage}=three', 'ns/team-a', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 500));
    await cluster.kubectl(['label', 'ns', 'team-a', 'stage=three', '--overwrite']);
    const result = await wait;
    expect(result.stdout.trim()).toBe('namespace/team-a condition met');
  });

  it('refuses bad manifests with the reason and writes nothing', async () => {
    const before = (await cluster.request('GET', '/api/v1/namespaces/team-a/history')).json().items.length;
    const unknown = await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: { bogus: true } }),
    });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('strict decoding error: unknown field "spec.bogus"');
    const badName = await cluster.kubectl(['apply', '-f', '-'], { input: manifest('Bad_Name', {}) });
    expect(badName.stderr).toContain('The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
    const badPhase = await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ok-name' }, spec: { finalizers: 'kubernetes' } }),
    });
    expect(badPhase.stderr).toMatch(/spec\.finalizers: Invalid value: "string": spec\.finalizers in body must be of type array/);
    const after = (await cluster.request('GET', '/api/v1/namespaces/team-a/history')).json().items.length;
    expect(after).toBe(before);
    expect((await cluster.kubectl(['get', 'ns', 'ok-name'])).stderr).toContain('namespaces "ok-name" not found');
  });

  it('refuses a spec finalizer that is no qualified name, and lets kubectl replace --raw .../finalize release a Namespace held by its own', async () => {
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' }, spec: { finalizers: ['Not A Name!', 'x'] } }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.finalizers[1]: Invalid value: "x": name is neither a standard finalizer name nor is it fully qualified');
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' }, spec: { finalizers: ['kubernetes', 'example.com/hold'] } }) })).code).toBe(0);
    expect((await cluster.kubectl(['delete', 'namespace', 'held', '--wait=false'])).code).toBe(0);
    // The namespace deleter takes `kubernetes` out; `example.com/hold` is nobody's, and an update leaves spec.finalizers as they are.
    await eventually(async () => expect(JSON.parse((await cluster.kubectl(['get', 'ns', 'held', '-o', 'json'])).stdout).spec.finalizers).toEqual(['example.com/hold']), { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['get', 'ns', 'held', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Terminating');
    const held = JSON.parse((await cluster.kubectl(['get', 'ns', 'held', '-o', 'json'])).stdout);
    const released = await cluster.kubectl(['replace', '--raw', '/api/v1/namespaces/held/finalize', '-f', '-'], { input: JSON.stringify({ ...held, spec: { finalizers: [] } }) });
    expect(released.code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'ns', 'held'])).stderr).toContain('namespaces "held" not found'), { timeoutMs: 30_000 });
  });

  it('creates a namespace with kubectl create namespace, which sends protobuf', async () => {
    expect((await cluster.kubectl(['create', 'namespace', 'from-proto'])).stdout.trim()).toBe('namespace/from-proto created');
    expect((await cluster.kubectl(['get', 'ns', 'from-proto', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Active');
    expect((await cluster.kubectl(['create', 'namespace', 'Bad_Proto'])).stderr).toContain('The Namespace "Bad_Proto" is invalid');
    expect((await cluster.kubectl(['delete', 'namespace', 'from-proto'])).stdout.trim()).toBe('namespace "from-proto" deleted');
  });

  it('refuses requests without a valid token', async () => {
    expect((await cluster.request('GET', '/api/v1/namespaces', { token: null })).status).toBe(401);
    const wrong = await cluster.request('GET', '/api/v1/namespaces', { token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const kubectl = await cluster.kubectl(['get', 'ns', '--token=wrong']);
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toContain('You must be logged in to the server');
  });

  it('deletes the namespace and everything in it', async () => {
    const event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'inside' }, involvedObject: { kind: 'Namespace', name: 'team-a', namespace: 'team-a' }, reason: 'Tested', message: 'hello' };
    expect((await cluster.kubectl(['create', '-n', 'team-a', '-f', '-'], { input: JSON.stringify(event) })).stdout.trim()).toBe('event/inside created');
    const deleted = await cluster.kubectl(['delete', 'ns', 'team-a', '--timeout=30s']);
    expect(deleted.stdout.trim()).toBe('namespace "team-a" deleted');
    expect((await cluster.kubectl(['get', 'ns', 'team-a'])).stderr).toContain('namespaces "team-a" not found');
    expect((await cluster.request('GET', '/api/v1/namespaces/team-a/events/inside')).status).toBe(404);
  });

  it('says in its conditions what a Terminating namespace still holds, and goes once a finalizer lets the last object go', async () => {
    await cluster.kubectl(['create', 'namespace', 'held']);
    const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', finalizers: ['example.com/hold'] }, data: { a: '1' } };
    await cluster.kubectl(['create', '-n', 'held', '-f', '-'], { input: JSON.stringify(held) });
    await cluster.kubectl(['delete', 'ns', 'held', '--wait=false']);
    await eventually(async () => {
      const ns = JSON.parse((await cluster.kubectl(['get', 'ns', 'held', '-o', 'json'])).stdout);
      expect(ns.status.phase).toBe('Terminating');
      const byType = Object.fromEntries(ns.status.conditions.map((c: any) => [c.type, c]));
      expect(byType.NamespaceContentRemaining).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
      expect(byType.NamespaceFinalizersRemaining).toMatchObject({ status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
      expect(byType.NamespaceDeletionContentFailure).toMatchObject({ status: 'False', reason: 'ContentDeleted' });
    }, { timeoutMs: 15_000 });
    expect((await cluster.kubectl(['describe', 'ns', 'held'])).stdout).toMatch(/NamespaceFinalizersRemaining\s+True\s+.*\s+SomeFinalizersRemain\s+Some content in the namespace has finalizers remaining: example\.com\/hold in 1 resource instances/);
    await cluster.kubectl(['patch', 'configmap', 'kept', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => expect((await cluster.kubectl(['get', 'ns', 'held'])).stderr).toContain('namespaces "held" not found'), { timeoutMs: 15_000 });
  }, 60_000);

  it('tells the whole story of the namespace from the event log, and shows it as it was', async () => {
    const history = (await cluster.request('GET', '/api/v1/namespaces/team-a/history')).json();
    const types = history.items.map((i: any) => i.type);
    expect(types[0]).toBe('ResourceCreated');
    expect(types.filter((t: string) => t === 'ResourceUpdated').length).toBeGreaterThanOrEqual(3);
    // From its deletion to its end: only the namespace deleter's conditions (what it still held) in between.
    const deletion = types.slice(types.indexOf('ResourceDeletionStarted'));
    expect(deletion[deletion.length - 1]).toBe('ResourceDeleted');
    expect(deletion.slice(1, -1).filter((t: string) => t !== 'ResourceStatusUpdated')).toEqual([]);
    expect(history.items[0].actor).toBe('admin');
    expect(history.items[1].changes).toEqual(expect.arrayContaining([{ op: 'replace', path: '/metadata/labels/stage', value: 'two' }]));
    const rvs = history.items.map((i: any) => BigInt(i.resourceVersion));
    for (let i = 1; i < rvs.length; i++) expect(rvs[i]).toBeGreaterThan(rvs[i - 1]);

    const first = await cluster.request('GET', `/api/v1/namespaces/team-a?asOfResourceVersion=${history.items[0].resourceVersion}`);
    expect(first.status).toBe(200);
    expect(first.json().metadata.labels).toEqual({ stage: 'one', 'kubernetes.io/metadata.name': 'team-a' });
  });
});
