import { type HostMetrics, natsNames } from '@openpacific/contracts';
import { connectNats } from '@openpacific/messaging';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import type { NatsConnection } from 'nats';

/**
 * autoscaling/v2 and v1 HorizontalPodAutoscalers through the real kubectl, and the HPA controller scaling a
 * Deployment. The pods' usage samples (HostMetrics) are published by this test itself, describing high then low
 * CPU: what real hosts sample and publish is tested in test/e2e/metrics.e2e-spec.ts.
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
const isReady = (p: any) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

describe('HorizontalPodAutoscalers', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  const json = async (args: string[]) => {
    const r = await cluster.kubectl([...args, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };
  const replicas = async () => (await json(['get', 'deployment', 'web'])).spec.replicas;

  /** Stands in for the hosts: one sample giving every running pod of the Deployment `millicores` of CPU. */
  async function publishUsage(millicores: number): Promise<void> {
    const pods = (await json(['get', 'pods', '-l', 'app=web'])).items.filter(isReady);
    const sample: HostMetrics = {
      host: 'test-publisher',
      timestamp: new Date().toISOString(),
      windowSeconds: 1,
      node: { cpuNanoCores: 0, memoryBytes: 0 },
      pods: pods.map((p: any) => ({ namespace: 'default', name: p.metadata.name, uid: p.metadata.uid, containers: [{ name: 'app', cpuNanoCores: millicores * 1e6, memoryBytes: 1 << 20 }] })),
    };
    nc.publish(natsNames(cluster.natsPrefix).hostMetrics('test-publisher'), JSON.stringify(sample));
    await nc.flush();
  }

  beforeAll(async () => {
    cluster = await startCluster({ label: 'autoscaling', env: { HPA_SYNC_PERIOD_MS: '1000' } });
    nc = await connectNats({ url: cluster.natsUrl, name: 'autoscaling-e2e' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
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

  it('scales the Deployment up to its maximum on high CPU, with a SuccessfulRescale Event', async () => {
    await eventually(async () => {
      await publishUsage(400);
      expect(await replicas()).toBe(3);
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const events = (await json(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler'])).items;
    expect(events.map((e: any) => `${e.reason}: ${e.message}`)).toContain('SuccessfulRescale: New size: 3; reason: cpu resource utilization (percentage of request) above target');
    await eventually(async () => {
      await publishUsage(400);
      const hpa = await json(['get', 'hpa', 'web']);
      expect(hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization).toBeGreaterThan(50);
      const table = await cluster.kubectl(['get', 'hpa', 'web', '--no-headers']);
      expect(table.stdout).toMatch(/cpu: \d+%\/50%/);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
  }, 180_000);

  it('scales down to its minimum on low CPU once the scale-down window is 0', async () => {
    const patch = JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } });
    expect((await cluster.kubectl(['patch', 'hpa', 'web', '--type=merge', '-p', patch])).code).toBe(0);
    expect((await json(['get', 'hpa', 'web'])).spec.behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]);
    await eventually(async () => {
      await publishUsage(5);
      expect(await replicas()).toBe(1);
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const events = (await json(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler'])).items;
    expect(events.map((e: any) => e.message)).toContain('New size: 1; reason: All metrics below target');
  }, 180_000);
});
