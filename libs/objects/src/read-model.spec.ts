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

describe('listing the read model', () => {
  let at = 0n;
  const podEvent = (type: string, namespace: string, name: string, extra: any = {}): RecordedEvent => {
    at += 1n;
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, uid: `${namespace}/${name}` }, ...extra };
    return {
      id: `p${at}`,
      streamId: `pods/${namespace}/${name}`,
      streamVersion: 1,
      type,
      data: { resource: 'pods', object },
      metadata: { actor: 'admin', source: 'test' },
      position: at,
      transactionId: 100n,
      createdAt: new Date(),
    } as RecordedEvent;
  };
  const names = (model: ReadModel, namespace?: string) => model.list('pods', namespace).map((s) => `${s.object.metadata.namespace}/${s.object.metadata.name}`);

  it('orders by namespace, then name, in byte order, and lists one namespace alone', () => {
    const model = new ReadModel();
    for (const [ns, name] of [['b', 'web-10'], ['a-b', 'x'], ['a', 'web-2'], ['a', 'web-1'], ['b', 'web.1'], ['a', 'Web'], ['b', 'web-1']]) {
      model.apply(podEvent('ResourceCreated', ns, name));
    }
    expect(names(model)).toEqual(['a/Web', 'a/web-1', 'a/web-2', 'a-b/x', 'b/web-1', 'b/web-10', 'b/web.1']);
    expect(names(model, 'b')).toEqual(['b/web-1', 'b/web-10', 'b/web.1']);
    expect(names(model, 'none')).toEqual([]);
    expect(model.list('nothing')).toEqual([]);
  });

  it('keeps lists current as objects come, change and go', () => {
    const model = new ReadModel();
    model.apply(podEvent('ResourceCreated', 'a', 'm'));
    model.apply(podEvent('ResourceCreated', 'b', 'm'));
    expect(names(model)).toEqual(['a/m', 'b/m']);
    model.apply(podEvent('ResourceCreated', 'a', 'c'));
    expect(names(model)).toEqual(['a/c', 'a/m', 'b/m']);
    expect(names(model, 'a')).toEqual(['a/c', 'a/m']);
    model.apply(podEvent('ResourceUpdated', 'a', 'm', { spec: { v: 2 } }));
    expect(model.list('pods', 'a')[1].object.spec).toEqual({ v: 2 });
    expect(model.list('pods')[1].object.spec).toEqual({ v: 2 });
    model.apply(podEvent('ResourceDeleted', 'a', 'c'));
    expect(names(model)).toEqual(['a/m', 'b/m']);
    expect(names(model, 'a')).toEqual(['a/m']);
    model.apply(podEvent('ResourceDeleted', 'b', 'm'));
    expect(names(model, 'b')).toEqual([]);
    // A list handed out is the caller's: changing it leaves the model alone.
    model.list('pods').splice(0);
    expect(names(model)).toEqual(['a/m']);
  });

  it('keeps the order of a listed kind as objects come and go between lists, as sorting afresh would', () => {
    const model = new ReadModel();
    const live = new Map<string, [string, string]>();
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const namespaces = ['a', 'a-b', 'b', 'ab'];
    for (let step = 0; step < 600; step++) {
      const [ns, name] = [namespaces[next(4)], `p-${next(40)}`];
      const key = `${ns}/${name}`;
      if (live.has(key) && next(3) === 0) {
        model.apply(podEvent('ResourceDeleted', ns, name));
        live.delete(key);
      } else {
        model.apply(podEvent(live.has(key) ? 'ResourceUpdated' : 'ResourceCreated', ns, name));
        live.set(key, [ns, name]);
      }
      if (step % 7 === 0) {
        const expected = [...live.values()].sort((x, y) => (x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : 1)).map(([n, m]) => `${n}/${m}`);
        expect(names(model)).toEqual(expected);
        const inA = expected.filter((k) => k.startsWith('a/'));
        expect(names(model, 'a')).toEqual(inA);
      }
    }
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

describe('the read model on events that set some fields of an object', () => {
  let at = 1000n;
  const recorded = (type: string, data: any, streamVersion: number): RecordedEvent => {
    at += 1n;
    return { id: `f${at}`, streamId: 'pods/team/p', streamVersion, type, data, metadata: { actor: 'a', source: 'test' }, position: at, transactionId: 100n, createdAt: new Date() } as RecordedEvent;
  };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'team', name: 'p', uid: 'u1', creationTimestamp: 'x', labels: { app: 'a' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } };

  it('applies them to the object it holds, at the event\'s resourceVersion', () => {
    const model = new ReadModel();
    model.apply(recorded('ResourceCreated', { resource: 'pods', object: pod }, 1));
    const bound = model.apply(recorded('PodBound', { resource: 'pods', set: { 'spec.nodeName': 'h1', status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } } }, 2))!;
    expect(bound.type).toBe('MODIFIED');
    expect(bound.previous.spec.nodeName).toBeUndefined();
    expect(bound.object).toEqual({ ...pod, metadata: { ...pod.metadata, resourceVersion: bound.resourceVersion }, spec: { ...pod.spec, nodeName: 'h1' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } });
    expect(model.list('pods', 'team').map((s) => s.object.spec.nodeName)).toEqual(['h1']);
    const running = model.apply(recorded('ResourceStatusUpdated', { resource: 'pods', set: { status: { phase: 'Running' } } }, 3))!;
    expect(running.object.spec.nodeName).toBe('h1');
    expect(running.object.status).toEqual({ phase: 'Running' });
    expect(model.get('pods', 'team', 'p')).toMatchObject({ streamVersion: 3, object: { status: { phase: 'Running' } } });
  });

  it('passes over them for an object it never held, noting the stream\'s version', () => {
    const model = new ReadModel();
    expect(model.apply(recorded('PodBound', { resource: 'pods', set: { 'spec.nodeName': 'h1' } }, 2))).toBeUndefined();
    expect(model.get('pods', 'team', 'p')).toBeUndefined();
    expect(model.streamVersion('pods', 'team', 'p')).toBe(2);
  });
});
