import { eventually, TestCluster } from '@openpacific/testing';
import { startWithGuestCluster, TKC_NAMESPACE } from './support/guest-cluster';
import { conditionOf, kubectlJson } from './support/kubectl-json';

const NS = TKC_NAMESPACE;
const PRE_DRAIN_HOOK = 'pre-drain.delete.hook.machine.cluster.x-k8s.io/e2e-owner';

/**
 * Machine deletion lifecycle hooks, as Cluster API honours them: a worker scaled away while it carries a
 * `pre-drain.delete.hook.machine.cluster.x-k8s.io/…` annotation stays Deleting, its guest Node untouched and its
 * MachineSet making nothing in its place, until whoever owns the hook removes the annotation; then it is cordoned,
 * drained and gone.
 */
describe('machine deletion hooks of a guest cluster', () => {
  let cluster: TestCluster;
  let guestKubeconfig = '';
  const guest = (args: string[]) => cluster.kubectl(['--kubeconfig', guestKubeconfig, ...args]);
  const machines = async () => (await kubectlJson(cluster, ['get', 'machines', '-n', NS])).items;
  /** The worker Machines (being deleted too), by name. */
  const workerNames = async (): Promise<string[]> => (await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] === undefined).map((m: any) => m.metadata.name).sort();
  const cordoned = async (node: string) => {
    const got = await guest(['get', 'node', node, '-o', 'json']);
    return got.code === 0 && JSON.parse(got.stdout).spec?.unschedulable === true;
  };

  beforeAll(async () => {
    ({ cluster, guestKubeconfig } = await startWithGuestCluster('guesthooks'));
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('holds a scaled-away worker with a pre-drain hook before its drain, and lets it go once the hook is removed', async () => {
    const workers = await workerNames();
    expect(workers).toHaveLength(2);
    const [victim, kept] = workers;
    const hooked = await cluster.kubectl(['annotate', 'machine', victim, '-n', NS, `${PRE_DRAIN_HOOK}=e2e`, 'cluster.x-k8s.io/delete-machine=yes']);
    expect(hooked.stderr).toBe('');
    expect(hooked.stdout.trim()).toBe(`machine.cluster.x-k8s.io/${victim} annotated`);
    const scaled = await cluster.kubectl(['patch', 'tkc', 'tkc-1', '-n', NS, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/topology/nodePools/0/replicas', value: 1 }])]);
    expect(scaled.stdout.trim()).toBe('tanzukubernetescluster.run.tanzu.vmware.com/tkc-1 patched');

    // Deleting, waiting for the hook.
    await eventually(async () => {
      const m = await kubectlJson(cluster, ['get', 'machine', victim, '-n', NS]);
      expect(m.metadata.deletionTimestamp).toBeDefined();
      expect(m.status?.phase).toBe('Deleting');
      expect(conditionOf(m, 'PreDrainDeleteHookSucceeded')).toMatchObject({ status: 'False', reason: 'WaitingExternalHook', severity: 'Info' });
    }, { timeoutMs: 60_000, intervalMs: 250 });

    // For a while (several of the controller's passes): the Node not cordoned, not drained, nothing made in its place
    // (its MachineSet counts it until it is gone).
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      expect(await cordoned(victim)).toBe(false);
      const m = await kubectlJson(cluster, ['get', 'machine', victim, '-n', NS]);
      expect(m.status.phase).toBe('Deleting');
      expect(conditionOf(m, 'DrainingSucceeded')).toBeUndefined();
      expect(await workerNames()).toEqual(workers);
      await new Promise((r) => setTimeout(r, 1000));
    }

    // The hook's owner is done: the annotation removed, the deletion goes on.
    const released = await cluster.kubectl(['annotate', 'machine', victim, '-n', NS, `${PRE_DRAIN_HOOK}-`]);
    expect(released.stderr).toBe('');
    expect(released.stdout.trim()).toBe(`machine.cluster.x-k8s.io/${victim} annotated`);
    await eventually(async () => {
      const got = await cluster.kubectl(['get', 'machine', victim, '-n', NS, '-o', 'json']);
      expect(got.code).not.toBe(0);
      expect(got.stderr).toContain(`machines.cluster.x-k8s.io "${victim}" not found`);
    }, { timeoutMs: 150_000, intervalMs: 250 });
    // The hook's condition turned True, then the node was drained (cordoned first): states that may pass between two
    // polls, so read from the Machine's history in the log.
    const history = (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machines/${victim}/history`)).json().items as any[];
    const hookStates = history.map((i) => conditionOf(i.object, 'PreDrainDeleteHookSucceeded')?.status).filter(Boolean);
    expect(hookStates).toContain('False');
    expect(hookStates[hookStates.length - 1]).toBe('True');
    expect(history.some((i) => conditionOf(i.object, 'DrainingSucceeded'))).toBe(true);

    // Its Node left the guest; the kept worker is the pool's one machine.
    await eventually(async () => {
      const nodes = await guest(['get', 'nodes', '-o', 'name']);
      expect(nodes.stderr).toBe('');
      expect(nodes.stdout).not.toContain(`node/${victim}\n`);
      expect(nodes.stdout).toContain(`node/${kept}`);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(await workerNames()).toEqual([kept]);
  }, 300_000);
});
