import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * NoExecute taints with the real kubectl, as kube-controller-manager's taint-eviction controller applies them: a pod
 * that does not tolerate the taint is deleted at once, one tolerating it for some seconds after them, one tolerating
 * it without a bound stays; a pending deletion is cancelled when the taint goes; a Deployment's pod comes back on
 * another host.
 */
describe('taint eviction', () => {
  let cluster: TestCluster;
  const getJson = async (...args: string[]) => JSON.parse((await cluster.kubectl(['get', ...args, '-o', 'json'])).stdout);
  const pod = (name: string, tolerations: object[] = []) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { nodeName: 'host-1', terminationGracePeriodSeconds: 1, tolerations, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
  });
  const apply = (obj: object) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const exists = async (name: string) => !(await cluster.kubectl(['get', 'pod', name])).stderr.includes('NotFound');
  const events = async (name: string) => (await getJson('events', '--field-selector', `involvedObject.name=${name}`)).items.map((e: any) => `${e.type} ${e.reason} ${e.message}`);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'taints' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('deletes pods that do not tolerate a NoExecute taint at once, bounded ones after tolerationSeconds, and keeps the rest', async () => {
    const maint = { key: 'maint', operator: 'Exists', effect: 'NoExecute' };
    expect((await apply(pod('plain'))).code).toBe(0);
    expect((await apply(pod('bounded', [{ ...maint, tolerationSeconds: 20 }]))).code).toBe(0);
    expect((await apply(pod('forever', [maint]))).code).toBe(0);
    expect((await apply(pod('patient', [{ ...maint, tolerationSeconds: 3600 }]))).code).toBe(0);
    const web = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'host-1' }, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } },
      },
    };
    expect((await apply(web)).code).toBe(0);
    await eventually(async () => {
      for (const name of ['plain', 'bounded', 'forever', 'patient']) expect((await getJson('pod', name)).status.phase).toBe('Running');
      expect((await getJson('pods', '-l', 'app=web')).items.map((p: any) => p.status.phase)).toEqual(['Running']);
    }, { timeoutMs: 60_000 });
    const webPod = (await getJson('pods', '-l', 'app=web')).items[0].metadata.name;

    expect((await cluster.kubectl(['taint', 'node', 'host-1', 'maint=now:NoExecute'])).code).toBe(0);
    await eventually(async () => {
      expect(await exists('plain')).toBe(false);
      expect(await exists(webPod)).toBe(false);
    }, { timeoutMs: 30_000 });
    expect(await events('plain')).toContainEqual('Normal TaintManagerEviction Marking for deletion Pod default/plain');
    // The bounded one is still there for a while, then goes too.
    expect(await exists('bounded')).toBe(true);
    await eventually(async () => expect(await exists('bounded')).toBe(false), { timeoutMs: 45_000 });
    expect(await events('bounded')).toContainEqual('Normal TaintManagerEviction Marking for deletion Pod default/bounded');
    // The Deployment's replacement cannot go back to host-1 (its node selector allows only it): it waits, Unschedulable.
    await eventually(async () => {
      const [replacement] = (await getJson('pods', '-l', 'app=web')).items;
      expect(replacement.metadata.name).not.toBe(webPod);
      expect(replacement.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }));
    }, { timeoutMs: 30_000 });

    // The taint goes: the patient pod's pending deletion is cancelled, and the replacement runs on host-1 again.
    expect((await cluster.kubectl(['taint', 'node', 'host-1', 'maint-'])).code).toBe(0);
    await eventually(async () => {
      expect(await events('patient')).toContainEqual('Normal TaintManagerEviction Cancelling deletion of Pod default/patient');
      expect((await getJson('pods', '-l', 'app=web')).items.map((p: any) => [p.spec.nodeName, p.status.phase])).toEqual([['host-1', 'Running']]);
    }, { timeoutMs: 30_000 });
    for (const name of ['forever', 'patient']) expect((await getJson('pod', name)).status.phase).toBe('Running');
  }, 180_000);
});
