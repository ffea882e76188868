import { ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { PlacementWriter, PlacementDecision } from './placement-writer';

const META = { actor: 'test', source: 'test' };
const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { ...(nodeName ? { nodeName } : {}), containers: [] } });

describe('the placement writer', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('placementwriter');
    await migrate(db.pool);
    store = new EventStore(db.pool);
  }, 30_000);

  afterAll(async () => {
    await db?.drop();
  });

  async function created(name: string): Promise<PlacementDecision['stored']> {
    const streamId = objectStreamId('pods', 'default', name);
    await store.append(streamId, [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: pod(name) }, metadata: META }], { expectedVersion: 'no_stream' });
    return { object: pod(name), streamId, streamVersion: 1 };
  }

  const binding = (stored: PlacementDecision['stored'], host: string): PlacementDecision => {
    const object = pod(stored.object.metadata.name, host);
    return { stored, object, writes: [{ streamId: stored.streamId, events: [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object }, metadata: META }], expectedVersion: stored.streamVersion }] };
  };

  it('writes decisions in chunks and keeps each pod as decided until the model has seen the write', async () => {
    const retries: number[] = [];
    const writer = new PlacementWriter(store, { chunkPods: 2, maxInFlight: 2, retry: () => retries.push(1), onError: () => undefined });
    const pods = await Promise.all(['a1', 'a2', 'a3', 'a4', 'a5'].map(created));
    await writer.submit(pods.map((p) => binding(p, 'h1')));
    expect(pods.every((p) => writer.isAssumed(p.streamId) && writer.current(p).spec.nodeName === 'h1')).toBe(true);
    await writer.drain();
    for (const p of pods) expect((await store.readStream(p.streamId)).map((e) => e.streamVersion)).toEqual([1, 2]);
    // Still assumed: the model has not applied the writes yet.
    expect(writer.isAssumed(pods[0].streamId)).toBe(true);
    writer.observed(pods[0].streamId, 2);
    expect(writer.isAssumed(pods[0].streamId)).toBe(false);
    expect(writer.current(pods[0])).toBe(pods[0].object);
    expect(retries).toEqual([]);
  });

  it('forgets a decision that lost to another writer and asks for another pass, writing the rest of its chunk', async () => {
    let retries = 0;
    const writer = new PlacementWriter(store, { chunkPods: 10, maxInFlight: 1, retry: () => retries++, onError: () => undefined });
    const [b1, b2] = await Promise.all(['b1', 'b2'].map(created));
    await store.append(b2.streamId, [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object: pod('b2', 'elsewhere') }, metadata: META }], { expectedVersion: 1 });
    await writer.submit([binding(b1, 'h1'), binding(b2, 'h1')]);
    await writer.drain();
    expect(writer.isAssumed(b1.streamId)).toBe(true);
    expect(writer.isAssumed(b2.streamId)).toBe(false);
    expect(retries).toBe(1);
    expect((await store.readStream(b1.streamId)).pop()?.data).toMatchObject({ object: { spec: { nodeName: 'h1' } } });
    expect((await store.readStream(b2.streamId)).pop()?.data).toMatchObject({ object: { spec: { nodeName: 'elsewhere' } } });
  });
});
