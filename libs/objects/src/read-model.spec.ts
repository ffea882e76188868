import { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from './read-model';
import { WatchHub } from './watch-hub';

let position = 0n;
function event(type: string, object: any, streamVersion: number, transactionId = 100n): RecordedEvent {
  position += 1n;
  return {
    id: `e${position}`,
    streamId: `namespaces/${object.metadata.name}`,
    streamVersion,
    type,
    data: { resource: 'namespaces', object },
    metadata: { actor: 'admin', source: 'test' },
    position,
    transactionId,
    createdAt: new Date(),
  } as RecordedEvent;
}
const ns = (name: string, uid: string, extra: any = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid, creationTimestamp: 'x', ...extra } });

describe('the read model', () => {
  it('stamps each object with the resourceVersion of its last event and forgets deleted ones', () => {
    const model = new ReadModel();
    const added = model.apply(event('ResourceCreated', ns('a', 'u1'), 1))!;
    expect(added.type).toBe('ADDED');
    const modified = model.apply(event('ResourceUpdated', ns('a', 'u1', { labels: { x: '1' } }), 2))!;
    expect(modified.type).toBe('MODIFIED');
    expect(BigInt(modified.resourceVersion)).toBeGreaterThan(BigInt(added.resourceVersion));
    expect(model.get('namespaces', undefined, 'a')!.object.metadata.resourceVersion).toBe(modified.resourceVersion);
    const deleted = model.apply(event('ResourceDeleted', ns('a', 'u1'), 3))!;
    expect(deleted.type).toBe('DELETED');
    expect(model.get('namespaces', undefined, 'a')).toBeUndefined();
    expect(model.streamVersion('namespaces', undefined, 'a')).toBe(3);
  });

  it('finds dependents through their owner references until they are deleted', () => {
    const model = new ReadModel();
    model.apply(event('ResourceCreated', ns('owner', 'o1'), 1));
    model.apply(event('ResourceCreated', ns('dep', 'd1', { ownerReferences: [{ apiVersion: 'v1', kind: 'Namespace', name: 'owner', uid: 'o1' }] }), 1));
    expect(model.dependentsOf('o1').map((d) => d.stored.object.metadata.name)).toEqual(['dep']);
    model.apply(event('ResourceDeleted', ns('dep', 'd1', { ownerReferences: [{ apiVersion: 'v1', kind: 'Namespace', name: 'owner', uid: 'o1' }] }), 2));
    expect(model.dependentsOf('o1')).toEqual([]);
    expect(model.findByUid('o1')!.stored.object.metadata.name).toBe('owner');
  });
});

describe('the watch hub', () => {
  it('replays changes after a position and refuses positions older than its buffer', () => {
    const model = new ReadModel();
    const hub = new WatchHub(2);
    const changes = ['a', 'b', 'c'].map((n, i) => model.apply(event('ResourceCreated', ns(n, `u${i}`), 1))!);
    for (const c of changes) hub.publish(c);
    expect(hub.canReplayFrom(changes[0].position)).toBe(true);
    expect(hub.since(changes[0].position).map((c) => c.object.metadata.name)).toEqual(['b', 'c']);
    expect(hub.canReplayFrom({ transactionId: 0n, position: 0n })).toBe(false);
  });

  it('delivers every published change to subscribers until they unsubscribe', () => {
    const model = new ReadModel();
    const hub = new WatchHub(10);
    const seen: string[] = [];
    const off = hub.subscribe((c) => seen.push(c.object.metadata.name));
    hub.publish(model.apply(event('ResourceCreated', ns('x', 'ux'), 1))!);
    off();
    hub.publish(model.apply(event('ResourceCreated', ns('y', 'uy'), 1))!);
    expect(seen).toEqual(['x']);
  });
});
