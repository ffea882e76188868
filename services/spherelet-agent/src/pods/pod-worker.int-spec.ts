import { natsNames, ObjectEventTypes, objectStreamId, PodSandboxFilter } from '@openpacific/contracts';
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

/** The sim runtime, noting what each pass asked it to list. */
class ListingRuntime extends SimRuntime {
  readonly sandboxesAsked: (PodSandboxFilter | undefined)[] = [];
  readonly containersAsked: (string | string[] | undefined)[] = [];

  override async listPodSandboxes(filter?: PodSandboxFilter) {
    this.sandboxesAsked.push(filter);
    return super.listPodSandboxes(filter);
  }

  override async listContainers(sandbox?: string | string[]) {
    this.containersAsked.push(sandbox);
    return super.listContainers(sandbox);
  }

  /** The pod uids of the sandboxes of pod `name` (unnoted: the test's own question). */
  async sandboxesOf(name: string): Promise<string[]> {
    return (await super.listPodSandboxes({ pods: [`default/${name}`] })).map((s) => s.config.podUid);
  }
}

/**
 * A pass after a change asks the runtime about the pods it names only; these check that it still finds and
 * removes their orphaned sandboxes, and leaves those of the other pods to a pass over every pod.
 */
describe('the pod worker\'s passes after a change', () => {
  let db: TestDatabase;
  let store: EventStore;
  let nc: NatsConnection;
  let feed: FleetFeed;
  let runtime: ListingRuntime;
  let worker: PodWorker;

  beforeAll(async () => {
    db = await createTestDatabase('podworkeronly');
    await migrate(db.pool);
    store = new EventStore(db.pool);
    nc = await connect({ servers: testNatsUrl });
    feed = new FleetFeed();
    await feed.start((apply) => new LogFollower(store, db.pool, apply, logger, undefined, { batchSize: 500, pollMs: 50 }));
    runtime = new ListingRuntime(1);
    const prefix = uniqueNatsPrefix('podworkeronly');
    // No resync while the test runs: every pass but the first is one a change (or the test) asks for.
    worker = new PodWorker(
      { store, pool: db.pool, nats: nc, names: natsNames(prefix), prefix, logger, runtime, feed: feed.pods },
      { host: 'sim-1', epoch: 1, backoffBaseMs: 10, resyncMs: 3_600_000, podNetwork: 'loopback' },
    );
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  const statusOf = async (name: string) => ((await store.readStream(objectStreamId('pods', 'default', name))).pop()?.data as any)?.object?.status;

  it('removes the orphaned sandbox of a changed pod, asking for that pod\'s only, and leaves another pod\'s to the next pass over every pod', async () => {
    for (const name of ['x', 'y']) {
      await store.append(objectStreamId('pods', 'default', name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: pod(name) }, metadata: META }], { expectedVersion: 'no_stream' });
    }
    await eventually(async () => {
      expect((await statusOf('x'))?.phase).toBe('Running');
      expect((await statusOf('y'))?.phase).toBe('Running');
    });
    // A sandbox of an earlier pod x (another uid), and one of a pod z that is gone.
    const [live] = await runtime.listPodSandboxes({ pods: ['default/x'] });
    const stale = await runtime.runPodSandbox({ podUid: 'uid-x-before', podName: 'x', podNamespace: 'default', epoch: 1 });
    await runtime.runPodSandbox({ podUid: 'uid-z', podName: 'z', podNamespace: 'default', epoch: 1 });
    runtime.sandboxesAsked.length = 0;
    runtime.containersAsked.length = 0;

    const [last] = (await store.readStream(objectStreamId('pods', 'default', 'x'))).slice(-1);
    const labelled = { ...(last.data as any).object, metadata: { ...(last.data as any).object.metadata, labels: { touched: 'yes' } } };
    await store.append(objectStreamId('pods', 'default', 'x'), [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object: labelled }, metadata: META }], { expectedVersion: last.streamVersion });
    await eventually(async () => expect(await runtime.sandboxesOf('x')).toEqual(['uid-x']));
    expect(await runtime.sandboxesOf('z')).toEqual(['uid-z']);
    expect(await runtime.sandboxesOf('y')).toEqual(['uid-y']);
    expect(runtime.sandboxesAsked.length).toBeGreaterThan(0);
    expect(runtime.sandboxesAsked).toEqual(runtime.sandboxesAsked.map(() => ({ pods: ['default/x'] })));
    expect(runtime.containersAsked.every((asked) => Array.isArray(asked) && asked.every((id) => id === live.id || id === stale.id))).toBe(true);

    feed.resync('sim-1');
    await eventually(async () => expect(await runtime.sandboxesOf('z')).toEqual([]));
    expect(runtime.sandboxesAsked).toContain(undefined);
    expect(await runtime.sandboxesOf('x')).toEqual(['uid-x']);
    expect(await runtime.sandboxesOf('y')).toEqual(['uid-y']);
  });
});
