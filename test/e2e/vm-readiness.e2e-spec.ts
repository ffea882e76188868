import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const NS = 'vm-ready';

const vm = (name: string, port: number) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS, labels: { app: 'web' } },
  spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn', readinessProbe: { tcpSocket: { port }, periodSeconds: 1, timeoutSeconds: 1 } },
});

const setup = [
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  {
    apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage',
    metadata: { name: 'vmi-web', namespace: NS, annotations: { 'vmoperator.openpacific.io/guest-ports': '22,8080' } },
    spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } },
  },
  // The guest listens on 8080; nothing ever listens on 9999.
  vm('serving', 8080),
  vm('never', 9999),
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name: 'web', namespace: NS }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] } },
];

/** A VM's readinessProbe with kubectl: the prober's Ready condition, and the VirtualMachineService's Endpoints. */
describe('virtual machine readiness probes', () => {
  let cluster: TestCluster;
  const getJson = async (args: string[]) => {
    const r = await cluster.kubectl(['get', ...args, '-n', NS, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };
  const readyOf = async (name: string) => (await getJson(['vm', name])).status?.conditions?.find((c: any) => c.type === 'Ready');

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vmready', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a probe port out of range and a probe of two kinds with 422 naming the field, writing nothing', async () => {
    const bad = vm('bad-port', 70000);
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.readinessProbe.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    const two = vm('two-kinds', 22);
    (two.spec.readinessProbe as any).guestHeartbeat = { thresholdStatus: 'green' };
    const r2 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(two) });
    expect(r2.stderr).toContain('spec.readinessProbe: Forbidden: only one action can be specified');
    const listed = await cluster.kubectl(['get', 'vm', '-n', NS, '-o', 'name']);
    expect(listed.stdout).toBe('');
  });

  it('makes the VM whose probe connects Ready and keeps the other NotReady', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: setup }) });
    expect(applied.stderr).toBe('');
    await eventually(async () => expect(await readyOf('serving')).toMatchObject({ status: 'True', reason: 'True' }), { timeoutMs: 60_000 });
    await eventually(async () => {
      const never = await getJson(['vm', 'never']);
      expect(never.status.network?.primaryIP4).toMatch(/^127\./);
      expect(never.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NotReady', message: expect.stringContaining(':9999: connection refused') });
    }, { timeoutMs: 60_000 });
  });

  it('lists only the ready VM in the service Endpoints, the other as not ready', async () => {
    const serving = (await getJson(['vm', 'serving'])).status.network.primaryIP4;
    const never = (await getJson(['vm', 'never'])).status.network.primaryIP4;
    await eventually(async () => {
      const ep = await getJson(['endpoints', 'web']);
      expect(ep.subsets).toEqual([
        {
          addresses: [expect.objectContaining({ ip: serving, targetRef: expect.objectContaining({ kind: 'VirtualMachine', name: 'serving' }) })],
          notReadyAddresses: [expect.objectContaining({ ip: never, targetRef: expect.objectContaining({ name: 'never' }) })],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ]);
    }, { timeoutMs: 30_000 });
    const table = (await cluster.kubectl(['get', 'endpoints', 'web', '-n', NS])).stdout;
    expect(table).toMatch(new RegExp(`^web\\s+${serving.replace(/\./g, '\\.')}:8080\\s+\\S+`, 'm'));
  });

  it('makes a VM Ready once its guest sets the guestinfo key its probe reads, and keeps one probing an unset key NotReady', async () => {
    const guestInfoVm = (name: string, cloudInit: any, key: string) => ({
      apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachine', metadata: { name, namespace: NS, labels: { app: 'info' } },
      spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy', bootstrap: { cloudInit }, readinessProbe: { guestInfo: [{ key, value: 'true' }], periodSeconds: 1 } },
    });
    const items = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ready-data', namespace: NS }, stringData: { 'user-data': '#cloud-config\nruncmd:\n  - echo booted\n  - vmware-rpctool "info-set guestinfo.ready true"\n' } },
      // The user data as a Secret, its runcmd line a string; inline, an argv list.
      guestInfoVm('published', { rawCloudConfig: { name: 'ready-data', key: 'user-data' } }, 'ready'),
      guestInfoVm('unpublished', { cloudConfig: { runcmd: [['vmware-rpctool', 'info-set guestinfo.ready true']] } }, 'never-set'),
    ];
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    expect(applied.stderr).toBe('');
    await eventually(async () => expect(await readyOf('published')).toMatchObject({ status: 'True', reason: 'True' }), { timeoutMs: 60_000 });
    await eventually(async () => {
      const vm = await getJson(['vm', 'unpublished']);
      expect(vm.metadata.annotations['vmoperator.openpacific.io/guestinfo']).toBe('{"guestinfo.ready":"true"}');
      expect(vm.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NotReady', message: 'guestinfo.never-set is not set' });
    }, { timeoutMs: 60_000 });
  });

  it("refuses a user who may edit the VM a forged guestinfo annotation, so the probe still judges the host's report", async () => {
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'developer-edit', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'developer' }],
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(binding) })).stderr).toBe('');
    const developer = readFileSync(join(cluster.dataDir, 'user-tokens', 'developer.token'), 'utf8').trim();
    const before = await getJson(['vm', 'unpublished']);
    const forged = await cluster.kubectl(['annotate', 'vm', 'unpublished', '-n', NS, '--overwrite', `--token=${developer}`, 'vmoperator.openpacific.io/guestinfo={"guestinfo.never-set":"true"}']);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain('metadata.annotations[vmoperator.openpacific.io/guestinfo]: Forbidden: modifying this annotation is restricted to privileged users');
    // Its own annotations are still the user's to set.
    expect((await cluster.kubectl(['annotate', 'vm', 'unpublished', '-n', NS, `--token=${developer}`, 'example.com/owner=dev'])).code).toBe(0);
    const after = await getJson(['vm', 'unpublished']);
    expect(after.metadata.annotations['vmoperator.openpacific.io/guestinfo']).toBe(before.metadata.annotations['vmoperator.openpacific.io/guestinfo']);
    expect(after.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', message: 'guestinfo.never-set is not set' });
  });

  it('writes the condition once, not on every probe', async () => {
    const before = (await getJson(['vm', 'never'])).metadata.resourceVersion;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await getJson(['vm', 'never'])).metadata.resourceVersion).toBe(before);
    const events = await getJson(['events', '--field-selector', 'involvedObject.name=never']);
    expect(events.items.filter((e: any) => e.reason === 'NotReady')).toHaveLength(1);
  });
});
