import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * autoscaling/v2 and v1 HorizontalPodAutoscalers through the real kubectl, and the HPA controller scaling a
 * Deployment from what its pods really use: the hosts sample their containers every second here
 * (METRICS_INTERVAL_MS=1000, see test/e2e/metrics.e2e-spec.ts) and the controller syncs every second.
 */
const deployment = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m' } }, readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }],
      },
    },
  },
});

/** The v1 resource by its full name: kubectl 1.32 expands the short name `hpa.v1.autoscaling` to the preferred version (v2). */
const V1 = 'horizontalpodautoscalers.v1.autoscaling';

/** Pods that spin: 100m requested, held to 200m by their CPU limit (twice the request, four times the HPA's 50 %). */
const burner = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'burner' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'burner' } },
    template: {
      metadata: { labels: { app: 'burner' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'while :; do :; done'], resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } } }],
      },
    },
  },
});

describe('HorizontalPodAutoscalers', () => {
  let cluster: TestCluster;
  const json = async (args: string[]) => {
    const r = await cluster.kubectl([...args, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };
  const replicas = async (name: string) => (await json(['get', 'deployment', name])).spec.replicas;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'autoscaling', env: { HPA_SYNC_PERIOD_MS: '1000', METRICS_INTERVAL_MS: '1000' } });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('creates an HPA with kubectl autoscale and lists it with kube-apiserver columns', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment })).code).toBe(0);
    const r = await cluster.kubectl(['autoscale', 'deployment', 'web', '--min=1', '--max=3', '--cpu-percent=50']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('horizontalpodautoscaler.autoscaling/web autoscaled');
    // kubectl 1.32 posts it as autoscaling/v1 protobuf (kubectl -v=8 shows POST /apis/autoscaling/v1/...).

    const table = await cluster.kubectl(['get', 'hpa']);
    expect(table.stderr).toBe('');
    const [header, row] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row).toMatch(/^web\s+Deployment\/web\s+cpu: (<unknown>|\d+%)\/50%\s+1\s+3\s+\d+\s+\d+s$/);
  }, 120_000);

  it('serves the HPA at v2 and at v1', async () => {
    const v2 = await json(['get', 'hpa', 'web']);
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    });
    const v1 = await json(['get', V1, 'web']);
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 });
    const yaml = await cluster.kubectl(['get', V1, 'web', '-o', 'yaml']);
    expect(yaml.stdout).toContain('apiVersion: autoscaling/v1');
    expect(yaml.stdout).toContain('targetCPUUtilizationPercentage: 50');

    // A v1 object without a target gets kube-apiserver's 80 %.
    const bare = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bare' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 2 } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bare) })).code).toBe(0);
    expect((await json(['get', V1, 'bare'])).spec).toMatchObject({ minReplicas: 1, targetCPUUtilizationPercentage: 80 });
    expect((await cluster.kubectl(['delete', 'hpa', 'bare'])).code).toBe(0);
  }, 60_000);

  it('refuses maxReplicas below minReplicas with 422 naming the field', async () => {
    const bad = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } };
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The HorizontalPodAutoscaler "bad" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  }, 30_000);

  it('scales a Deployment of spinning pods up to its maximum from their measured usage, with a SuccessfulRescale Event', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: burner })).code).toBe(0);
    expect((await cluster.kubectl(['autoscale', 'deployment', 'burner', '--min=1', '--max=3', '--cpu-percent=50'])).code).toBe(0);
    await eventually(async () => expect(await replicas('burner')).toBe(3), { timeoutMs: 150_000, intervalMs: 1000 });
    const events = (await json(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=burner'])).items;
    expect(events.map((e: any) => `${e.reason}: ${e.message}`)).toContain('SuccessfulRescale: New size: 3; reason: cpu resource utilization (percentage of request) above target');
    await eventually(async () => {
      const hpa = await json(['get', 'hpa', 'burner']);
      expect(hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization).toBeGreaterThan(50);
      const table = await cluster.kubectl(['get', 'hpa', 'burner', '--no-headers']);
      expect(Number(/cpu: (\d+)%\/50%/.exec(table.stdout)?.[1])).toBeGreaterThan(50);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
  }, 240_000);

  it('scales down to its minimum once the pods go idle and the scale-down window is 0', async () => {
    const patch = JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } });
    expect((await cluster.kubectl(['patch', 'hpa', 'burner', '--type=merge', '-p', patch])).code).toBe(0);
    expect((await json(['get', 'hpa', 'burner'])).spec.behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]);
    const idle = JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['sleep', '3600'] }]);
    expect((await cluster.kubectl(['patch', 'deployment', 'burner', '--type=json', '-p', idle])).code).toBe(0);
    await eventually(async () => expect(await replicas('burner')).toBe(1), { timeoutMs: 180_000, intervalMs: 1000 });
    const events = (await json(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=burner'])).items;
    expect(events.map((e: any) => e.message)).toContain('New size: 1; reason: All metrics below target');
  }, 240_000);
});
