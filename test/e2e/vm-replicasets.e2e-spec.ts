import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const NS = 'vm-sets';
const SET_LABEL = 'vmoperator.vmware.com/replicaset-name';

const setup = [
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  {
    apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage',
    metadata: { name: 'vmi-web', namespace: NS },
    spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } },
  },
];

/** A VirtualMachineReplicaSet as written for the real VM Operator (v1alpha5, its template a VirtualMachineSpec). */
const replicaSet = (name: string, replicas: number, templateLabels: Record<string, string> = { app: name }) => `
apiVersion: vmoperator.vmware.com/v1alpha5
kind: VirtualMachineReplicaSet
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels: ${JSON.stringify(templateLabels)}
    spec:
      className: small
      imageName: vmi-web
      storageClass: vsan-default-storage-policy
`;

/** VirtualMachineReplicaSets with kubectl: VMs made from a template, scaled, replaced, and gone with their set. */
describe('virtual machine replica sets', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl([...args, '-n', NS], input === undefined ? undefined : { input });
  const vmsOf = async (set: string) => {
    const r = await kubectl(['get', 'vm', '-l', `${SET_LABEL}=${set}`, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout).items as any[];
  };
  const poweredOn = async (set: string, count: number) =>
    eventually(async () => {
      const vms = await vmsOf(set);
      expect(vms.filter((v) => !v.metadata.deletionTimestamp && v.status?.powerState === 'PoweredOn')).toHaveLength(count);
      expect(vms.filter((v) => !v.metadata.deletionTimestamp)).toHaveLength(count);
    }, { timeoutMs: 60_000 });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vmrs', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: setup }) });
    expect(applied.stderr).toBe('');
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a template whose labels the selector does not match with 422 naming the field, writing nothing', async () => {
    const r = await kubectl(['apply', '-f', '-'], replicaSet('bad', 1, { app: 'other' }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.template.metadata.labels: Invalid value: map[app:other]: must match spec.selector "app=bad"');
    const negative = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineReplicaSet', metadata: { name: 'neg' }, spec: { replicas: -1, selector: { matchLabels: { app: 'neg' } }, template: { metadata: { labels: { app: 'neg' } }, spec: { className: 'small', imageName: 'vmi-web' } } } };
    const posted = await cluster.request('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinereplicasets`, { body: negative });
    expect(posted.status).toBe(422);
    expect((await posted.json()).details.causes).toEqual([expect.objectContaining({ field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' })]);
    expect((await kubectl(['get', 'vmrs', '-o', 'name'])).stdout).toBe('');
  });

  it('makes the VMs of a set, named after it and owned by it, which power on; kubectl get vmrs shows them ready', async () => {
    const applied = await kubectl(['apply', '-f', '-'], replicaSet('web', 2));
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('virtualmachinereplicaset.vmoperator.vmware.com/web created');
    await poweredOn('web', 2);
    const vms = await vmsOf('web');
    const set = JSON.parse((await kubectl(['get', 'vmreplicaset', 'web', '-o', 'json'])).stdout);
    for (const vm of vms) {
      expect(vm.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(vm.metadata.labels).toMatchObject({ app: 'web', [SET_LABEL]: 'web' });
      expect(vm.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'VirtualMachineReplicaSet', name: 'web', uid: set.metadata.uid, controller: true })]);
    }
    await eventually(async () => {
      const table = (await kubectl(['get', 'vmrs'])).stdout;
      expect(table).toMatch(/^NAME\s+REPLICAS\s+READY\s+AGE\n/);
      expect(table).toMatch(/^web\s+2\s+2\s+\d+s$/m);
    }, { timeoutMs: 30_000 });
    const status = JSON.parse((await kubectl(['get', 'vmrs', 'web', '-o', 'json'])).stdout).status;
    expect(status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, observedGeneration: 1 });
    expect(status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    const events = (await kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=VirtualMachineReplicaSet,involvedObject.name=web'])).stdout;
    expect(events).toMatch(/SuccessfulCreate\s+virtualmachinereplicaset\/web\s+Created VirtualMachine "web-[a-z0-9]{5}"/);
  });

  it('reads the set back at the deprecated v1alpha3 and v1alpha4', async () => {
    for (const v of ['v1alpha3', 'v1alpha4']) {
      const r = await cluster.request('GET', `/apis/vmoperator.vmware.com/${v}/namespaces/${NS}/virtualmachinereplicasets/web`);
      const body = await r.json();
      expect(body.apiVersion).toBe(`vmoperator.vmware.com/${v}`);
      expect(body.spec.template.spec).toMatchObject({ className: 'small', imageName: 'vmi-web' });
    }
  });

  it('scales up and down with kubectl scale', async () => {
    expect((await kubectl(['scale', 'vmrs', 'web', '--replicas=3'])).stdout).toContain('virtualmachinereplicaset.vmoperator.vmware.com/web scaled');
    await poweredOn('web', 3);
    expect((await kubectl(['scale', 'vmrs', 'web', '--replicas=1'])).code).toBe(0);
    await eventually(async () => expect(await vmsOf('web')).toHaveLength(1), { timeoutMs: 60_000 });
    await eventually(async () => expect((await kubectl(['get', 'vmrs', 'web', '--no-headers'])).stdout).toMatch(/^web\s+1\s+1\s+/), { timeoutMs: 30_000 });
    const events = (await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web,reason=SuccessfulDelete', '-o', 'json'])).stdout;
    expect(JSON.parse(events).items).toHaveLength(2);
  });

  it('replaces a VM deleted by hand', async () => {
    const [before] = await vmsOf('web');
    expect((await kubectl(['delete', 'vm', before.metadata.name, '--wait=false'])).code).toBe(0);
    await eventually(async () => {
      const vms = (await vmsOf('web')).filter((v) => !v.metadata.deletionTimestamp);
      expect(vms).toHaveLength(1);
      expect(vms[0].metadata.name).not.toBe(before.metadata.name);
      expect(vms[0].status?.powerState).toBe('PoweredOn');
    }, { timeoutMs: 60_000 });
  });

  it('adopts a matching VM without an owner instead of making another', async () => {
    const stray = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'stray', namespace: NS, labels: { app: 'adopt' } }, spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy' } };
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(stray))).code).toBe(0);
    expect((await kubectl(['apply', '-f', '-'], replicaSet('adopt', 1))).code).toBe(0);
    await eventually(async () => {
      const vms = JSON.parse((await kubectl(['get', 'vm', '-l', 'app=adopt', '-o', 'json'])).stdout).items;
      expect(vms.map((v: any) => [v.metadata.name, v.metadata.ownerReferences?.[0]?.name])).toEqual([['stray', 'adopt']]);
      expect((await kubectl(['get', 'vmrs', 'adopt', '--no-headers'])).stdout).toMatch(/^adopt\s+1\s+/);
    }, { timeoutMs: 60_000 });
  });

  it("stops at the namespace's quota: FailedCreate and VirtualMachinesCreated False, as a user's VMs would be refused", async () => {
    // With a quota, the namespace's storage policies are the storage classes it names (as vSphere's).
    const hard = { 'count/virtualmachines.vmoperator.vmware.com': '4', 'vsan-default-storage-policy.storageclass.storage.k8s.io/requests.storage': '100Gi' };
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'vms', namespace: NS }, spec: { hard } };
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(quota))).code).toBe(0);
    // web (1) and adopt (1) hold two of the four.
    await eventually(async () => expect(JSON.parse((await kubectl(['get', 'resourcequota', 'vms', '-o', 'json'])).stdout).status?.used?.['count/virtualmachines.vmoperator.vmware.com']).toBe('2'), { timeoutMs: 30_000 });
    expect((await kubectl(['apply', '-f', '-'], replicaSet('big', 3))).code).toBe(0);
    await eventually(async () => {
      const set = JSON.parse((await kubectl(['get', 'vmrs', 'big', '-o', 'json'])).stdout);
      expect(set.status.replicas).toBe(2);
      expect(set.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'VirtualMachinesCreated', status: 'False', reason: 'VirtualMachineCreationFailed' })]));
      const events = JSON.parse((await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=big,reason=FailedCreate', '-o', 'json'])).stdout).items;
      // One Event for a refusal that lasts, not one per pass.
      expect(events).toHaveLength(1);
      expect(events[0].message).toMatch(/^Error creating: virtualmachines\.vmoperator\.vmware\.com "big-[a-z0-9]{5}" is forbidden: exceeded quota: vms/);
    }, { timeoutMs: 60_000 });
    expect(await vmsOf('big')).toHaveLength(2);
    expect((await kubectl(['delete', 'vmrs', 'big'])).code).toBe(0);
    expect((await kubectl(['delete', 'resourcequota', 'vms'])).code).toBe(0);
  });

  it('leaves the VMs behind with --cascade=orphan and deletes them with the set otherwise', async () => {
    expect((await kubectl(['apply', '-f', '-'], replicaSet('keep', 1))).code).toBe(0);
    await poweredOn('keep', 1);
    expect((await kubectl(['delete', 'vmrs', 'keep', '--cascade=orphan'])).code).toBe(0);
    await eventually(async () => {
      const [left] = await vmsOf('keep');
      expect(left.metadata.ownerReferences ?? []).toEqual([]);
    }, { timeoutMs: 30_000 });
    expect((await kubectl(['delete', 'vmrs', 'web'])).code).toBe(0);
    await eventually(async () => expect(await vmsOf('web')).toEqual([]), { timeoutMs: 60_000 });
    expect(await vmsOf('keep')).toHaveLength(1);
  });
});
