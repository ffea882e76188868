import { HOSTS_RESOURCE, objectStreamId, ObjectEventTypes } from '@openpacific/contracts';
import { LogPosition, parseResourceVersion, RecordedEvent } from '@openpacific/event-store';
import { ObjectChange, ReadModel } from '@openpacific/objects';
import { NodeLeaseChange, NodeLeaseView } from './node-lease-view';
import { nodeLeaseReplay, versionAfterRenewals } from './node-lease-api';

const T0 = Date.parse('2026-12-04T10:00:00Z');

/** A read model of hosts fed like the gateway's, the view on it, and what the view told its watchers. */
function given() {
  const model = new ReadModel();
  let at: LogPosition = { transactionId: 100n, position: 0n };
  let now = T0;
  const view = new NodeLeaseView(model, () => at, { now: () => now });
  const told: NodeLeaseChange[] = [];
  view.subscribe((c) => told.push(c));
  const versions = new Map<string, number>();
  const append = (type: string, host: any): ObjectChange => {
    at = { transactionId: at.transactionId + 1n, position: at.position + 1n };
    const streamId = objectStreamId(HOSTS_RESOURCE, undefined, host.metadata.name);
    versions.set(streamId, (versions.get(streamId) ?? 0) + 1);
    const event = { id: `e${at.position}`, streamId, streamVersion: versions.get(streamId)!, type, data: { resource: HOSTS_RESOURCE, object: host }, metadata: {}, ...at, createdAt: new Date() } as RecordedEvent;
    const change = model.apply(event)!;
    view.hostChanged(change);
    return change;
  };
  return { view, told, append, advance: (ms: number) => (now += ms), position: () => at };
}

const host = (name: string, epoch = 1) => ({
  apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host',
  metadata: { name, uid: `uid-${name}`, creationTimestamp: '2026-12-04T09:00:00Z' },
  status: { epoch },
});
const rv = (lease: any) => BigInt(lease.metadata.resourceVersion);

