import { randomUUID } from 'node:crypto';
import { HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, POD_IP_ANNOTATION, POD_NETWORK_ANNOTATION, PodEventTypes } from '@openpacific/contracts';
import { EventStore, migrate, StreamAppend } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { ObjectFold, SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import type { PoolClient } from 'pg';
import { PodScheduler } from './pod-scheduler';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The real store, counting the scheduler's appends that move a pod off its host and those that give a pod its
 * address (each tried, whether written or refused).
 */
class CountingStore extends EventStore {
  readonly unbindTries = new Map<string, number>();
  readonly addressTries = new Map<string, number>();

  override appendBatch(items: StreamAppend[], opts?: { client?: PoolClient }) {
    for (const item of items) {
      const count = (tries: Map<string, number>) => tries.set(item.streamId, (tries.get(item.streamId) ?? 0) + 1);
      if (item.events.some((e) => e.type === PodEventTypes.unbound)) count(this.unbindTries);
      if (item.events.some((e) => e.type === ObjectEventTypes.updated && (e.data as any).object?.metadata?.annotations?.[POD_IP_ANNOTATION])) count(this.addressTries);
    }
    return super.appendBatch(items, opts);
  }
}

describe('the pod scheduler writing what the log has not brought back yet', () => {
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
    const fold = new ObjectFold();
    for (const e of await store.readAll({ limit: 10_000 })) {
      const object = fold.apply(e);
      if ((e.data as any).resource === 'pods') out.set(object.metadata.name, object.spec.nodeName);
    }
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
    scheduler = new PodScheduler({ ...deps, log, podCIDR: '10.77.0.0/16' });
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

  it('gives each pod bound by its author to a networking host its address once, whatever passes run before it is back', async () => {
    const networking = host('host-n');
    (networking.metadata as any).annotations = { [POD_NETWORK_ANNOTATION]: 'netns' };
    await create(HOSTS_RESOURCE, networking);
    const names = Array.from({ length: 10 }, (_, i) => `n-${i}`);
    for (const name of names) await create('pods', { ...pod(name), spec: { ...pod(name).spec, nodeName: 'host-n' } });
    const streams = names.map((n) => objectStreamId('pods', 'default', n));
    await eventually(() => expect(streams.filter((id) => store.addressTries.has(id))).toHaveLength(10), 15_000);
    // A pass now, before the follower's next poll brings the addresses back.
    scheduler.kick();
    await eventually(async () => {
      const pods = await Promise.all(streams.map(async (id) => ((await store.readStream(id)).slice(-1)[0].data as any).object));
      expect(pods.filter((p) => p.metadata.annotations?.[POD_IP_ANNOTATION]?.startsWith('10.77.'))).toHaveLength(10);
    }, 15_000);
    await new Promise((r) => setTimeout(r, 600)); // two more polls: any pass that would address them again has run
    expect(streams.map((id) => store.addressTries.get(id))).toEqual(streams.map(() => 1));
  }, 40_000);
});
