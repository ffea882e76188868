import { expectationsMet, isVmReady, pickForDeletion, planReplicas, vmFromTemplate, vmrsStatus, VMS_PER_PASS } from './vmrs-logic';

const rs = (replicas: number, extra: any = {}) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachineReplicaSet',
  metadata: { name: 'web', namespace: 'a', uid: 'rs-1', generation: 4, ...extra },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations: { team: 'a' } }, spec: { className: 'small', imageName: 'vmi-web' } } },
});
const owner = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineReplicaSet', name: 'web', uid: 'rs-1', controller: true, blockOwnerDeletion: true };
const vm = (name: string, opts: { owned?: boolean; labels?: Record<string, string>; powerState?: string; deleting?: boolean; otherOwner?: boolean } = {}) => ({
  metadata: {
    name,
    labels: opts.labels ?? { app: 'web' },
    ...(opts.owned ? { ownerReferences: [owner] } : {}),
    ...(opts.otherOwner ? { ownerReferences: [{ ...owner, uid: 'other' }] } : {}),
    ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
  },
  status: opts.powerState ? { powerState: opts.powerState } : {},
});

describe('VirtualMachineReplicaSet decisions', () => {
  it('creates the missing VMs', () => {
    expect(planReplicas(rs(3), [vm('web-a', { owned: true })])).toEqual({ adopt: [], create: 2, delete: [] });
    // A set of 2^31 - 1 replicas: VMS_PER_PASS now, the rest as they are seen (all at once held vm-operator for ever).
    expect(planReplicas(rs(2 ** 31 - 1), [vm('web-a', { owned: true })]).create).toBe(VMS_PER_PASS);
  });

  it('adopts matching VMs without a controller and counts them, but leaves VMs of another controller or other labels alone', () => {
    const orphan = vm('stray');
    const plan = planReplicas(rs(2), [vm('web-a', { owned: true }), orphan, vm('theirs', { otherOwner: true }), vm('db', { labels: { app: 'db' } })]);
    expect(plan).toEqual({ adopt: [orphan], create: 0, delete: [] });
  });

  it('does not count VMs being deleted, so it replaces them', () => {
    expect(planReplicas(rs(2), [vm('web-a', { owned: true }), vm('web-b', { owned: true, deleting: true })]).create).toBe(1);
  });

  it('deletes the extras, VMs not ready first', () => {
    const vms = [vm('on-1', { owned: true, powerState: 'PoweredOn' }), vm('off', { owned: true, powerState: 'PoweredOff' }), vm('on-2', { owned: true, powerState: 'PoweredOn' })];
    expect(planReplicas(rs(2), vms).delete.map((v) => v.metadata.name)).toEqual(['off']);
    expect(planReplicas(rs(0), vms).delete).toHaveLength(3);
  });

  it('picks among equally ready VMs at random', () => {
    const vms = [vm('x', { powerState: 'PoweredOn' }), vm('y', { powerState: 'PoweredOn' })];
    const draws = (...values: number[]) => () => values.shift()!;
    expect(pickForDeletion(vms, 1, draws(0.9, 0.1))[0].metadata.name).toBe('y');
    expect(pickForDeletion(vms, 1, draws(0.1, 0.9))[0].metadata.name).toBe('x');
  });

  it('does nothing for a set being deleted', () => {
    expect(planReplicas(rs(3, { deletionTimestamp: '2025-01-01T00:00:00Z' }), [])).toEqual({ adopt: [], create: 0, delete: [] });
  });

  it("counts a VM with a readiness probe as ready by its Ready condition, one without once it is powered on", () => {
    expect(isVmReady(vm('a', { powerState: 'PoweredOn' }))).toBe(true);
    expect(isVmReady(vm('a', { powerState: 'PoweredOff' }))).toBe(false);
    const probed = { metadata: {}, spec: { readinessProbe: { tcpSocket: { port: 80 } } }, status: { powerState: 'PoweredOn', conditions: [{ type: 'Ready', status: 'False' }] } };
    expect(isVmReady(probed)).toBe(false);
    probed.status.conditions[0].status = 'True';
    expect(isVmReady(probed)).toBe(true);
  });

  it("makes a VM from the template: its labels plus the set's name label, owned by the set, the VM webhook's defaults", () => {
    const made = vmFromTemplate(rs(1), 'web-x7k2p', 'uid-1', '2025-01-01T00:00:00Z');
    expect(made.metadata).toMatchObject({ name: 'web-x7k2p', namespace: 'a', uid: 'uid-1', labels: { app: 'web', 'vmoperator.vmware.com/replicaset-name': 'web' }, annotations: { team: 'a' }, ownerReferences: [owner] });
    expect(made.spec).toEqual({ className: 'small', imageName: 'vmi-web', powerState: 'PoweredOn', powerOffMode: 'TrySoft', suspendMode: 'TrySoft', restartMode: 'TrySoft' });
  });

  it('reports counts, observedGeneration and ScalingUp while short of replicas', () => {
    const s = vmrsStatus(rs(3), [vm('a', { owned: true, powerState: 'PoweredOn' }), vm('b', { owned: true, labels: {} })], undefined, 't1');
    expect(s).toMatchObject({ replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 1, observedGeneration: 4 });
    const byType = Object.fromEntries(s.conditions.map((c: any) => [c.type, c]));
    expect(byType.Resized).toMatchObject({ status: 'False', reason: 'ScalingUp', observedGeneration: 4 });
    expect(byType.VirtualMachinesCreated).toMatchObject({ status: 'True' });
    expect(byType.VirtualMachinesReady).toMatchObject({ status: 'False', reason: 'VirtualMachinesNotReady' });
    expect(byType.Ready).toMatchObject({ status: 'False', reason: 'ScalingUp' });
  });

  it('is Ready at size with every VM ready, and keeps lastTransitionTime while a condition holds', () => {
    const set = rs(1);
    const first = vmrsStatus(set, [vm('a', { owned: true, powerState: 'PoweredOn' })], undefined, 't1');
    expect(first.conditions.map((c: any) => [c.type, c.status])).toEqual([['Ready', 'True'], ['Resized', 'True'], ['VirtualMachinesCreated', 'True'], ['VirtualMachinesReady', 'True']]);
    const again = vmrsStatus({ ...set, status: first }, [vm('a', { owned: true, powerState: 'PoweredOn' })], 'quota exceeded', 't2');
    const byType = Object.fromEntries(again.conditions.map((c: any) => [c.type, c]));
    expect(byType.Resized.lastTransitionTime).toBe('t1');
    expect(byType.VirtualMachinesCreated).toMatchObject({ status: 'False', reason: 'VirtualMachineCreationFailed', message: 'quota exceeded', lastTransitionTime: 't2' });
  });

  it('waits until the model shows what it last wrote, or the expectation times out', () => {
    const e = { creates: ['web-new'], deletes: ['web-old'], adopts: [], since: 1000 };
    expect(expectationsMet(rs(1), e, [vm('web-old', { owned: true })], 2000, 30_000)).toBe(false);
    expect(expectationsMet(rs(1), e, [vm('web-new', { owned: true }), vm('web-old', { owned: true, deleting: true })], 2000, 30_000)).toBe(true);
    expect(expectationsMet(rs(1), e, [], 40_000, 30_000)).toBe(true);
  });
});
