import { join, resolve } from 'node:path';
import { eventually, processGroupAlive, startCluster, TestCluster } from '@openpacific/testing';

// The services are stood in for by one fixture that keeps their environment contract,
// so these tests exercise the launcher itself: ordering, process groups, readiness, shutdown.
const fakeService = resolve(__dirname, '..', 'fixtures', 'fake-service.js');

const groupAlive = processGroupAlive;

describe('the local cluster launcher', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'launcher', env: { SERVICE_MAIN: fakeService } });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('reports the gateway address, its kubeconfig and three hosts in their own process groups', () => {
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.kubeconfig).toBe(join(cluster.dataDir, 'kubeconfig'));
    expect(cluster.hosts.map((h) => h.name)).toEqual(['host-1', 'host-2', 'host-3']);
    for (const host of cluster.hosts) expect(groupAlive(host.pgid)).toBe(true);
  });

  it('serves HTTPS with the CA and token the gateway wrote', async () => {
    const ok = await cluster.request('GET', '/api');
    expect(ok.json()).toEqual({ method: 'GET', path: '/api', authorised: true });
    const anonymous = await cluster.request('GET', '/api', { token: null });
    expect(anonymous.status).toBe(401);
  });

  it('lets kubectl reach the gateway through the written kubeconfig', async () => {
    const result = await cluster.kubectl(['get', '--raw', '/readyz']);
    expect({ ...result, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stdout: 'ok', stderr: '' });
  });

  it('kills a whole host, both of its services, through its process group', async () => {
    const host = cluster.hosts[1];
    cluster.killHost(host.name);
    await eventually(() => expect(groupAlive(host.pgid)).toBe(false));
    expect(groupAlive(cluster.hosts[0].pgid)).toBe(true);
  });

  it('stops every process when stopped', async () => {
    const pgids = cluster.hosts.map((h) => h.pgid);
    await cluster.stop();
    for (const pgid of pgids) expect(groupAlive(pgid)).toBe(false);
  }, 60_000);
});

describe('a launcher whose service dies during start', () => {
  it('exits non-zero and shows the log tail of the dead service', async () => {
    const failure = startCluster({ label: 'launcherfail', hostCount: 1, env: { SERVICE_MAIN: fakeService, FAKE_FAIL: 'scheduler' } });
    await expect(failure).rejects.toThrow(/scheduler exited during start[\s\S]*failing on purpose/);
  }, 90_000);
});
