import { ObjectEventTypes } from '@openpacific/contracts';
import { EventStore, migrate, type StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { EventCorrelator } from './event-correlator';
import { objectEvent } from './object-event';

const actor = { actor: 'system:node:host-1', source: 'spherelet-agent' };
const pod = { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'dev', uid: 'u-1' };
const said = (reason: string, message: string, fieldPath = 'spec.containers{c}') =>
  objectEvent({ ...pod, fieldPath }, { type: reason === 'BackOff' ? 'Warning' : 'Normal', reason, message, component: 'spherelet', host: 'host-1', actor });

describe('writing Events as a recorder correlates them', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('eventcorrelator');
    await migrate(db.pool);
    store = new EventStore(db.pool, { notify: false });
  });
  afterAll(() => db?.drop());

  /** The Events of the log about `uid`, as their streams hold them last. */
  async function eventsAbout(uid: string) {
    const { rows } = await db.pool.query(
      `SELECT DISTINCT ON (stream_id) stream_id, stream_version, data FROM events
       WHERE stream_id LIKE 'events/%' AND data->'object'->'involvedObject'->>'uid' = $1
       ORDER BY stream_id, stream_version DESC`,
      [uid],
    );
    return rows.map((r) => ({ streamId: r.stream_id as string, version: Number(r.stream_version), object: r.data.object }));
  }

  it('counts an Event said again up on the one written first, and writes the rest of the batch as it is', async () => {
    const recorder = new EventCorrelator(store);
    const other = { streamId: 'pods/dev/web', events: [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'dev', uid: 'u-1', creationTimestamp: '2026-12-05T10:00:00Z' } } }, metadata: actor }], expectedVersion: 'no_stream' as const };
    const first = await recorder.appendBatch([other, said('Started', 'Started container c')], new Date('2026-12-05T10:00:00Z'));
    expect(first.map((r) => r?.streamVersion)).toEqual([1, 1]);
    const second = await recorder.appendBatch([said('Started', 'Started container c'), said('BackOff', 'Back-off restarting failed container c')], new Date('2026-12-05T10:00:07Z'));
    expect(second[0]).toBeUndefined(); // a repeat: counted on the Event written before
    await recorder.appendBatch([said('Started', 'Started container c')], new Date('2026-12-05T10:00:21Z'));
    const events = await eventsAbout('u-1');
    const started = events.filter((e) => e.object.reason === 'Started');
    expect(started).toHaveLength(1);
    expect(started[0].version).toBe(3);
    expect(started[0].object).toMatchObject({ count: 3, lastTimestamp: '2026-12-05T10:00:21Z', involvedObject: { fieldPath: 'spec.containers{c}' } });
    expect(started[0].object.firstTimestamp).toBe(started[0].object.metadata.creationTimestamp);
    expect(started[0].streamId).toBe(`events/dev/${started[0].object.metadata.name}`);
    expect(events.filter((e) => e.object.reason === 'BackOff').map((e) => e.object.count)).toEqual([1]);
  });

  it('keeps Events about another part, or with another message, apart; one said twice in one call is one Event', async () => {
    const recorder = new EventCorrelator(store);
    const mine = (reason: string, message: string, fieldPath?: string): StreamAppend => {
      const item = said(reason, message, fieldPath);
      const object = (item.events[0].data as any).object;
      object.involvedObject.uid = 'u-2';
      return item;
    };
    await recorder.appendBatch([mine('Pulled', 'image "a" present'), mine('Pulled', 'image "a" present'), mine('Pulled', 'image "a" present', 'spec.containers{d}')]);
    await recorder.appendBatch([mine('Pulled', 'image "b" present')]);
    const counts = (await eventsAbout('u-2')).map((e) => [e.object.involvedObject.fieldPath, e.object.message, e.object.count]).sort();
    expect(counts).toEqual([
      ['spec.containers{c}', 'image "a" present', 2],
      ['spec.containers{c}', 'image "b" present', 1],
      ['spec.containers{d}', 'image "a" present', 1],
    ]);
  });

  it('writes a new Event, with the count so far, when the one it counted on was changed or deleted meanwhile; one it forgot starts again', async () => {
    const recorder = new EventCorrelator(store, 2);
    const mine = (message: string): StreamAppend => {
      const item = said('Unhealthy', message);
      (item.events[0].data as any).object.involvedObject.uid = 'u-3';
      return item;
    };
    await recorder.appendBatch([mine('probe failed')]);
    const [first] = await eventsAbout('u-3');
    // Someone else deletes the Event: the recorder's next repeat conflicts and writes a fresh one.
    await store.append(first.streamId, [{ type: ObjectEventTypes.deleted, data: { resource: 'events', object: first.object }, metadata: actor }], { expectedVersion: 1 });
    await recorder.appendBatch([mine('probe failed')]);
    let events = await eventsAbout('u-3');
    expect(events).toHaveLength(2);
    // As client-go's recorder creates the Event its patch found gone: the count it has seen so far.
    expect(events.find((e) => e.streamId !== first.streamId)!.object.count).toBe(2);
    // Remembering two, a third Event pushes out the oldest: said again, that one is written anew.
    await recorder.appendBatch([mine('second')]);
    await recorder.appendBatch([mine('third')]);
    await recorder.appendBatch([mine('probe failed'), mine('third')]);
    events = await eventsAbout('u-3');
    expect(events.filter((e) => e.object.message === 'probe failed' && e.version === 1 && e.streamId !== first.streamId).map((e) => e.object.count).sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.object.message === 'third').map((e) => e.object.count)).toEqual([2]);
  });

  it('writes 25 Events about an object at once, then one per five minutes, that one carrying the count of those held back', async () => {
    const recorder = new EventCorrelator(store);
    const mine = (reason: string, message: string): StreamAppend => {
      const item = said(reason, message);
      (item.events[0].data as any).object.involvedObject.uid = 'u-4';
      return item;
    };
    const start = Date.parse('2026-12-05T10:00:00Z');
    const at = (seconds: number) => new Date(start + seconds * 1000);
    await recorder.appendBatch([mine('Started', 'Started container c')], at(0));
    for (let i = 1; i <= 40; i++) await recorder.appendBatch([mine('Unhealthy', 'Readiness probe failed: not ready\n')], at(i));
    let events = await eventsAbout('u-4');
    const unhealthy = () => events.find((e) => e.object.reason === 'Unhealthy')!;
    // The Started and 24 failures spent the burst: the failures after them counted, not written.
    expect(unhealthy().object).toMatchObject({ count: 24, lastTimestamp: '2026-12-05T10:00:24Z' });
    const { firstTimestamp } = unhealthy().object;
    // Another reason about the same object is held back too.
    await recorder.appendBatch([mine('Killing', 'Container c failed liveness probe, will be restarted')], at(41));
    events = await eventsAbout('u-4');
    expect(events.map((e) => e.object.reason).sort()).toEqual(['Started', 'Unhealthy']);
    // Five minutes on, a token: the next failure is written with all 41 counted.
    await recorder.appendBatch([mine('Unhealthy', 'Readiness probe failed: not ready\n')], at(24 + 300));
    events = await eventsAbout('u-4');
    expect(unhealthy().object).toMatchObject({ count: 41, firstTimestamp, lastTimestamp: '2026-12-05T10:05:24Z' });
    await recorder.appendBatch([mine('Unhealthy', 'Readiness probe failed: not ready\n')], at(24 + 301));
    expect((await eventsAbout('u-4')).find((e) => e.object.reason === 'Unhealthy')!.object.count).toBe(41);
  });

  it('combines the tenth different message of one reason within ten minutes, and each one after, in one Event', async () => {
    const recorder = new EventCorrelator(store);
    const mine = (message: string): StreamAppend => {
      const item = said('Unhealthy', message);
      (item.events[0].data as any).object.involvedObject.uid = 'u-5';
      return item;
    };
    const start = Date.parse('2026-12-05T11:00:00Z');
    for (let i = 1; i <= 12; i++) await recorder.appendBatch([mine(`Liveness probe failed: took ${i}s`)], new Date(start + i * 1000));
    const events = await eventsAbout('u-5');
    expect(events).toHaveLength(10);
    const combined = events.filter((e) => e.object.message.startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0].object).toMatchObject({ message: '(combined from similar events): Liveness probe failed: took 12s', count: 3, lastTimestamp: '2026-12-05T11:00:12Z' });
    // Ten minutes without one: the messages are told one by one again.
    await recorder.appendBatch([mine('Liveness probe failed: took 13s')], new Date(start + 12_000 + 601_000));
    expect((await eventsAbout('u-5')).filter((e) => e.object.message === 'Liveness probe failed: took 13s')).toHaveLength(1);
  });

  it('counts nothing of a call whose batch conflicted: its caller saying it again on the retry is one more, not two', async () => {
    const recorder = new EventCorrelator(store);
    const mine = (): StreamAppend => {
      const item = said('Started', 'Started container c');
      (item.events[0].data as any).object.involvedObject.uid = 'u-6';
      return item;
    };
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-6', namespace: 'dev', uid: 'u-6', creationTimestamp: '2026-12-05T10:00:00Z' } };
    const status = (expectedVersion: number): StreamAppend => ({
      streamId: 'pods/dev/web-6', expectedVersion, events: [{ type: ObjectEventTypes.statusUpdated, data: { resource: 'pods', object }, metadata: actor }],
    });
    await store.append('pods/dev/web-6', [{ type: ObjectEventTypes.created, data: { resource: 'pods', object }, metadata: actor }], { expectedVersion: 'no_stream' });
    await recorder.appendBatch([mine()]);
    // The status was written at a version since passed: nothing of the call is written, the repeat not counted.
    await expect(recorder.appendBatch([status(7), mine()])).rejects.toBeInstanceOf(VersionConflictError);
    await recorder.appendBatch([status(1), mine()]);
    expect((await eventsAbout('u-6')).map((e) => e.object.count)).toEqual([2]);
    // A new Event whose batch conflicted is not remembered as said: the retry writes it once, at count 1.
    const fresh = said('Killing', 'Stopping container c');
    (fresh.events[0].data as any).object.involvedObject.uid = 'u-6';
    await expect(recorder.appendBatch([status(1), fresh])).rejects.toBeInstanceOf(VersionConflictError);
    const again = said('Killing', 'Stopping container c');
    (again.events[0].data as any).object.involvedObject.uid = 'u-6';
    await recorder.appendBatch([status(2), again]);
    expect((await eventsAbout('u-6')).filter((e) => e.object.reason === 'Killing').map((e) => [e.object.count ?? 1, e.version])).toEqual([[1, 1]]);
  });
});
