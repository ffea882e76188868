import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlJson } from './support/kubectl-json';

const NS = 'vm-group';
const VMOP = 'vmoperator.vmware.com/v1alpha5';
const STAMP = 'vmoperator.vmware.com.protected/last-updated-power-state-time';
const APPLY = 'vmoperator.vmware.com.protected/apply-power-state-time';
const DELAY_MS = 4000;

const vm = (name: string) => ({
  apiVersion: VMOP,
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS },
  spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOff', groupName: 'app' },
});

const group = (name: string, spec: any) => ({ apiVersion: VMOP, kind: 'VirtualMachineGroup', metadata: { name, namespace: NS }, spec });
const appSpec = { bootOrder: [{ members: [{ name: 'db-1', kind: 'VirtualMachine' }] }, { members: [{ name: 'web-1' }], powerOnDelay: `${DELAY_MS / 1000}s` }] };

const setup = [
  { apiVersion: VMOP, kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  { apiVersion: VMOP, kind: 'VirtualMachineImage', metadata: { name: 'vmi-web', namespace: NS }, spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } } },
  vm('db-1'),
];

/** Whole seconds: Events keep their time to the second, so an Event at or after `ms` shows at least its second. */
const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/** A VirtualMachineGroup of two VMs with kubectl: linking, boot order with a delay, powering off, validation, deletion. */
describe('virtual machine groups', () => {
  let cluster: TestCluster;
  const getJson = (args: string[]) => kubectlJson(cluster, ['get', ...args, '-n', NS]);
  const apply = (obj: any) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const patchGroup = (spec: any) => cluster.kubectl(['patch', 'vmg', 'app', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec })]);
  const condition = conditionOf;
  const member = (g: any, name: string) => g.status?.members?.find((m: any) => m.name === name);
  const poweredOnAt = async (name: string) => {
    const events = await getJson(['events', '--field-selector', `involvedObject.name=${name},reason=PoweredOn`]);
    expect(events.items).toHaveLength(1);
    return Date.parse(events.items[0].lastTimestamp);
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vmgroup', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    expect((await apply({ apiVersion: 'v1', kind: 'List', items: setup })).stderr).toBe('');
    await eventually(async () => expect((await getJson(['vm', 'db-1'])).status).toMatchObject({ uniqueID: expect.any(String), powerState: 'PoweredOff' }), { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses duplicate members, unsupported kinds, self-reference and a bad force-sync time with 422s, writing nothing', async () => {
    const dup = await apply(group('bad', { bootOrder: [{ members: [{ name: 'db-1' }] }, { members: [{ name: 'db-1', kind: 'VirtualMachine' }] }] }));
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('The VirtualMachineGroup "bad" is invalid: spec.bootOrder[1].members[0]: Duplicate value: "VirtualMachine/db-1"');
    const kind = await apply(group('bad', { bootOrder: [{ members: [{ name: 'db-1', kind: 'Pod' }] }] }));
    expect(kind.stderr).toContain('spec.bootOrder[0].members[0].kind: Unsupported value: "Pod": supported values: "VirtualMachine", "VirtualMachineGroup"');
    const self = await apply(group('bad', { groupName: 'bad' }));
    expect(self.stderr).toContain('spec.groupName: Invalid value: "bad": group cannot have itself as a member or group name');
    const sync = await apply(group('bad', { nextForcePowerStateSyncTime: 'tomorrow' }));
    expect(sync.stderr).toContain('spec.nextForcePowerStateSyncTime: Invalid value: "tomorrow": may only be set to "now"');
    expect((await cluster.kubectl(['get', 'vmg', '-n', NS, '-o', 'name'])).stdout).toBe('');
  });

  it('links the VMs its boot order lists and that name it, reporting a member that does not exist yet', async () => {
    expect((await apply(group('app', { ...appSpec, powerState: 'PoweredOff' }))).stderr).toBe('');
    await eventually(async () => {
      const g = await getJson(['vmg', 'app']);
      expect(g.metadata.finalizers).toEqual(['vmoperator.vmware.com/virtualmachinegroup']);
      expect(member(g, 'db-1').conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['GroupLinked=True', 'PlacementReady=True', 'PowerStateSynced=True']);
      expect(member(g, 'web-1')).toMatchObject({ kind: 'VirtualMachine', conditions: [{ type: 'GroupLinked', status: 'False', reason: 'NotFound' }] });
      expect(condition(g, 'Ready')).toMatchObject({ status: 'False', reason: 'MembersNotReady', message: '1 of 2 members not ready: VirtualMachine/web-1 condition GroupLinked is False' });
    }, { timeoutMs: 30_000 });
    const [g, db] = [await getJson(['vmg', 'app']), await getJson(['vm', 'db-1'])];
    expect(db.metadata.ownerReferences).toEqual([{ apiVersion: VMOP, kind: 'VirtualMachineGroup', name: 'app', uid: g.metadata.uid }]);
    expect(condition(db, 'GroupLinked')).toMatchObject({ status: 'True' });
    expect((await cluster.kubectl(['get', 'vmg', '-n', NS])).stdout).toMatch(/^NAME\s+AGE\napp\s+\S+\n$/);

    expect((await apply(vm('web-1'))).stderr).toBe('');
    await eventually(async () => {
      const ready = await getJson(['vmg', 'app']);
      expect(member(ready, 'web-1')).toMatchObject({ powerState: 'PoweredOff' });
      expect(condition(ready, 'Ready')).toMatchObject({ status: 'True' });
    }, { timeoutMs: 60_000 });
  });

  it('powers on in boot order: the second entry not before its delay after the first', async () => {
    expect((await patchGroup({ powerState: 'PoweredOn' })).stderr).toBe('');
    await eventually(async () => {
      for (const name of ['db-1', 'web-1']) expect((await getJson(['vm', name])).status.powerState).toBe('PoweredOn');
      expect((await getJson(['vmg', 'app'])).status.lastUpdatedPowerStateTime).toBeDefined();
    }, { timeoutMs: 60_000 });
    const g = await getJson(['vmg', 'app']);
    const t0 = Date.parse(g.metadata.annotations[STAMP]);
    const [db, web] = [await getJson(['vm', 'db-1']), await getJson(['vm', 'web-1'])];
    expect(Date.parse(db.metadata.annotations[APPLY])).toBe(t0);
    expect(Date.parse(web.metadata.annotations[APPLY])).toBe(t0 + DELAY_MS);
    expect(await poweredOnAt('db-1')).toBeGreaterThanOrEqual(floorSecond(t0));
    expect(await poweredOnAt('web-1')).toBeGreaterThanOrEqual(floorSecond(t0 + DELAY_MS));
    expect(Date.parse(g.status.lastUpdatedPowerStateTime)).toBe(floorSecond(t0));
    expect(member(g, 'web-1')).toMatchObject({ powerState: 'PoweredOn', uid: web.metadata.uid });
  });

  it('powers off every member at once with its power-off mode, and refuses clearing the power state', async () => {
    expect((await patchGroup({ powerState: 'PoweredOff', powerOffMode: 'Hard' })).stderr).toBe('');
    await eventually(async () => {
      for (const name of ['db-1', 'web-1']) {
        const v = await getJson(['vm', name]);
        expect(v.spec).toMatchObject({ powerState: 'PoweredOff', powerOffMode: 'Hard' });
        expect(v.status.powerState).toBe('PoweredOff');
      }
      expect(condition(await getJson(['vmg', 'app']), 'Ready')).toMatchObject({ status: 'True' });
    }, { timeoutMs: 60_000 });
    const cleared = await cluster.kubectl(['patch', 'vmg', 'app', '-n', NS, '--type=json', '-p', '[{"op":"remove","path":"/spec/powerState"}]']);
    expect(cleared.stderr).toContain("spec.powerState: Forbidden: cannot set powerState to empty once it's been set");
  });

  it('deleted with --cascade=orphan, leaves its VMs, which lose the owner reference and are no longer linked', async () => {
    expect((await cluster.kubectl(['delete', 'vmg', 'app', '-n', NS, '--cascade=orphan'])).code).toBe(0);
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'vmg', '-n', NS, '-o', 'name'])).stdout).toBe('');
      for (const name of ['db-1', 'web-1']) {
        const v = await getJson(['vm', name]);
        expect(v.metadata.deletionTimestamp).toBeUndefined();
        expect(v.metadata.ownerReferences).toBeUndefined();
        expect(condition(v, 'GroupLinked')).toMatchObject({ status: 'False', reason: 'NotFound' });
      }
    }, { timeoutMs: 30_000 });
  });
});
