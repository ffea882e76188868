import { eventually, TestCluster } from '@openpacific/testing';
import { startWithGuestCluster, TKC_NAMESPACE } from './support/guest-cluster';
import { conditionOf, kubectlJson } from './support/kubectl-json';

const NS = TKC_NAMESPACE;
/** Two replicas in the guest, one of which may be disrupted at a time; a short grace period so a drain does not wait 30 s a pod. */
const web = [
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] } },
    },
  },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } },
];

/**
 * Deleting a machine as Cluster API does: scaling a TanzuKubernetesCluster's workers down cordons and drains the
 * guest Node of the machine it removes (its pods evicted through the guest's API, their PodDisruptionBudget honoured,
 * and started again on the other worker), then deletes its VM, then its Node from the guest, then the Machine.
 */
describe('machine deletion of a guest cluster', () => {
  let cluster: TestCluster;
  let guestKubeconfig = '';
  const guest = (args: string[], opts?: { input?: string }) => cluster.kubectl(['--kubeconfig', guestKubeconfig, ...args], opts);
  const machines = async () => (await kubectlJson(cluster, ['get', 'machines', '-n', NS])).items;
  const webPods = async () => (await kubectlJson(cluster, ['--kubeconfig', guestKubeconfig, 'get', 'pods', '-n', 'default', '-l', 'app=web'])).items;

  beforeAll(async () => {
    ({ cluster, guestKubeconfig } = await startWithGuestCluster('guestdrain'));
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('holds every Machine with the machine.cluster.x-k8s.io finalizer', async () => {
    const ms = await machines();
    expect(ms).toHaveLength(3);
    for (const m of ms) expect(m.metadata.finalizers).toContain('machine.cluster.x-k8s.io');
  });

  it('scaled down, cordons and drains the worker it removes, its pods go to the other worker, and its Node leaves the guest', async () => {
    const applied = await guest(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: web }) });
    expect(applied.stderr).toBe('');
    const running = await eventually(async () => {
      const pods = (await webPods()).filter((p: any) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
      expect(pods).toHaveLength(2);
      return pods;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    // The machine whose node runs a web pod goes first (Cluster API's delete-machine annotation).
    const victim: string = running[0].spec.nodeName;
    const workers = (await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] === undefined).map((m: any) => m.metadata.name);
    expect(workers).toContain(victim);
    const [kept] = workers.filter((w: string) => w !== victim);
    const annotated = await cluster.kubectl(['annotate', 'machine', victim, '-n', NS, 'cluster.x-k8s.io/delete-machine=yes']);
    expect(annotated.stdout.trim()).toBe(`machine.cluster.x-k8s.io/${victim} annotated`);
    const scaled = await cluster.kubectl(['patch', 'tkc', 'tkc-1', '-n', NS, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/topology/nodePools/0/replicas', value: 1 }])]);
    expect(scaled.stdout.trim()).toBe('tanzukubernetescluster.run.tanzu.vmware.com/tkc-1 patched');

    // Watched until the Machine is gone: what its guest Node and the Machine said on the way.
    const seen = { cordoned: false, phases: new Set<string>(), draining: new Set<string>() };
    await eventually(async () => {
      const node = await guest(['get', 'node', victim, '-o', 'json']);
      if (node.code === 0 && JSON.parse(node.stdout).spec?.unschedulable === true) seen.cordoned = true;
      const got = await cluster.kubectl(['get', 'machine', victim, '-n', NS, '-o', 'json']);
      if (got.code === 0) {
        const m = JSON.parse(got.stdout);
        if (m.status?.phase) seen.phases.add(m.status.phase);
        const d = conditionOf(m, 'DrainingSucceeded');
        if (d) seen.draining.add(`${d.status}/${d.reason ?? ''}`);
      }
      expect(got.code).not.toBe(0);
      expect(got.stderr).toContain(`machines.cluster.x-k8s.io "${victim}" not found`);
    }, { timeoutMs: 150_000, intervalMs: 250 });
    expect(seen.cordoned).toBe(true);
    expect(seen.phases.has('Deleting')).toBe(true);
    expect(seen.draining.has('False/Draining')).toBe(true);

    // The Node is gone from the guest; the control plane's and the kept worker's are there, Ready.
    await eventually(async () => {
      const nodes = await guest(['get', 'nodes', '--no-headers']);
      expect(nodes.stderr).toBe('');
      const rows = nodes.stdout.trim().split('\n').map((l) => l.split(/\s+/));
      expect(rows.map((r) => r[0])).not.toContain(victim);
      expect(rows.map((r) => r[0])).toContain(kept);
      expect(rows.every((r) => r[1] === 'Ready')).toBe(true);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    // Its pods were evicted and started again on the other worker.
    await eventually(async () => {
      const pods = (await webPods()).filter((p: any) => !p.metadata.deletionTimestamp);
      expect(pods.map((p: any) => [p.spec.nodeName, p.status?.phase])).toEqual([[kept, 'Running'], [kept, 'Running']]);
    }, { timeoutMs: 90_000, intervalMs: 500 });
    // Its VM went with it (before the Machine, which goes last); the kept worker and the control plane remain.
    expect((await kubectlJson(cluster, ['get', 'vm', '-n', NS])).items.map((v: any) => v.metadata.name)).not.toContain(victim);
    expect((await machines()).map((m: any) => m.metadata.name)).toContain(kept);
  }, 300_000);
});
