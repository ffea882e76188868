import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { httpGet } from './support/http-get';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * core v1 Endpoints as kube-controller-manager keeps them, through the real kubectl: a Deployment's Service gets
 * Endpoints of its name listing its Ready pods, a not-Ready pod it selects under notReadyAddresses; `kubectl get
 * endpoints` prints them; a Service without a selector answers on its cluster IP through the Endpoints written for it
 * by hand (mirrored into an EndpointSlice); Endpoints with a bad IP are refused naming the field.
 */
const run = randomBytes(4).toString('hex');
const root = `/tmp/openpacific-ep-e2e-${run}`;

/** busybox httpd answering its pod's name on 8080. */
const httpd = (readinessProbe: any) => ({
  name: 'web',
  image: 'busybox',
  command: ['sh', '-c', `mkdir -p ${root}/$POD_NAME && echo $POD_NAME > ${root}/$POD_NAME/index.html && exec httpd -f -p $POD_IP:8080 -h ${root}/$POD_NAME`],
  ports: [{ name: 'http', containerPort: 8080 }],
  readinessProbe: { ...readinessProbe, periodSeconds: 1 },
});

describe('core v1 Endpoints', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const apply = (obj: object) => kubectlApply(cluster, obj);
  const byIp = (a: any, b: any) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'endpoints', hostCount: 1 });
    await cluster.hostsReady(1);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('refuses Endpoints with an address that is not an IP or a port out of range, naming the field, and writes nothing', async () => {
    const bad = (subsets: any[]) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'bad' }, subsets }) });
    const ip = await bad([{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80 }] }]);
    expect(ip.code).not.toBe(0);
    expect(ip.stderr).toContain('subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address');
    const port = await bad([{ addresses: [{ ip: '10.0.0.3' }], ports: [{ port: 70000 }] }]);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toContain('subsets[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect((await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/endpoints/bad'])).stderr).toContain('NotFound');
  });

  it('lists a Deployment\'s Ready pods in its Service\'s Endpoints and a not-Ready one under notReadyAddresses', async () => {
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8000, targetPort: 'http' }] } });
    await apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', track: 'stable' } },
        template: { metadata: { labels: { app: 'web', track: 'stable' } }, spec: { terminationGracePeriodSeconds: 1, containers: [httpd({ tcpSocket: { port: 8080 } })] } },
      },
    });
    // Selected by the Service, never Ready.
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-slow', labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [httpd({ exec: { command: ['false'] } })] } });

    const pods = await eventually(async () => {
      const items = (await json(['get', 'pods', '-l', 'app=web'])).items;
      expect(items).toHaveLength(3);
      for (const p of items) expect(p.status.podIP).toBeTruthy();
      const ready = items.filter((p: any) => p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      expect(ready.map((p: any) => p.metadata.name).sort()).toEqual(items.map((p: any) => p.metadata.name).filter((n: string) => n !== 'web-slow').sort());
      return items;
    }, { timeoutMs: 90_000 });
    const address = (p: any) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: { kind: 'Pod', namespace: 'default', name: p.metadata.name, uid: p.metadata.uid } });
    const slow = pods.find((p: any) => p.metadata.name === 'web-slow');
    const ready = pods.filter((p: any) => p !== slow);

    const endpoints = await eventually(async () => {
      const ep = await json(['get', 'endpoints', 'web']);
      expect(ep.subsets).toEqual([{
        addresses: ready.map(address).sort(byIp),
        notReadyAddresses: [address(slow)],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      }]);
      return ep;
    }, { timeoutMs: 30_000 });
    expect(endpoints.metadata.labels).toEqual({ tier: 'front', 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    expect(endpoints.metadata.annotations).toHaveProperty(['endpoints.kubernetes.io/last-change-trigger-time']);

    const table = await cluster.kubectl(['get', 'endpoints']);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^NAME\s+ENDPOINTS\s+AGE/);
    const row = table.stdout.split('\n').find((l) => l.startsWith('web '));
    expect(row?.split(/\s+/)[1]).toBe(ready.map((p: any) => `${p.status.podIP}:8080`).sort().join(','));
  }, 200_000);

  it('answers a Service without a selector on its cluster IP through the Endpoints written for it by hand', async () => {
    const target = (await json(['get', 'pods', '-l', 'track=stable'])).items[0];
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'legacy' }, spec: { ports: [{ name: 'http', port: 9000, targetPort: 8080 }] } });
    await apply({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy' }, subsets: [{ addresses: [{ ip: target.status.podIP }], ports: [{ name: 'http', port: 8080 }] }] });
    const clusterIP = (await json(['get', 'svc', 'legacy'])).spec.clusterIP;
    await eventually(async () => expect(await httpGet(clusterIP, 9000)).toBe(target.metadata.name), { timeoutMs: 30_000 });

    const slices = (await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=legacy'])).items;
    expect(slices).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ labels: { 'kubernetes.io/service-name': 'legacy', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } }),
      endpoints: [{ addresses: [target.status.podIP], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    })]);
    // Still the user's: no skip-mirror label, no owner.
    expect((await json(['get', 'endpoints', 'legacy'])).metadata).not.toHaveProperty('ownerReferences');

    // Their Endpoints gone, the mirrored slice goes and connections are refused.
    expect((await cluster.kubectl(['delete', 'endpoints', 'legacy'])).code).toBe(0);
    await eventually(async () => expect((await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=legacy'])).items).toEqual([]), { timeoutMs: 30_000 });
    await eventually(async () => expect(await httpGet(clusterIP, 9000)).toBe('ECONNREFUSED'), { timeoutMs: 30_000 });
  }, 120_000);
});
