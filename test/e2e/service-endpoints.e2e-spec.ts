import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { httpGet } from './support/http-get';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * Service endpoints as Kubernetes computes them, through the real kubectl: a Service that publishes not-ready
 * addresses lists its never-Ready pods as ready, proxies to them and cluster DNS names them (the StatefulSet
 * peer-discovery case); a terminating pod stays in the slice as ready false, serving, terminating, and gets
 * connections only while no pod is ready; a non-boolean publishNotReadyAddresses is refused.
 */
const run = randomBytes(4).toString('hex');
const root = `/tmp/openpacific-svcep-e2e-${run}`;

/** busybox httpd answering its pod's name on 8080; `ignoreTerm` keeps it up through the whole grace period. */
const httpd = (ignoreTerm = false) => ({
  name: 'web',
  image: 'busybox',
  command: ['sh', '-c', `${ignoreTerm ? "trap '' TERM; " : ''}mkdir -p ${root}/$POD_NAME && echo $POD_NAME > ${root}/$POD_NAME/index.html && exec httpd -f -p $POD_IP:8080 -h ${root}/$POD_NAME`],
  ports: [{ name: 'http', containerPort: 8080 }],
});

const service = (name: string, app: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app }, ports: [{ name: 'http', port: 8000, targetPort: 'http' }], ...spec },
});

async function bodies(host: string, port: number, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await httpGet(host, port));
  return seen;
}

describe('Service endpoints', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const apply = (obj: object) => kubectlApply(cluster, obj);
  /** The endpoints of a Service's slices, by pod name. */
  const endpointsOf = async (service: string): Promise<any[]> => {
    const slices = (await json(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${service}`])).items;
    return slices.flatMap((s: any) => s.endpoints ?? []).sort((a: any, b: any) => a.targetRef.name.localeCompare(b.targetRef.name));
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'svcendpoints', hostCount: 1 });
    await cluster.hostsReady(1);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('refuses a publishNotReadyAddresses that is not a boolean, naming the field, and writes nothing', async () => {
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(service('bad', 'bad', { publishNotReadyAddresses: 'yes' })) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.publishNotReadyAddresses');
    expect((await cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/bad'])).stderr).toContain('NotFound');
  });

  it('lists, proxies to and names a StatefulSet\'s members before they are Ready when the Service publishes not-ready addresses', async () => {
    await apply(service('peers', 'peers', { clusterIP: 'None', publishNotReadyAddresses: true }));
    await apply(service('peers-vip', 'peers', { publishNotReadyAddresses: true }));
    await apply(service('peers-strict', 'peers'));
    await apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'peers' },
      spec: {
        serviceName: 'peers',
        replicas: 2,
        // Parallel: OrderedReady would wait for peers-0 to be Ready, which it never is here.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'peers' } },
        template: {
          metadata: { labels: { app: 'peers' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ ...httpd(), readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } }] },
        },
      },
    });
    const pods = await eventually(async () => {
      const items = (await json(['get', 'pods', '-l', 'app=peers'])).items.sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name));
      expect(items.map((p: any) => p.metadata.name)).toEqual(['peers-0', 'peers-1']);
      for (const p of items) {
        expect(p.status.podIP).toBeTruthy();
        expect(p.status.containerStatuses?.[0]?.state?.running).toBeDefined();
      }
      return items;
    }, { timeoutMs: 90_000 });

    await eventually(async () => {
      expect(await endpointsOf('peers')).toEqual(pods.map((p: any) => expect.objectContaining({
        addresses: [p.status.podIP],
        hostname: p.metadata.name,
        conditions: { ready: true, serving: false, terminating: false },
      })));
      expect((await endpointsOf('peers-strict')).map((e) => e.conditions)).toEqual([{ ready: false, serving: false, terminating: false }, { ready: false, serving: false, terminating: false }]);
    }, { timeoutMs: 30_000 });
    for (const p of (await json(['get', 'pods', '-l', 'app=peers'])).items) expect(p.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');

    // Traffic reaches the not-ready members through the publishing Service, and not through the other.
    const vip = (await json(['get', 'svc', 'peers-vip'])).spec.clusterIP;
    await eventually(async () => expect(await bodies(vip, 8000, 12)).toEqual(new Set(['peers-0', 'peers-1'])), { timeoutMs: 30_000 });
    expect(await httpGet((await json(['get', 'svc', 'peers-strict'])).spec.clusterIP, 8000)).toBe('ECONNREFUSED');

    if (cluster.network.podCIDR !== '') {
      // Each member finds its peer by name, and the Service's name gives both, before either is Ready.
      const peer = await cluster.kubectl(['exec', 'peers-0', '--', 'nslookup', 'peers-1.peers.default.svc.cluster.local']);
      expect(peer.stdout).toContain(pods[1].status.podIP);
      const all = await cluster.kubectl(['exec', 'peers-1', '--', 'nslookup', 'peers.default.svc.cluster.local']);
      expect(all.stdout).toContain(pods[0].status.podIP);
      expect(all.stdout).toContain(pods[1].status.podIP);
    }
  }, 200_000);

  it('keeps a terminating pod in the slice as serving, and sends to it only while no pod is ready', async () => {
    const pod = (name: string, role: string, ignoreTerm: boolean) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'drain', role } },
      spec: { terminationGracePeriodSeconds: 30, containers: [{ ...httpd(ignoreTerm), readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] },
    });
    // `drain` has a ready pod beside the terminating one; `drain-old` has only the terminating one.
    await apply(service('drain', 'drain'));
    await apply(service('drain-old', 'drain', { selector: { app: 'drain', role: 'old' } }));
    await apply(pod('drain-old', 'old', true));
    await apply(pod('drain-new', 'new', false));
    const ready = { ready: true, serving: true, terminating: false };
    await eventually(async () => expect((await endpointsOf('drain')).map((e) => e.conditions)).toEqual([ready, ready]), { timeoutMs: 60_000 });
    const both = (await json(['get', 'svc', 'drain'])).spec.clusterIP;
    const oldOnly = (await json(['get', 'svc', 'drain-old'])).spec.clusterIP;
    await eventually(async () => expect(await bodies(both, 8000, 8)).toEqual(new Set(['drain-new', 'drain-old'])), { timeoutMs: 15_000 });

    // Its container ignores SIGTERM: the pod terminates through its whole grace period, still answering.
    expect((await cluster.kubectl(['delete', 'pod', 'drain-old', '--wait=false'])).code).toBe(0);
    const draining = { ready: false, serving: true, terminating: true };
    await eventually(async () => {
      expect((await endpointsOf('drain')).map((e) => [e.targetRef.name, e.conditions])).toEqual([['drain-new', ready], ['drain-old', draining]]);
      expect((await endpointsOf('drain-old')).map((e) => [e.targetRef.name, e.conditions])).toEqual([['drain-old', draining]]);
    }, { timeoutMs: 15_000 });
    // New connections go to the ready pod; where none is ready, to the one still serving while it terminates.
    await eventually(async () => expect(await bodies(both, 8000, 8)).toEqual(new Set(['drain-new'])), { timeoutMs: 10_000 });
    expect(await bodies(oldOnly, 8000, 5)).toEqual(new Set(['drain-old']));
  }, 150_000);
});
