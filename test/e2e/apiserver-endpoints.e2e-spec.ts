import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson } from './support/kubectl-json';

/**
 * Every live gateway replica in the `kubernetes` Service's endpoints, as kube-apiserver's lease endpoint reconciler
 * lists every apiserver: two replicas, each with its identity Lease in kube-system (renewed, here, with a 4 s
 * duration: GATEWAY_LEASE_DURATION_SECONDS), both in the EndpointSlices and the Endpoints; a replica that stops
 * (SIGSTOP: it neither renews nor is restarted) leaves them once its Lease runs out, and its Lease is deleted; when it
 * runs again it comes back.
 */
const LEASE_SECONDS = 4;

describe('the kubernetes Service\'s endpoints with two gateway replicas', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[]) => cluster.kubectl(args);
  const json = (args: string[]) => kubectlJson(cluster, args);
  const port = (server: string) => Number(new URL(server).port);
  let stopped: string | undefined;

  /** `address:port` of every endpoint of the `kubernetes` slices, sorted. */
  const sliceEndpoints = async () => {
    const slices = (await json(['get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes'])).items;
    return slices.flatMap((s: any) => s.endpoints.flatMap((e: any) => e.addresses.map((a: string) => `${a}:${s.ports[0].port}`))).sort();
  };
  const identityLeases = async () => (await json(['get', 'leases', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver'])).items;
  /** The gateway replica leading garbage collection, which keeps the `kubernetes` endpoints. */
  const electedGateway = () =>
    cluster.gateways.find((g) => readFileSync(join(cluster.dataDir, 'logs', `${g.name}.log`), 'utf8').split('\n').some((l) => l.includes('elected leader') && l.includes('garbage-collector')));

  beforeAll(async () => {
    cluster = await startCluster({ label: 'apiserver-eps', hostCount: 0, replicas: 2, env: { GATEWAY_LEASE_DURATION_SECONDS: String(LEASE_SECONDS) } });
  }, 180_000);
  afterAll(async () => {
    if (stopped) cluster?.killService(stopped, 'SIGCONT');
    await cluster?.stop();
  }, 60_000);

  it('lists both replicas, each holding its identity Lease', async () => {
    const wanted = cluster.gateways.map((g) => `127.0.0.1:${port(g.server)}`).sort();
    expect(wanted).toHaveLength(2);
    await eventually(async () => {
      const leases = await identityLeases();
      expect(leases.map((l: any) => l.metadata.annotations['alpha.apiserver.kubernetes.io/peer-endpoint']).sort()).toEqual(wanted);
      for (const l of leases) expect(l.spec).toMatchObject({ holderIdentity: expect.stringMatching(new RegExp(`^${l.metadata.name}_`)), leaseDurationSeconds: LEASE_SECONDS });
      expect(await sliceEndpoints()).toEqual(wanted);
    }, { timeoutMs: 20_000 });
    const table = await kubectl(['get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes']);
    expect(table.stdout).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
    for (const g of cluster.gateways) expect(table.stdout).toMatch(new RegExp(`IPv4\\s+${port(g.server)}\\s+127\\.0\\.0\\.1\\s`));
    // The Endpoints are written after the slices, in another append (perhaps by the other replica).
    await eventually(async () => {
      const endpoints = await json(['get', 'endpoints', 'kubernetes', '-n', 'default']);
      expect(endpoints.metadata.labels['endpointslice.kubernetes.io/skip-mirror']).toBe('true');
      expect(endpoints.subsets.map((s: any) => `${s.addresses[0].ip}:${s.ports[0].port}`).sort()).toEqual(wanted);
    }, { timeoutMs: 20_000 });
    // Renewed: a Lease's renewTime moves on.
    const before = Object.fromEntries((await identityLeases()).map((l: any) => [l.metadata.name, l.spec.renewTime]));
    await eventually(async () => {
      for (const l of await identityLeases()) expect(l.spec.renewTime > before[l.metadata.name]).toBe(true);
    }, { timeoutMs: 10_000 });
  }, 60_000);

  it('drops a replica that stops renewing once its Lease runs out, deletes its Lease, and lists it again when it is back', async () => {
    const elected = electedGateway();
    expect(elected).toBeDefined();
    const other = cluster.gateways.find((g) => g !== elected)!;
    const gone = `127.0.0.1:${port(other.server)}`;
    const leaseOf = async (endpoint: string) => (await identityLeases()).find((l: any) => l.metadata.annotations['alpha.apiserver.kubernetes.io/peer-endpoint'] === endpoint);
    const name = (await leaseOf(gone)).metadata.name;
    stopped = other.name;
    cluster.killService(other.name, 'SIGSTOP');
    await eventually(async () => {
      expect(await sliceEndpoints()).toEqual([`127.0.0.1:${port(elected!.server)}`]);
      expect((await json(['get', 'endpoints', 'kubernetes', '-n', 'default'])).subsets).toHaveLength(1);
      expect((await kubectl(['get', 'lease', name, '-n', 'kube-system'])).stderr).toContain(`leases.coordination.k8s.io "${name}" not found`);
    }, { timeoutMs: 30_000 });
    expect(await kubectl(['get', 'endpointslice', `kubernetes-${port(other.server)}`, '-n', 'default']).then((r) => r.stdout)).toBe('');

    cluster.killService(other.name, 'SIGCONT');
    stopped = undefined;
    await eventually(async () => {
      expect(await leaseOf(gone)).toBeDefined();
      expect(await sliceEndpoints()).toEqual(cluster.gateways.map((g) => `127.0.0.1:${port(g.server)}`).sort());
    }, { timeoutMs: 30_000 });
  }, 90_000);
});
