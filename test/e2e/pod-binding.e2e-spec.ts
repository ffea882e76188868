import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * `pods/<name>/binding` through the real API: a pod for a scheduler of its own (`spec.schedulerName`), which the
 * cluster's scheduler leaves alone, is bound by a POST of a core v1 Binding, as such a scheduler binds it, and runs on
 * the host it names; kube-apiserver's refusals, nothing written.
 */
const NS = 'own-scheduler';
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { schedulerName: 'my-scheduler', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
});
const binding = (name: string, target: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name, ...extra }, target });

describe('pods/binding and scheduling gates', () => {
  let cluster: TestCluster;
  const bind = (name: string, body: unknown) => cluster.request('POST', `/api/v1/namespaces/${NS}/pods/${name}/binding`, { body });
  const getPod = async (name: string) => JSON.parse((await cluster.kubectl(['get', 'pod', name, '-n', NS, '-o', 'json'])).stdout);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'binding' });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('is discovered as the Binding subresource of pods', async () => {
    const resources = JSON.parse((await cluster.kubectl(['get', '--raw', '/api/v1'])).stdout).resources;
    expect(resources.find((r: any) => r.name === 'pods/binding')).toMatchObject({ kind: 'Binding', namespaced: true, verbs: ['create'] });
  });

  it("binds a pod its own scheduler placed, which then runs on that host", async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod('chosen')) })).code).toBe(0);
    // The cluster's scheduler leaves a pod of another scheduler alone.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await getPod('chosen')).spec.nodeName).toBeUndefined();
    const answer = await bind('chosen', binding('chosen', { apiVersion: 'v1', kind: 'Node', name: 'host-2' }, { annotations: { 'example.com/chosen-by': 'my-scheduler' } }));
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    const bound = await getPod('chosen');
    expect(bound.spec.nodeName).toBe('host-2');
    expect(bound.metadata.annotations['example.com/chosen-by']).toBe('my-scheduler');
    expect(bound.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    await eventually(async () => expect((await getPod('chosen')).status.phase).toBe('Running'), { timeoutMs: 60_000 });

    const again = await bind('chosen', binding('chosen', { kind: 'Node', name: 'host-1' }));
    expect(again.status).toBe(409);
    expect(again.json().message).toBe('Operation cannot be fulfilled on binding "chosen": pod chosen is already assigned to node "host-2"');
  }, 120_000);

  it('keeps a pod with scheduling gates off every host until they are removed, and refuses new gates', async () => {
    const gated = { ...pod('gated'), spec: { ...pod('gated').spec, schedulerName: undefined, schedulingGates: [{ name: 'example.com/quota-check' }, { name: 'example.com/approval' }] } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(gated) })).code).toBe(0);
    expect((await cluster.kubectl(['get', 'pod', 'gated', '-n', NS, '--no-headers'])).stdout).toMatch(/^gated\s+0\/1\s+SchedulingGated\s/);
    expect((await getPod('gated')).status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }));
    const bound = await bind('gated', binding('gated', { kind: 'Node', name: 'host-1' }));
    expect(bound.status).toBe(409);
    expect(bound.json().message).toContain('pod gated has non-empty .spec.schedulingGates');
    const added = await cluster.kubectl(['patch', 'pod', 'gated', '-n', NS, '--type=json', '-p', '[{"op":"add","path":"/spec/schedulingGates/-","value":{"name":"late"}}]']);
    expect(added.stderr).toContain("spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'late'");
    expect((await cluster.kubectl(['patch', 'pod', 'gated', '-n', NS, '--type=json', '-p', '[{"op":"remove","path":"/spec/schedulingGates/0"}]'])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await getPod('gated')).spec.nodeName).toBeUndefined();
    expect((await cluster.kubectl(['patch', 'pod', 'gated', '-n', NS, '--type=json', '-p', '[{"op":"remove","path":"/spec/schedulingGates"}]'])).code).toBe(0);
    await eventually(async () => {
      const p = await getPod('gated');
      expect(p.spec.nodeName).toMatch(/^host-/);
      expect(p.status.phase).toBe('Running');
    }, { timeoutMs: 60_000 });
    const created = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ ...gated, metadata: { ...gated.metadata, name: 'pinned' }, spec: { ...gated.spec, nodeName: 'host-1' } }) });
    expect(created.stderr).toContain('spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared');
  }, 120_000);

  it("refuses a bad target, a name that is not the URL's, a missing pod and other methods, writing nothing", async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod('waiting')) })).code).toBe(0);
    const kind = await bind('waiting', binding('waiting', { kind: 'Pod', name: 'host-1' }));
    expect(kind.status).toBe(422);
    expect(kind.json().message).toBe('Binding "waiting" is invalid: target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"');
    const unnamed = await bind('waiting', binding('waiting', { kind: 'Node' }));
    expect(unnamed.json().message).toContain('target.name: Required value');
    expect((await bind('waiting', binding('other', { kind: 'Node', name: 'host-1' }))).status).toBe(400);
    expect((await bind('nobody', binding('nobody', { kind: 'Node', name: 'host-1' }))).status).toBe(404);
    expect((await cluster.request('GET', `/api/v1/namespaces/${NS}/pods/waiting/binding`)).status).toBe(405);
    expect((await getPod('waiting')).spec.nodeName).toBeUndefined();
  });
});
