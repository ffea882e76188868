import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlRaw, sampleOf } from './support/kubectl-json';

/**
 * The hosts' kubelet API through `nodes/<name>/proxy`, as kube-apiserver proxies to kubelet, read with the real
 * kubectl: each host answers for itself (its agent, over NATS) from what it sampled (METRICS_INTERVAL_MS=1000 here).
 */
describe('nodes/<name>/proxy: the kubelet API of each host', () => {
  let cluster: TestCluster;
  let host: string;
  const VIEWER = 'viewer@openpacific';
  const raw = (path: string, context?: string) => kubectlRaw(cluster, path, context);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'nodeproxy', hostCount: 2, env: { METRICS_INTERVAL_MS: '1000' } });
    await cluster.hostsReady(2, 120_000);
    const run = await cluster.kubectl(['run', 'busy', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'while :; do :; done']);
    expect(run.code).toBe(0);
    expect((await cluster.kubectl(['wait', '--for=condition=Ready', 'pod/busy', '--timeout=120s'])).code).toBe(0);
    host = JSON.parse((await cluster.kubectl(['get', 'pod', 'busy', '-o', 'json'])).stdout).spec.nodeName;
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('answers healthz with ok, and lists the pods the host runs as a PodList', async () => {
    expect(await raw(`/api/v1/nodes/${host}/proxy/healthz`)).toBe('ok');
    expect(await raw(`/api/v1/nodes/${host}:10250/proxy/healthz`)).toBe('ok');
    const pods = JSON.parse(await raw(`/api/v1/nodes/${host}/proxy/pods`));
    expect(pods).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(pods.items.map((p: any) => p.metadata.name)).toContain('busy');
    expect(pods.items.every((p: any) => p.spec.nodeName === host)).toBe(true);
  });

  it("serves the Summary API from the host's samples: the node, and the busy pod using most of a core", async () => {
    const summary = await eventually(async () => {
      const s = JSON.parse(await raw(`/api/v1/nodes/${host}/proxy/stats/summary`));
      const busy = s.pods.find((p: any) => p.podRef.name === 'busy');
      expect(busy?.cpu.usageNanoCores).toBeGreaterThan(100_000_000);
      return s;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    expect(summary.node).toMatchObject({
      nodeName: host,
      startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      cpu: { time: expect.any(String), usageNanoCores: expect.any(Number), usageCoreNanoSeconds: expect.any(Number) },
      memory: { time: expect.any(String), workingSetBytes: expect.any(Number) },
    });
    const busy = summary.pods.find((p: any) => p.podRef.name === 'busy');
    const uid = JSON.parse((await cluster.kubectl(['get', 'pod', 'busy', '-o', 'json'])).stdout).metadata.uid;
    expect(busy).toMatchObject({ podRef: { name: 'busy', namespace: 'default', uid }, startTime: expect.any(String), memory: { workingSetBytes: expect.any(Number) } });
    expect(busy.containers).toEqual([expect.objectContaining({ name: 'busy', startTime: expect.any(String), cpu: expect.objectContaining({ usageCoreNanoSeconds: expect.any(Number) }) })]);
    // The host's CPU counts its pods' and more.
    expect(summary.node.cpu.usageCoreNanoSeconds).toBeGreaterThan(busy.cpu.usageCoreNanoSeconds);
  });

  it("serves kubelet's resource metrics, whose CPU counters rise between scrapes", async () => {
    const series = 'container_cpu_usage_seconds_total{container="busy",namespace="default",pod="busy"}';
    const first = await raw(`/api/v1/nodes/${host}/proxy/metrics/resource`);
    expect(first).toMatch(/^# TYPE node_cpu_usage_seconds_total counter$/m);
    expect(first).toMatch(/^node_memory_working_set_bytes \S+ \d{13}$/m);
    expect(first).toMatch(/^container_start_time_seconds\{container="busy",namespace="default",pod="busy"\} \S+$/m);
    expect(first).toMatch(/^pod_memory_working_set_bytes\{namespace="default",pod="busy"\} \S+ \d{13}$/m);
    expect(sampleOf(first, 'resource_scrape_error')).toBe(0);
    const before = sampleOf(first, series)!;
    expect(before).toBeGreaterThan(0);
    await eventually(async () => expect(sampleOf(await raw(`/api/v1/nodes/${host}/proxy/metrics/resource`), series)).toBeGreaterThan(before), { timeoutMs: 15_000, intervalMs: 1000 });
  });

  it("shows the host's real settings in configz, and answers kubelet's 404 for what it does not serve", async () => {
    expect(JSON.parse(await raw(`/api/v1/nodes/${host}/proxy/configz`))).toEqual({ kubeletconfig: expect.objectContaining({ maxPods: 110, syncFrequency: '1s', registerNode: true }) });
    const unknown = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${host}/proxy/spec/`]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('NotFound');
  });

  it('answers 404 for a Node that does not exist, and lists nodes/proxy in discovery', async () => {
    const missing = await cluster.kubectl(['get', '--raw', '/api/v1/nodes/nope/proxy/healthz']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Error from server (NotFound): nodes "nope" not found');
    const resources = JSON.parse(await raw('/api/v1')).resources;
    expect(resources.find((r: any) => r.name === 'nodes/proxy')).toMatchObject({ kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
  });

  it('refuses a user without nodes/proxy (403), and lets in one bound to system:kubelet-api-admin', async () => {
    const refused = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${host}/proxy/stats/summary`, '--context', VIEWER]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`Error from server (Forbidden): nodes "${host}" is forbidden: User "viewer" cannot get resource "nodes/proxy" in API group "" at the cluster scope`);
    expect((await cluster.kubectl(['create', 'clusterrolebinding', 'viewer-kubelet', '--clusterrole=system:kubelet-api-admin', '--user=viewer'])).code).toBe(0);
    await eventually(async () => expect(await raw(`/api/v1/nodes/${host}/proxy/healthz`, VIEWER)).toBe('ok'), { timeoutMs: 30_000, intervalMs: 500 });
  }, 60_000);

  it('answers 503 within its bound for a host that does not answer, and at once for one that is down', async () => {
    const other = host === 'host-1' ? 'host-2' : 'host-1';
    const paused = cluster.pauseHost(other, 15_000);
    const started = Date.now();
    const silent = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${other}/proxy/healthz`]);
    expect(silent.code).not.toBe(0);
    expect(silent.stderr).toContain(`Error from server (ServiceUnavailable): error trying to reach service: host ${other} does not answer`);
    expect(Date.now() - started).toBeLessThan(14_000);
    await paused;

    cluster.killHost(other);
    await eventually(async () => {
      const down = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${other}/proxy/healthz`]);
      expect(down.stderr).toContain(`Error from server (ServiceUnavailable): error trying to reach service: host ${other} does not answer: nobody answers`);
    }, { timeoutMs: 15_000, intervalMs: 500 });
  }, 90_000);
});
