import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * node.k8s.io/v1 RuntimeClasses through the real kubectl: a pod naming one takes its overhead and is placed by its
 * node selector and tolerations, by the API and by a Deployment's controller alike; the overhead counts against the
 * host's capacity and the namespace's quota; a missing class or a conflicting selector is kube-apiserver's 403.
 */
const pod = (name: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '32Mi' } } }], ...spec },
  });

const runtimeClass = (name: string, extra: object = {}) => JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: 'crx', ...extra });

describe('RuntimeClasses', () => {
  let cluster: TestCluster;
  const get = async (args: string[]) => JSON.parse((await cluster.kubectl([...args, '-o', 'json'])).stdout);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'runtimeclasses' });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['label', 'node', 'host-2', 'sandbox=isolated'])).code).toBe(0);
    expect((await cluster.kubectl(['taint', 'node', 'host-2', 'sandbox=isolated:NoSchedule'])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a bad handler and overhead, keeps the handler immutable, and lists with the HANDLER column', async () => {
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: runtimeClass('bad', { handler: 'Not_A_Label', overhead: { podFixed: { cpu: '-1' } } }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The RuntimeClass "bad" is invalid');
    expect(bad.stderr).toContain('handler: Invalid value: "Not_A_Label": a lowercase RFC 1123 label must consist of');
    expect(bad.stderr).toContain('overhead.podFixed[cpu]: Invalid value: "-1": must be greater than or equal to 0');

    const isolated = { overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { sandbox: 'isolated' }, tolerations: [{ key: 'sandbox', operator: 'Equal', value: 'isolated', effect: 'NoSchedule' }] } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: runtimeClass('isolated', isolated) })).stdout.trim()).toBe('runtimeclass.node.k8s.io/isolated created');
    const changed = await cluster.kubectl(['apply', '-f', '-'], { input: runtimeClass('isolated', { ...isolated, handler: 'other' }) });
    expect(changed.stderr).toContain('handler: Invalid value: "other": field is immutable');
    const list = await cluster.kubectl(['get', 'runtimeclass']);
    expect(list.stdout).toMatch(/^NAME\s+HANDLER\s+AGE\n/);
    expect(list.stdout).toMatch(/\nisolated\s+crx\s+\S+\n/);
  }, 60_000);

  it("gives a pod the class's overhead and places it by the class's node selector and toleration", async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: pod('sandboxed', { runtimeClassName: 'isolated' }) })).code).toBe(0);
    const p = await get(['get', 'pod', 'sandboxed']);
    expect(p.spec.overhead).toEqual({ cpu: '250m', memory: '64Mi' });
    expect(p.spec.nodeSelector).toEqual({ sandbox: 'isolated' });
    expect(p.spec.tolerations).toEqual(expect.arrayContaining([{ key: 'sandbox', operator: 'Equal', value: 'isolated', effect: 'NoSchedule' }]));
    await eventually(async () => {
      const now = await get(['get', 'pod', 'sandboxed']);
      expect(now.spec.nodeName).toBe('host-2');
      expect(now.status.phase).toBe('Running');
    }, { timeoutMs: 60_000 });
  }, 90_000);

  it("refuses a class that does not exist, an overhead the class does not set and a selector at odds with the class's, with a 403", async () => {
    const missing = await cluster.kubectl(['apply', '-f', '-'], { input: pod('nowhere', { runtimeClassName: 'kata' }) });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('pods "nowhere" is forbidden: pod rejected: RuntimeClass "kata" not found');
    const conflict = await cluster.kubectl(['apply', '-f', '-'], { input: pod('torn', { runtimeClassName: 'isolated', nodeSelector: { sandbox: 'other' } }) });
    expect(conflict.stderr).toContain('pods "torn" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = isolated; pod.spec.nodeSelector[sandbox] = other');
    const overhead = await cluster.kubectl(['apply', '-f', '-'], { input: pod('heavy', { overhead: { cpu: '1' } }) });
    expect(overhead.stderr).toContain('pods "heavy" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    const raw = await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: JSON.parse(pod('raw', { runtimeClassName: 'kata' })) });
    expect(raw.status).toBe(403);
    expect((await cluster.kubectl(['get', 'pods', '-o', 'name'])).stdout.trim()).toBe('pod/sandboxed');
  }, 60_000);

  it("applies the class to a Deployment's pods, and a quota counts the overhead", async () => {
    expect((await cluster.kubectl(['create', 'namespace', 'rcq'])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'quota', 'compute', '--hard=requests.cpu=1', '-n', 'rcq'])).code).toBe(0);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'boxed', namespace: 'rcq' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'boxed' } }, template: { metadata: { labels: { app: 'boxed' } }, spec: { ...JSON.parse(pod('x')).spec, runtimeClassName: 'isolated' } } },
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) })).code).toBe(0);
    await eventually(async () => {
      const [p] = (await get(['get', 'pods', '-n', 'rcq', '-l', 'app=boxed'])).items;
      expect(p.spec.overhead).toEqual({ cpu: '250m', memory: '64Mi' });
      expect(p.spec.nodeName).toBe('host-2');
    }, { timeoutMs: 60_000 });
    // 100m asked by the container and 250m of overhead.
    await eventually(async () => expect((await get(['get', 'quota', 'compute', '-n', 'rcq'])).status.used).toEqual({ 'requests.cpu': '350m' }), { timeoutMs: 30_000 });
  }, 120_000);

  it("keeps a pod whose class names a handler the hosts lack in ContainerCreating, as kubelet does, until the class names theirs", async () => {
    const node = await get(['get', 'node', 'host-1']);
    expect(node.status.runtimeHandlers.map((h: any) => h.name)).toEqual(['', 'crx']);
    expect((await cluster.kubectl(['create', 'namespace', 'rch'])).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: runtimeClass('kata', { handler: 'kata' }) })).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-n', 'rch', '-f', '-'], { input: pod('waits', { runtimeClassName: 'kata' }) })).code).toBe(0);
    await eventually(async () => {
      const p = await get(['get', 'pod', 'waits', '-n', 'rch']);
      expect(p.spec.nodeName).toBeDefined();
      expect(p.status.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
      const events = await get(['get', 'events', '-n', 'rch', '--field-selector', 'involvedObject.name=waits,reason=FailedCreatePodSandBox']);
      expect(events.items.map((e: any) => e.message)).toEqual(['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "kata" is configured']);
    }, { timeoutMs: 60_000 });
    expect((await cluster.kubectl(['get', 'pod', 'waits', '-n', 'rch', '--no-headers'])).stdout).toMatch(/^waits\s+0\/1\s+ContainerCreating\s/);
    // The handler is immutable: the class is made again, naming the hosts' runtime, and the waiting pod starts.
    expect((await cluster.kubectl(['delete', 'runtimeclass', 'kata'])).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: runtimeClass('kata') })).code).toBe(0);
    await eventually(async () => expect((await get(['get', 'pod', 'waits', '-n', 'rch'])).status.phase).toBe('Running'), { timeoutMs: 60_000 });
  }, 150_000);
});
