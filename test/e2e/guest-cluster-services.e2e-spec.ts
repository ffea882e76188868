import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inCIDR } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const NS = 'tkg-team';
// The basics' TKC, kept small: one control plane, one worker.
const manifests = readFileSync(join(__dirname, 'manifests', 'tkc-basics.yaml'), 'utf8').replace(/replicas: 2/, 'replicas: 1');
const www = `/tmp/openpacific-guest-svc-e2e-${randomBytes(4).toString('hex')}`;

/** A busybox httpd answering its pod's name on port 8080 of the pod's address. */
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'web',
          image: 'busybox',
          command: ['sh', '-c', `mkdir -p ${www}/$POD_NAME && echo $POD_NAME > ${www}/$POD_NAME/index.html && exec httpd -f -p $POD_IP:8080 -h ${www}/$POD_NAME`],
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          ports: [{ containerPort: 8080 }],
        }],
      },
    },
  },
};

/** The environments of this machine's processes that run program `service` of the guest cluster of uid `clusterUid`. */
function guestProgramEnvs(clusterUid: string, service: string): Map<string, string>[] {
  const marks = [`OPENPACIFIC_GUEST_CLUSTER=${clusterUid}`, `OPENPACIFIC_SERVICE=${service}`];
  const out: Map<string, string>[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let vars: string[];
    try {
      vars = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (marks.every((m) => vars.includes(m))) out.push(new Map(vars.filter(Boolean).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])));
  }
  return out;
}

/** One GET on a new connection: the body, or the error code. */
function get(host: string, port: number): Promise<{ body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: any) => resolve({ error: e.code ?? e.message }));
  });
}

/**
 * A Service in a TanzuKubernetesCluster: its own ranges, slices, cluster IP and node ports, served by its control plane; its
 * LoadBalancer realised on the Supervisor (a VirtualMachineService), as TKG's paravirtual cloud provider does it.
 */
