import * as http from 'node:http';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * `externalTrafficPolicy: Local` through the real kubectl: the health check node port allocated, kept and freed as
 * kube-apiserver does, each host's health check answering as kube-proxy's (200 with a local endpoint, 503 without or
 * while the host is not Ready), each host's node port reaching only its own endpoints, kube-proxy's `/healthz` and
 * `/livez` on port 10256 of each host's address; the 422s of bad traffic policies. Then a fleet of 160 simulated hosts:
 * an address of its own for every one, past 150 too.
 */

const ADDRESS_ANNOTATION = 'openpacific.io/node-port-address';
/** Each Node's own address for node ports and health checks (docs/services.md), by name, once every Node has one. */
async function hostAddresses(cluster: TestCluster, count: number): Promise<Map<string, string>> {
  let addresses = new Map<string, string>();
  await eventually(async () => {
    const nodes = (await kubectlJson(cluster, ['get', 'nodes'])).items;
    addresses = new Map(nodes.map((n: any) => [n.metadata.name, n.metadata.annotations?.[ADDRESS_ANNOTATION]]));
    expect([...addresses.values()].filter((a) => /^127\.\d+\.\d+\.1$/.test(a ?? ''))).toHaveLength(count);
  }, { timeoutMs: 60_000, intervalMs: 500 });
  return addresses;
}

/** One GET on a new connection: status, headers and body, or the error code. */
function get(host: string, port: number, path = '/'): Promise<{ status?: number; headers?: http.IncomingHttpHeaders; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: 5000, insecureHTTPParser: true }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
  });
}

const body = (name: string, localEndpoints: number, serviceProxyHealthy = true) =>
  `{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "${name}"\n\t},\n\t"localEndpoints": ${localEndpoints},\n\t"serviceProxyHealthy": ${serviceProxyHealthy}\n}`;
/** A time as kube-proxy writes it (Go's time.Time, quoted), with or without the monotonic reading. */
const GO_TIME = '"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\+0000 UTC(?: m=\\+\\d+\\.\\d{9})?"';
const healthzBody = (nodeEligible: boolean) => new RegExp(`^\\{"lastUpdated": ${GO_TIME},"currentTime": ${GO_TIME}, "nodeEligible": ${nodeEligible}\\}$`);
const livezBody = new RegExp(`^\\{"lastUpdated": ${GO_TIME},"currentTime": ${GO_TIME}\\}$`);

