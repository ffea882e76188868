import type { RecordedEvent } from '@openpacific/event-store';
import { ObjectFold, objectOfStream, objectsAfter } from './stream-objects';

const pod = (name: string, extra: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `u-${name}`, creationTimestamp: 'x' }, spec: { containers: [] }, ...extra });
let n = 0;
const event = (streamId: string, type: string, data: any): RecordedEvent => ({ id: `e${++n}`, streamId, streamVersion: n, type, data, metadata: {}, position: BigInt(n), transactionId: 1n, createdAt: new Date() }) as RecordedEvent;

describe('objects folded from their streams', () => {
  const stream = [
    event('pods/ns/a', 'ResourceCreated', { resource: 'pods', object: pod('a') }),
    event('pods/ns/a', 'PodBound', { resource: 'pods', set: { 'spec.nodeName': 'h1', status: { phase: 'Pending' } } }),
    event('pods/ns/a', 'ResourceStatusUpdated', { resource: 'pods', set: { status: { phase: 'Running' } } }),
  ];

  it('gives each event\'s object: carried whole, or the one before with the fields set', () => {
    const objects = objectsAfter(stream);
    expect(objects[0]).toEqual(pod('a'));
    expect(objects[1]).toEqual(pod('a', { spec: { containers: [], nodeName: 'h1' }, status: { phase: 'Pending' } }));
    expect(objects[2]).toEqual(pod('a', { spec: { containers: [], nodeName: 'h1' }, status: { phase: 'Running' } }));
    expect(objectOfStream(stream)).toEqual(objects[2]);
  });

  it('has no object after a deletion, nor for fields set on a stream it has not seen begin', () => {
    expect(objectOfStream([...stream, event('pods/ns/a', 'ResourceDeleted', { resource: 'pods', object: pod('a') })])).toBeUndefined();
    expect(objectsAfter([stream[2]])).toEqual([undefined]);
  });

  it('keeps streams apart when fed a log', () => {
    const fold = new ObjectFold();
    fold.apply(stream[0]);
    fold.apply(event('pods/ns/b', 'ResourceCreated', { resource: 'pods', object: pod('b') }));
    expect(fold.apply(stream[1]).spec.nodeName).toBe('h1');
    expect(fold.apply(event('pods/ns/b', 'ResourceStatusUpdated', { resource: 'pods', set: { status: { phase: 'Failed' } } }))).toEqual(pod('b', { status: { phase: 'Failed' } }));
  });
});