describe('the node Leases made from heartbeats', () => {
  it('gives every Node a Lease held and owned by it, renewed by its heartbeats', () => {
    const { view, append } = given();
    append(ObjectEventTypes.created, host('esx-2'));
    append(ObjectEventTypes.created, host('esx-1'));
    view.heard('esx-1', 1);
    expect(view.leases().map((l) => l.metadata.name)).toEqual(['esx-1', 'esx-2']);
    expect(view.lease('esx-1')).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'esx-1', namespace: 'kube-node-lease', creationTimestamp: '2026-12-04T09:00:00Z', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'esx-1', uid: 'uid-esx-1' }] },
      spec: { holderIdentity: 'esx-1', leaseDurationSeconds: 40, renewTime: '2026-12-04T10:00:00.000000Z', acquireTime: '2026-12-04T10:00:00.000000Z' },
    });
    expect(view.lease('esx-1').metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(view.lease('esx-1').metadata.uid).not.toBe(view.lease('esx-2').metadata.uid);
    expect(view.lease('esx-2').spec.renewTime).toBeUndefined();
    expect(view.lease('esx-3')).toBeUndefined();
  });

  it('renews at most once per renewal interval, each renewal a MODIFIED with a higher resourceVersion', () => {
    const { view, told, append, advance } = given();
    append(ObjectEventTypes.created, host('esx-1'));
    view.heard('esx-1', 1);
    const first = view.lease('esx-1');
    advance(4_000);
    view.heard('esx-1', 1);
    expect(view.lease('esx-1')).toEqual(first);
    advance(6_000);
    view.heard('esx-1', 1);
    const second = view.lease('esx-1');
    expect(second.spec.renewTime).toBe('2026-12-04T10:00:10.000000Z');
    expect(rv(second)).toBeGreaterThan(rv(first));
    expect(told.map((c) => c.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED']);
    expect(told[2].object).toEqual(second);
  });

  it('places renewals after the log position they were made at and before the next transaction', () => {
    const { view, append, position } = given();
    append(ObjectEventTypes.created, host('esx-1'));
    append(ObjectEventTypes.created, host('esx-2'));
    const logged = position();
    view.heard('esx-1', 1);
    view.heard('esx-2', 1);
    const [a, b] = [parseResourceVersion(view.lease('esx-1').metadata.resourceVersion)!, parseResourceVersion(view.lease('esx-2').metadata.resourceVersion)!];
    expect(a.transactionId).toBe(logged.transactionId);
    expect(a.position).toBeGreaterThan(logged.position);
    expect(b.position).toBeGreaterThan(a.position);
    expect(view.changedSince(a).map((l) => l.metadata.name)).toEqual(['esx-2']);
    expect(view.newestVersion()).toBe(view.lease('esx-2').metadata.resourceVersion);
  });

  it('keeps the last renewTime of a host that stops heartbeating, and ignores beats of an earlier run', () => {
    const { view, append, advance } = given();
    append(ObjectEventTypes.created, host('esx-1', 2));
    view.heard('esx-1', 2);
    advance(60_000);
    view.heard('esx-1', 1);
    expect(view.lease('esx-1').spec.renewTime).toBe('2026-12-04T10:00:00.000000Z');
  });

  it('starts a new acquireTime when the host begins a new run, and renews at its first beat', () => {
    const { view, append, advance } = given();
    append(ObjectEventTypes.created, host('esx-1', 1));
    view.heard('esx-1', 1);
    advance(3_000);
    append(ObjectEventTypes.statusUpdated, host('esx-1', 2));
    expect(view.lease('esx-1').spec.acquireTime).toBe('2026-12-04T10:00:03.000000Z');
    advance(1_000);
    view.heard('esx-1', 2);
    expect(view.lease('esx-1').spec).toMatchObject({ acquireTime: '2026-12-04T10:00:03.000000Z', renewTime: '2026-12-04T10:00:04.000000Z' });
  });

  it('ends a deleted Node\'s Lease with a DELETED as it last was', () => {
    const { view, told, append } = given();
    append(ObjectEventTypes.created, host('esx-1'));
    view.heard('esx-1', 1);
    const gone = append(ObjectEventTypes.deleted, host('esx-1'));
    expect(view.lease('esx-1')).toBeUndefined();
    expect(view.leases()).toEqual([]);
    const last = told[told.length - 1];
    expect(last.type).toBe('DELETED');
    expect(last.object.metadata.resourceVersion).toBe(gone.resourceVersion);
    expect(last.object.spec.renewTime).toBe('2026-12-04T10:00:00.000000Z');
  });

  it('replays to a watch resuming at a resourceVersion the renewals since and the Leases of Hosts deleted since', () => {
    const { view, append } = given();
    append(ObjectEventTypes.created, host('esx-1'));
    append(ObjectEventTypes.created, host('esx-2'));
    view.heard('esx-1', 1);
    const from = parseResourceVersion(view.lease('esx-1').metadata.resourceVersion)!;
    view.heard('esx-2', 1);
    const gone = append(ObjectEventTypes.deleted, host('esx-1'));
    const replay = nodeLeaseReplay(view, [gone], from);
    expect(replay.map((c) => [c.type, c.object.metadata.name])).toEqual([['DELETED', 'esx-1'], ['MODIFIED', 'esx-2']]);
    // A list's resourceVersion: the newest renewal when no write came after it, so a watch from it repeats nothing.
    const renewed = view.lease('esx-2').metadata.resourceVersion;
    expect(versionAfterRenewals(view, '1')).toBe(renewed);
    expect(versionAfterRenewals(view, gone.resourceVersion)).toBe(gone.resourceVersion);
    expect(nodeLeaseReplay(view, [], parseResourceVersion(gone.resourceVersion)!)).toEqual([]);
  });
});
