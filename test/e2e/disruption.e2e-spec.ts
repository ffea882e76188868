import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** policy/v1 PodDisruptionBudgets and evictions through the real kubectl: the budget's status, kubectl drain honouring it, refusals. */
const deployment = (name: string, replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } },
    },
  });

describe('PodDisruptionBudgets and evictions', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => cluster.kubectl(args, opts);
  const getJson = async (...args: string[]) => JSON.parse((await kubectl(['get', ...args, '-o', 'json'])).stdout);
  const apply = async (manifest: string) => {
    const r = await kubectl(['apply', '-f', '-'], { input: manifest });
    if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  };
  const running = async (app: string) => (await getJson('pods', '-l', `app=${app}`)).items.filter((p: any) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');

  beforeAll(async () => {
    cluster = await startCluster({ label: 'disruption' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('keeps a budget\'s status from its pods and their controller, as kubectl create pdb makes it', async () => {
    await apply(deployment('web', 3));
    expect((await kubectl(['rollout', 'status', 'deploy/web', '--timeout=90s'], { timeoutMs: 100_000 })).code).toBe(0);
    const created = await kubectl(['create', 'pdb', 'web', '--selector=app=web', '--min-available=2']);
    expect(created.stdout.trim()).toBe('poddisruptionbudget.policy/web created');
    await eventually(async () => expect((await kubectl(['get', 'pdb', 'web', '--no-headers'])).stdout).toMatch(/^web\s+2\s+N\/A\s+1\s+\d+s\n$/), { timeoutMs: 30_000 });
    expect((await getJson('pdb', 'web')).status).toMatchObject({ expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, conditions: [expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' })] });
    // A budget by maxUnavailable counts the pods the Deployment wants (3; 25 % of them rounds up to 1 unavailable).
    expect((await kubectl(['create', 'pdb', 'web-by-max', '--selector=app=web', '--max-unavailable=25%'])).code).toBe(0);
    await eventually(async () => expect((await getJson('pdb', 'web-by-max')).status).toMatchObject({ expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 }), { timeoutMs: 30_000 });
    // Two budgets over one pod: the eviction subresource takes none (409 here, Kubernetes' words).
    const [pod] = await running('web');
    const twice = await cluster.request('POST', `/api/v1/namespaces/default/pods/${pod.metadata.name}/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.metadata.name } } });
    expect(twice.status).toBe(409);
    expect(twice.json().message).toBe('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    expect((await kubectl(['delete', 'pdb', 'web-by-max'])).code).toBe(0);
    const both = await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'both' }, spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } }) });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('minAvailable and maxUnavailable cannot be both set');
  }, 150_000);

  it('refuses an eviction the budget cannot afford with a 429 naming it, and takes one it can', async () => {
    await apply(deployment('solo', 1));
    expect((await kubectl(['rollout', 'status', 'deploy/solo', '--timeout=90s'], { timeoutMs: 100_000 })).code).toBe(0);
    expect((await kubectl(['create', 'pdb', 'solo', '--selector=app=solo', '--min-available=1'])).code).toBe(0);
    await eventually(async () => expect((await getJson('pdb', 'solo')).status?.currentHealthy).toBe(1), { timeoutMs: 30_000 });
    const [pod] = await running('solo');
    const evict = (name: string) => cluster.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } } });
    const refused = await evict(pod.metadata.name);
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget solo needs 1 healthy pods and has 1 currently' }] } });
    expect((await getJson('pod', pod.metadata.name)).metadata.deletionTimestamp).toBeUndefined();
    expect((await evict('nobody')).status).toBe(404);

    const [member] = await running('web');
    const taken = await evict(member.metadata.name);
    expect(taken.status).toBe(201);
    expect((await getJson('pdb', 'web')).status.disruptedPods?.[member.metadata.name] ?? 'gone').toBeTruthy();
    await eventually(async () => expect((await running('web')).map((p: any) => p.metadata.name)).not.toContain(member.metadata.name), { timeoutMs: 60_000 });
  }, 150_000);

  it('drains a host through evictions: the budget holds, and a pod it protects stops the drain', async () => {
    await eventually(async () => expect((await getJson('pdb', 'web')).status.disruptionsAllowed).toBe(1), { timeoutMs: 60_000 });
    const soloHost = (await running('solo'))[0].spec.nodeName;
    const host = ['host-1', 'host-2', 'host-3'].find((h) => h !== soloHost)!;
    const drained = await kubectl(['drain', host, '--ignore-daemonsets', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(drained.code).toBe(0);
    // Two of web's pods on the host: the budget lets one go at a time, and kubectl tries the other again.
    for (const line of drained.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.$/);
    expect(drained.stdout).toContain(`node/${host} cordoned`);
    expect(drained.stdout).toContain(`node/${host} drained`);
    for (const p of await running('web')) expect(p.spec.nodeName).not.toBe(host);
    await eventually(async () => expect(await running('web')).toHaveLength(3), { timeoutMs: 60_000 });
    expect((await kubectl(['uncordon', host])).stdout.trim()).toBe(`node/${host} uncordoned`);

    // The host with solo: its budget allows no eviction, so the drain keeps trying until its timeout.
    const stuck = await kubectl(['drain', soloHost, '--ignore-daemonsets', '--timeout=8s'], { timeoutMs: 30_000 });
    expect(stuck.code).not.toBe(0);
    expect(stuck.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(await running('solo')).toHaveLength(1);
    expect((await kubectl(['uncordon', soloHost])).code).toBe(0);
  }, 240_000);
});
