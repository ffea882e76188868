import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlJson } from './support/kubectl-json';

const NS = 'vm-snap';
const VMOP = 'vmoperator.vmware.com/v1alpha5';

const vm = (name: string, spec: any = {}) => ({
  apiVersion: VMOP,
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS },
  spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn', ...spec },
});

const snapshot = (name: string, spec: any) => ({ apiVersion: VMOP, kind: 'VirtualMachineSnapshot', metadata: { name, namespace: NS }, spec });

const setup = [
  { apiVersion: VMOP, kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  { apiVersion: VMOP, kind: 'VirtualMachineClass', metadata: { name: 'large', namespace: NS }, spec: { hardware: { cpus: 2, memory: '2Gi' } } },
  { apiVersion: VMOP, kind: 'VirtualMachineImage', metadata: { name: 'vmi-web', namespace: NS }, spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } } },
  vm('web-1'),
];

/** Snapshots of a VM with kubectl: taking them, the tree they form, reverting the VM to one, deleting them. */
describe('virtual machine snapshots', () => {
  let cluster: TestCluster;
  const getJson = (args: string[]) => kubectlJson(cluster, ['get', ...args, '-n', NS]);
  const apply = (obj: any) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const patchVm = (spec: any) => cluster.kubectl(['patch', 'vm', 'web-1', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec })]);
  const condition = conditionOf;
  const ref = (name: string) => ({ type: 'Managed', name });
  const readySnapshot = (name: string) =>
    eventually(async () => expect(condition(await getJson(['vmsnapshot', name]), 'VirtualMachineSnapshotReady')).toMatchObject({ status: 'True' }), { timeoutMs: 30_000 });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vmsnap', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    expect((await apply({ apiVersion: 'v1', kind: 'List', items: setup })).stderr).toBe('');
    await eventually(async () => expect((await getJson(['vm', 'web-1'])).status).toMatchObject({ uniqueID: expect.any(String), powerState: 'PoweredOn' }), { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a snapshot without vmName, and a new VM that names a current snapshot, with 422, writing nothing', async () => {
    const r = await apply(snapshot('nameless', { memory: true }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.vmName: Required value: vmName must be provided');
    expect((await cluster.kubectl(['get', 'vmsnapshot', '-n', NS, '-o', 'name'])).stdout).toBe('');
    const born = await apply(vm('web-9', { currentSnapshotName: 'snap-1' }));
    expect(born.stderr).toContain('spec.currentSnapshotName: Forbidden: creating VM with current snapshot is not allowed');
  });

  it('takes a memory snapshot of the running VM: Ready, owned by the VM, the root and current snapshot of its tree', async () => {
    expect((await apply(snapshot('snap-1', { vmName: 'web-1', memory: true, description: 'small and running' }))).stderr).toBe('');
    await readySnapshot('snap-1');
    const snap = await getJson(['vmsnapshot', 'snap-1']);
    expect(snap.metadata.labels).toEqual({ 'snapshot.vmoperator.vmware.com/vm-name': 'web-1' });
    expect(snap.metadata.finalizers).toEqual(['vmoperator.vmware.com/virtualmachinesnapshot']);
    const web = await getJson(['vm', 'web-1']);
    expect(snap.metadata.ownerReferences).toEqual([{ apiVersion: VMOP, kind: 'VirtualMachine', name: 'web-1', uid: web.metadata.uid }]);
    expect(snap.status).toMatchObject({ powerState: 'PoweredOn', uniqueID: expect.stringMatching(/^snapshot-\d+$/), storage: { requested: [{ storageClass: 'vsan-default-storage-policy', total: '1Gi' }] } });
    expect(snap.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['VirtualMachineSnapshotCSISynced=True', 'VirtualMachineSnapshotCreated=True', 'VirtualMachineSnapshotReady=True']);
    expect(web.status).toMatchObject({ currentSnapshot: ref('snap-1'), rootSnapshots: [ref('snap-1')] });
    const table = (await cluster.kubectl(['get', 'vmsnapshot', '-n', NS])).stdout;
    expect(table).toMatch(/^NAME\s+AGE\nsnap-1\s+\S+\n$/);
    const byVm = await cluster.kubectl(['get', 'vmsnapshot', '-n', NS, '-l', 'snapshot.vmoperator.vmware.com/vm-name=web-1', '-o', 'name']);
    expect(byVm.stdout).toBe('virtualmachinesnapshot.vmoperator.vmware.com/snap-1\n');
    const explained = await cluster.kubectl(['explain', 'vmsnapshot.spec']);
    expect(explained.stdout).toMatch(/^\s+vmName\s+<string>$/m);
  });

  it('takes a second snapshot of the resized, powered-off VM as a child of the first', async () => {
    expect((await patchVm({ powerState: 'PoweredOff', className: 'large' })).stderr).toBe('');
    // Labelled and annotated after snap-1: reverting to it takes them off again.
    expect((await cluster.kubectl(['label', 'vm', 'web-1', '-n', NS, 'release=v2'])).code).toBe(0);
    expect((await cluster.kubectl(['annotate', 'vm', 'web-1', '-n', NS, 'example.com/note=resized'])).code).toBe(0);
    await eventually(async () => expect((await getJson(['vm', 'web-1'])).status).toMatchObject({ powerState: 'PoweredOff', class: { name: 'large' } }), { timeoutMs: 30_000 });
    expect((await apply(snapshot('snap-2', { vmName: 'web-1' }))).stderr).toBe('');
    await readySnapshot('snap-2');
    expect((await getJson(['vmsnapshot', 'snap-2'])).status.powerState).toBe('PoweredOff');
    expect((await getJson(['vmsnapshot', 'snap-1'])).status.children).toEqual([ref('snap-2')]);
    expect((await getJson(['vm', 'web-1'])).status).toMatchObject({ currentSnapshot: ref('snap-2'), rootSnapshots: [ref('snap-1')] });
  });

  it('reverts the VM to the first snapshot: its class and running state come back, with a Reverted Event', async () => {
    expect((await patchVm({ currentSnapshotName: 'snap-1' })).stderr).toBe('');
    await eventually(async () => {
      const web = await getJson(['vm', 'web-1']);
      expect(web.spec.currentSnapshotName).toBeUndefined();
      expect(web.spec).toMatchObject({ className: 'small', powerState: 'PoweredOn' });
      expect(web.status).toMatchObject({ powerState: 'PoweredOn', class: { name: 'small' }, currentSnapshot: ref('snap-1') });
      expect(web.metadata.labels?.release).toBeUndefined();
      expect(web.metadata.annotations?.['example.com/note']).toBeUndefined();
    }, { timeoutMs: 30_000 });
    const events = await cluster.kubectl(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=VirtualMachine,involvedObject.name=web-1,reason=Reverted', '-o', 'jsonpath={.items[*].message}']);
    expect(events.stdout).toBe('Reverted to snapshot "snap-1"');
  });

  it('lets only a snapshot’s description change', async () => {
    const r = await apply(snapshot('snap-1', { vmName: 'web-1', memory: false, description: 'small and running' }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.memory: Invalid value: false: field is immutable');
    expect((await apply(snapshot('snap-1', { vmName: 'web-1', memory: true, description: 'the good one' }))).stderr).toBe('');
  });

  it('says why a snapshot of a missing VM is not ready, and why the VM cannot revert to it or to a missing one', async () => {
    expect((await apply(snapshot('ghost-1', { vmName: 'ghost' }))).stderr).toBe('');
    await eventually(async () => {
      const snap = await getJson(['vmsnapshot', 'ghost-1']);
      expect(condition(snap, 'VirtualMachineSnapshotCreated')).toMatchObject({ status: 'False', reason: 'VirtualMachineSnapshotCreationFailed', message: `failed to get VirtualMachine "${NS}/ghost": virtualmachines.vmoperator.vmware.com "ghost" not found` });
      expect(condition(snap, 'VirtualMachineSnapshotReady')).toMatchObject({ status: 'False', reason: 'VirtualMachineSnapshotWaitingForCreation' });
    }, { timeoutMs: 30_000 });

    expect((await patchVm({ currentSnapshotName: 'ghost-1' })).stderr).toBe('');
    await eventually(async () => {
      expect(condition(await getJson(['vm', 'web-1']), 'VirtualMachineSnapshotRevertSucceeded')).toMatchObject({
        status: 'False', reason: 'VirtualMachineSnapshotRevertFailed', message: 'failed to find vSphere snapshot "ghost-1": virtual machine "web-1" has no snapshot by that name',
      });
    }, { timeoutMs: 30_000 });
    const again = await patchVm({ currentSnapshotName: 'nope' });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('spec.currentSnapshotName: Forbidden: a snapshot revert is already in progress');

    expect((await patchVm({ currentSnapshotName: null })).stderr).toBe('');
    expect((await patchVm({ currentSnapshotName: 'nope' })).stderr).toBe('');
    await eventually(async () => {
      expect(condition(await getJson(['vm', 'web-1']), 'VirtualMachineSnapshotRevertSucceeded')).toMatchObject({ reason: 'VirtualMachineSnapshotRevertFailed', message: 'failed to get snapshot object "nope": virtualmachinesnapshots.vmoperator.vmware.com "nope" not found' });
    }, { timeoutMs: 30_000 });
    expect((await patchVm({ currentSnapshotName: null })).stderr).toBe('');
    await eventually(async () => expect(condition(await getJson(['vm', 'web-1']), 'VirtualMachineSnapshotRevertSucceeded')).toBeUndefined(), { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['delete', 'vmsnapshot', 'ghost-1', '-n', NS])).code).toBe(0);
  });

  it('moves a deleted snapshot’s children up, and deletes the remaining snapshots with their VM', async () => {
    expect((await cluster.kubectl(['delete', 'vmsnapshot', 'snap-1', '-n', NS])).code).toBe(0);
    await eventually(async () => {
      const web = await getJson(['vm', 'web-1']);
      expect(web.status.rootSnapshots).toEqual([ref('snap-2')]);
      expect(web.status.currentSnapshot).toBeUndefined();
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['delete', 'vm', 'web-1', '-n', NS])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'vmsnapshot', '-n', NS, '-o', 'name'])).stdout).toBe(''), { timeoutMs: 60_000 });
  });
});
