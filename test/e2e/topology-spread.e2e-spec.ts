import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * Pod topology spread constraints through the real kubectl: a Deployment spread across zones (host labels) by a
 * DoNotSchedule constraint, a pod whose key no host has left Pending in kube-scheduler's words, and kube-apiserver's
 * refusals of a bad constraint.
 */
const NS = 'spread';
const ZONE = 'topology.kubernetes.io/zone';
const container = { name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '50m', memory: '16Mi' } } };
const constraint = (extra: Record<string, unknown> = {}) => ({ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra });

describe('pod topology spread constraints', () => {
  let cluster: TestCluster;
  const get = async (args: string[]) => JSON.parse((await cluster.kubectl([...args, '-n', NS, '-o', 'json'])).stdout);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'spread' });
    await cluster.hostsReady(3);
    for (const [host, zone] of [['host-1', 'a'], ['host-2', 'a'], ['host-3', 'b']]) expect((await cluster.kubectl(['label', 'node', host, `${ZONE}=${zone}`])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('spreads a Deployment evenly across zones, whatever the hosts per zone', async () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [container], topologySpreadConstraints: [constraint()] } } },
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) })).code).toBe(0);
    await eventually(async () => {
      const pods = (await get(['get', 'pods', '-l', 'app=web'])).items;
      expect(pods).toHaveLength(4);
      const zones = pods.map((p: any) => (p.spec.nodeName === 'host-3' ? 'b' : p.spec.nodeName ? 'a' : 'none'));
      expect(zones.filter((z: string) => z === 'a')).toHaveLength(2);
      expect(zones.filter((z: string) => z === 'b')).toHaveLength(2);
    }, { timeoutMs: 60_000 });
  }, 90_000);

  it('leaves a pod whose key no host has Pending, in kube-scheduler words', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'racked', namespace: NS, labels: { app: 'web' } }, spec: { containers: [container], topologySpreadConstraints: [constraint({ topologyKey: 'example.com/rack' })] } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(0);
    await eventually(async () => {
      const p = await get(['get', 'pod', 'racked']);
      expect(p.status.conditions).toContainEqual(expect.objectContaining({
        type: 'PodScheduled', status: 'False', reason: 'Unschedulable',
        message: expect.stringContaining("0/3 hosts are available: 3 host(s) didn't match pod topology spread constraints (missing required label)."),
      }));
    }, { timeoutMs: 30_000 });
  });

  it('refuses a constraint kube-apiserver refuses, writing nothing', async () => {
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: NS }, spec: { containers: [container], topologySpreadConstraints: [constraint({ maxSkew: 0, whenUnsatisfiable: 'Sometimes' })] } };
    const refused = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(refused.stderr).toContain('spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero');
    expect(refused.stderr).toContain('spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", "ScheduleAnyway"');
    expect((await cluster.kubectl(['get', 'pod', 'bad', '-n', NS])).stderr).toContain('pods "bad" not found');
  });
});
