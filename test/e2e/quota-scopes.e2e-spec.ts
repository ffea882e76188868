import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * ResourceQuota scopes (docs/governance.md), with kubectl: a scoped quota counts and limits only the pods its
 * scopes match, and a quota with a bad scope is refused with kube-apiserver's 422.
 */
const json = (o: unknown) => JSON.stringify(o);
const quota = (name: string, namespace: string, spec: Record<string, unknown>) => json({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace }, spec });
const pod = (name: string, namespace: string, spec: Record<string, unknown> = {}, resources?: Record<string, unknown>) =>
  json({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], ...(resources ? { resources } : {}) }], ...spec },
  });
const withRequests = { requests: { cpu: '100m', memory: '64Mi' } };

describe('ResourceQuota scopes', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? undefined : { input });
  const used = async (name: string, namespace: string) => JSON.parse((await kubectl(['get', 'quota', name, '-n', namespace, '-o', 'json'])).stdout).status?.used;
  /** The quota's status is written by the policy: once it shows, the policy's admission follows the quota too. */
  const applied = async (name: string, namespace: string, spec: Record<string, unknown>) => {
    const result = await kubectl(['apply', '-f', '-'], quota(name, namespace, spec));
    expect(result.stderr).toBe('');
    await eventually(async () => expect((await used(name, namespace))?.pods).toBe('0'), { timeoutMs: 20_000 });
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'quota-scopes' });
    for (const ns of ['qs-effort', 'qs-priority']) {
      expect((await kubectl(['create', 'namespace', ns])).code).toBe(0);
      await eventually(async () => expect((await kubectl(['get', 'sa', 'default', '-n', ns, '-o', 'name'])).stdout.trim()).toBe('serviceaccount/default'), { timeoutMs: 15_000 });
    }
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('a BestEffort quota of one pod refuses a second best-effort pod and admits a pod with requests', async () => {
    await applied('best-effort', 'qs-effort', { hard: { pods: '1' }, scopes: ['BestEffort'] });
    const described = (await kubectl(['describe', 'quota', 'best-effort', '-n', 'qs-effort'])).stdout;
    expect(described).toMatch(/^Scopes:\s+BestEffort$/m);
    expect(described).toContain('Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.');

    expect((await kubectl(['create', '-f', '-'], pod('be-1', 'qs-effort'))).code).toBe(0);
    const refused = await kubectl(['create', '-f', '-'], pod('be-2', 'qs-effort'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "be-2" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1',
    );
    expect((await kubectl(['create', '-f', '-'], pod('burstable', 'qs-effort', {}, withRequests))).code).toBe(0);

    // Two pods in the namespace; the quota counts the best-effort one.
    expect((await kubectl(['get', 'pods', '-n', 'qs-effort', '--no-headers'])).stdout.trim().split('\n')).toHaveLength(2);
    await eventually(async () => expect((await kubectl(['get', 'quota', '-n', 'qs-effort'])).stdout).toMatch(/^best-effort\s+\S+\s+pods: 1\/1\s*$/m), { timeoutMs: 20_000 });
  }, 120_000);

  it('a quota selecting PriorityClass In [high] limits only the pods of that class', async () => {
    for (const [name, value] of [['high', '1000'], ['low', '10']]) expect((await kubectl(['create', 'priorityclass', name, `--value=${value}`])).code).toBe(0);
    await applied('high-pods', 'qs-priority', {
      hard: { pods: '1', 'requests.cpu': '1' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
    });
    expect((await kubectl(['create', '-f', '-'], pod('high-1', 'qs-priority', { priorityClassName: 'high' }, withRequests))).code).toBe(0);
    const refused = await kubectl(['create', '-f', '-'], pod('high-2', 'qs-priority', { priorityClassName: 'high' }, withRequests));
    expect(refused.stderr).toContain('pods "high-2" is forbidden: exceeded quota: high-pods, requested: pods=1, used: pods=1, limited: pods=1');
    // Neither a pod of another class nor one without a class is counted, nor held to the quota's requests.cpu.
    expect((await kubectl(['create', '-f', '-'], pod('low-1', 'qs-priority', { priorityClassName: 'low' }))).code).toBe(0);
    expect((await kubectl(['create', '-f', '-'], pod('plain-1', 'qs-priority', {}, withRequests))).code).toBe(0);
    await eventually(async () => expect(await used('high-pods', 'qs-priority')).toEqual({ pods: '1', 'requests.cpu': '100m' }), { timeoutMs: 20_000 });
  }, 120_000);

  it('refuses a quota with a bad scope with a 422 naming the field, writes nothing, and keeps the scopes of a quota', async () => {
    const unknown = await kubectl(['apply', '-f', '-'], quota('bad', 'qs-effort', { hard: { pods: '1' }, scopes: ['Forever'] }));
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('The ResourceQuota "bad" is invalid: spec.scopes: Invalid value: []core.ResourceQuotaScope{"Forever"}: unsupported scope');
    const misapplied = await kubectl(['create', '-f', '-'], quota('bad', 'qs-effort', { hard: { pods: '1', 'requests.cpu': '1' }, scopes: ['BestEffort'] }));
    expect(misapplied.stderr).toContain('spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource');
    const operator = await kubectl(['create', '-f', '-'], quota('bad', 'qs-effort', { hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In' }] } }));
    expect(operator.stderr).toContain("spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
    expect((await kubectl(['get', 'quota', 'bad', '-n', 'qs-effort'])).stderr).toContain('resourcequotas "bad" not found');
    // The scopes of a quota that exists are fixed; its hard limits are not.
    const rescoped = await kubectl(['patch', 'quota', 'best-effort', '-n', 'qs-effort', '--type=merge', '-p', json({ spec: { scopes: ['NotTerminating'] } })]);
    expect(rescoped.stderr).toContain('spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: field is immutable');
    expect((await kubectl(['patch', 'quota', 'best-effort', '-n', 'qs-effort', '--type=merge', '-p', json({ spec: { hard: { pods: '2' } } })])).code).toBe(0);
  });
});
