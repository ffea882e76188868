import { Resolver } from 'node:dns/promises';
import * as http from 'node:http';
import { clusterDnsAddress } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { httpGet } from './support/http-get';
import { kubectlJson } from './support/kubectl-json';

// An uncommon port: the test itself listens on the simulated pods' addresses, where nothing else runs.
const TARGET_PORT = 18437;

const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], ports: [{ name: 'http', containerPort: TARGET_PORT }] }] },
    },
  },
});
const service = (name: string, clusterIP?: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { selector: { app: 'web' }, ...(clusterIP ? { clusterIP } : {}), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

/**
 * A Service of 150 pods on simulated hosts (SIM_FLEET_HOSTS: pods run nowhere, so the test listens on their
 * addresses itself), through the real kubectl: its EndpointSlices hold at most 100 endpoints each, are rewritten in
 * place on scale down, and come down to one placeholder at zero; the Service proxies to, and cluster DNS lists, all.
 * The slices carry the Service's labels (relabelled when those change), a headless Service's the headless mark.
 */
describe('EndpointSlices of a Service with many pods', () => {
  let cluster: TestCluster;
  const servers: http.Server[] = [];
  const json = (args: string[]) => kubectlJson(cluster, args);
  const slices = async (svc: string): Promise<any[]> => (await json(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`])).items;
  const runningPods = async (): Promise<any[]> => (await json(['get', 'pods', '-l', 'app=web'])).items.filter((p: any) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata.deletionTimestamp);
  const apply = async (obj: object) => expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) })).code).toBe(0);

  beforeAll(async () => {
    // A service range of its own: the cluster DNS server binds its .10, port 53, which another cluster on the machine may hold in the default one.
    cluster = await startCluster({ label: 'slices', hostCount: 0, env: { SIM_FLEET_HOSTS: '2', POD_NETWORK: 'loopback', HOST_PODS: '100', SERVICE_CIDR: '127.237.0.0/16', LOADBALANCER_CIDR: '127.238.0.0/16' } });
    await cluster.hostsReady(2);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await cluster?.stop();
  }, 60_000);

  it('splits 150 endpoints into slices of 100 and 50, proxied and resolved in full', async () => {
    await apply(service('web'));
    await apply(service('web-peers', 'None'));
    await apply(deployment(150));
    const pods = await eventually(async () => {
      const running = await runningPods();
      expect(running).toHaveLength(150);
      return running;
    }, { timeoutMs: 90_000, intervalMs: 1000 });
    const ips: string[] = pods.map((p) => p.status.podIP).sort();

    await eventually(async () => {
      const web = await slices('web');
      expect(web.map((s) => (s.endpoints ?? []).length).sort((a, b) => b - a)).toEqual([100, 50]);
      expect(web.flatMap((s) => s.endpoints.map((e: any) => e.addresses[0])).sort()).toEqual(ips);
      for (const s of web) {
        expect(s.metadata.generateName).toBe('web-');
        expect(s.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
        expect(s.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
        expect(s.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', controller: true })]);
        expect(s.ports).toEqual([{ name: 'http', port: TARGET_PORT, protocol: 'TCP' }]);
      }
      expect((await slices('web-peers')).map((s) => (s.endpoints ?? []).length).sort((a, b) => b - a)).toEqual([100, 50]);
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    const table = await cluster.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
    expect(table.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/),
      expect.stringMatching(new RegExp(`^web-\\w{5}\\s+IPv4\\s+${TARGET_PORT}\\s+[\\d.,]+ \\+ (97|47) more\\.\\.\\.`)),
      expect.stringMatching(new RegExp(`^web-\\w{5}\\s+IPv4\\s+${TARGET_PORT}\\s+[\\d.,]+ \\+ (97|47) more\\.\\.\\.`)),
    ]);
    // The core v1 Endpoints list them all in one object; kubectl describe counts them all. They are written apart
    // from the slices (another append of the controller), so they may follow a little later.
    await eventually(async () => {
      expect((await json(['get', 'endpoints', 'web'])).subsets[0].addresses).toHaveLength(150);
      expect((await cluster.kubectl(['describe', 'svc', 'web'])).stdout).toMatch(new RegExp(`Endpoints:\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+:${TARGET_PORT},){2}\\d+\\.\\d+\\.\\d+\\.\\d+:${TARGET_PORT} \\+ 147 more\\.\\.\\.`));
    }, { timeoutMs: 30_000, intervalMs: 1000 });

    // Each pod's address answers with itself: requests through the cluster IP reach every one.
    for (const ip of ips) {
      const server = http.createServer((_req, res) => res.end(ip));
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(TARGET_PORT, ip, resolve));
      servers.push(server);
    }
    const clusterIP = (await json(['get', 'svc', 'web'])).spec.clusterIP;
    const reached = new Set<string>();
    for (let i = 0; i < 450 && reached.size < ips.length; i++) reached.add(await httpGet(clusterIP, 80));
    expect([...reached].sort()).toEqual(ips);

    // Cluster DNS answers the headless Service with every address of both slices (over TCP: too many for 512 bytes).
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers([clusterDnsAddress(cluster.network)]);
    await eventually(async () => expect((await resolver.resolve4('web-peers.default.svc.cluster.local')).sort()).toEqual(ips), { timeoutMs: 20_000 });

    // The headless Service's slices are marked so; the Service's own labels are copied to its slices, and a change
    // of them relabels the same slices (their endpoints as they were), as kube's endpointslice controller does.
    const own = (svc: string) => ({ 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    for (const s of await slices('web-peers')) expect(s.metadata.labels).toEqual({ ...own('web-peers'), 'service.kubernetes.io/headless': '' });
    const named = (await slices('web')).map((s) => [s.metadata.name, s.endpoints]).sort();
    expect((await cluster.kubectl(['label', 'service', 'web', 'tier=front', 'team=shop'])).code).toBe(0);
    await eventually(async () => {
      const web = await slices('web');
      for (const s of web) expect(s.metadata.labels).toEqual({ ...own('web'), tier: 'front', team: 'shop' });
      expect(web.map((s) => [s.metadata.name, s.endpoints]).sort()).toEqual(named);
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    const selected = await cluster.kubectl(['get', 'endpointslices', '-l', 'tier=front', '-o', 'name']);
    expect(selected.stdout.trim().split('\n').sort()).toEqual(named.map(([name]) => `endpointslice.discovery.k8s.io/${name}`));
  }, 240_000);

  it('rewrites the slices in place on scale down and keeps one placeholder at zero', async () => {
    const before = (await slices('web')).map((s) => s.metadata.name).sort();
    await apply(deployment(120));
    await eventually(async () => {
      const web = await slices('web');
      expect(web.reduce((n, s) => n + (s.endpoints ?? []).length, 0)).toBe(120);
      // The same two slices, neither over 100: no new slice, no re-packing.
      expect(web.map((s) => s.metadata.name).sort()).toEqual(before);
      for (const s of web) expect(s.endpoints.length).toBeLessThanOrEqual(100);
    }, { timeoutMs: 60_000, intervalMs: 1000 });

    await apply(deployment(0));
    await eventually(async () => {
      const web = await slices('web');
      expect(web).toHaveLength(1);
      expect(before).toContain(web[0].metadata.name);
      expect(web[0].endpoints ?? []).toEqual([]);
      expect(web[0].ports ?? []).toEqual([]);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers([clusterDnsAddress(cluster.network)]);
    await expect(resolver.resolve4('web-peers.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });

    // The placeholder follows the Service's labels too: a label removed, another changed.
    expect((await cluster.kubectl(['label', 'service', 'web', 'team-', 'tier=back', '--overwrite'])).code).toBe(0);
    await eventually(async () => {
      const web = await slices('web');
      expect(web.map((s) => s.metadata.labels)).toEqual([{ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', tier: 'back' }]);
      expect(before).toContain(web[0].metadata.name);
    }, { timeoutMs: 30_000, intervalMs: 1000 });
  }, 150_000);
});
