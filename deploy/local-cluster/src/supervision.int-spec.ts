import { existsSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { eventually, processGroupAlive, startCluster, TestCluster } from '@openpacific/testing';

// One cluster with two replicas and quick host reboots; the fixture stands in for every service.
const fakeService = resolve(__dirname, '..', 'fixtures', 'fake-service.js');

const groupAlive = processGroupAlive;

/** The state letter of /proc/<pid>/stat: R, S, T (stopped)… */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}

function healthStatus(port: number): Promise<number> {
  return new Promise((res) => {
    get({ host: '127.0.0.1', port, path: '/readyz', timeout: 2000 }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    }).once('error', () => res(0));
  });
}

describe('a supervised cluster with two replicas', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      label: 'supervision',
      hostCount: 2,
      replicas: 2,
      env: { SERVICE_MAIN: fakeService, HOST_REBOOT_DELAY_MS: '1000' },
    });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('runs two instances of every control-plane service and records them in cluster.json', () => {
    const state = cluster.state();
    expect(state.services.map((s) => s.name)).toEqual([
      'policy-1', 'policy-2', 'api-gateway-1', 'scheduler-1', 'scheduler-2', 'vm-operator-1', 'vm-operator-2',
      'cluster-api-1', 'cluster-api-2', 'api-gateway-2',
    ]);
    expect(state).toMatchObject({ dataDir: cluster.dataDir, server: cluster.server, nats: { managed: false }, postgres: { managed: false } });
    expect(state.hosts.map((h) => [h.name, h.up, h.crxRoot])).toEqual([
      ['host-1', true, join(cluster.dataDir, 'hosts', 'host-1', 'crx')],
      ['host-2', true, join(cluster.dataDir, 'hosts', 'host-2', 'crx')],
    ]);
  });

  it('serves the API from both gateways, with the first one\'s kubeconfig, CA and token', async () => {
    expect(cluster.gateways.map((g) => g.name)).toEqual(['api-gateway-1', 'api-gateway-2']);
    expect(cluster.gateways[0].server).toBe(cluster.server);
    for (const gateway of cluster.gateways) {
      const response = await cluster.request('GET', new URL('/version', gateway.server).toString());
      expect(response.json()).toMatchObject({ path: '/version', authorised: true });
    }
    expect(readFileSync(cluster.kubeconfig, 'utf8')).toContain(cluster.server);
  });

  it('restarts a killed control-plane service with a new pid on the same health port', async () => {
    const before = cluster.state().services.find((s) => s.name === 'scheduler-2');
    const result = await cluster.chaos(['kill-service', 'scheduler-2']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z killed scheduler-2 \\(pid ${before?.pid}\\)\\n$`));
    await eventually(async () => {
      const after = cluster.state().services.find((s) => s.name === 'scheduler-2');
      expect(after?.pid).not.toBe(before?.pid);
      expect(await healthStatus(after?.healthPort as number)).toBe(200);
    }, { timeoutMs: 15_000 });
  });

  it('kills only the agent with kill-agent: the host supervisor lives on and starts a new one', async () => {
    const host = cluster.state().hosts[0];
    const pidsFile = join(cluster.dataDir, 'hosts', 'host-1', 'pids.json');
    const before = JSON.parse(readFileSync(pidsFile, 'utf8')).services['spherelet-agent'];
    cluster.killAgent('host-1');
    await eventually(() => {
      const pids = JSON.parse(readFileSync(pidsFile, 'utf8'));
      expect(pids.supervisor).toBe(host.pgid);
      expect(pids.services['spherelet-agent']).not.toBe(before);
    }, { timeoutMs: 15_000 });
    expect(groupAlive(host.pgid)).toBe(true);
    expect(processState(host.pgid)).not.toBe('Z');
  });

  it('freezes a host\'s process group with pause-host and lets it run again after', async () => {
    const host = cluster.state().hosts[1];
    const paused = cluster.pauseHost('host-2', 1500);
    await eventually(() => expect(processState(host.pgid)).toBe('T'), { timeoutMs: 1000 });
    await paused;
    expect(processState(host.pgid)).not.toBe('T');
  });

  it('powers a killed host on again after HOST_REBOOT_DELAY_MS, in a new process group', async () => {
    const before = cluster.state().hosts[1];
    const result = await cluster.chaos(['kill-host', 'host-2']);
    expect(result.stdout).toContain(`killed host-2 (process group ${before.pgid})`);
    await eventually(() => expect(groupAlive(before.pgid)).toBe(false), { timeoutMs: 5000 });
    await eventually(() => {
      const after = cluster.state().hosts[1];
      expect(after.up).toBe(true);
      expect(after.pgid).not.toBe(before.pgid);
      expect(groupAlive(after.pgid)).toBe(true);
    }, { timeoutMs: 15_000 });
    expect(cluster.hosts[1].pgid).toBe(cluster.state().hosts[1].pgid);
  });

  it('refuses to restart a NATS server it does not manage', async () => {
    const result = await cluster.chaos(['restart-nats']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the cluster uses an external NATS server at .*; it was not touched\n$/);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    const result = await cluster.chaos(['kill-host']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: node deploy/local-cluster/dist/chaos.js');
  });

  it('removes cluster.json on a clean stop', async () => {
    const file = join(cluster.dataDir, 'cluster.json');
    expect(existsSync(file)).toBe(true);
    const hosts = cluster.hosts;
    process.env.KEEP_CLUSTER_DATA = '1';
    try {
      await cluster.stop();
    } finally {
      delete process.env.KEEP_CLUSTER_DATA;
    }
    expect(existsSync(file)).toBe(false);
    rmSync(cluster.dataDir, { recursive: true, force: true });
    for (const host of hosts) expect(groupAlive(host.pgid)).toBe(false);
  }, 60_000);
});
