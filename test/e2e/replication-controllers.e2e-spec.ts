import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** core/v1 ReplicationControllers through the real kubectl: defaults, validation, replicas kept, scale, expose, HPA, quota, cascade and orphaning. */
const rc = (name: string, over: any = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
      },
      ...over,
    },
  });

const isReady = (p: any) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

describe('ReplicationControllers', () => {
  let cluster: TestCluster;
  const pods = async (app: string): Promise<any[]> => JSON.parse((await cluster.kubectl(['get', 'pods', '-l', `app=${app}`, '-o', 'json'])).stdout).items;
  const live = async (app: string) => (await pods(app)).filter((p) => !p.metadata.deletionTimestamp);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'replicationcontrollers' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a selector the template does not match, another restart policy, activeDeadlineSeconds and a missing template, writing nothing', async () => {
    const bad = JSON.parse(rc('bad', { selector: { app: 'other' } }));
    bad.spec.template.spec.restartPolicy = 'OnFailure';
    bad.spec.template.spec.activeDeadlineSeconds = 5;
    const r1 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain('The ReplicationController "bad" is invalid');
    expect(r1.stderr).toContain('spec.template.metadata.labels: Invalid value: map[string]string{"app":"bad"}: `selector` does not match template `labels`');
    expect(r1.stderr).toContain('spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"');
    expect(r1.stderr).toContain('spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported');

    const bare = JSON.parse(rc('bare'));
    delete bare.spec.template;
    const r2 = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(bare) });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('spec.selector: Required value');
    expect(r2.stderr).toContain('spec.template: Required value');

    const raw = await cluster.request('POST', '/api/v1/namespaces/default/replicationcontrollers', { body: bad });
    expect(raw.status).toBe(422);
    expect(raw.json()).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { kind: 'ReplicationController', name: 'bad' } });
    const none = await cluster.kubectl(['get', 'rc', '-o', 'name']);
    expect(none.stdout).toBe('');
  }, 60_000);

  it('defaults the selector and labels from the template, runs its replicas, and replaces a deleted pod', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: rc('web') })).stdout.trim()).toBe('replicationcontroller/web created');
    const stored = JSON.parse((await cluster.kubectl(['get', 'rc', 'web', '-o', 'json'])).stdout);
    expect(stored.spec.selector).toEqual({ app: 'web' });
    expect(stored.metadata.labels).toEqual({ app: 'web' });
    expect(stored.spec.template.spec.restartPolicy).toBe('Always');

    await eventually(async () => expect((await pods('web')).filter(isReady)).toHaveLength(2), { timeoutMs: 60_000 });
    for (const p of await pods('web')) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: stored.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await eventually(async () => {
      const wide = await cluster.kubectl(['get', 'rc', 'web', '-o', 'wide']);
      expect(wide.stdout).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
      expect(wide.stdout).toMatch(/\nweb\s+2\s+2\s+2\s+\S+\s+app\s+busybox\s+app=web\n/);
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['get', 'all', '-o', 'name'])).stdout).toContain('replicationcontroller/web');

    const [victim] = await pods('web');
    expect((await cluster.kubectl(['delete', 'pod', victim.metadata.name, '--wait=false'])).code).toBe(0);
    await eventually(async () => {
      const now = (await live('web')).filter(isReady);
      expect(now).toHaveLength(2);
      expect(now.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    }, { timeoutMs: 60_000 });
    // The controller counts the replacement in its status in a later pass than the one that made it.
    await eventually(async () => {
      const described = await cluster.kubectl(['describe', 'rc', 'web']);
      expect(described.stdout).toMatch(/Replicas:\s+2 current \/ 2 desired/);
      expect(described.stdout).toMatch(/SuccessfulCreate\s+\S+\s+replication-controller\s+Created pod: web-/);
    }, { timeoutMs: 30_000 });
  }, 150_000);

  it('scales with kubectl scale through /scale, whose selector is the label map, and exposes it as a Service', async () => {
    expect((await cluster.kubectl(['scale', 'rc', 'web', '--replicas=3'])).stdout.trim()).toBe('replicationcontroller/web scaled');
    const scale = await cluster.request('GET', '/api/v1/namespaces/default/replicationcontrollers/web/scale');
    expect(scale.json()).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 } });
    await eventually(async () => expect((await live('web')).filter(isReady)).toHaveLength(3), { timeoutMs: 60_000 });
    await eventually(async () => {
      const s = await cluster.request('GET', '/api/v1/namespaces/default/replicationcontrollers/web/scale');
      expect(s.json().status).toEqual({ replicas: 3, selector: 'app=web' });
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['scale', 'rc', 'web', '--replicas=1'])).code).toBe(0);
    await eventually(async () => expect(await live('web')).toHaveLength(1), { timeoutMs: 60_000 });

    expect((await cluster.kubectl(['expose', 'rc', 'web', '--port=80'])).stdout.trim()).toBe('service/web exposed');
    const svc = JSON.parse((await cluster.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout);
    expect(svc.spec.selector).toEqual({ app: 'web' });
  }, 150_000);

  it('is a target a HorizontalPodAutoscaler scales (up to its minReplicas)', async () => {
    expect((await cluster.kubectl(['autoscale', 'rc', 'web', '--min=2', '--max=4', '--cpu-percent=80'])).code).toBe(0);
    await eventually(async () => {
      const hpa = JSON.parse((await cluster.kubectl(['get', 'hpa', 'web', '-o', 'json'])).stdout);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'v1', kind: 'ReplicationController', name: 'web' });
      expect(JSON.parse((await cluster.kubectl(['get', 'rc', 'web', '-o', 'json'])).stdout).spec.replicas).toBe(2);
    }, { timeoutMs: 60_000 });
    await eventually(async () => expect((await live('web')).filter(isReady)).toHaveLength(2), { timeoutMs: 60_000 });
    expect((await cluster.kubectl(['delete', 'hpa', 'web'])).code).toBe(0);
  }, 150_000);

  it('counts against a quota of replicationcontrollers', async () => {
    expect((await cluster.kubectl(['create', 'namespace', 'rcq'])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'quota', 'rcs', '--hard=replicationcontrollers=1', '-n', 'rcq'])).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-n', 'rcq', '-f', '-'], { input: rc('one', { replicas: 0 }) })).code).toBe(0);
    await eventually(async () => {
      const r = await cluster.kubectl(['apply', '-n', 'rcq', '-f', '-'], { input: rc('two', { replicas: 0 }) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('exceeded quota: rcs, requested: replicationcontrollers=1, used: replicationcontrollers=1, limited: replicationcontrollers=1');
    }, { timeoutMs: 30_000 });
  }, 60_000);

  it('deleted with --cascade=orphan leaves its pods, which a new one adopts; deleted plainly takes them with it', async () => {
    const before = (await live('web')).map((p) => p.metadata.name).sort();
    expect(before).toHaveLength(2);
    expect((await cluster.kubectl(['delete', 'rc', 'web', '--cascade=orphan'])).code).toBe(0);
    await eventually(async () => {
      const now = await live('web');
      expect(now.map((p) => p.metadata.name).sort()).toEqual(before);
      for (const p of now) expect(p.metadata.ownerReferences ?? []).toEqual([]);
    }, { timeoutMs: 30_000 });

    expect((await cluster.kubectl(['apply', '-f', '-'], { input: rc('web') })).code).toBe(0);
    const uid = JSON.parse((await cluster.kubectl(['get', 'rc', 'web', '-o', 'json'])).stdout).metadata.uid;
    await eventually(async () => {
      const now = await live('web');
      expect(now.map((p) => p.metadata.name).sort()).toEqual(before);
      for (const p of now) expect(p.metadata.ownerReferences?.[0]?.uid).toBe(uid);
    }, { timeoutMs: 30_000 });

    expect((await cluster.kubectl(['delete', 'rc', 'web'])).code).toBe(0);
    await eventually(async () => expect(await pods('web')).toHaveLength(0), { timeoutMs: 60_000 });
  }, 150_000);
});
