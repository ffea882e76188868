import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * SIM_FLEET_HOSTS: one agent process carries several simulated hosts, each registered with its own epoch,
 * heartbeating, Ready, and running the pods bound to it; no real host runs (HOST_COUNT=0).
 */
describe('a fleet of simulated hosts in one process', () => {
  let cluster: TestCluster;
  const hosts = ['sim-1', 'sim-2', 'sim-3', 'sim-4', 'sim-5'];

  beforeAll(async () => {
    cluster = await startCluster({ label: 'fleet', hostCount: 0, env: { SIM_FLEET_HOSTS: String(hosts.length), POD_NETWORK: 'loopback', HOST_PODS: '50' } });
    await cluster.hostsReady(hosts.length);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('registers every host Ready with the capacity it was given', async () => {
    const nodes = JSON.parse((await cluster.kubectl(['get', 'nodes', '-o', 'json'])).stdout).items;
    expect(nodes.map((n: any) => n.metadata.name).sort()).toEqual(hosts);
    for (const n of nodes) {
      expect(n.status.nodeInfo.containerRuntimeVersion).toBe('crx://sim');
      expect(n.status.capacity.pods).toBe('50');
      expect(n.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    }
  });

  it('runs pods on the simulated hosts', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `fleet-${i}`);
    for (const name of names) {
      const res = await cluster.request('POST', '/api/v1/namespaces/default/pods', {
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'fleet' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } },
      });
      expect(res.status).toBe(201);
    }
    await eventually(async () => {
      const items = (await cluster.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dfleet')).json().items;
      expect(items.filter((p: any) => p.status?.phase === 'Running').length).toBe(names.length);
      for (const p of items) expect(hosts).toContain(p.spec.nodeName);
      expect(new Set(items.map((p: any) => p.status.podIP)).size).toBe(names.length);
    }, { timeoutMs: 30_000, intervalMs: 300 });
  }, 60_000);
});
