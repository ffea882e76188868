import { randomUUID } from 'node:crypto';
import { HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, PodEventTypes } from '@openpacific/contracts';
import { EventStore, migrate, StreamAppend } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import type { PoolClient } from 'pg';
import { PodScheduler } from './pod-scheduler';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The real store, counting the appends that try to move each pod off its host (tried, whether written or refused). */
class CountingStore extends EventStore {
  readonly unbindTries = new Map<string, number>();

  override appendBatch(items: StreamAppend[], opts?: { client?: PoolClient }) {
    for (const item of items) {
      if (item.events.some((e) => e.type === PodEventTypes.unbound)) this.unbindTries.set(item.streamId, (this.unbindTries.get(item.streamId) ?? 0) + 1);
    }
    return super.appendBatch(items, opts);
  }
}

describe('the pod scheduler when a host is lost', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: CountingStore;
  let log: SharedFollower;
  let scheduler: PodScheduler;

  const host = (name: string) => ({
    apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, uid: randomUUID(), creationTimestamp: now(), labels: { 'kubernetes.io/hostname': name } }, spec: {},
    status: { epoch: 1, allocatable: { cpu: '8', memory: '16Gi', pods: '40' }, conditions: [{ type: 'Ready', status: 'True', reason: 'HostReady', message: '', lastTransitionTime: now() }] },
  });
  const pod = (name: string) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: now() },
    spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '8Mi' } } }] },
    status: { phase: 'Pending' },
  });
  const create = (resource: string, object: any) =>
    store.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
  /** Where each pod is bound now, by name. */
  const placed = async () => {
    const out = new Map<string, string | undefined>();
    for (const e of await store.readAll({ limit: 10_000 })) if ((e.data as any).resource === 'pods') out.set((e.data as any).object.metadata.name, (e.data as any).object.spec.nodeName);
    return out;
  };

  beforeAll(async () => {
    db = await createTestDatabase('podfailover');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'pod-failover-test' });
    // No NOTIFY and no NATS poke: the follower reads the scheduler's own writes back at its next poll (250 ms), so a
    // pass runs while the moves it wrote are not back yet, as on a busy cluster.
    store = new CountingStore(db.pool, { notify: false });
    const deps = { store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('pf')), logger: quiet };
    log = new SharedFollower(deps);
    scheduler = new PodScheduler({ ...deps, log });
    await log.start();
    scheduler.start();
  }, 30_000);

  afterAll(async () => {
    await scheduler?.stop();
    await log?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('moves each pod of a host gone NotReady once, and places it on another host', async () => {
    await create(HOSTS_RESOURCE, host('host-a'));
    const names = Array.from({ length: 20 }, (_, i) => `p-${i}`);
    for (const name of names) await create('pods', pod(name));
    await eventually(async () => expect([...(await placed()).values()].filter((h) => h === 'host-a')).toHaveLength(20), 15_000);
    await create(HOSTS_RESOURCE, host('host-b'));
    // host-a stops heartbeating: the lifecycle controller's change, written here as it writes it.
    const hostStream = objectStreamId(HOSTS_RESOURCE, undefined, 'host-a');
    const [last] = (await store.readStream(hostStream)).slice(-1);
    const lost = structuredClone((last.data as any).object);
    lost.status.conditions = [{ type: 'Ready', status: 'False', reason: 'HeartbeatMissed', message: 'no heartbeat for 3s (grace 3s)', lastTransitionTime: now() }];
    await store.append(hostStream, [{ type: ObjectEventTypes.statusUpdated, data: { resource: HOSTS_RESOURCE, object: lost }, metadata: META }], { expectedVersion: last.streamVersion });
    await eventually(async () => expect([...(await placed()).values()].filter((h) => h === 'host-b')).toHaveLength(20), 15_000);
    // One move each: the passes that ran before the moves came back through the log did not write them again.
    expect(names.map((n) => store.unbindTries.get(objectStreamId('pods', 'default', n)))).toEqual(names.map(() => 1));
    const unbound = (await store.readAll({ limit: 10_000 })).filter((e) => e.type === PodEventTypes.unbound);
    expect(unbound).toHaveLength(20);
  }, 40_000);
});