describe('services in a guest cluster', () => {
  let cluster: TestCluster;
  let kubeconfig = '';
  const guest = (args: string[], opts?: { input?: string }) => cluster.kubectl(['--kubeconfig', kubeconfig, ...args], opts);
  const guestJson = async (args: string[]) => {
    const r = await guest([...args, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };
  let serviceCIDR = '';

  beforeAll(async () => {
    cluster = await startCluster({ label: 'guestservices', env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('gives the guest a Service /16 of its own, recorded on its Cluster, not the Supervisor\'s, and no LoadBalancer range', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: manifests })).stderr).toBe('');
    await eventually(async () => {
      const t = (await cluster.request('GET', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-1`)).json();
      expect(t.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const cl = (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/tkc-1`)).json();
    serviceCIDR = cl.metadata.annotations['openpacific.io/service-cidr'];
    expect(serviceCIDR).toMatch(/^127\.(\d+)\.0\.0\/16$/);
    expect(Number(serviceCIDR.split('.')[1])).toBeGreaterThanOrEqual(2);
    expect(Number(serviceCIDR.split('.')[1])).toBeLessThanOrEqual(15);
    expect([cluster.network.serviceCIDR, cluster.network.loadBalancerCIDR]).not.toContain(serviceCIDR);
    // One /16 per guest: a new Cluster records no LoadBalancer range (its ingress is the Supervisor's).
    expect(cl.metadata.annotations).not.toHaveProperty(['openpacific.io/loadbalancer-cidr']);
    // Its control plane's proxy runs with that range, and with no LoadBalancer range of its own.
    await eventually(async () => {
      const proxies = guestProgramEnvs(cl.metadata.uid, 'vm-operator');
      expect(proxies).toHaveLength(1);
      expect(proxies[0].get('SERVICE_CIDR')).toBe(serviceCIDR);
      expect(proxies[0].has('LOADBALANCER_CIDR')).toBe(false);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    const secret = (await cluster.request('GET', `/api/v1/namespaces/${NS}/secrets/tkc-1-kubeconfig`)).json();
    kubeconfig = join(cluster.dataDir, 'tkc-1.kubeconfig');
    writeFileSync(kubeconfig, Buffer.from(secret.data.value, 'base64'));
    // The guest's own `kubernetes` Service has the first address of its range, as the Supervisor's has of its own.
    await eventually(async () => expect((await guest(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).stdout).toBe(serviceCIDR.replace('.0/16', '.1')), { timeoutMs: 30_000 });
  });

  it('routes a Deployment\'s Service at its cluster IP, its node port on every node and a Supervisor load balancer to the pod', async () => {
    expect((await guest(['apply', '-f', '-'], { input: JSON.stringify(deployment) })).stderr).toBe('');
    const exposed = await guest(['expose', 'deployment', 'web', '--port', '80', '--target-port', '8080', '--type', 'LoadBalancer']);
    expect(exposed.stdout.trim()).toBe('service/web exposed');
    const pod = await eventually(async () => {
      const pods = (await guestJson(['get', 'pods', '-l', 'app=web'])).items;
      expect(pods).toHaveLength(1);
      expect(pods[0].status.phase).toBe('Running');
      expect(pods[0].status.podIP).toMatch(/^127\./);
      return pods[0];
    }, { timeoutMs: 60_000, intervalMs: 500 });
    // The guest's endpointslice controller lists the pod, and its endpoints controller too.
    await eventually(async () => {
      const slices = (await guestJson(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])).items;
      expect(slices).toHaveLength(1);
      expect(slices[0].endpoints).toEqual([expect.objectContaining({ addresses: [pod.status.podIP], conditions: expect.objectContaining({ ready: true }), nodeName: pod.spec.nodeName })]);
      expect(slices[0].ports).toEqual([expect.objectContaining({ port: 8080 })]);
      expect((await guest(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].addresses[0].ip}'])).stdout).toBe(pod.status.podIP);
    }, { timeoutMs: 30_000, intervalMs: 500 });
    const svc = await eventually(async () => {
      const s = await guestJson(['get', 'svc', 'web']);
      expect(s.status.loadBalancer?.ingress?.[0]?.ip).toBeDefined();
      return s;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(inCIDR(svc.spec.clusterIP, serviceCIDR)).toBe(true);
    // The ingress is the Supervisor's load balancer's, as the paravirtual cloud provider gets it, not from any guest range.
    const ingress = svc.status.loadBalancer.ingress[0].ip;
    expect(inCIDR(ingress, cluster.network.loadBalancerCIDR)).toBe(true);
    expect(inCIDR(ingress, serviceCIDR)).toBe(false);
    const nodePort = svc.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    // Its VirtualMachineService in the cluster's Supervisor namespace: the worker VMs, port 80 to the node port.
    const vmServices = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineservices?labelSelector=run.tanzu.vmware.com/service.name%3Dweb`)).json().items;
    expect(vmServices).toHaveLength(1);
    const vmService = vmServices[0];
    expect(vmService.metadata.name).toMatch(/^tkc-1-[0-9a-f]{21}$/);
    expect(vmService.metadata.labels).toEqual(expect.objectContaining({ 'run.tanzu.vmware.com/cluster.name': 'tkc-1', 'run.tanzu.vmware.com/service.namespace': 'default' }));
    expect(vmService.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Cluster', name: 'tkc-1' })]);
    expect(vmService.spec).toEqual(expect.objectContaining({
      type: 'LoadBalancer',
      selector: { 'capv.vmware.com/cluster.name': 'tkc-1', 'capv.vmware.com/cluster.role': 'worker' },
      ports: [expect.objectContaining({ port: 80, targetPort: nodePort, protocol: 'TCP' })],
    }));
    expect(vmService.status.loadBalancer.ingress[0].ip).toBe(ingress);
    // The pod answers through the guest's proxy, from this (the machine's) process.
    await eventually(async () => expect(await get(svc.spec.clusterIP, 80)).toEqual({ body: pod.metadata.name }), { timeoutMs: 30_000, intervalMs: 500 });
    await eventually(async () => expect(await get(ingress, 80)).toEqual({ body: pod.metadata.name }), { timeoutMs: 30_000, intervalMs: 500 });
    // Node ports at every node's InternalIP (its VM's address), never at the Supervisor's 127.0.0.1.
    const vms = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines`)).json().items;
    const nodes = (await guestJson(['get', 'nodes'])).items;
    expect(nodes).toHaveLength(2);
    for (const role of ['controlplane', 'worker']) {
      const vm = vms.find((v: any) => v.metadata.labels?.['capv.vmware.com/cluster.role'] === role);
      const address = vm.status.network.primaryIP4;
      expect(nodes.find((n: any) => n.metadata.name === vm.metadata.name).status.addresses).toContainEqual({ type: 'InternalIP', address });
      await eventually(async () => expect(await get(address, nodePort)).toEqual({ body: pod.metadata.name }), { timeoutMs: 30_000, intervalMs: 500 });
    }
    expect((await get('127.0.0.1', nodePort)).error).toBe('ECONNREFUSED');
    // The guest's cluster DNS, at the tenth address of its range, names it.
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([serviceCIDR.replace('.0/16', '.10')]);
    await eventually(async () => expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual([svc.spec.clusterIP]), { timeoutMs: 20_000, intervalMs: 500 });
    // The guest's proxy gives its nodes no per-host node-port address: that scheme's loopback addresses are the Supervisor's hosts'.
    expect((await guestJson(['get', 'nodes'])).items.map((n: any) => n.metadata.annotations?.['openpacific.io/node-port-address'])).toEqual([undefined, undefined]);
    // The guest's cloud provider says on the Service what it did, as Kubernetes' service controller does.
    await eventually(async () => {
      const described = await guest(['describe', 'svc', 'web']);
      expect(described.stdout).toMatch(/Normal\s+EnsuringLoadBalancer\s+.*service-controller\s+Ensuring load balancer/);
      expect(described.stdout).toMatch(/Normal\s+EnsuredLoadBalancer\s+.*service-controller\s+Ensured load balancer/);
    }, { timeoutMs: 20_000, intervalMs: 500 });
    // The Supervisor has its VirtualMachineService (and that one's core Service), never the guest's Service itself.
    expect((await cluster.kubectl(['get', 'svc', '-A', '--no-headers'])).stdout).not.toMatch(/^\S+\s+web\s/m);
  });

  it('stops serving once the guest\'s pods are gone', async () => {
    const svc = await guestJson(['get', 'svc', 'web']);
    expect((await guest(['scale', 'deployment', 'web', '--replicas=0'])).code).toBe(0);
    await eventually(async () => expect((await get(svc.spec.clusterIP, 80)).error).toBe('ECONNREFUSED'), { timeoutMs: 30_000, intervalMs: 500 });
  });

  it('deletes the VirtualMachineService with the guest Service', async () => {
    const selector = 'labelSelector=run.tanzu.vmware.com/service.name%3Dweb';
    const path = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineservices?${selector}`;
    expect((await cluster.request('GET', path)).json().items).toHaveLength(1);
    expect((await guest(['delete', 'svc', 'web'])).code).toBe(0);
    await eventually(async () => expect((await cluster.request('GET', path)).json().items).toEqual([]), { timeoutMs: 30_000, intervalMs: 500 });
  });
});