describe('Services with externalTrafficPolicy Local', () => {
  let cluster: TestCluster;
  let hosts: string[];
  let addresses: Map<string, string>;
  const hostAddress = (host: string) => addresses.get(host)!;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const apply = (obj: object) => kubectlApply(cluster, obj);
  const refusedCreate = async (obj: any) => {
    const r = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
    expect(r.code).not.toBe(0);
    expect((await cluster.kubectl(['get', 'svc', obj.metadata.name])).stderr).toContain('NotFound');
    return r.stderr;
  };
  const lb = (name: string, spec: any = {}) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: 'local' }, ports: [{ name: 'http', port: 8000, targetPort: 8080 }], ...spec },
  });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'traffic-policy' });
    await cluster.hostsReady(3);
    hosts = cluster.hosts.map((h) => h.name).sort();
    addresses = await hostAddresses(cluster, 3);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('allocates a health check node port, answers it per host as kube-proxy, serves node ports from local endpoints, frees it going to Cluster', async () => {
    const [withPod, without] = hosts;
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'local-0', labels: { app: 'local' } },
      spec: {
        nodeName: withPod, terminationGracePeriodSeconds: 1,
        containers: [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'mkdir -p /tmp/local-0-$POD_IP && echo local-0 > /tmp/local-0-$POD_IP/index.html && exec httpd -f -p $POD_IP:8080 -h /tmp/local-0-$POD_IP'] }],
      },
    });
    await eventually(async () => expect((await json(['get', 'pod', 'local-0'])).status?.conditions?.find((c: any) => c.type === 'Ready')?.status).toBe('True'), { timeoutMs: 60_000 });

    await apply(lb('local-lb'));
    const svc = await json(['get', 'svc', 'local-lb']);
    const hc = svc.spec.healthCheckNodePort;
    const nodePort = svc.spec.ports[0].nodePort;
    expect(hc >= 30000 && hc <= 32767 && hc !== nodePort).toBe(true);
    expect((await cluster.kubectl(['describe', 'svc', 'local-lb'])).stdout).toMatch(new RegExp(`HealthCheck NodePort:\\s+${hc}`));

    await eventually(async () => expect(await get(hostAddress(withPod), hc, '/healthz')).toMatchObject({
      status: 200, body: body('local-lb', 1), headers: expect.objectContaining({ 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }),
    }), { timeoutMs: 30_000 });
    expect(await get(hostAddress(without), hc, '/')).toMatchObject({ status: 503, body: body('local-lb', 0) });
    expect(await get(hostAddress(withPod), nodePort)).toMatchObject({ status: 200, body: 'local-0\n' });
    expect(await get(hostAddress(without), nodePort)).toEqual({ error: 'ECONNREFUSED' });
    // The cluster IP is unaffected.
    expect(await get(svc.spec.clusterIP, 8000)).toMatchObject({ status: 200, body: 'local-0\n' });

    // kubectl apply of the same manifest keeps it; a change is refused.
    await apply(lb('local-lb'));
    expect((await json(['get', 'svc', 'local-lb'])).spec.healthCheckNodePort).toBe(hc);
    const changed = await cluster.kubectl(['patch', 'svc', 'local-lb', '-p', JSON.stringify({ spec: { healthCheckNodePort: hc === 32767 ? 32766 : hc + 1 } })]);
    expect(changed.stderr).toContain('spec.healthCheckNodePort: Forbidden: field is immutable');

    // Held: another Service may not take it.
    const held = await refusedCreate(lb('local-lb-2', { healthCheckNodePort: hc }));
    expect(held).toContain(`spec.healthCheckNodePort: Invalid value: ${hc}: failed to allocate requested HealthCheck NodePort ${hc}: provided port is already allocated`);

    // Back to Cluster: cleared, no longer answered, and free for another Service.
    expect((await cluster.kubectl(['patch', 'svc', 'local-lb', '-p', '{"spec":{"externalTrafficPolicy":"Cluster"}}'])).code).toBe(0);
    expect((await json(['get', 'svc', 'local-lb'])).spec.healthCheckNodePort).toBeUndefined();
    await eventually(async () => expect(await get(hostAddress(withPod), hc)).toEqual({ error: 'ECONNREFUSED' }), { timeoutMs: 30_000 });
    await apply(lb('local-lb-2', { healthCheckNodePort: hc }));
    expect((await json(['get', 'svc', 'local-lb-2'])).spec.healthCheckNodePort).toBe(hc);
    await eventually(async () => expect(await get(hostAddress(withPod), hc)).toMatchObject({ status: 200, body: body('local-lb-2', 1) }), { timeoutMs: 30_000 });
  });

  it('refuses bad traffic policies and a misplaced health check node port with 422s naming the field, writing nothing', async () => {
    const plain = (name: string, spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
    expect(await refusedCreate(plain('bad-etp', { type: 'LoadBalancer', externalTrafficPolicy: 'x' })))
      .toContain('spec.externalTrafficPolicy: Unsupported value: "x": supported values: "Cluster", "Local"');
    expect(await refusedCreate(plain('bad-itp', { internalTrafficPolicy: 'x' })))
      .toContain('spec.internalTrafficPolicy: Unsupported value: "x": supported values: "Cluster", "Local"');
    expect(await refusedCreate(plain('bad-cip', { externalTrafficPolicy: 'Local' })))
      .toContain('spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services');
    expect(await refusedCreate(plain('bad-hc', { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 31234 })))
      .toContain('spec.healthCheckNodePort: Invalid value: 31234: may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\'');
  });

  it('answers kube-proxy\'s /healthz and /livez on each host\'s own address; a ToBeDeletedByClusterAutoscaler taint fails /healthz only', async () => {
    // host-<n> keeps the address it always had for n < 100: 127.<100 + n>.0.1.
    expect(hosts.map(hostAddress)).toEqual(hosts.map((h) => `127.${100 + Number(/(\d+)$/.exec(h)![1])}.0.1`));
    for (const host of hosts) {
      expect(await get(hostAddress(host), 10256, '/healthz')).toMatchObject({
        status: 200, body: expect.stringMatching(healthzBody(true)), headers: expect.objectContaining({ 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }),
      });
      expect(await get(hostAddress(host), 10256, '/livez')).toMatchObject({ status: 200, body: expect.stringMatching(livezBody) });
    }
    expect(await get(hostAddress(hosts[0]), 10256, '/metrics')).toMatchObject({ status: 404, body: '404 page not found\n' });

    const tainted = hosts[2];
    expect((await cluster.kubectl(['taint', 'node', tainted, 'ToBeDeletedByClusterAutoscaler=1700000000:NoSchedule'])).code).toBe(0);
    await eventually(async () => expect(await get(hostAddress(tainted), 10256, '/healthz')).toMatchObject({ status: 503, body: expect.stringMatching(healthzBody(false)) }), { timeoutMs: 30_000 });
    expect(await get(hostAddress(tainted), 10256, '/livez')).toMatchObject({ status: 200 });
    expect(await get(hostAddress(hosts[0]), 10256, '/healthz')).toMatchObject({ status: 200 });
    expect((await cluster.kubectl(['taint', 'node', tainted, 'ToBeDeletedByClusterAutoscaler-'])).code).toBe(0);
    await eventually(async () => expect(await get(hostAddress(tainted), 10256, '/healthz')).toMatchObject({ status: 200, body: expect.stringMatching(healthzBody(true)) }), { timeoutMs: 30_000 });
  });

  // Last: it kills a host.
  it('answers 503 on the health check, /healthz and /livez of a host that is not Ready', async () => {
    const [withPod, other] = hosts;
    // local-lb-2 (the first test's) holds its health check port with local-0 on withPod.
    const hc = (await json(['get', 'svc', 'local-lb-2'])).spec.healthCheckNodePort;
    await eventually(async () => expect(await get(hostAddress(withPod), hc)).toMatchObject({ status: 200, body: body('local-lb-2', 1) }), { timeoutMs: 30_000 });
    cluster.killHost(withPod);
    await eventually(async () => expect((await cluster.kubectl(['get', 'node', withPod, '--no-headers'])).stdout).toMatch(/\sNotReady\s/), { timeoutMs: 30_000 });
    await eventually(async () => {
      const res = await get(hostAddress(withPod), hc);
      expect(res.status).toBe(503);
      expect(res.body).toContain('"serviceProxyHealthy": false');
    }, { timeoutMs: 30_000 });
    expect(await get(hostAddress(withPod), 10256, '/healthz')).toMatchObject({ status: 503, body: expect.stringMatching(healthzBody(true)) });
    expect(await get(hostAddress(withPod), 10256, '/livez')).toMatchObject({ status: 503, body: expect.stringMatching(livezBody) });
    // The other hosts' proxies are fine.
    expect(await get(hostAddress(other), 10256, '/healthz')).toMatchObject({ status: 200, body: expect.stringMatching(healthzBody(true)) });
    expect((await get(hostAddress(other), hc)).body).toContain('"serviceProxyHealthy": true');
  });
});

