import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { manifest, namespace, startKubectlWatch } from './support/kubectl-watch';

/**
 * Objects that live and die together: events in a namespace, a custom Host,
 * owner references, finalizers, deleting a namespace with what it holds, and
 * the event log's account of all of it.
 */
const HOSTS = '/apis/infrastructure.openpacific.io/v1alpha1/hosts';
const host = (name: string, extra: Record<string, unknown> = {}) =>
  manifest({ apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, ...extra }, spec: {} });
const event = (name: string, involvedObject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  manifest({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, ...extra },
    involvedObject,
    reason: 'Greeted',
    message: `hello from ${name}`,
    type: 'Normal',
    count: 1,
    lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });

describe('objects, their owners and their history through kubectl', () => {
  let cluster: TestCluster;
  const getJson = async (...args: string[]) => JSON.parse((await cluster.kubectl(['get', ...args, '-o', 'json'])).stdout);
  const status = async (path: string) => (await cluster.request('GET', path)).status;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'objects' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('records an event in a namespace and lists it with kubectl get events', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: namespace('ev-ns', { stage: 'one' }) });
    const ns = await getJson('ns', 'ev-ns');
    const involved = { apiVersion: 'v1', kind: 'Namespace', name: 'ev-ns', namespace: 'ev-ns', uid: ns.metadata.uid };
    const created = await cluster.kubectl(['create', '-n', 'ev-ns', '-f', '-'], { input: event('hello', involved) });
    expect(created.stdout.trim()).toBe('event/hello created');

    const table = (await cluster.kubectl(['get', 'events', '-n', 'ev-ns'])).stdout;
    expect(table).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    expect(table).toMatch(/^\d+s\s+Normal\s+Greeted\s+\S+\/ev-ns\s+hello from hello$/m);
    expect((await cluster.kubectl(['get', 'ev', '-A', '--no-headers'])).stdout).toMatch(/^ev-ns\s+\d+s\s+Normal\s+Greeted/m);
    const selected = await cluster.kubectl(['get', 'events', '-n', 'ev-ns', '--field-selector', 'involvedObject.kind=Namespace,reason=Greeted', '-o', 'name']);
    expect(selected.stdout.trim()).toBe('event/hello');

    const described = (await cluster.kubectl(['describe', 'ns', 'ev-ns'])).stdout;
    expect(described).toMatch(/^Name:\s+ev-ns$/m);
    expect(described).toMatch(/^Labels:\s+kubernetes\.io\/metadata\.name=ev-ns\n\s+stage=one$/m);
    expect(described).toMatch(/^Status:\s+Active$/m);
  });

  it('prints the involved object of an event as kube-apiserver does: lower-case kind/name', async () => {
    const table = (await cluster.kubectl(['get', 'events', '-n', 'ev-ns', '--no-headers'])).stdout;
    expect(table).toMatch(/^\d+s\s+Normal\s+Greeted\s+namespace\/ev-ns\s+hello from hello$/m);
  });

  it('creates a Host with kubectl create, reads it back and describes it with its events', async () => {
    expect((await cluster.kubectl(['create', '-f', '-'], { input: host('e2e-host') })).stdout.trim()).toBe(
      'host.infrastructure.openpacific.io/e2e-host created',
    );
    const got = await getJson('hosts.infrastructure.openpacific.io', 'e2e-host');
    expect(got).toMatchObject({ apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'e2e-host', generation: 1 } });
    expect(got.metadata.namespace).toBeUndefined();
    expect((await cluster.kubectl(['get', 'hst', 'e2e-host', '--no-headers'])).stdout).toMatch(/^e2e-host\s/);

    const involved = { apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', name: 'e2e-host', uid: got.metadata.uid };
    await cluster.kubectl(['create', '-n', 'default', '-f', '-'], { input: event('host-seen', involved) });
    // The generic describer finds the events through involvedObject field selectors.
    const described = (await cluster.kubectl(['describe', 'host', 'e2e-host'])).stdout;
    expect(described).toMatch(/^Name:\s+e2e-host$/m);
    expect(described).toMatch(/^Events:/m);
    expect(described).toMatch(/Normal\s+Greeted\s+\S+\s+hello from host-seen/);
  });

  it('collects a dependent once its owner is deleted, and keeps it when the delete orphans', async () => {
    const ownedBy = (o: any) => ({ ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid }] });
    await cluster.kubectl(['create', '-f', '-'], { input: host('owner-a') });
    const ownerA = await getJson('host', 'owner-a');
    await cluster.kubectl(['create', '-n', 'ev-ns', '-f', '-'], { input: event('dep-a', { kind: 'Host', name: 'owner-a', namespace: 'ev-ns' }, ownedBy(ownerA)) });
    expect((await cluster.kubectl(['delete', 'host', 'owner-a'])).stdout.trim()).toBe('host.infrastructure.openpacific.io "owner-a" deleted');
    await eventually(async () => expect(await status('/api/v1/namespaces/ev-ns/events/dep-a')).toBe(404), { timeoutMs: 20_000 });

    await cluster.kubectl(['create', '-f', '-'], { input: host('owner-b') });
    const ownerB = await getJson('host', 'owner-b');
    await cluster.kubectl(['create', '-n', 'ev-ns', '-f', '-'], { input: event('dep-b', { kind: 'Host', name: 'owner-b', namespace: 'ev-ns' }, ownedBy(ownerB)) });
    await cluster.kubectl(['delete', 'host', 'owner-b', '--cascade=orphan']);
    await eventually(async () => expect(await status(`${HOSTS}/owner-b`)).toBe(404), { timeoutMs: 20_000 });
    const kept = await getJson('ev', 'dep-b', '-n', 'ev-ns');
    expect(kept.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('keeps an object with a finalizer until a patch removes the finalizer', async () => {
    await cluster.kubectl(['create', '-n', 'ev-ns', '-f', '-'], { input: event('held', { kind: 'Namespace', name: 'ev-ns', namespace: 'ev-ns' }, { finalizers: ['example.com/hold'] }) });
    const deleted = await cluster.kubectl(['delete', 'ev', 'held', '-n', 'ev-ns', '--wait=false']);
    expect(deleted.stdout.trim()).toBe('event "held" deleted');
    const held = await getJson('ev', 'held', '-n', 'ev-ns');
    expect(held.metadata.deletionTimestamp).toMatch(/Z$/);
    expect(held.metadata.finalizers).toEqual(['example.com/hold']);
    await cluster.kubectl(['patch', 'ev', 'held', '-n', 'ev-ns', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => expect(await status('/api/v1/namespaces/ev-ns/events/held')).toBe(404), { timeoutMs: 20_000 });
  });

  it('deletes a namespace that kubectl wait watches: Terminating, then gone with everything in it', async () => {
    await cluster.kubectl(['label', 'ns', 'ev-ns', 'stage=two', '--overwrite']);
    const wait = startKubectlWatch(cluster, ['wait', '--for=delete', 'ns/ev-ns', '--timeout=60s', '-v=6']);
    try {
      await eventually(() => expect(wait.output()).toMatch(/GET https:\S+watch=true\S* 200 OK/), { timeoutMs: 20_000 });
      const deleted = await cluster.kubectl(['delete', 'ns', 'ev-ns', '--wait=false']);
      expect(deleted.stdout.trim()).toBe('namespace "ev-ns" deleted');
      await eventually(() => expect(wait.output()).toContain('namespace/ev-ns condition met'), { timeoutMs: 40_000 });
    } finally {
      wait.stop();
    }
    expect((await cluster.kubectl(['get', 'ns', 'ev-ns'])).stderr).toContain('Error from server (NotFound): namespaces "ev-ns" not found');
    expect(await status('/api/v1/namespaces/ev-ns/events/hello')).toBe(404);
    expect(await status('/api/v1/namespaces/ev-ns/events/dep-b')).toBe(404);
    const eventHistory = (await cluster.request('GET', '/api/v1/namespaces/ev-ns/events/hello/history')).json().items;
    expect(eventHistory.map((i: any) => i.type).slice(-1)).toEqual(['ResourceDeleted']);
  });

  it('tells the whole story of the namespace from the log, and shows it as it first was', async () => {
    const history = (await cluster.request('GET', '/api/v1/namespaces/ev-ns/history')).json();
    const items: any[] = history.items;
    const types = items.map((i) => i.type);
    expect(types[0]).toBe('ResourceCreated');
    expect(types).toContain('ResourceUpdated');
    // From its deletion to its end, only the namespace deleter's conditions (what it still held) in between.
    const deletion = types.slice(types.indexOf('ResourceDeletionStarted'));
    expect(deletion[deletion.length - 1]).toBe('ResourceDeleted');
    expect(deletion.slice(1, -1).filter((t) => t !== 'ResourceStatusUpdated')).toEqual([]);
    for (const item of items.filter((i) => i.type === 'ResourceStatusUpdated')) expect(item.actor).toBe('system:serviceaccount:kube-system:namespace-controller');
    for (const item of items.filter((i) => !['ResourceDeleted', 'ResourceStatusUpdated'].includes(i.type))) expect(item.actor).toBe('admin');
    const times = items.map((i) => Date.parse(i.time));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    for (let i = 1; i < items.length; i++) {
      expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
      expect(BigInt(items[i].resourceVersion)).toBeGreaterThan(BigInt(items[i - 1].resourceVersion));
    }
    const relabel = items.find((i) => i.type === 'ResourceUpdated' && i.object.metadata.labels?.stage === 'two');
    expect(relabel.changes).toEqual(expect.arrayContaining([{ op: 'replace', path: '/metadata/labels/stage', value: 'two' }]));
    const terminating = items.find((i) => i.type === 'ResourceDeletionStarted');
    expect(terminating.object.status.phase).toBe('Terminating');
    expect(terminating.object.metadata.deletionTimestamp).toMatch(/Z$/);

    const first = await cluster.request('GET', `/api/v1/namespaces/ev-ns?asOfResourceVersion=${items[0].resourceVersion}`);
    expect(first.status).toBe(200);
    expect(first.json().metadata.labels).toEqual({ stage: 'one', 'kubernetes.io/metadata.name': 'ev-ns' });
    expect(first.json().status.phase).toBe('Active');
  });
});
