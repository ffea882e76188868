import { startCluster, TestCluster } from '@openpacific/testing';
import { allHostsReady, createPods, full, hostReady, invariants, isRunning, listPods, podsRunning, report, timeUntil } from './support/chaos-kit';

/**
 * Scenario 1: one of three hosts dies (SIGKILL to its process group, workloads included) while pods run.
 * Its pods must run elsewhere, keeping their names, with the move in their history.
 */
describe('chaos: a host dies', () => {
  let cluster: TestCluster;
  const podCount = full ? 30 : 12;

  beforeAll(async () => {
    // The dead host stays down for the whole scenario.
    cluster = await startCluster({ label: 'chaos-host', env: { HOST_REBOOT_DELAY_MS: '0' } });
    await allHostsReady(cluster);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it(`moves the ${podCount} pods' share of the dead host to the others; nothing is lost or runs twice`, async () => {
    const names = Array.from({ length: podCount }, (_, i) => `web-${i}`);
    const acknowledged = await createPods(cluster, names);
    await podsRunning(cluster, podCount, 90_000);

    const victim = 'host-2';
    // Pinned to the victim: one that must not restart, one that may (but only there), one being deleted slowly.
    const pinned = { nodeSelector: { 'kubernetes.io/hostname': victim } };
    const pin = (name: string, restartPolicy: string, command = ['sleep', '3600']) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'pinned' } },
      spec: { ...pinned, restartPolicy, terminationGracePeriodSeconds: 120, containers: [{ name: 'c', image: 'busybox', command }] },
    });
    for (const [name, policy, command] of [['once', 'Never'], ['sticky', 'Always'], ['leaving', 'Always', ['sh', '-c', "trap '' TERM; sleep 3600 & wait; sleep 3600"]]] as const) {
      expect((await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: pin(name, policy, command as any) })).status).toBe(201);
    }
    await podsRunning(cluster, 3, 60_000, 'app=pinned');
    expect((await cluster.request('DELETE', '/api/v1/namespaces/default/pods/leaving')).status).toBe(200);
    const before = await listPods(cluster);
    const moved = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    expect(moved.length).toBeGreaterThan(0);

    const kill = await cluster.chaos(['kill-host', victim]);
    expect(kill.code).toBe(0);
    const killedAt = Date.now();
    const notReadyMs = await timeUntil(killedAt, async () => (await hostReady(cluster, victim)) === 'False', 30_000);
    const allRunningMs = await timeUntil(killedAt, async () => {
      const pods = await listPods(cluster);
      return pods.length === podCount && pods.every((p) => isRunning(p) && p.spec.nodeName !== victim);
    }, 60_000);
    report(`kill ${victim} with ${podCount} pods (${moved.length} on it)`, { 'kill -> NotReady': notReadyMs, 'kill -> all pods Running elsewhere': allRunningMs });

    // Same names and uids, and the failover is in each moved pod's history and events.
    const after = await listPods(cluster);
    for (const name of moved) {
      const uid = before.find((p) => p.metadata.name === name).metadata.uid;
      expect(after.find((p) => p.metadata.name === name).metadata.uid).toBe(uid);
      const history = (await cluster.request('GET', `/api/v1/namespaces/default/pods/${name}/history`)).json().items.map((i: any) => i.type);
      expect(history).toEqual(expect.arrayContaining(['PodUnbound']));
      expect(history.lastIndexOf('PodBound')).toBeGreaterThan(history.indexOf('PodUnbound'));
    }
    const events = (await cluster.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${moved[0]}`])).stdout;
    expect(events).toMatch(/Warning\s+HostFailover\s+pod\/\S+\s+host host-2 is NotReady/);

    // The pinned ones: Never is Failed (NodeLost); Always waits for its host; the deletion was finished.
    const get = async (name: string) => (await cluster.request('GET', `/api/v1/namespaces/default/pods/${name}`)).json();
    await timeUntil(Date.now(), async () => (await get('once')).status?.phase === 'Failed', 30_000);
    expect((await get('once')).status).toMatchObject({ phase: 'Failed', reason: 'NodeLost' });
    const sticky = await get('sticky');
    expect(sticky.spec.nodeName).toBeUndefined();
    await timeUntil(Date.now(), async () => (await get('sticky')).status.conditions.some((c: any) => c.reason === 'Unschedulable'), 30_000);
    expect((await get('sticky')).status.conditions.find((c: any) => c.type === 'PodScheduled').message).toBe(
      "0/3 hosts are available: 1 host(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 host(s) didn't match Pod's node affinity/selector. preemption: 0/3 hosts are available: 3 Preemption is not helpful for scheduling..",
    );
    expect((await cluster.request('GET', '/api/v1/namespaces/default/pods/leaving')).status).toBe(404);

    const checked = await invariants(cluster, acknowledged);
    expect(checked.ok).toBe(true);
    expect(checked.doubleRuns).toEqual([]);
  }, 240_000);
});
