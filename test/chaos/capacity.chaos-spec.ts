import { startCluster, TestCluster } from '@openpacific/testing';
import { allHostsReady, createPods, full, hostReady, invariants, isRunning, listPods, podsRunning, report, timeUntil } from './support/chaos-kit';

/**
 * Scenario 2: two of three hosts die while more pods run than one host holds. What fits on the survivor
 * runs there; the rest stays Pending with the scheduler's reason, and nothing is dropped. When a host is
 * powered on again, the rest runs.
 */
describe('chaos: two of three hosts die with more pods than one host holds', () => {
  let cluster: TestCluster;
  const perHost = full ? 10 : 5;
  const podCount = perHost * 2 + 2;
  const rebootMs = 12_000;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'chaos-capacity', env: { HOST_PODS: String(perHost), HOST_REBOOT_DELAY_MS: String(rebootMs) } });
    await allHostsReady(cluster);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('keeps the surplus Pending with the capacity message and runs it once a host is back', async () => {
    const acknowledged = await createPods(cluster, Array.from({ length: podCount }, (_, i) => `job-${i}`));
    await podsRunning(cluster, podCount, 90_000);

    const killedAt = Date.now();
    for (const host of ['host-2', 'host-3']) expect((await cluster.chaos(['kill-host', host])).code).toBe(0);
    const notReadyMs = await timeUntil(killedAt, async () => (await hostReady(cluster, 'host-2')) === 'False' && (await hostReady(cluster, 'host-3')) === 'False', 30_000);
    // host-1 fills up; the others wait with the scheduler's reason, none is dropped.
    const settledMs = await timeUntil(killedAt, async () => {
      const pods = await listPods(cluster);
      const running = pods.filter((p) => isRunning(p) && p.spec.nodeName === 'host-1');
      const waiting = pods.filter((p) => !p.spec.nodeName && p.status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
      return pods.length === podCount && running.length === perHost && waiting.length === podCount - perHost;
    }, 30_000);
    const waiting = (await listPods(cluster)).filter((p) => !p.spec.nodeName);
    for (const p of waiting) {
      expect(p.status.conditions.find((c: any) => c.type === 'PodScheduled')).toMatchObject({
        status: 'False',
        reason: 'Unschedulable',
        message: "0/3 hosts are available: 1 Too many pods, 2 host(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 hosts are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling..",
      });
    }
    expect((await cluster.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${waiting[0].metadata.name}`])).stdout).toMatch(/FailedScheduling.*1 Too many pods/);

    // The launcher powers the dead hosts on again; the surplus runs.
    const allRunningMs = await timeUntil(killedAt, async () => {
      const pods = await listPods(cluster);
      return pods.length === podCount && pods.every(isRunning);
    }, 90_000);
    report(`kill host-2 and host-3 with ${podCount} pods, ${perHost} per host at most (reboot after ${rebootMs} ms)`, {
      'kill -> both NotReady': notReadyMs,
      'kill -> survivor full, surplus Pending': settledMs,
      'kill -> all Running again after the reboot': allRunningMs,
    });
    const checked = await invariants(cluster, acknowledged);
    expect(checked.ok).toBe(true);
  }, 240_000);
});
