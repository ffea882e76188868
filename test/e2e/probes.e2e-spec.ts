import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlRaw, sampleOf } from './support/kubectl-json';

/**
 * A liveness probe as kubelet 1.32 runs it, seen with the real kubectl: an exec probe that outlives its timeoutSeconds
 * fails in kubelet's words, the container it fails is killed once however long its grace period, and the host's
 * `/metrics/probes` (through nodes/<name>/proxy) counts the failed runs until the pod goes.
 */
describe('probes as kubelet runs them, and the metrics of their runs', () => {
  let cluster: TestCluster;
  const get = async (name: string) => JSON.parse((await cluster.kubectl(['get', 'pod', name, '-o', 'json'])).stdout);
  const eventsOf = async (name: string) =>
    JSON.parse((await cluster.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).stdout).items as any[];
  const raw = (path: string) => kubectlRaw(cluster, path);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'probes', hostCount: 1 });
    await cluster.hostsReady(1, 120_000);
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('fails a timed-out exec liveness probe with `command "sleep 5" timed out`, kills once through a long grace period, and counts the failures in /metrics/probes', async () => {
    // The container ignores SIGTERM, so its stop takes the whole 20 s: time enough for a probe still running to kill it again.
    const hung = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hung' },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 20,
        containers: [{
          name: 'c', image: 'busybox', command: ['sh', '-c', "trap '' TERM; sleep 3600"],
          livenessProbe: { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 1, failureThreshold: 2 },
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        }],
      },
    };
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(hung) });
    expect(applied.code).toBe(0);

    // Killed for its liveness probe; while it stops, its host counts the failed runs.
    await eventually(async () => expect((await eventsOf('hung')).some((e) => e.reason === 'Killing')).toBe(true), { timeoutMs: 60_000, intervalMs: 500 });
    const pod = await get('hung');
    const host = pod.spec.nodeName;
    const labels = `container="c",namespace="default",pod="hung",pod_uid="${pod.metadata.uid}"`;
    const metrics = await raw(`/api/v1/nodes/${host}/proxy/metrics/probes`);
    expect(metrics).toContain('# HELP prober_probe_total [ALPHA] Cumulative number of a liveness, readiness or startup probe for a container by result.\n# TYPE prober_probe_total counter\n');
    expect(sampleOf(metrics, `prober_probe_total{${labels},probe_type="Liveness",result="failed"}`)).toBeGreaterThanOrEqual(2);
    expect(sampleOf(metrics, `prober_probe_total{${labels},probe_type="Liveness",result="successful"}`)).toBeUndefined();
    expect(sampleOf(metrics, `prober_probe_total{${labels},probe_type="Readiness",result="successful"}`)).toBeGreaterThanOrEqual(1);
    // Durations of the successful runs only, over kubelet's buckets, without pod_uid.
    expect(metrics).toContain('# TYPE prober_probe_duration_seconds histogram\n');
    expect(sampleOf(metrics, 'prober_probe_duration_seconds_count{container="c",namespace="default",pod="hung",probe_type="Readiness"}')).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^prober_probe_duration_seconds_bucket\{container="c",namespace="default",pod="hung",probe_type="Readiness",le="0\.005"\} \d+$/m);
    expect(metrics).not.toContain('pod="hung",probe_type="Liveness",le=');

    // Once stopped (the whole grace period), the pod has failed, and it was killed once.
    await eventually(async () => expect((await get('hung')).status.phase).toBe('Failed'), { timeoutMs: 60_000, intervalMs: 1000 });
    const events = await eventsOf('hung');
    const killing = events.filter((e) => e.reason === 'Killing');
    expect(killing).toHaveLength(1);
    expect(killing[0]).toMatchObject({ type: 'Normal', message: 'Container c failed liveness probe', count: 1, involvedObject: { fieldPath: 'spec.containers{c}' } });
    // The readiness probe (`true`, every second) runs on while the container stops, as kubelet's does; one that was
    // running inside it at the moment of the SIGKILL ends with it and says `Readiness probe failed: ` (so would
    // kubelet's, the exec'd process killed with the container). Only the liveness failures are this test's.
    const unhealthy = events.filter((e) => e.reason === 'Unhealthy' && !e.message.startsWith('Readiness probe failed'));
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]).toMatchObject({ type: 'Warning', message: 'Liveness probe failed: command "sleep 5" timed out' });
    expect(unhealthy[0].count).toBeGreaterThanOrEqual(2);
    expect((await cluster.kubectl(['describe', 'pod', 'hung'])).stdout).toMatch(/Warning\s+Unhealthy\s+.*Liveness probe failed: command "sleep 5" timed out/);

    // Its probes ended with it, and so did its series.
    await eventually(async () => expect(await raw(`/api/v1/nodes/${host}/proxy/metrics/probes`)).not.toContain('pod="hung"'), { timeoutMs: 15_000, intervalMs: 500 });
  }, 180_000);

  it('says a container it kills under restartPolicy Always will be restarted, and restarts it', async () => {
    const flaky = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'flaky' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'], livenessProbe: { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 1, failureThreshold: 1 } }],
      },
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(flaky) })).code).toBe(0);
    await eventually(async () => expect((await get('flaky')).status.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(1), { timeoutMs: 60_000, intervalMs: 1000 });
    const killing = (await eventsOf('flaky')).filter((e) => e.reason === 'Killing');
    expect(killing).toHaveLength(1);
    expect(killing[0].message).toBe('Container c failed liveness probe, will be restarted');
    // The counts are the container's across its restarts, kept as long as the pod is.
    const host = (await get('flaky')).spec.nodeName;
    const uid = (await get('flaky')).metadata.uid;
    const failed = sampleOf(await raw(`/api/v1/nodes/${host}/proxy/metrics/probes`), `prober_probe_total{container="c",namespace="default",pod="flaky",pod_uid="${uid}",probe_type="Liveness",result="failed"}`);
    expect(failed).toBeGreaterThanOrEqual(1);
    await cluster.kubectl(['delete', 'pod', 'flaky', '--grace-period=0', '--force']);
  }, 120_000);
});
