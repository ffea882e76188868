import { natsNames, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { LogFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, NatsConnection } from 'nats';
import { FleetFeed } from '../fleet/fleet-feed';
import { SimRuntime } from '../fleet/sim-runtime';
import { PodWorker } from './pod-worker';

const META = { actor: 'test', source: 'test' };
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as any;
const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { nodeName: 'sim-1', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
});

/**
 * A pass after a change reconciles only the pods that changed; these check that the others are still looked
 * after: every pod a change names is started, and a pod nothing writes to is repaired by the resync.
 */
describe('the pod worker on a shared feed', () => {
  let db: TestDatabase;
  let store: EventStore;
  let nc: NatsConnection;
  let feed: FleetFeed;
  let runtime: SimRuntime;
  let worker: PodWorker;

  beforeAll(async () => {
    db = await createTestDatabase('podworker');
    await migrate(db.pool);
    store = new EventStore(db.pool);
    nc = await connect({ servers: testNatsUrl });
    feed = new FleetFeed();
    await feed.start((apply) => new LogFollower(store, db.pool, apply, logger, undefined, { batchSize: 500, pollMs: 50 }));
    runtime = new SimRuntime(1);
    const prefix = uniqueNatsPrefix('podworker');
    worker = new PodWorker(
      { store, pool: db.pool, nats: nc, names: natsNames(prefix), prefix, logger, runtime, feed: feed.pods },
      { host: 'sim-1', epoch: 1, backoffBaseMs: 10, resyncMs: 500, podNetwork: 'loopback' },
    );
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  const create = (name: string) =>
    store.append(objectStreamId('pods', 'default', name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: pod(name) }, metadata: META }], { expectedVersion: 'no_stream' });
  const versionOf = async (name: string) => (await store.readStream(objectStreamId('pods', 'default', name))).length;
  const statusOf = async (name: string) => ((await store.readStream(objectStreamId('pods', 'default', name))).pop()?.data as any)?.object?.status;

  it('starts each pod bound to its host as its binding arrives', async () => {
    await create('a');
    await eventually(async () => expect((await statusOf('a'))?.phase).toBe('Running'));
    await create('b');
    await create('c');
    await eventually(async () => {
      expect((await statusOf('b'))?.phase).toBe('Running');
      expect((await statusOf('c'))?.phase).toBe('Running');
    });
    expect((await runtime.listPodSandboxes()).map((s) => s.config.podName).sort()).toEqual(['a', 'b', 'c']);
  });

  it('restarts a container that exited behind its back on the resync, with no event about its pod', async () => {
    const sandbox = (await runtime.listPodSandboxes()).find((s) => s.config.podName === 'a')!;
    const [container] = await runtime.listContainers(sandbox.id);
    await runtime.stopContainer(container.id);
    await eventually(async () => {
      const status = await statusOf('a');
      expect(status.containerStatuses[0].restartCount).toBe(1);
      expect(status.containerStatuses[0].state.running).toBeDefined();
    });
  });

  it('writes nothing for a Running pod on resyncs that find it as it left it', async () => {
    await eventually(async () => expect((await statusOf('c'))?.phase).toBe('Running'));
    const before = await versionOf('c');
    // Several resyncs (every 500 ms) pass over it.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await versionOf('c')).toBe(before);
  });

  it('removes the sandbox of a pod bound elsewhere on the pass its change wakes', async () => {
    const [last] = (await store.readStream(objectStreamId('pods', 'default', 'b'))).slice(-1);
    const moved = { ...(last.data as any).object, spec: { ...(last.data as any).object.spec, nodeName: 'sim-2' } };
    await store.append(objectStreamId('pods', 'default', 'b'), [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object: moved }, metadata: META }], { expectedVersion: last.streamVersion });
    await eventually(async () => expect((await runtime.listPodSandboxes()).map((s) => s.config.podName).sort()).toEqual(['a', 'c']));
  });
});
