import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlJson } from './support/kubectl-json';

const NS = 'cl-items';
const VMOP = 'vmoperator.vmware.com/v1alpha5';
const REGISTRY = 'imageregistry.vmware.com/v1alpha1';

const vm = (name: string, imageName: string) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS },
  spec: { className: 'small', imageName, storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' },
});

const setup = [
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  {
    apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage',
    metadata: { name: 'vmi-web', namespace: NS },
    spec: { providerRef: { apiVersion: REGISTRY, kind: 'ContentLibraryItem', name: 'clitem-web' } },
  },
  { apiVersion: REGISTRY, kind: 'ContentLibrary', metadata: { name: 'team-lib', namespace: NS, labels: { 'imageregistry.vmware.com/default': '' } }, spec: { uuid: '5b7e0f3c-8a21-4d6e-b1f0-2c9d8e7a6b54', writable: true } },
  vm('web-1', 'vmi-web'),
];

const header = (table: string) => table.split('\n')[0].split(/\s+/).filter(Boolean);

/** Content library items and the cluster content library, as a vSphere Supervisor serves them, kept in step with the images. */
describe('content library items', () => {
  let cluster: TestCluster;
  const apply = (obj: any) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const getJson = (args: string[]) => kubectlJson(cluster, ['get', ...args]);
  const gone = async (args: string[]) => expect((await cluster.kubectl(['get', ...args, '-o', 'name'])).stderr).toContain('NotFound');

  beforeAll(async () => {
    cluster = await startCluster({ label: 'clitems', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    expect((await apply({ apiVersion: 'v1', kind: 'List', items: setup })).stderr).toBe('');
    const patched = await cluster.kubectl(['patch', 'vmi', 'vmi-web', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { name: 'web', osInfo: { type: 'ubuntu64Guest' }, disks: [{ capacity: '20Gi', size: '2Gi' }] } })]);
    expect(patched.stderr).toBe('');
    await eventually(async () => expect((await getJson(['vm', 'web-1', '-n', NS])).status?.uniqueID).toBeTruthy(), { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves the three kinds with their short names and the CRDs\' printer columns', async () => {
    const resources = (await cluster.kubectl(['api-resources', '--api-group=imageregistry.vmware.com', '-o', 'wide'])).stdout;
    expect(resources).toMatch(/^contentlibraryitems\s+clitem\s+imageregistry\.vmware\.com\/v1alpha1\s+true\s+ContentLibraryItem/m);
    expect(resources).toMatch(/^clustercontentlibraries\s+cclib,ccl\s+imageregistry\.vmware\.com\/v1alpha1\s+false\s+ClusterContentLibrary/m);
    expect(resources).toMatch(/^clustercontentlibraryitems\s+cclitem\s+imageregistry\.vmware\.com\/v1alpha1\s+false\s+ClusterContentLibraryItem/m);
    const explained = await cluster.kubectl(['explain', 'clitem.status', '--recursive']);
    expect(explained.stdout).toMatch(/^\s+contentLibraryRef\s+<Object>$/m);
  });

  it("gives a namespaced image its item, following the image's name and disks", async () => {
    await eventually(async () => {
      const item = await getJson(['clitem', 'clitem-web', '-n', NS]);
      expect(item.status).toMatchObject({ name: 'web', type: 'OVF', cached: true, contentVersion: '1', sizeInBytes: String(2 * 1024 ** 3), fileInfo: [{ name: 'disk-0.vmdk', sizeInBytes: '2Gi' }] });
      expect(conditionOf(item, 'Ready')).toMatchObject({ status: 'True' });
      expect(item.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'vm-operator' });
    }, { timeoutMs: 30_000 });
    const image = await getJson(['vmi', 'vmi-web', '-n', NS]);
    expect(image.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: REGISTRY, kind: 'ContentLibraryItem', name: 'clitem-web', controller: true })]);
    const table = (await cluster.kubectl(['get', 'clitem', '-n', NS])).stdout;
    expect(header(table)).toEqual(['NAME', 'VSPHERENAME', 'CONTENTLIBRARYREF', 'TYPE', 'READY', 'CACHED', 'SIZEINBYTES', 'SECURITYCOMPLIANT', 'AGE']);
    expect(table).toMatch(/^clitem-web\s+web\s+OVF\s+True\s+true\s+2147483648\s+\S+$/m);
  });

  it("puts a published VM's item in the request's library, and the image's providerRef names an item that exists", async () => {
    const vmpub = { apiVersion: VMOP, kind: 'VirtualMachinePublishRequest', metadata: { name: 'web-1', namespace: NS }, spec: { target: { item: { name: 'web-golden', description: 'configured web server' } } } };
    expect((await apply(vmpub)).stderr).toBe('');
    await eventually(async () => expect(conditionOf(await getJson(['vmpub', 'web-1', '-n', NS]), 'Complete')).toMatchObject({ status: 'True' }), { timeoutMs: 30_000 });
    const imageName = (await getJson(['vmpub', 'web-1', '-n', NS])).status.imageName;
    const ref = await cluster.kubectl(['get', 'vmi', imageName, '-n', NS, '-o', 'jsonpath={.spec.providerRef}']);
    expect(ref.stderr).toBe('');
    const providerRef = JSON.parse(ref.stdout);
    expect(providerRef).toMatchObject({ kind: 'ContentLibraryItem', name: expect.stringMatching(/^clitem-[0-9a-f]{17}$/) });
    await eventually(async () => {
      const item = await getJson(['clitem', providerRef.name, '-n', NS]);
      expect(item.status).toMatchObject({ name: 'web-golden', description: 'configured web server', contentLibraryRef: { kind: 'ContentLibrary', name: 'team-lib' }, type: 'OVF', cached: true });
      expect(item.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ContentLibrary', name: 'team-lib', controller: true })]);
    }, { timeoutMs: 30_000 });
    const table = (await cluster.kubectl(['get', 'clitem', '-n', NS])).stdout;
    expect(table).toMatch(new RegExp(`^${providerRef.name}\\s+web-golden\\s+team-lib\\s+OVF\\s+True\\s+true\\s+`, 'm'));
  });

  it('gives a cluster image an item in the cluster library the system provides, keeping its name', async () => {
    const cvmi = { apiVersion: VMOP, kind: 'ClusterVirtualMachineImage', metadata: { name: 'photon-5' } };
    expect((await apply(cvmi)).stderr).toBe('');
    let itemName = '';
    await eventually(async () => {
      const ref = await cluster.kubectl(['get', 'cvmi', 'photon-5', '-o', 'jsonpath={.spec.providerRef}']);
      const providerRef = JSON.parse(ref.stdout || '{}');
      expect(providerRef).toMatchObject({ apiVersion: REGISTRY, kind: 'ClusterContentLibraryItem', name: expect.stringMatching(/^clitem-[0-9a-f]{17}$/) });
      itemName = providerRef.name;
      await getJson(['cclitem', itemName]);
    }, { timeoutMs: 30_000 });
    const libraries = await getJson(['cclib']);
    expect(libraries.items).toHaveLength(1);
    const library = libraries.items[0];
    expect(library.metadata.name).toMatch(/^cl-[0-9a-f]{17}$/);
    expect(library.status).toMatchObject({ type: 'Local' });
    const item = await getJson(['cclitem', itemName]);
    expect(item.status).toMatchObject({ name: itemName, type: 'OVF', cached: true, contentLibraryRef: { kind: 'ClusterContentLibrary', name: library.metadata.name } });
    const items = (await cluster.kubectl(['get', 'cclitem'])).stdout;
    expect(header(items)).toEqual(['NAME', 'VSPHERENAME', 'CLUSTERCONTENTLIBRARYREF', 'TYPE', 'READY', 'CACHED', 'SIZEINBYTES', 'SECURITYCOMPLIANT', 'AGE']);
    expect(items).toMatch(new RegExp(`^${itemName}\\s+${itemName}\\s+${library.metadata.name}\\s+OVF\\s+True\\s+true\\s+`, 'm'));
    const libs = (await cluster.kubectl(['get', 'ccl'])).stdout;
    expect(header(libs)).toEqual(['NAME', 'VSPHERENAME', 'TYPE', 'STORAGETYPE', 'AGE']);
    expect(libs).toMatch(new RegExp(`^${library.metadata.name}\\s+Cluster VM Images\\s+Local\\s+\\S+$`, 'm'));
    expect((await cluster.kubectl(['get', 'cvmi', 'photon-5', '-o', 'name'])).stdout.trim()).toBe('clustervirtualmachineimage.vmoperator.vmware.com/photon-5');
  });

  it('refuses an item without spec.uuid with 422 naming the field, writing nothing', async () => {
    const r = await apply({ apiVersion: REGISTRY, kind: 'ContentLibraryItem', metadata: { name: 'no-uuid', namespace: NS }, spec: {} });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.uuid: Required value');
    await gone(['clitem', 'no-uuid', '-n', NS]);
  });

  it('leaves alone an item a user made, and the image that names it', async () => {
    const hand = { apiVersion: REGISTRY, kind: 'ContentLibraryItem', metadata: { name: 'clitem-hand', namespace: NS }, spec: { uuid: '0e4d2c1b-3a59-4f68-8e7d-6c5b4a392817' } };
    expect((await apply(hand)).stderr).toBe('');
    const before = await getJson(['clitem', 'clitem-hand', '-n', NS]);
    const image = { apiVersion: VMOP, kind: 'VirtualMachineImage', metadata: { name: 'vmi-hand', namespace: NS }, spec: { providerRef: { apiVersion: REGISTRY, kind: 'ContentLibraryItem', name: 'clitem-hand' } } };
    expect((await apply(image)).stderr).toBe('');
    // A cluster image written after it has its item: the controller has been past the hand-made one.
    expect((await apply({ apiVersion: VMOP, kind: 'ClusterVirtualMachineImage', metadata: { name: 'marker' } })).stderr).toBe('');
    await eventually(async () => {
      const ref = JSON.parse((await cluster.kubectl(['get', 'cvmi', 'marker', '-o', 'jsonpath={.spec.providerRef}'])).stdout || '{}');
      expect(ref.name).toBeTruthy();
      await getJson(['cclitem', ref.name]);
    }, { timeoutMs: 30_000 });
    const after = await getJson(['clitem', 'clitem-hand', '-n', NS]);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.status).toBeUndefined();
    expect((await getJson(['vmi', 'vmi-hand', '-n', NS])).metadata.ownerReferences).toBeUndefined();
  });

  it("deletes an item with its image, a library's items and their images with the library, a cluster image's item with it", async () => {
    expect((await cluster.kubectl(['delete', 'vmi', 'vmi-web', '-n', NS])).code).toBe(0);
    await eventually(() => gone(['clitem', 'clitem-web', '-n', NS]), { timeoutMs: 30_000 });

    const imageName = (await getJson(['vmpub', 'web-1', '-n', NS])).status.imageName;
    const itemName = (await getJson(['vmi', imageName, '-n', NS])).spec.providerRef.name;
    expect((await cluster.kubectl(['delete', 'cl', 'team-lib', '-n', NS])).code).toBe(0);
    await eventually(async () => {
      await gone(['clitem', itemName, '-n', NS]);
      await gone(['vmi', imageName, '-n', NS]);
    }, { timeoutMs: 30_000 });

    const cclitem = (await getJson(['cvmi', 'photon-5'])).spec.providerRef.name;
    expect((await cluster.kubectl(['delete', 'cvmi', 'photon-5'])).code).toBe(0);
    await eventually(() => gone(['cclitem', cclitem]), { timeoutMs: 30_000 });
    // The hand-made item stays.
    expect((await getJson(['clitem', 'clitem-hand', '-n', NS])).metadata.name).toBe('clitem-hand');
  });
});
