import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlJson } from './support/kubectl-json';

const NS = 'vm-pub';
const VMOP = 'vmoperator.vmware.com/v1alpha5';

const vm = (name: string, imageName: string) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS },
  spec: { className: 'small', imageName, storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' },
});

const vmpub = (name: string, spec: any) => ({ apiVersion: VMOP, kind: 'VirtualMachinePublishRequest', metadata: { name, namespace: NS }, spec });

const setup = [
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  {
    apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage',
    metadata: { name: 'vmi-web', namespace: NS, annotations: { 'vmoperator.openpacific.io/guest-ports': '22,8080' } },
    spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } },
  },
  { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibrary', metadata: { name: 'team-lib', namespace: NS, labels: { 'imageregistry.vmware.com/default': '' } }, spec: { uuid: '7c1e1f9a-2b11-4c1d-9d7e-0b2f8a1d6c01', writable: true } },
  vm('web-1', 'vmi-web'),
];

/** Publishing a VM as a new image of a content library with kubectl, and deploying a VM from that image. */
describe('virtual machine publish requests', () => {
  let cluster: TestCluster;
  const getJson = (args: string[]) => kubectlJson(cluster, ['get', ...args, '-n', NS]);
  const apply = (obj: any) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const condition = conditionOf;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vmpub', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    const applied = await apply({ apiVersion: 'v1', kind: 'List', items: setup });
    expect(applied.stderr).toBe('');
    const patched = await cluster.kubectl(['patch', 'vmi', 'vmi-web', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { name: 'web', firmware: 'efi', osInfo: { type: 'ubuntu64Guest', version: '22.04' } } })]);
    expect(patched.stderr).toBe('');
    await eventually(async () => expect((await getJson(['vm', 'web-1'])).status?.uniqueID).toBeTruthy(), { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a source that is not a VirtualMachine with 422 naming the field, writing nothing', async () => {
    const r = await apply(vmpub('bad', { source: { name: 'web-1', kind: 'Pod' } }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.source.kind: Unsupported value: "Pod": supported values: "VirtualMachine", ""');
    const listed = await cluster.kubectl(['get', 'vmpub', '-n', NS, '-o', 'name']);
    expect(listed.stdout).toBe('');
  });

  it('publishes the VM into the default library as a new image, complete and ready', async () => {
    expect((await apply(vmpub('web-1', { target: { item: { name: 'web-golden', description: 'configured web server' } } }))).stderr).toBe('');
    await eventually(async () => expect(condition(await getJson(['vmpub', 'web-1']), 'Complete')).toMatchObject({ status: 'True' }), { timeoutMs: 30_000 });
    const req = await getJson(['vmpub', 'web-1']);
    expect(req.status).toMatchObject({
      ready: true,
      attempts: 1,
      sourceRef: { name: 'web-1', kind: 'VirtualMachine' },
      targetRef: { item: { name: 'web-golden' }, location: { name: 'team-lib', kind: 'ContentLibrary', apiVersion: 'imageregistry.vmware.com/v1alpha1' } },
      imageName: expect.stringMatching(/^vmi-[0-9a-f]{17}$/),
    });
    expect(req.status.completionTime).toBeTruthy();
    expect(req.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['Complete=True', 'ImageAvailable=True', 'SourceValid=True', 'TargetValid=True', 'Uploaded=True']);

    const table = (await cluster.kubectl(['get', 'vmpub', '-n', NS])).stdout;
    expect(table.split('\n')[0].split(/\s+/).filter(Boolean)).toEqual(['NAME', 'AGE']);
    expect(table).toMatch(/^web-1\s+\S+$/m);
    const explained = await cluster.kubectl(['explain', 'vmpub.spec.target', '--recursive']);
    expect(explained.stdout).toMatch(/^\s+location\s+<Object>$/m);

    const image = await getJson(['vmi', req.status.imageName]);
    expect(image.spec.providerRef).toMatchObject({ kind: 'ContentLibraryItem', name: expect.stringMatching(/^clitem-/) });
    expect(image.status).toMatchObject({ name: 'web-golden', firmware: 'efi', osInfo: { type: 'ubuntu64Guest', version: '22.04' } });
    const images = (await cluster.kubectl(['get', 'vmi', '-n', NS])).stdout;
    expect(images).toMatch(new RegExp(`^${req.status.imageName}\\s+web-golden\\s+`, 'm'));
  });

  it('powers on a VM deployed from the published image', async () => {
    expect((await apply(vm('web-2', 'web-golden'))).stderr).toBe('');
    await eventually(async () => expect((await getJson(['vm', 'web-2'])).status?.powerState).toBe('PoweredOn'), { timeoutMs: 60_000 });
  });

  it('refuses changing the target of a request with 422', async () => {
    const r = await apply(vmpub('web-1', { target: { item: { name: 'other-name' } } }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.target: Invalid value');
    expect(r.stderr).toContain('field is immutable');
  });

  it('keeps a request for a missing VM not ready, with the source condition saying why', async () => {
    expect((await apply(vmpub('ghost', {}))).stderr).toBe('');
    await eventually(async () => {
      const req = await getJson(['vmpub', 'ghost']);
      expect(condition(req, 'SourceValid')).toMatchObject({ status: 'False', reason: 'SourceVirtualMachineNotExist' });
      expect(condition(req, 'Complete')).toMatchObject({ status: 'False', reason: 'HasNotBeenUploaded' });
      expect(condition(req, 'Uploaded')).toBeUndefined();
      expect(req.status.ready).toBeUndefined();
    }, { timeoutMs: 30_000 });
  });

  it('keeps a request into a read-only library not ready, and serves requests at v1alpha2 and v1alpha1', async () => {
    const ro = { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibrary', metadata: { name: 'ro-lib', namespace: NS }, spec: { uuid: '0d6f3b0e-5a7c-4a8e-9c1b-3f2e1d0c9b8a', writable: false } };
    expect((await apply(ro)).stderr).toBe('');
    expect((await apply(vmpub('to-ro', { source: { name: 'web-1' }, target: { location: { name: 'ro-lib' } } }))).stderr).toBe('');
    await eventually(async () => {
      const req = await getJson(['vmpub', 'to-ro']);
      expect(condition(req, 'TargetValid')).toMatchObject({ status: 'False', reason: 'TargetContentLibraryNotWritable', message: 'target location ro-lib is not writable' });
      expect(req.status.targetRef.item.name).toBe('web-1-image');
    }, { timeoutMs: 30_000 });
    const old = await getJson(['virtualmachinepublishrequests.v1alpha2.vmoperator.vmware.com', 'web-1']);
    expect(old.apiVersion).toBe('vmoperator.vmware.com/v1alpha2');
    expect(old.status.ready).toBe(true);
    const oldest = await getJson(['virtualmachinepublishrequests.v1alpha1.vmoperator.vmware.com', 'web-1']);
    expect(oldest.apiVersion).toBe('vmoperator.vmware.com/v1alpha1');
    expect(condition(oldest, 'Complete')).toMatchObject({ status: 'True' });
  });

  it('refuses an item name the library already holds, and deletes a finished request after its TTL', async () => {
    expect((await apply(vmpub('again', { source: { name: 'web-1' }, target: { item: { name: 'web-golden' } } }))).stderr).toBe('');
    await eventually(async () => expect(condition(await getJson(['vmpub', 'again']), 'TargetValid')).toMatchObject({ status: 'False', reason: 'TargetItemAlreadyExists' }), { timeoutMs: 30_000 });
    expect((await apply(vmpub('short-lived', { source: { name: 'web-1' }, target: { item: { name: 'web-v2' } }, ttlSecondsAfterFinished: 1 }))).stderr).toBe('');
    await eventually(async () => {
      const r = await cluster.kubectl(['get', 'vmpub', 'short-lived', '-n', NS, '-o', 'name']);
      expect(r.stderr).toContain('NotFound');
    }, { timeoutMs: 30_000 });
    const images = await getJson(['vmi']);
    expect(images.items.map((i: any) => i.status?.name)).toContain('web-v2');
  });
});
