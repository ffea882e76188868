import { readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { clusterDnsAddress, inCIDR, loadBalancerAddress } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { greeting } from './support/greeting';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

const NS = 'vm-team';
const manifests = readFileSync(join(__dirname, 'manifests', 'vm-basics.yaml'), 'utf8');
const MIRRORED_BY = 'endpointslicemirroring-controller.k8s.io';

/**
 * A VirtualMachineService's core v1 Service, through the real kubectl: as VM Operator, a LoadBalancer VMService gets a
 * selector-less Service of its name (owned by it, its ingress in status, its cluster address answered by the cluster
 * DNS and reaching the VM), whose Endpoints are mirrored into an EndpointSlice, and which goes with the VMService. A
 * selector-less Service with a hand-written Endpoints gets a mirrored slice too. A VMService's cluster IP comes from the
 * gateway's allocator, as a core Service's: an author's taken or out-of-range one is refused.
 */
describe('a VirtualMachineService\'s core Service and EndpointSlice mirroring', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);
  const slicesOf = async (ns: string, service: string): Promise<any[]> => (await json(['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${service}`])).items;

  beforeAll(async () => {
    // Ranges of its own: the cluster DNS server binds its service range's .10, port 53, which another cluster on the
    // machine may hold in the default one.
    cluster = await startCluster({
      label: 'vmsvccore',
      env: { SIM_VM_BOOT_MS: '200', HOST_REBOOT_DELAY_MS: '0', POD_NETWORK: 'loopback', SERVICE_CIDR: '127.235.0.0/16', LOADBALANCER_CIDR: '127.236.0.0/16' },
    });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('gives a LoadBalancer VirtualMachineService a selector-less Service of its name that reaches the VM, and a mirrored slice', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('virtualmachineservice.vmoperator.vmware.com/web created');
    const vms = await eventually(async () => {
      const v = await json(['get', 'vmservice', 'web', '-n', NS]);
      expect(inCIDR(v.status?.loadBalancer?.ingress?.[0]?.ip ?? '', cluster.network.loadBalancerCIDR)).toBe(true);
      return v;
    }, { timeoutMs: 20_000 });
    const ingress: string = vms.status.loadBalancer.ingress[0].ip;

    const svc = await eventually(async () => {
      const s = await json(['get', 'svc', 'web', '-n', NS]);
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toBe(ingress);
      return s;
    }, { timeoutMs: 20_000 });
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.selector).toBeUndefined();
    // The VMService's cluster IP, from the service range, the ingress at its offset in the load balancer range.
    expect(svc.spec.clusterIP).toBe(vms.spec.clusterIp);
    expect(inCIDR(svc.spec.clusterIP, cluster.network.serviceCIDR)).toBe(true);
    expect(ingress).toBe(loadBalancerAddress(cluster.network, svc.spec.clusterIP));
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    expect(svc.spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }]);
    expect(svc.spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
    expect(svc.metadata.ownerReferences).toEqual([
      { apiVersion: expect.stringMatching(/^vmoperator\.vmware\.com\/v1alpha\d$/), kind: 'VirtualMachineService', name: 'web', uid: vms.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const table = (await cluster.kubectl(['get', 'svc', 'web', '-n', NS])).stdout;
    expect(table).toMatch(new RegExp(`^web\\s+LoadBalancer\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+${ingress.replace(/\./g, '\\.')}\\s+80/TCP\\s+`, 'm'));

    // The cluster DNS names it by its cluster address, where the VMService's balancer reaches the guest.
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers([clusterDnsAddress(cluster.network)]);
    await eventually(async () => expect(await resolver.resolve4(`web.${NS}.svc.cluster.local`)).toEqual([svc.spec.clusterIP]), { timeoutMs: 10_000 });
    await eventually(async () => expect(await greeting(svc.spec.clusterIP, 80)).toBe('web-1 8080'), { timeoutMs: 20_000 });

    // Its Endpoints (the VM, once it has an address) mirrored into a slice, as for any Service without a selector.
    const vm = await eventually(async () => {
      const v = await json(['get', 'vm', 'web-1', '-n', NS]);
      expect(v.status?.network?.primaryIP4).toMatch(/^127\./);
      return v;
    }, { timeoutMs: 20_000 });
    await eventually(async () => {
      const slices = await slicesOf(NS, 'web');
      expect(slices).toHaveLength(1);
      expect(slices[0].metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe(MIRRORED_BY);
      expect(slices[0].metadata.name).toMatch(/^web-[0-9a-f]{5}$/);
      expect(slices[0].endpoints).toEqual([expect.objectContaining({ addresses: [vm.status.network.primaryIP4], conditions: { ready: true }, targetRef: expect.objectContaining({ kind: 'VirtualMachine', name: 'web-1' }) })]);
      expect(slices[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    }, { timeoutMs: 20_000 });
  }, 90_000);

  it('gives VMServices their cluster IPs as core Services get theirs: a taken one is refused, creates at once get their own', async () => {
    const taken: string = (await json(['get', 'vmservice', 'web', '-n', NS])).spec.clusterIp;
    const vmService = (name: string, clusterIp?: string) => JSON.stringify({
      apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name, namespace: NS },
      spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }], ...(clusterIp ? { clusterIp } : {}) },
    });
    // An author's address is checked as kube-apiserver checks a Service's, and nothing is written.
    for (const [ip, why] of [[taken, 'provided IP is already allocated'], ['127.201.1.1', `the provided IP (127.201.1.1) is not in the valid range. The range of valid IPs is ${cluster.network.serviceCIDR}`]]) {
      const refused = await cluster.kubectl(['apply', '-f', '-'], { input: vmService('copy', ip) });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`"copy" is invalid: spec.clusterIp: Invalid value: "${ip}": failed to allocate IP ${ip}: ${why}`);
      expect((await cluster.kubectl(['get', 'vmservice', 'copy', '-n', NS])).stderr).toContain('"copy" not found');
    }

    // Two VMServices and a core Service at once: one allocator, three addresses of the range.
    const core = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'plain', namespace: NS }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    const created = await Promise.all([vmService('first'), vmService('second'), core].map((input) => cluster.kubectl(['apply', '-f', '-'], { input })));
    expect(created.map((r) => r.code)).toEqual([0, 0, 0]);
    const addresses = [
      (await json(['get', 'vmservice', 'first', '-n', NS])).spec.clusterIp,
      (await json(['get', 'vmservice', 'second', '-n', NS])).spec.clusterIp,
      (await json(['get', 'svc', 'plain', '-n', NS])).spec.clusterIP,
    ];
    for (const ip of addresses) expect(inCIDR(ip, cluster.network.serviceCIDR)).toBe(true);
    expect(new Set([...addresses, taken]).size).toBe(4);
    expect((await cluster.kubectl(['delete', 'vmservice', 'first', 'second', '-n', NS])).code).toBe(0);
    expect((await cluster.kubectl(['delete', 'svc', 'plain', '-n', NS])).code).toBe(0);
  }, 60_000);

  it("refuses what VM Operator's webhook refuses: a port out of range, a VM volume without a name, and writes neither", async () => {
    const vmService = { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name: 'bad-port', namespace: NS }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', protocol: 'TCP', port: -1, targetPort: 8080 }] } };
    let r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(vmService) });
    expect(r.stderr).toContain('spec.ports[0].port: Invalid value: -1: must be between 1 and 65535, inclusive');
    const vm = { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachine', metadata: { name: 'no-volume-name', namespace: NS }, spec: { className: 'best-effort-small', imageName: 'vmi-0a1b2c3d4e5f67890', volumes: [{ name: '', persistentVolumeClaim: { claimName: 'web-1-data' } }] } };
    r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(vm) });
    expect(r.stderr).toContain('spec.volumes[0].name: Required value');
    expect((await cluster.kubectl(['get', 'vmservice,vm', 'bad-port', 'no-volume-name', '-n', NS, '-o', 'name'])).stdout.trim()).toBe('');
  });

  it('puts the Service back when someone changes it, and deletes it with the VirtualMachineService', async () => {
    expect((await cluster.kubectl(['label', 'svc', 'web', '-n', NS, 'tier=edited'])).code).toBe(0);
    await eventually(async () => expect((await json(['get', 'svc', 'web', '-n', NS])).metadata.labels?.tier).toBeUndefined(), { timeoutMs: 15_000 });

    expect((await cluster.kubectl(['delete', 'vmservice', 'web', '-n', NS])).code).toBe(0);
    await eventually(async () => {
      const r = await cluster.kubectl(['get', 'svc', 'web', '-n', NS]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('services "web" not found');
    }, { timeoutMs: 20_000 });
    await eventually(async () => expect(await slicesOf(NS, 'web')).toEqual([]), { timeoutMs: 20_000 });
  }, 60_000);

  it('mirrors the hand-written Endpoints of a Service without a selector into an EndpointSlice', async () => {
    expect((await cluster.kubectl(['run', 'legacy-db', '--image=busybox', '--restart=Never', '--', 'sleep', '3600'])).code).toBe(0);
    const pod = await eventually(async () => {
      const p = await json(['get', 'pod', 'legacy-db']);
      expect(p.status?.podIP).toBeTruthy();
      return p;
    }, { timeoutMs: 30_000 });
    await kubectlApply(cluster, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'legacy' }, spec: { ports: [{ name: 'pg', port: 5432 }] } });
    await kubectlApply(cluster, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy', labels: { team: 'data' } },
      subsets: [{ addresses: [{ ip: pod.status.podIP, targetRef: { kind: 'Pod', namespace: 'default', name: 'legacy-db', uid: pod.metadata.uid } }], ports: [{ name: 'pg', port: 5432 }] }],
    });
    await eventually(async () => {
      const slices = await slicesOf('default', 'legacy');
      expect(slices).toHaveLength(1);
      expect(slices[0].metadata.labels).toEqual({ team: 'data', 'kubernetes.io/service-name': 'legacy', 'endpointslice.kubernetes.io/managed-by': MIRRORED_BY });
      expect(slices[0].addressType).toBe('IPv4');
      expect(slices[0].endpoints).toEqual([{ addresses: [pod.status.podIP], conditions: { ready: true }, targetRef: expect.objectContaining({ kind: 'Pod', name: 'legacy-db' }) }]);
      expect(slices[0].ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    }, { timeoutMs: 15_000 });
    // The Endpoints gone, the slice goes.
    expect((await cluster.kubectl(['delete', 'endpoints', 'legacy'])).code).toBe(0);
    await eventually(async () => expect(await slicesOf('default', 'legacy')).toEqual([]), { timeoutMs: 15_000 });
  }, 60_000);
});
