import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeName, inCIDR } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * The pod network through the real kubectl: each pod in its own network namespace with an address from its
 * namespace's /24, pods reaching each other across hosts, namespaces isolated until a NetworkPolicy opens what it
 * names (directly and through a Service), cluster DNS, clean-up on delete; and the loopback fallback, said in the
 * host's status. Needs root and iproute2: on a machine without them the first suite checks the fallback only.
 */
const run = randomBytes(4).toString('hex');
const dirOf = (ns: string, pod: string) => `/tmp/openpacific-podnet-e2e-${run}/${ns}-${pod}`;

/** busybox httpd answering its pod's name on 8080 and 9090, both on 0.0.0.0: only a pod with its own network can do that twice on one host. */
const server = (ns: string, name: string, host: string, labels: Record<string, string> = {}) => {
  const d = dirOf(ns, name);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'web', ...labels } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': host },
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'web',
          image: 'busybox',
          command: ['sh', '-c', `mkdir -p ${d} && echo $POD_NAME > ${d}/index.html && { httpd -f -p 9090 -h ${d} & exec httpd -f -p 8080 -h ${d}; }`],
          ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9090 }],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        },
      ],
    },
  };
};

const ip = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

describe('Pod network', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? {} : { input });
  const apply = async (obj: any) => {
    const r = await kubectl(['apply', '-f', '-'], JSON.stringify(obj));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };
  const pod = async (ns: string, name: string) => JSON.parse((await kubectl(['get', 'pod', name, '-n', ns, '-o', 'json'])).stdout);
  /** GET from inside a pod with busybox wget: the body, or what wget said. */
  const fetchFrom = async (ns: string, from: string, url: string) => {
    const r = await kubectl(['exec', '-n', ns, from, '--', 'timeout', '5', 'wget', '-q', '-O', '-', url]);
    return r.code === 0 ? r.stdout.trim() : `failed: ${r.stderr.trim()}`;
  };
  const networked = () => cluster.network.podCIDR !== '';

  beforeAll(async () => {
    cluster = await startCluster({ label: 'podnet', hostCount: 2 });
    await cluster.hostsReady(2);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(`/tmp/openpacific-podnet-e2e-${run}`, { recursive: true, force: true });
  }, 60_000);

  it('each host says in its status which pod network it runs', async () => {
    const nodes = JSON.parse((await kubectl(['get', 'nodes', '-o', 'json'])).stdout).items;
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      const condition = node.status.conditions.find((c: any) => c.type === 'NetworkUnavailable');
      expect(condition.status).toBe('False');
      if (networked()) {
        expect(node.metadata.annotations['openpacific.io/pod-network']).toBe('netns');
        expect(condition.reason).toBe('PodNetworkNamespaces');
      } else {
        expect(node.metadata.annotations['openpacific.io/pod-network']).toBe('loopback');
        expect(condition.reason).toBe('LoopbackFallback');
      }
    }
    const describe = await kubectl(['describe', 'node', 'host-1']);
    expect(describe.stdout).toMatch(/NetworkUnavailable\s+False/);
  });

  // Everything below needs pods in their own network namespaces (root and iproute2 on this machine).
  const netIt = (name: string, fn: () => Promise<void>, timeout?: number) =>
    it(name, async () => {
      if (!networked()) return console.warn(`skipped "${name}": this machine runs pods on loopback addresses (not root or no iproute2)`);
      await fn();
    }, timeout);

  netIt('gives each pod its own namespace and an address from its namespace\'s /24, on any host', async () => {
    for (const ns of ['alpha', 'beta']) await kubectl(['create', 'namespace', ns]);
    await apply(server('alpha', 'a1', 'host-1'));
    await apply(server('alpha', 'a2', 'host-2'));
    await apply(server('alpha', 'a3', 'host-1'));
    await apply(server('beta', 'b1', 'host-1'));
    await eventually(async () => {
      for (const [ns, name] of [['alpha', 'a1'], ['alpha', 'a2'], ['alpha', 'a3'], ['beta', 'b1']]) {
        expect((await pod(ns, name)).status.containerStatuses?.[0]?.ready).toBe(true);
      }
    }, { timeoutMs: 60_000 });
    const [a1, a2, a3, b1] = await Promise.all([pod('alpha', 'a1'), pod('alpha', 'a2'), pod('alpha', 'a3'), pod('beta', 'b1')]);
    const subnet = (p: any) => p.status.podIP.split('.').slice(0, 3).join('.');
    for (const p of [a1, a2, a3, b1]) {
      expect(inCIDR(p.status.podIP, cluster.network.podCIDR)).toBe(true);
      expect(p.metadata.annotations['openpacific.io/pod-ip']).toBe(p.status.podIP);
    }
    expect(subnet(a1)).toBe(subnet(a2));
    expect(subnet(a1)).toBe(subnet(a3));
    expect(subnet(b1)).not.toBe(subnet(a1));
    expect(a1.spec.nodeName).toBe('host-1');
    expect(a2.spec.nodeName).toBe('host-2');
    // a1 and a3 both listen on 0.0.0.0:8080 on host-1: each in its own network namespace, eth0 holding its address.
    const addr = await kubectl(['exec', '-n', 'alpha', 'a1', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    expect(addr.stdout).toContain(`${a1.status.podIP}/32`);
  }, 90_000);

  netIt('pods reach each other across hosts, and the machine reaches them', async () => {
    const a2 = await pod('alpha', 'a2');
    expect(await fetchFrom('alpha', 'a1', `http://${a2.status.podIP}:8080/`)).toBe('a2');
    const a3 = await pod('alpha', 'a3');
    expect(await fetchFrom('alpha', 'a2', `http://${a3.status.podIP}:9090/`)).toBe('a3');
    // The host's route to each pod goes through its bridge.
    expect(ip(['route', 'show', `${a2.status.podIP}/32`])).toContain(`dev ${bridgeName(cluster.network.podCIDR, 2)}`);
  });

  netIt('keeps namespaces apart until a NetworkPolicy opens what it names, directly and through a Service', async () => {
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'alpha' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
    const svc = JSON.parse((await kubectl(['get', 'svc', 'web', '-n', 'alpha', '-o', 'json'])).stdout);
    const a1 = await pod('alpha', 'a1');
    await eventually(async () => expect(['a1', 'a2', 'a3']).toContain(await fetchFrom('alpha', 'a2', `http://${svc.spec.clusterIP}/`)), { timeoutMs: 15_000 });
    // beta's pod is refused, directly and through the Service.
    expect(await fetchFrom('beta', 'b1', `http://${a1.status.podIP}:8080/`)).toMatch(/^failed: .*(refused|reset)/i);
    expect(await fetchFrom('beta', 'b1', `http://${svc.spec.clusterIP}/`)).toMatch(/^failed/);

    const bad = await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bad', namespace: 'alpha' },
      spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } },
    }));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The NetworkPolicy "bad" is invalid');
    expect(bad.stderr).toContain('spec.podSelector.matchExpressions[0].values');

    // Open a1 and a2 (role=front) to beta on 8080 only; a3 is not selected.
    await kubectl(['label', 'pod', '-n', 'alpha', 'a1', 'a2', 'role=front']);
    await apply({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'front-from-beta', namespace: 'alpha' },
      spec: {
        podSelector: { matchLabels: { role: 'front' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'beta' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
          { from: [{ podSelector: {} }] },
        ],
      },
    });
    // The README's manifest is valid as written.
    const readme = await kubectl(['apply', '-f', join(__dirname, 'manifests', 'network-policy.yaml')]);
    expect(readme.stderr).toBe('');
    expect(readme.stdout).toContain('networkpolicy.networking.k8s.io/web-from-team-a created');
    const table = await kubectl(['get', 'netpol', '-n', 'alpha']);
    expect(table.stdout).toMatch(/front-from-beta\s+role=front/);
    await eventually(async () => expect(await fetchFrom('beta', 'b1', `http://${a1.status.podIP}:8080/`)).toBe('a1'), { timeoutMs: 10_000 });
    // Its other port stays closed to beta; a3 (not selected) stays closed to beta; alpha's own pods still reach a1.
    expect(await fetchFrom('beta', 'b1', `http://${a1.status.podIP}:9090/`)).toMatch(/^failed/);
    const a3 = await pod('alpha', 'a3');
    expect(await fetchFrom('beta', 'b1', `http://${a3.status.podIP}:8080/`)).toMatch(/^failed/);
    expect(await fetchFrom('alpha', 'a3', `http://${a1.status.podIP}:9090/`)).toBe('a1');
    // Through the Service beta now reaches only the pods the policy opened.
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add(await fetchFrom('beta', 'b1', `http://${svc.spec.clusterIP}/`));
    expect([...seen].sort()).toEqual(['a1', 'a2']);

    // Deleting the policy closes beta out again.
    await kubectl(['delete', 'netpol', 'front-from-beta', '-n', 'alpha']);
    await eventually(async () => expect(await fetchFrom('beta', 'b1', `http://${a1.status.podIP}:8080/`)).toMatch(/^failed/), { timeoutMs: 10_000 });
  }, 120_000);

  netIt('answers cluster DNS names for services', async () => {
    const svc = JSON.parse((await kubectl(['get', 'svc', 'web', '-n', 'alpha', '-o', 'json'])).stdout);
    const r = await kubectl(['exec', '-n', 'alpha', 'a2', '--', 'nslookup', 'web.alpha.svc.cluster.local', svc.spec.clusterIP.replace(/\.\d+\.\d+$/, '.0.10')]);
    expect(r.stdout).toContain(svc.spec.clusterIP);
    const missing = await kubectl(['exec', '-n', 'alpha', 'a2', '--', 'nslookup', 'nothing.alpha.svc.cluster.local', svc.spec.clusterIP.replace(/\.\d+\.\d+$/, '.0.10')]);
    expect(`${missing.stdout}${missing.stderr}`).toMatch(/NXDOMAIN|can't find/);
    // An ExternalName Service is a CNAME, followed here to the Service it names.
    const ext = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'alpha' }, spec: { type: 'ExternalName', externalName: 'web.alpha.svc.cluster.local' } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(ext) })).code).toBe(0);
    await eventually(async () => {
      const alias = await kubectl(['exec', '-n', 'alpha', 'a2', '--', 'nslookup', '-type=a', 'ext.alpha.svc.cluster.local', svc.spec.clusterIP.replace(/\.\d+\.\d+$/, '.0.10')]);
      expect(alias.stdout).toContain('canonical name = web.alpha.svc.cluster.local');
      expect(alias.stdout).toContain(svc.spec.clusterIP);
    }, { timeoutMs: 15_000 });
  });

  netIt('takes a deleted pod\'s route and namespace away', async () => {
    const a3 = await pod('alpha', 'a3');
    expect(ip(['route', 'show', `${a3.status.podIP}/32`])).not.toBe('');
    await kubectl(['delete', 'pod', 'a3', '-n', 'alpha', '--wait=true']);
    await eventually(async () => expect(ip(['route', 'show', `${a3.status.podIP}/32`]).trim()).toBe(''), { timeoutMs: 15_000 });
  });

  netIt('takes a finished pod\'s route and namespace away and gives its address to the next pod', async () => {
    await kubectl(['create', 'namespace', 'batch']);
    const once = (name: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'batch' },
      spec: { restartPolicy: 'Never', nodeSelector: { 'kubernetes.io/hostname': 'host-2' }, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'hostname -i'] }] },
    });
    await apply(once('first'));
    const done = await eventually(async () => {
      const p = await pod('batch', 'first');
      expect(p.status.phase).toBe('Succeeded');
      expect(p.status.conditions.find((c: any) => c.type === 'PodReadyToStartContainers')?.status).toBe('False');
      return p;
    }, { timeoutMs: 30_000 });
    // It ran with its own address, which it keeps in its status; the host no longer routes to it.
    expect(inCIDR(done.status.podIP, cluster.network.podCIDR)).toBe(true);
    expect((await kubectl(['logs', 'first', '-n', 'batch'])).stdout.trim()).toBe(done.status.podIP);
    await eventually(async () => expect(ip(['route', 'show', `${done.status.podIP}/32`]).trim()).toBe(''), { timeoutMs: 15_000 });
    // The namespace's lowest free address is the finished pod's: the next pod gets it, on the same host.
    await apply(once('second'));
    const next = await eventually(async () => {
      const p = await pod('batch', 'second');
      expect(p.status.phase).toBe('Succeeded');
      return p;
    }, { timeoutMs: 30_000 });
    expect(next.status.podIP).toBe(done.status.podIP);
    expect((await kubectl(['logs', 'second', '-n', 'batch'])).stdout.trim()).toBe(done.status.podIP);
  });
});

describe('Pod network fallback', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ label: 'podnetlo', hostCount: 1, env: { POD_NETWORK: 'loopback' } });
    await cluster.hostsReady(1);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);

  it('runs pods on loopback addresses and says so in the host\'s status', async () => {
    const node = JSON.parse((await cluster.kubectl(['get', 'node', 'host-1', '-o', 'json'])).stdout);
    expect(node.metadata.annotations['openpacific.io/pod-network']).toBe('loopback');
    const condition = node.status.conditions.find((c: any) => c.type === 'NetworkUnavailable');
    expect(condition).toMatchObject({ status: 'False', reason: 'LoopbackFallback' });
    expect(condition.message).toContain('POD_CIDR');
    await cluster.kubectl(['run', 'lo', '--image=busybox', '--restart=Never', '--', 'sleep', '300']);
    await eventually(async () => {
      const p = JSON.parse((await cluster.kubectl(['get', 'pod', 'lo', '-o', 'json'])).stdout);
      expect(p.status.phase).toBe('Running');
      expect(p.status.podIP).toMatch(/^127\./);
      expect(p.metadata.annotations?.['openpacific.io/pod-ip']).toBeUndefined();
    }, { timeoutMs: 30_000 });
  });
});
