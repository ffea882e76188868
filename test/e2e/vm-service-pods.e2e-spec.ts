import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDnsAddress, inCIDR, kubernetesServiceAddress, loadBalancerAddress } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { greeting } from './support/greeting';
import { kubectlJson } from './support/kubectl-json';

const NS = 'vm-team';
const manifests = readFileSync(join(__dirname, 'manifests', 'vm-basics.yaml'), 'utf8');

/**
 * VirtualMachineService addresses from the cluster's Service ranges, through the real kubectl: a LoadBalancer
 * VMService's cluster IP (`spec.clusterIp`, its core Service's `clusterIP`) lies in SERVICE_CIDR, its ingress at the
 * same offset in LOADBALANCER_CIDR, and a pod in its own network namespace reaches the VM's guest through the
 * service's DNS name. The pod part needs a pod network (root and iproute2, as pod-network.e2e-spec.ts); without it
 * the cluster runs the loopback ranges and only the addresses are checked.
 */
describe('VirtualMachineService addresses that pods reach', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const networked = () => cluster.network.podCIDR !== '';

  beforeAll(async () => {
    // The default network: a range of its own on a machine that gives pods their own namespaces, else the loopback one.
    cluster = await startCluster({ label: 'vmsvcpods', env: { SIM_VM_BOOT_MS: '200', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('gives a LoadBalancer VirtualMachineService a cluster IP from SERVICE_CIDR and the ingress at its offset in LOADBALANCER_CIDR', async () => {
    // The cluster's service range, as the cluster says it: the kubernetes Service holds its first address.
    const kubernetes = await json(['get', 'svc', 'kubernetes', '-n', 'default']);
    expect(kubernetes.spec.clusterIP).toBe(kubernetesServiceAddress(cluster.network));
    const { serviceCIDR, loadBalancerCIDR } = cluster.network;

    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('virtualmachineservice.vmoperator.vmware.com/web created');
    const vms = await eventually(async () => {
      const v = await json(['get', 'vmservice', 'web', '-n', NS]);
      expect(v.status?.loadBalancer?.ingress?.[0]?.ip).toBeDefined();
      return v;
    }, { timeoutMs: 20_000 });
    const clusterIp: string = vms.spec.clusterIp;
    const ingress: string = vms.status.loadBalancer.ingress[0].ip;
    expect(inCIDR(clusterIp, serviceCIDR)).toBe(true);
    expect(inCIDR(ingress, loadBalancerCIDR)).toBe(true);
    expect(ingress).toBe(loadBalancerAddress(cluster.network, clusterIp));
    expect(clusterIp).not.toBe(kubernetes.spec.clusterIP);

    // Its core Service carries the same addresses; kubectl's columns show them.
    const svc = await eventually(async () => {
      const s = await json(['get', 'svc', 'web', '-n', NS]);
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toBe(ingress);
      return s;
    }, { timeoutMs: 20_000 });
    expect(svc.spec.clusterIP).toBe(clusterIp);
    expect(svc.spec.clusterIPs).toEqual([clusterIp]);
    const table = (await cluster.kubectl(['get', 'svc', 'web', '-n', NS])).stdout;
    expect(table).toMatch(new RegExp(`^web\\s+LoadBalancer\\s+${clusterIp.replace(/\./g, '\\.')}\\s+${ingress.replace(/\./g, '\\.')}\\s+80/TCP\\s+`, 'm'));

    // From the machine, both addresses reach the guest.
    await eventually(async () => expect(await greeting(ingress, 80)).toBe('web-1 8080'), { timeoutMs: 30_000 });
    expect(await greeting(clusterIp, 80)).toBe('web-1 8080');

    // Set once: a second service gets another address, and the first keeps its own.
    const internal = { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name: 'web-internal', namespace: NS }, spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }] } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(internal) })).code).toBe(0);
    const other = await eventually(async () => {
      const v = await json(['get', 'vmservice', 'web-internal', '-n', NS]);
      expect(v.spec.clusterIp).toBeDefined();
      return v;
    }, { timeoutMs: 20_000 });
    expect(inCIDR(other.spec.clusterIp, serviceCIDR)).toBe(true);
    expect(other.spec.clusterIp).not.toBe(clusterIp);
    expect(other.status?.loadBalancer?.ingress).toBeUndefined();
    await eventually(async () => expect(await greeting(other.spec.clusterIp, 22)).toBe('web-1 22'), { timeoutMs: 20_000 });
    expect((await json(['get', 'vmservice', 'web', '-n', NS])).spec.clusterIp).toBe(clusterIp);
  }, 120_000);

  it('lets a pod in its own network namespace reach the VM through the service\'s DNS name', async () => {
    if (!networked()) return console.warn('skipped: this machine runs pods on loopback addresses (not root or no iproute2)');
    const run = await cluster.kubectl(['run', 'client', '-n', NS, '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    expect(run.code).toBe(0);
    const pod = await eventually(async () => {
      const p = await json(['get', 'pod', 'client', '-n', NS]);
      expect(p.status?.phase).toBe('Running');
      return p;
    }, { timeoutMs: 60_000 });
    // Its own network namespace: an address of the pod range, not the machine's loopback.
    expect(inCIDR(pod.status.podIP, cluster.network.podCIDR)).toBe(true);

    const clusterIp: string = (await json(['get', 'vmservice', 'web', '-n', NS])).spec.clusterIp;
    const host = `web.${NS}.svc.cluster.local`;
    // The cluster DNS names the service by its cluster IP, asked from inside the pod.
    await eventually(async () => {
      const r = await cluster.kubectl(['exec', '-n', NS, 'client', '--', 'nslookup', host, clusterDnsAddress(cluster.network)]);
      expect(r.stdout).toContain(clusterIp);
    }, { timeoutMs: 20_000 });
    // Through the pod's own resolver (resolv.conf: the cluster DNS), nc prints the guest's greeting. busybox nc quits
    // when its stdin ends, so `sleep 2` holds stdin open while the greeting comes through the balancer; `head` keeps
    // its first line.
    await eventually(async () => {
      const r = await cluster.kubectl(['exec', '-n', NS, 'client', '--', 'sh', '-c', `sleep 2 | nc -w 2 ${host} 80 | head -n 1`]);
      expect(r.stdout.trim()).toBe('web-1 8080');
    }, { timeoutMs: 30_000 });
    // And its ingress, the LoadBalancer address.
    const ingress: string = (await json(['get', 'vmservice', 'web', '-n', NS])).status.loadBalancer.ingress[0].ip;
    const r = await cluster.kubectl(['exec', '-n', NS, 'client', '--', 'sh', '-c', `sleep 2 | nc -w 2 ${ingress} 80 | head -n 1`]);
    expect(r.stdout.trim()).toBe('web-1 8080');
  }, 120_000);
});
