import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** Hosts register themselves, appear as Nodes, heartbeat without filling the log, and go NotReady when they die. */
describe('hosts of the local cluster', () => {
  let cluster: TestCluster;
  const HOSTS = '/apis/infrastructure.openpacific.io/v1alpha1/hosts';

  beforeAll(async () => {
    cluster = await startCluster({ label: 'hosts' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('lists the three hosts as Ready nodes with roles and version', async () => {
    await eventually(async () => {
      const out = (await cluster.kubectl(['get', 'nodes'])).stdout.trim().split('\n');
      expect(out[0].split(/\s+/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      expect(out.slice(1).map((l) => l.split(/\s+/).filter((_, i) => i !== 3))).toEqual([
        ['host-1', 'Ready', '<none>', 'v1.32.0-openpacific'],
        ['host-2', 'Ready', '<none>', 'v1.32.0-openpacific'],
        ['host-3', 'Ready', '<none>', 'v1.32.0-openpacific'],
      ]);
    }, { timeoutMs: 15_000 });
    const node = JSON.parse((await cluster.kubectl(['get', 'node', 'host-1', '-o', 'json'])).stdout);
    expect(node.status.capacity).toEqual({ cpu: expect.any(String), memory: expect.stringMatching(/Ki$/), pods: '110' });
    expect(node.metadata.labels['kubernetes.io/hostname']).toBe('host-1');
    const host = (await cluster.request('GET', `${HOSTS}/host-1`)).json();
    expect(host.status.epoch).toBe(1);
  });

  it('keeps heartbeats out of the log: only registration and readiness changes are events', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    // Beside them, once, the proxy writes the host's own address on it (for externalTrafficPolicy Local: docs/services.md).
    // The proxy runs in vm-operator, which may not have got to the host yet on a loaded machine.
    const PROXY = 'system:serviceaccount:kube-system:kube-proxy';
    const all = await eventually(async () => {
      const items = (await cluster.request('GET', `${HOSTS}/host-2/history`)).json().items;
      expect(items.filter((i: any) => i.actor === PROXY).map((i: any) => i.type)).toEqual(['ResourceUpdated']);
      return items;
    }, { timeoutMs: 30_000 });
    const proxy = all.filter((i: any) => i.actor === PROXY);
    expect(proxy[0].object.metadata.annotations['openpacific.io/node-port-address']).toBe('127.102.0.1');
    const history = all.filter((i: any) => i.actor !== PROXY);
    expect(history.map((i: any) => i.type)).toEqual(['HostRegistered', 'ResourceStatusUpdated']);
    expect(history[0].actor).toBe('system:node:host-2');
    expect(history[1].object.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    // The host says whether its containers are isolated in their images, from what its runtime reported.
    const isolation = history[1].object.status.conditions.find((c: any) => c.type === 'ContainerIsolation');
    expect(isolation).toMatchObject({ status: expect.stringMatching(/^(True|False)$/), message: expect.stringContaining('isolation: ') });
  });

  it('cordons and labels a node through the Node view onto its Host', async () => {
    expect((await cluster.kubectl(['cordon', 'host-2'])).stdout.trim()).toBe('node/host-2 cordoned');
    await cluster.kubectl(['label', 'node', 'host-3', 'node-role.kubernetes.io/worker=']);
    const table = (await cluster.kubectl(['get', 'nodes'])).stdout;
    expect(table).toMatch(/^host-2\s+Ready,SchedulingDisabled\s+<none>/m);
    expect(table).toMatch(/^host-3\s+Ready\s+worker/m);
    expect((await cluster.request('GET', `${HOSTS}/host-2`)).json().spec.unschedulable).toBe(true);
    expect((await cluster.kubectl(['uncordon', 'host-2'])).stdout.trim()).toBe('node/host-2 uncordoned');
    expect((await cluster.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fake' } } })).status).toBe(405);
  });

  it("shows each host's machine ID, system UUID and boot ID, and a Rebooted Event once its agent starts again", async () => {
    const systemInfo = async (host: string) => {
      const out = (await cluster.kubectl(['describe', 'node', host])).stdout;
      const field = (label: string, format: RegExp) => out.match(new RegExp(`^\\s+${label}:\\s+(${format.source})$`, 'm'))?.[1];
      const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
      return { out, machineID: field('Machine ID', /[0-9a-f]{32}/), systemUUID: field('System UUID', uuid), bootID: field('Boot ID', uuid) };
    };
    const before = await systemInfo('host-3');
    expect(before).toMatchObject({ machineID: expect.any(String), systemUUID: expect.any(String), bootID: expect.any(String) });
    // The hosts share one machine, yet each is a machine of its own.
    expect((await systemInfo('host-2')).machineID).not.toBe(before.machineID);
    expect(before.out).not.toMatch(/\bRebooted\b/);

    cluster.killAgent('host-3');
    const after = await eventually(async () => {
      const now = await systemInfo('host-3');
      expect(now.bootID).toEqual(expect.any(String));
      expect(now.bootID).not.toBe(before.bootID);
      expect(now.out).toMatch(new RegExp(`Warning\\s+Rebooted\\s+.*Node host-3 has been rebooted, boot id: ${now.bootID}`));
      return now;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect([after.machineID, after.systemUUID]).toEqual([before.machineID, before.systemUUID]);
    // Back to Ready in its new epoch before the next test counts on it.
    await eventually(async () => expect((await cluster.kubectl(['get', 'node', 'host-3', '--no-headers'])).stdout).toMatch(/^host-3\s+Ready\s/), { timeoutMs: 30_000, intervalMs: 500 });
  });

  it('marks a host NotReady once it stops heartbeating', async () => {
    cluster.killHost('host-1');
    await eventually(async () => {
      const out = (await cluster.kubectl(['get', 'node', 'host-1', '--no-headers'])).stdout;
      expect(out).toMatch(/^host-1\s+NotReady/);
    }, { timeoutMs: 15_000 });
    const ready = (await cluster.request('GET', `${HOSTS}/host-1`)).json().status.conditions.find((c: any) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'HeartbeatMissed' });
    expect((await cluster.kubectl(['get', 'nodes', '--no-headers'])).stdout).toMatch(/^host-3\s+Ready/m);
  });
});