describe('host addresses on a fleet of 160 simulated hosts', () => {
  let cluster: TestCluster;
  const count = 160;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'fleet-addr', hostCount: 0, env: { SIM_FLEET_HOSTS: String(count), POD_NETWORK: 'loopback', HOST_PODS: '10' } });
    await cluster.hostsReady(count, 180_000);
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('gives every host an address of its own on its Node, past 150 too, each answering as its kube-proxy', async () => {
    const addresses = await hostAddresses(cluster, count);
    expect(new Set(addresses.values()).size).toBe(count);
    // sim-151 no longer shares sim-1's address; sim-100..103 would be in the VM service and loopback Service ranges
    // (127.200-203) and take the highest free addresses instead.
    expect(['sim-1', 'sim-150', 'sim-151', 'sim-160'].map((h) => addresses.get(h))).toEqual(['127.101.0.1', '127.100.1.1', '127.101.1.1', '127.110.1.1']);
    for (const h of ['sim-100', 'sim-101', 'sim-102', 'sim-103']) expect(addresses.get(h)).toMatch(/^127\.24\d\.255\.1$/);
    for (const [host, address] of addresses) {
      const res = await get(address, 10256, '/healthz');
      expect({ host, status: res.status, eligible: healthzBody(true).test(res.body ?? '') }).toEqual({ host, status: 200, eligible: true });
    }
  }, 120_000);
});
