import { PodRunTracker, vmEventAsPod } from './invariants';

/** VMs are checked like pods: placed, powered on by their host, unplaced when the host fails. */
describe('VM events in the invariant checker', () => {
  let position = 0n;
  const event = (type: string, status: object, actor: string, at: number): any => ({
    id: `e${++position}`, streamId: 'virtualmachines.vmoperator.vmware.com/team/web-1', streamVersion: Number(position), type,
    data: { resource: 'virtualmachines.vmoperator.vmware.com', object: { metadata: { name: 'web-1', namespace: 'team', uid: 'u1' }, status } },
    metadata: { actor, source: 't' }, transactionId: 1n, position, createdAt: new Date(at),
  });

  it('maps placement, power state and unplacement onto the pod tracker', () => {
    const placed = vmEventAsPod(event('VirtualMachinePlaced', { nodeName: 'host-1' }, 'scheduler', 1000))!;
    expect(placed).toMatchObject({ type: 'PodBound', streamId: 'pods/team/vm:web-1', data: { object: { spec: { nodeName: 'host-1' } } } });
    expect(vmEventAsPod({ ...placed, streamId: 'pods/team/p' })).toBeUndefined();
    const tracker = new PodRunTracker();
    tracker.observe(vmEventAsPod(event('ResourceCreated', {}, 'admin', 900))!);
    tracker.observe(placed);
    tracker.observe(vmEventAsPod(event('ResourceStatusUpdated', { nodeName: 'host-1', powerState: 'PoweredOn' }, 'system:node:host-1', 2000))!);
    tracker.observe(vmEventAsPod(event('VirtualMachineUnplaced', {}, 'scheduler', 5000))!);
    tracker.observe(vmEventAsPod(event('VirtualMachinePlaced', { nodeName: 'host-2' }, 'scheduler', 5100))!);
    tracker.observe(vmEventAsPod(event('ResourceStatusUpdated', { nodeName: 'host-2', powerState: 'PoweredOn' }, 'system:node:host-2', 6000))!);
    const intervals = tracker.all().map((i: any) => [i.host, i.start, i.end]);
    expect(intervals).toEqual([['host-1', 2000, 5000], ['host-2', 6000, null]]);
  });
});
