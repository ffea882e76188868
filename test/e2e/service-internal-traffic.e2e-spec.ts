import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { httpGet } from './support/http-get';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * `internalTrafficPolicy: Local` through the real kubectl, as kube-proxy serves it: a pod's connection to the
 * Service's cluster IP goes only to the ready endpoints on the pod's own host; a pod on a host with none is turned
 * away (kube-proxy drops it, here it is reset), while the machine itself — no pod, so no host — is served as
 * `Cluster` serves it. Enforced where pods have addresses of their own (the `netns` pod network: root and iproute2
 * on this machine); on the loopback fallback a connection's source says nothing about its host and the policy is
 * not enforced, which the last case checks instead.
 */
const run = randomBytes(4).toString('hex');
const dirOf = (pod: string) => `/tmp/openpacific-itp-e2e-${run}/${pod}`;

/** busybox httpd on the pod's own address, port 8080, answering the pod's name (its hostname, as kubelet sets it). */
const server = (name: string, host: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'itp-web' } },
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': host },
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'web', image: 'busybox',
      command: ['sh', '-c', `mkdir -p ${dirOf(name)} && echo $POD_NAME > ${dirOf(name)}/index.html && exec httpd -f -p $POD_IP:8080 -h ${dirOf(name)}`],
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
    }],
  },
});
const client = (name: string, host: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { nodeSelector: { 'kubernetes.io/hostname': host }, terminationGracePeriodSeconds: 1, containers: [{ name: 'sh', image: 'busybox', command: ['sleep', '3600'] }] },
});

describe('Services with internalTrafficPolicy Local', () => {
  let cluster: TestCluster;
  let hostA: string;
  let hostB: string;
  let clusterIP: string;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const apply = (obj: object) => kubectlApply(cluster, obj);
  /** GET from inside a pod with busybox wget (5 s at most): the body, or what wget said. */
  const fetchFrom = async (pod: string, url: string) => {
    const r = await cluster.kubectl(['exec', pod, '--', 'timeout', '5', 'wget', '-q', '-O', '-', url]);
    return r.code === 0 ? r.stdout.trim() : `failed: ${r.stderr.trim()}`;
  };
  const ready = async (names: string[]) =>
    eventually(async () => {
      for (const name of names) expect((await json(['get', 'pod', name])).status?.containerStatuses?.[0]?.ready).toBe(true);
    }, { timeoutMs: 60_000 });
  const networked = () => cluster.network.podCIDR !== '';
  /** The Service's cluster IP, port 8000 (not 80: the loopback fallback runs without root, which may not bind below 1024). */
  const url = () => `http://${clusterIP}:8000/`;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'itp', hostCount: 2 });
    await cluster.hostsReady(2);
    [hostA, hostB] = cluster.hosts.map((h) => h.name).sort();
    await apply(server('web-a', hostA));
    await apply(client('client-a', hostA));
    await apply(client('client-b', hostB));
    await apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'itp' },
      spec: { internalTrafficPolicy: 'Local', selector: { app: 'itp-web' }, ports: [{ name: 'http', port: 8000, targetPort: 'http' }] },
    });
    clusterIP = (await json(['get', 'svc', 'itp'])).spec.clusterIP;
    await ready(['web-a', 'client-a', 'client-b']);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(`/tmp/openpacific-itp-e2e-${run}`, { recursive: true, force: true });
  }, 60_000);

  const netIt = (name: string, fn: () => Promise<void>, timeout?: number) =>
    it(name, async () => {
      if (!networked()) return console.warn(`skipped "${name}": this machine runs pods on loopback addresses (not root or no iproute2)`);
      await fn();
    }, timeout);

  netIt('keeps each pod on its own host\'s endpoints: a pod on a host without one is turned away, the machine is not', async () => {
    expect((await json(['get', 'svc', 'itp'])).spec.internalTrafficPolicy).toBe('Local');
    await eventually(async () => expect(await fetchFrom('client-a', url())).toBe('web-a'), { timeoutMs: 30_000 });
    const slices = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=itp']);
    expect(slices.items.flatMap((s: any) => s.endpoints ?? []).map((e: any) => e.nodeName)).toEqual([hostA]);
    // host-B has no endpoint of the Service: its pod's connection goes nowhere, every time.
    for (let i = 0; i < 3; i++) expect(await fetchFrom('client-b', url())).toMatch(/^failed/);
    // So does its pod reach web-a directly: the pod network is fine, only the Service keeps it local.
    const webA = await json(['get', 'pod', 'web-a']);
    expect(await fetchFrom('client-b', `http://${webA.status.podIP}:8080/`)).toBe('web-a');
    // The machine itself is no pod: served as Cluster serves it.
    expect(await httpGet(clusterIP, 8000)).toBe('web-a');
  }, 120_000);

  netIt('sends a pod to the endpoint on its own host once there is one, and only there', async () => {
    await apply(server('web-b', hostB));
    await ready(['web-b']);
    await eventually(async () => expect(await fetchFrom('client-b', url())).toBe('web-b'), { timeoutMs: 30_000 });
    const seen = { a: new Set<string>(), b: new Set<string>() };
    for (let i = 0; i < 6; i++) {
      seen.a.add(await fetchFrom('client-a', url()));
      seen.b.add(await fetchFrom('client-b', url()));
    }
    expect({ a: [...seen.a], b: [...seen.b] }).toEqual({ a: ['web-a'], b: ['web-b'] });

    // Back to Cluster: each pod reaches both endpoints.
    expect((await cluster.kubectl(['patch', 'svc', 'itp', '-p', '{"spec":{"internalTrafficPolicy":"Cluster"}}'])).code).toBe(0);
    await eventually(async () => {
      const answers = new Set<string>();
      for (let i = 0; i < 6; i++) answers.add(await fetchFrom('client-b', url()));
      expect([...answers].sort()).toEqual(['web-a', 'web-b']);
    }, { timeoutMs: 30_000 });
  }, 180_000);

  it('on the loopback fallback, where a connection\'s source names no host, leaves the policy unenforced', async () => {
    if (networked()) return console.warn('skipped: this machine runs pods in their own network namespaces, where the policy is enforced');
    await eventually(async () => expect(await fetchFrom('client-b', url())).toBe('web-a'), { timeoutMs: 30_000 });
  }, 60_000);
});
