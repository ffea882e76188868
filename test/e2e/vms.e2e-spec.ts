import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { inCIDR } from '@openpacific/contracts';
import { checkInvariants, eventually, startCluster, TestCluster } from '@openpacific/testing';
import { greeting } from './support/greeting';

const NS = 'vm-team';
const manifests = readFileSync(join(__dirname, 'manifests', 'vm-basics.yaml'), 'utf8');

/** VM Service with kubectl: manifests written for the real VM Operator, VMs that run as sim guests on the hosts. */
describe('virtual machines', () => {
  let cluster: TestCluster;
  const vm = async (version = 'v1alpha5') => (await cluster.request('GET', `/apis/vmoperator.vmware.com/${version}/namespaces/${NS}/virtualmachines/web-1`)).json();
  const patchVm = (body: object) =>
    cluster.request('PATCH', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/web-1`, { headers: { 'content-type': 'application/merge-patch+json' }, body });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vms', env: { SIM_VM_BOOT_MS: '200', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('applies a class, an image, a bootstrap Secret, a VM and a LoadBalancer service written for the real VM Operator', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('virtualmachine.vmoperator.vmware.com/web-1 created');
    expect(applied.stdout).toContain('virtualmachineservice.vmoperator.vmware.com/web created');
    // The image's display name is status the content library publishes.
    const image = await cluster.request('PATCH', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineimages/vmi-0a1b2c3d4e5f67890/status`, {
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { status: { name: 'ubuntu-22.04-server', osInfo: { type: 'ubuntu64Guest', version: '22.04' } } },
    });
    expect(image.status).toBe(200);
  });

  it('powers the VM on on a host, with an address from the namespace pool and a guest that answers', async () => {
    await eventually(async () => {
      const v = await vm();
      expect(v.status.powerState).toBe('PoweredOn');
      expect(v.status.network?.primaryIP4).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(v.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    }, { timeoutMs: 30_000 });
    const v = await vm();
    expect(v.status.nodeName).toMatch(/^host-[123]$/);
    expect(v.status.biosUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(v.status.volumes).toEqual([expect.objectContaining({ name: 'data', type: 'Managed', attached: true, limit: '2Gi' })]);
    expect(await greeting(v.status.network.primaryIP4, 8080)).toBe('web-1 8080');
    const table = (await cluster.kubectl(['get', 'vm', '-n', NS, '-o', 'wide'])).stdout;
    expect(table).toMatch(new RegExp(`^web-1\\s+PoweredOn\\s+best-effort-small\\s+\\S+\\s+${v.status.network.primaryIP4.replace(/\./g, '\\.')}\\s+\\S+`, 'm'));
  });

  it('reads the VM back as v1alpha1 and v1alpha3 in their own shapes', async () => {
    const v1 = await vm('v1alpha1');
    expect(v1.apiVersion).toBe('vmoperator.vmware.com/v1alpha1');
    expect(v1.spec.powerState).toBe('poweredOn');
    expect(v1.spec.vmMetadata).toMatchObject({ secretName: 'web-1-cloud-init', transport: 'CloudInit' });
    expect(v1.status).toMatchObject({ phase: 'Created', powerState: 'poweredOn', vmIp: (await vm()).status.network.primaryIP4 });
    const v3 = await vm('v1alpha3');
    expect(v3.status.host).toBe((await vm()).status.nodeName);
    expect(v3.spec.bootstrap.cloudInit.rawCloudConfig).toEqual({ name: 'web-1-cloud-init', key: 'user-data' });
  });

  it('forwards TCP connections to the guest through a LoadBalancer and a ClusterIP service', async () => {
    let ingress = '';
    await eventually(async () => {
      const svc = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineservices/web`)).json();
      ingress = svc.status?.loadBalancer?.ingress?.[0]?.ip;
      expect(inCIDR(ingress ?? '', cluster.network.loadBalancerCIDR)).toBe(true);
      expect(await greeting(ingress, 80)).toBe('web-1 8080');
    }, { timeoutMs: 20_000 });
    // A ClusterIP service gets a cluster IP (from the service range) that forwards the same way.
    const internal = { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name: 'web-internal', namespace: NS }, spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }] } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(internal) })).code).toBe(0);
    await eventually(async () => {
      const svc = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineservices/web-internal`)).json();
      expect(inCIDR(svc.spec.clusterIp ?? '', cluster.network.serviceCIDR)).toBe(true);
      expect(await greeting(svc.spec.clusterIp, 22)).toBe('web-1 22');
    }, { timeoutMs: 20_000 });
  });

  it('powers off (the guest is gone) and on again, restarts, and resizes with a power cycle', async () => {
    const ip = (await vm()).status.network.primaryIP4;
    expect((await patchVm({ spec: { powerState: 'PoweredOff' } })).status).toBe(200);
    await eventually(async () => expect((await vm()).status.powerState).toBe('PoweredOff'), { timeoutMs: 20_000 });
    await expect(greeting(ip, 8080)).rejects.toThrow();
    expect((await patchVm({ spec: { powerState: 'PoweredOn' } })).status).toBe(200);
    await eventually(async () => expect(await greeting(ip, 8080)).toBe('web-1 8080'), { timeoutMs: 20_000 });

    expect((await patchVm({ spec: { nextRestartTime: 'now' } })).status).toBe(200);
    await eventually(async () => {
      const v = await vm();
      expect(v.status.lastRestartTime).toBe(v.spec.nextRestartTime);
      expect(v.status.powerState).toBe('PoweredOn');
    }, { timeoutMs: 20_000 });

    expect((await patchVm({ spec: { className: 'best-effort-medium' } })).status).toBe(200);
    await eventually(async () => {
      const v = await vm();
      expect(v.status.class?.name).toBe('best-effort-medium');
      expect(v.status.powerState).toBe('PoweredOn');
      expect(await greeting(ip, 8080)).toBe('web-1 8080');
    }, { timeoutMs: 20_000 });
  });

  it('refuses what the real webhooks refuse, with 422 naming the field', async () => {
    const svc = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name: 'bad', namespace: NS }, spec: { ports: [{ protocol: 'TCP', port: 1, targetPort: 1 }] } }) });
    expect(svc.code).not.toBe(0);
    expect(svc.stderr).toMatch(/spec\.type: Required value/);
    const unknown = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachine', metadata: { name: 'typo', namespace: NS }, spec: { className: 'best-effort-small', imageName: 'x', powerstate: 'PoweredOn' } }) });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown field "spec.powerstate"');
    const badPower = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachine', metadata: { name: 'typo', namespace: NS }, spec: { className: 'best-effort-small', imageName: 'x', powerState: 'On' } }) });
    expect(badPower.code).not.toBe(0);
    expect(badPower.stderr).toMatch(/spec\.powerState: Unsupported value: "On"/);
    const immutable = await patchVm({ spec: { storageClass: 'other' } });
    expect(immutable.status).toBe(422);
    expect(immutable.json().details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'spec.storageClass' })]));
    const suspended = await cluster.request('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines`, {
      body: { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'sleepy' }, spec: { className: 'best-effort-small', imageName: 'ubuntu-22.04-server', powerState: 'Suspended' } },
    });
    expect(suspended.status).toBe(422);
    expect(suspended.json().message).toContain('spec.powerState');
    // VM affinity is zonal only, and an affinity needs a group.
    const hostAffinity = await cluster.request('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines`, {
      body: {
        apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'clingy' },
        spec: { className: 'best-effort-small', imageName: 'ubuntu-22.04-server', affinity: { vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
      },
    });
    expect(hostAffinity.status).toBe(422);
    expect(hostAffinity.json().details.causes.map((c: any) => c.field)).toEqual(['spec.groupName', 'spec.affinity.vmAffinity.requiredDuringSchedulingPreferredDuringExecution[0].topologyKey']);
  });

  it('says why a VM cannot be created: a missing bootstrap Secret, a class no host can hold', async () => {
    const make = (name: string, spec: object) =>
      cluster.request('POST', `/apis/vmoperator.vmware.com/v1alpha3/namespaces/${NS}/virtualmachines`, { body: { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachine', metadata: { name }, spec } });
    expect((await make('no-secret', { className: 'best-effort-small', imageName: 'ubuntu-22.04-server', bootstrap: { cloudInit: { rawCloudConfig: { name: 'missing', key: 'user-data' } } } })).status).toBe(201);
    await eventually(async () => {
      const v = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/no-secret`)).json();
      expect(v.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'VirtualMachineBootstrapReady', status: 'False', reason: 'NotFound' })]));
    });
    // The Secret written later, in the VM's namespace, is found (vm-operator looks again at that namespace's VMs).
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'missing' }, stringData: { 'user-data': '#cloud-config\n' } };
    expect((await cluster.request('POST', `/api/v1/namespaces/${NS}/secrets`, { body: secret })).status).toBe(201);
    await eventually(async () => {
      const v = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/no-secret`)).json();
      expect(v.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'VirtualMachineBootstrapReady', status: 'True' })]));
    });
    expect((await cluster.request('DELETE', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/no-secret`)).status).toBeLessThan(300);
    await cluster.request('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineclasses`, {
      body: { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineClass', metadata: { name: 'huge' }, spec: { hardware: { cpus: 4096, memory: '64Ti' } } },
    });
    expect((await make('too-big', { className: 'huge', imageName: 'ubuntu-22.04-server' })).status).toBe(201);
    await eventually(async () => {
      const v = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/too-big`)).json();
      expect(v.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'VirtualMachineConditionPlacementReady', status: 'False', message: expect.stringMatching(/^0\/3 hosts are available: 3 Insufficient cpu/) })]));
    });
  });

  it('restarts the VM on another host when its host dies, with the same identity', async () => {
    const before = await vm();
    cluster.killHost(before.status.nodeName);
    await eventually(async () => {
      const v = await vm();
      expect(v.status.nodeName).toBeDefined();
      expect(v.status.nodeName).not.toBe(before.status.nodeName);
      expect(v.status.powerState).toBe('PoweredOn');
      expect(v.status.biosUUID).toBe(before.status.biosUUID);
      expect(await greeting(v.status.network.primaryIP4, 8080)).toBe('web-1 8080');
    }, { timeoutMs: 40_000 });
  });

  it('leaves a log in which the VM never ran on two hosts at once', async () => {
    const pool = new Pool({ connectionString: cluster.databaseUrl, max: 1 });
    try {
      const report = await checkInvariants(pool);
      expect(report.doubleRuns).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('powers the VM off and destroys it on its host before the object goes', async () => {
    const ip = (await vm()).status.network.primaryIP4;
    expect((await cluster.kubectl(['delete', 'vm', 'web-1', '-n', NS, '--wait=true', '--timeout=30s'])).code).toBe(0);
    expect((await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/web-1`)).status).toBe(404);
    await expect(greeting(ip, 8080)).rejects.toThrow();
  });
});
