import { rfc3339 } from '@openpacific/contracts';
import { eventually, TestCluster } from '@openpacific/testing';
import { startWithGuestCluster, TKC_NAMESPACE } from './support/guest-cluster';
import { conditionOf, kubectlApply, kubectlJson } from './support/kubectl-json';

const NS = TKC_NAMESPACE;
const WORKERS = 'tkc-1-workers';
const ready = (m: any) => m.status?.phase === 'Running' && conditionOf(m, 'Ready')?.status === 'True';

/**
 * A MachineHealthCheck reads the conditions of each machine's Node in the guest cluster, as Cluster API's does: a
 * condition reported on a guest Node (here through the guest's own kubeconfig, as node-problem-detector would) gets
 * its machine replaced once it has held for the check's timeout, and not if it clears before.
 */
describe('machine health checks of a guest cluster', () => {
  let cluster: TestCluster;
  let guestKubeconfig = '';
  const guest = (args: string[]) => cluster.kubectl(['--kubeconfig', guestKubeconfig, ...args]);
  const workers = async () => (await kubectlJson(cluster, ['get', 'machines', '-n', NS, '-l', `cluster.x-k8s.io/deployment-name=${WORKERS}`])).items;
  const check = async () => kubectlJson(cluster, ['get', 'machinehealthcheck', 'tkc-1-workers-mhc', '-n', NS]);
  /** Reports a condition on a guest Node through its status, merged by type. */
  const report = async (node: string, type: string, status: string) => {
    const patch = { status: { conditions: [{ type, status, reason: 'E2eReported', message: `${type} is ${status}`, lastTransitionTime: rfc3339() }] } };
    const r = await guest(['patch', 'node', node, '--subresource=status', '-p', JSON.stringify(patch)]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`node/${node} patched`);
  };

  beforeAll(async () => {
    ({ cluster, guestKubeconfig } = await startWithGuestCluster('guesthealth'));
    await kubectlApply(cluster, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name: 'tkc-1-workers-mhc', namespace: NS },
      spec: {
        clusterName: 'tkc-1', selector: { matchLabels: { 'cluster.x-k8s.io/deployment-name': WORKERS } }, maxUnhealthy: '100%',
        // Conditions node-problem-detector reports: nothing in the guest sets or clears them but these tests.
        unhealthyConditions: [{ type: 'KernelDeadlock', status: 'True', timeout: '3s' }, { type: 'ReadonlyFilesystem', status: 'True', timeout: '20s' }],
      },
    });
    await eventually(async () => expect((await check()).status).toMatchObject({ expectedMachines: 2, currentHealthy: 2 }), { timeoutMs: 30_000, intervalMs: 500 });
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it("replaces a worker whose guest Node has reported a condition for longer than the check's timeout", async () => {
    const before = (await workers()).map((m: any) => m.metadata.name).sort();
    const victim = before[0];
    // The Node in the guest is named after its machine.
    expect((await guest(['get', 'node', victim, '-o', 'name'])).stdout.trim()).toBe(`node/${victim}`);
    await report(victim, 'KernelDeadlock', 'True');
    expect(conditionOf(JSON.parse((await guest(['get', 'node', victim, '-o', 'json'])).stdout), 'KernelDeadlock')).toMatchObject({ status: 'True', reason: 'E2eReported' });
    // Marked by the check, deleted by its MachineSet, and a new machine made in its place.
    await eventually(async () => {
      const now = await workers();
      expect(now.map((m: any) => m.metadata.name)).not.toContain(victim);
      expect(now.filter(ready)).toHaveLength(2);
    }, { timeoutMs: 90_000, intervalMs: 500 });
    const kept = (await workers()).find((m: any) => m.metadata.name === before[1]);
    expect(conditionOf(kept, 'HealthCheckSucceeded')).toMatchObject({ status: 'True' });
    await eventually(async () => expect((await check()).status).toMatchObject({ expectedMachines: 2, currentHealthy: 2, remediationsAllowed: 2 }), { timeoutMs: 30_000, intervalMs: 500 });
    // Its VM went with it.
    await eventually(async () => {
      expect((await kubectlJson(cluster, ['get', 'vm', '-n', NS])).items.map((v: any) => v.metadata.name)).not.toContain(victim);
    }, { timeoutMs: 30_000, intervalMs: 500 });
  }, 180_000);

  it('leaves a worker whose condition clears before the timeout', async () => {
    const before = (await workers()).map((m: any) => m.metadata.name).sort();
    const node = before[0];
    const reportedAt = Date.now();
    await report(node, 'ReadonlyFilesystem', 'True');
    // Seen: the machine is not counted healthy while the condition holds.
    await eventually(async () => expect((await check()).status).toMatchObject({ expectedMachines: 2, currentHealthy: 1 }), { timeoutMs: 15_000, intervalMs: 250 });
    await report(node, 'ReadonlyFilesystem', 'False');
    await eventually(async () => expect((await check()).status).toMatchObject({ expectedMachines: 2, currentHealthy: 2 }), { timeoutMs: 15_000, intervalMs: 250 });
    // Well past the 20 s the condition would have needed: the same machines, all healthy.
    await new Promise((r) => setTimeout(r, Math.max(0, reportedAt + 25_000 - Date.now())));
    const after = await workers();
    expect(after.map((m: any) => m.metadata.name).sort()).toEqual(before);
    expect(after.map((m: any) => conditionOf(m, 'HealthCheckSucceeded')?.status)).toEqual(['True', 'True']);
    expect(conditionOf(after.find((m: any) => m.metadata.name === node), 'OwnerRemediated')).toBeUndefined();
  }, 90_000);
});
