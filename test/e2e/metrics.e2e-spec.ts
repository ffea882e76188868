import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * The resource metrics pipeline end to end: hosts sample their containers' real processes (METRICS_INTERVAL_MS=1000
 * here), the gateway serves metrics.k8s.io from the latest samples, and the real `kubectl top` reads it.
 */
describe('kubectl top and metrics.k8s.io', () => {
  let cluster: TestCluster;
  const VIEWER = 'viewer@openpacific';
  const kubectl = async (args: string[]) => {
    const res = await cluster.kubectl(args);
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
    return res.stdout;
  };
  /** A `kubectl top` table as rows of its columns, keyed by header. */
  const table = (out: string) => {
    const [header, ...rows] = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
  };
  const millicores = (cpu: string) => Number(cpu.replace(/m$/, ''));

  beforeAll(async () => {
    cluster = await startCluster({ label: 'metrics', hostCount: 2, env: { METRICS_INTERVAL_MS: '1000' } });
    await cluster.hostsReady(2, 120_000);
    await kubectl(['run', 'busy', '--image=busybox', '--restart=Never', '--labels=app=busy,tier=load', '--', 'sh', '-c', 'while :; do :; done']);
    await kubectl(['run', 'idle', '--image=busybox', '--restart=Never', '--labels=app=idle', '--', 'sleep', '3600']);
    await kubectl(['wait', '--for=condition=Ready', 'pod/busy', 'pod/idle', '--timeout=120s']);
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('shows the busy pod above 100m and the idle one below it in kubectl top pod, memory in Mi', async () => {
    const rows = await eventually(async () => {
      const out = table(await kubectl(['top', 'pod']));
      const busy = out.find((r) => r.NAME === 'busy');
      const idle = out.find((r) => r.NAME === 'idle');
      expect(busy && millicores(busy['CPU(cores)'])).toBeGreaterThan(100);
      expect(idle && millicores(idle['CPU(cores)'])).toBeLessThan(100);
      return { busy: busy!, idle: idle! };
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    expect(rows.busy['MEMORY(bytes)']).toMatch(/^\d+Mi$/);
    expect(rows.idle['MEMORY(bytes)']).toMatch(/^\d+Mi$/);

    // Every namespace, one container a line, a label selector: what kubectl top asks of the API.
    const all = table(await kubectl(['top', 'pod', '-A']));
    expect(all.filter((r) => r.NAMESPACE === 'default').map((r) => r.NAME).sort()).toEqual(['busy', 'idle']);
    const containers = table(await kubectl(['top', 'pod', 'busy', '--containers']));
    expect(containers).toEqual([{ POD: 'busy', NAME: 'busy', 'CPU(cores)': expect.stringMatching(/^\d+m$/), 'MEMORY(bytes)': expect.stringMatching(/^\d+Mi$/) }]);
    expect(table(await kubectl(['top', 'pod', '-l', 'tier=load'])).map((r) => r.NAME)).toEqual(['busy']);
  }, 120_000);

  it('lists the hosts in kubectl top node with usage and percentages of their allocatable', async () => {
    // The busy pod's host uses at least what the pod does: a reading above 100m (the pod's share of a loaded machine
    // varies from one reading to the next, as in the test above).
    const busyHost = JSON.parse(await kubectl(['get', 'pod', 'busy', '-o', 'json'])).spec.nodeName;
    const nodes = await eventually(async () => {
      const out = table(await kubectl(['top', 'node']));
      expect(out).toHaveLength(2);
      expect(millicores(out.find((n) => n.NAME === busyHost)!['CPU(cores)'])).toBeGreaterThan(100);
      return out;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    const names = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items.map((n: any) => n.metadata.name).sort();
    expect(nodes.map((n) => n.NAME).sort()).toEqual(names);
    for (const n of nodes) {
      expect(n['CPU(cores)']).toMatch(/^\d+m$/);
      expect(n['CPU(%)']).toMatch(/^\d+%$/);
      expect(n['MEMORY(bytes)']).toMatch(/^\d+Mi$/);
      expect(Number(n['MEMORY(%)'].replace('%', ''))).toBeGreaterThanOrEqual(0);
      expect(Number(n['MEMORY(%)'].replace('%', ''))).toBeLessThan(100);
    }
  }, 120_000);

  it('serves PodMetrics and NodeMetrics shaped as metrics-server\'s, and 404 for a pod it has no sample of', async () => {
    const pod = JSON.parse(await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']));
    expect(pod).toEqual({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'busy', namespace: 'default', creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), labels: { app: 'busy', tier: 'load' } },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      // A Go duration: `10.004s`, or `999ms` when two readings came a little under a second apart.
      window: expect.stringMatching(/^\d+(\.\d+)?(ms|s)$/),
      containers: [{ name: 'busy', usage: { cpu: expect.stringMatching(/^\d+(n|u|m)?$/), memory: expect.stringMatching(/^\d+(Ki|Mi)?$/) } }],
    });
    const list = JSON.parse(await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Didle']));
    expect(list).toMatchObject({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', items: [{ metadata: { name: 'idle', namespace: 'default' } }] });
    const byName = JSON.parse(await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?fieldSelector=metadata.name%3Dbusy']));
    expect(byName.items.map((p: any) => p.metadata.name)).toEqual(['busy']);
    const nodes = JSON.parse(await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']));
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(nodes.items[0]).toMatchObject({ kind: 'NodeMetrics', metadata: { name: expect.any(String), labels: expect.any(Object) }, usage: { cpu: expect.any(String), memory: expect.any(String) } });

    const missing = await cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'podmetrics.metrics.k8s.io "default/nope" not found' });
    const top = await cluster.kubectl(['top', 'pod', 'nope']);
    expect(top.stderr).toContain('podmetrics.metrics.k8s.io "default/nope" not found');
    expect((await cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes/nope')).json().message).toBe('nodemetrics.metrics.k8s.io "nope" not found');
  });

  it('is listed by discovery as a read-only group, and refuses writes with 405', async () => {
    const resources = await kubectl(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide']);
    expect(resources).toMatch(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\s+get,list\s*$/m);
    expect(resources).toMatch(/^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\s+get,list\s*$/m);
    const groups = (await cluster.request('GET', '/apis')).json().groups.map((g: any) => g.name);
    expect(groups).toContain('metrics.k8s.io');
    const post = await cluster.request('POST', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', { body: { kind: 'PodMetrics', metadata: { name: 'x' } } });
    expect(post.status).toBe(405);
    expect(post.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed' });
    expect((await cluster.request('DELETE', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy')).status).toBe(405);
  });

  it('answers 401 without a token, 403 to a user without rights, and the usage once a view binding allows it', async () => {
    expect((await cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/pods', { token: null })).status).toBe(401);
    const refused = await cluster.kubectl(['top', 'pod', '--context', VIEWER]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('pods.metrics.k8s.io is forbidden: User "viewer" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "default"');
    await kubectl(['create', 'rolebinding', 'viewer-view', '--clusterrole=view', '--user=viewer', '-n', 'default']);
    await eventually(async () => {
      const res = await cluster.kubectl(['top', 'pod', '--context', VIEWER]);
      expect(res.stderr).toBe('');
      expect(table(res.stdout).map((r) => r.NAME).sort()).toEqual(['busy', 'idle']);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    // Nodes are cluster-wide: a binding in a namespace does not reach them.
    const nodes = await cluster.kubectl(['top', 'node', '--context', VIEWER]);
    expect(nodes.stderr).toMatch(/forbidden/);
  }, 60_000);

  it("serves kube-apiserver's Prometheus metrics at /metrics: requests by verb, resource and code, their durations, open watches and stored objects", async () => {
    await kubectl(['get', 'pod', 'busy']);
    expect((await cluster.kubectl(['get', 'pod', 'nope'])).code).not.toBe(0);
    const pods = JSON.parse(await kubectl(['get', 'pods', '-A', '-o', 'json'])).items.length;
    const text = await kubectl(['get', '--raw', '/metrics']);
    const get = { component: 'apiserver', dry_run: '', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'resource', verb: 'GET' };
    expect(sampleOf(text, 'apiserver_request_total', { ...get, code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleOf(text, 'apiserver_request_total', { ...get, code: '404' })).toBeGreaterThanOrEqual(1);
    expect(sampleOf(text, 'apiserver_request_total', { group: '', resource: 'pods', scope: 'cluster', verb: 'LIST', code: '200' })).toBeGreaterThanOrEqual(1);
    const count = sampleOf(text, 'apiserver_request_duration_seconds_count', get);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(sampleOf(text, 'apiserver_request_duration_seconds_bucket', { ...get, le: '60' })).toBe(count);
    expect(sampleOf(text, 'apiserver_storage_objects', { resource: 'pods' })).toBe(pods);
    // The scrape itself is a read being answered.
    expect(sampleOf(text, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);

    // An open watch is a long-running request until its client goes.
    const watches = { group: '', resource: 'pods', scope: 'namespace', verb: 'WATCH' };
    const watch = cluster.kubectl(['get', 'pods', '--watch', '--request-timeout=5s']);
    await eventually(async () => expect(sampleOf(await kubectl(['get', '--raw', '/metrics']), 'apiserver_longrunning_requests', watches)).toBe(1), { timeoutMs: 10_000 });
    await watch;
    await eventually(async () => expect(sampleOf(await kubectl(['get', '--raw', '/metrics']), 'apiserver_longrunning_requests', watches)).toBe(0), { timeoutMs: 10_000 });
  });

  it('lets only those RBAC allows get /metrics: 403 to the viewer until bound to system:monitoring', async () => {
    const refused = await cluster.kubectl(['get', '--raw', '/metrics', '--context', VIEWER]);
    expect(refused.stderr).toContain('forbidden: User "viewer" cannot get path "/metrics"');
    await kubectl(['create', 'clusterrolebinding', 'viewer-monitoring', '--clusterrole=system:monitoring', '--user=viewer']);
    await eventually(async () => {
      const res = await cluster.kubectl(['get', '--raw', '/metrics', '--context', VIEWER]);
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(/^apiserver_request_total\{/m);
    }, { timeoutMs: 30_000, intervalMs: 500 });
  });
});

/** The value of the one sample of `name` whose labels include `labels` (Prometheus' text format), NaN when none or several. */
function sampleOf(text: string, name: string, labels: Record<string, string>): number {
  const found = text.split('\n').flatMap((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) return [];
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    return Object.entries(labels).every(([k, v]) => have[k] === v) ? [Number(m[3])] : [];
  });
  return found.length === 1 ? found[0] : NaN;
}
