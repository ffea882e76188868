import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * The crx-runtime `sim` driver runs no processes: the whole control path (admission, scheduling in
 * batches, the agents' reconciliation and status) is exercised for many pods at once.
 */
describe('hosts on the sim driver', () => {
  let cluster: TestCluster;
  const podCount = 240;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'sim', env: { CRX_DRIVER: 'sim', CRX_SIM_START_DELAY_MS: '300', CRX_SIM_FAILURE_RATE: '0' } });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('says so in the hosts\' status', async () => {
    const nodes = JSON.parse((await cluster.kubectl(['get', 'nodes', '-o', 'json'])).stdout).items;
    expect(nodes.map((n: any) => n.status.nodeInfo.containerRuntimeVersion)).toEqual(['crx://sim', 'crx://sim', 'crx://sim']);
  });

  it(`runs a burst of ${podCount} pods to Running across the hosts, then deletes them all`, async () => {
    const names = Array.from({ length: podCount }, (_, i) => `burst-${i}`);
    const create = async (name: string) => {
      const res = await cluster.request('POST', '/api/v1/namespaces/default/pods', {
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'burst' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
      });
      expect(res.status).toBe(201);
    };
    for (let i = 0; i < names.length; i += 20) await Promise.all(names.slice(i, i + 20).map(create));

    const phases = async () => {
      const items = (await cluster.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dburst')).json().items;
      return { items, running: items.filter((p: any) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready).length };
    };
    await eventually(async () => {
      const { items, running } = await phases();
      const stuck = items.filter((p: any) => !(p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready));
      expect({ running, stuck: stuck.slice(0, 3).map((p: any) => ({ name: p.metadata.name, node: p.spec.nodeName, status: p.status })) }).toEqual({ running: podCount, stuck: [] });
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const { items } = await phases();
    const perHost = new Map<string, number>();
    for (const p of items) perHost.set(p.spec.nodeName, (perHost.get(p.spec.nodeName) ?? 0) + 1);
    // Spreading: every host takes a fair share of the burst.
    expect([...perHost.keys()].sort()).toEqual(['host-1', 'host-2', 'host-3']);
    for (const n of perHost.values()) expect(n).toBeGreaterThan(podCount / 6);
    expect(new Set(items.map((p: any) => p.status.podIP)).size).toBe(podCount);

    const del = await cluster.request('DELETE', '/api/v1/namespaces/default/pods?labelSelector=app%3Dburst');
    expect(del.status).toBe(200);
    await eventually(async () => expect((await phases()).items).toHaveLength(0), { timeoutMs: 60_000, intervalMs: 500 });
  }, 180_000);
});
