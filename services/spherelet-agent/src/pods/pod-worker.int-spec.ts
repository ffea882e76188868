import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodedError, ContainerConfig, CrxErrorCodes, natsNames, ObjectEventTypes, objectStreamId, PodEventTypes, PodSandboxFilter } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { LogFollower, LogFollowerOptions, objectOfStream } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, NatsConnection } from 'nats';
import { FleetFeed, FLEET_FOLLOWS } from '../fleet/fleet-feed';
import { SimRuntime } from '../fleet/sim-runtime';
import { PodWorker } from './pod-worker';
import type { ProbeMetricsSnapshot } from './probe-metrics';

const META = { actor: 'test', source: 'test' };
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as any;
const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { nodeName: 'sim-1', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
});

interface WorkerSuite {
  store: EventStore;
  feed: FleetFeed;
  /** The worker's prober metrics, as its host's /metrics/probes answers with them. */
  probes: () => ProbeMetricsSnapshot;
}

/**
 * A pod worker for host sim-1 on `runtime`, fed by a shared feed over a database of its own: started before the
 * enclosing block's tests, stopped after them.
 */
function podWorkerSuite(label: string, runtime: SimRuntime, resyncMs: number, follow: LogFollowerOptions = {}): WorkerSuite {
  const suite = {} as WorkerSuite;
  let db: TestDatabase;
  let nc: NatsConnection;
  let worker: PodWorker;
  beforeAll(async () => {
    db = await createTestDatabase(label);
    await migrate(db.pool);
    suite.store = new EventStore(db.pool);
    nc = await connect({ servers: testNatsUrl });
    suite.feed = new FleetFeed();
    await suite.feed.start((apply) => new LogFollower(suite.store, db.pool, apply, logger, undefined, { batchSize: 500, pollMs: 50, ...follow }));
    const prefix = uniqueNatsPrefix(label);
    worker = new PodWorker(
      { store: suite.store, pool: db.pool, nats: nc, names: natsNames(prefix), prefix, logger, runtime, feed: suite.feed.pods },
      { host: 'sim-1', epoch: 1, backoffBaseMs: 10, resyncMs, podNetwork: 'loopback' },
    );
    await worker.start();
    suite.probes = () => worker.probeMetrics.snapshot();
  }, 30_000);
  afterAll(async () => {
    await worker?.stop();
    await suite.feed?.stop();
    await nc?.close();
    await db?.drop();
  });
  return suite;
}

/** The pod's status as its stream's events leave it. */
const statusIn = async (store: EventStore, name: string) => objectOfStream(await store.readStream(objectStreamId('pods', 'default', name)))?.status;

/**
 * A pass after a change reconciles only the pods that changed; these check that the others are still looked
 * after: every pod a change names is started, and a pod nothing writes to is repaired by the resync.
 */
describe('the pod worker on a shared feed', () => {
  const runtime = new SimRuntime(1);
  const suite = podWorkerSuite('podworker', runtime, 500);

  const create = (name: string) =>
    suite.store.append(objectStreamId('pods', 'default', name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: pod(name) }, metadata: META }], { expectedVersion: 'no_stream' });
  const versionOf = async (name: string) => (await suite.store.readStream(objectStreamId('pods', 'default', name))).length;
  const statusOf = (name: string) => statusIn(suite.store, name);

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
    const events = await suite.store.readStream(objectStreamId('pods', 'default', 'b'));
    const [last] = events.slice(-1);
    const current = objectOfStream(events);
    const moved = { ...current, spec: { ...current.spec, nodeName: 'sim-2' } };
    await suite.store.append(objectStreamId('pods', 'default', 'b'), [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object: moved }, metadata: META }], { expectedVersion: last.streamVersion });
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
  const runtime = new ListingRuntime(1);
  // No resync while the test runs: every pass but the first is one a change (or the test) asks for.
  const suite = podWorkerSuite('podworkeronly', runtime, 3_600_000);
  const statusOf = (name: string) => statusIn(suite.store, name);

  it('removes the orphaned sandbox of a changed pod, asking for that pod\'s only, and leaves another pod\'s to the next pass over every pod', async () => {
    for (const name of ['x', 'y']) {
      await suite.store.append(objectStreamId('pods', 'default', name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: pod(name) }, metadata: META }], { expectedVersion: 'no_stream' });
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

    const events = await suite.store.readStream(objectStreamId('pods', 'default', 'x'));
    const [last] = events.slice(-1);
    const current = objectOfStream(events);
    const labelled = { ...current, metadata: { ...current.metadata, labels: { touched: 'yes' } } };
    await suite.store.append(objectStreamId('pods', 'default', 'x'), [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object: labelled }, metadata: META }], { expectedVersion: last.streamVersion });
    await eventually(async () => expect(await runtime.sandboxesOf('x')).toEqual(['uid-x']));
    expect(await runtime.sandboxesOf('z')).toEqual(['uid-z']);
    expect(await runtime.sandboxesOf('y')).toEqual(['uid-y']);
    expect(runtime.sandboxesAsked.length).toBeGreaterThan(0);
    expect(runtime.sandboxesAsked).toEqual(runtime.sandboxesAsked.map(() => ({ pods: ['default/x'] })));
    expect(runtime.containersAsked.every((asked) => Array.isArray(asked) && asked.every((id) => id === live.id || id === stale.id))).toBe(true);

    suite.feed.resync('sim-1');
    await eventually(async () => expect(await runtime.sandboxesOf('z')).toEqual([]));
    expect(runtime.sandboxesAsked).toContain(undefined);
    expect(await runtime.sandboxesOf('x')).toEqual(['uid-x']);
    expect(await runtime.sandboxesOf('y')).toEqual(['uid-y']);
  });

  it('asks the runtime nothing for a ConfigMap of a namespace none of its pods is in, and for one of theirs about those pods only', async () => {
    runtime.sandboxesAsked.length = 0;
    const settings = (namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace, uid: `uid-settings-${namespace}`, creationTimestamp: '2026-01-01T00:00:00Z' }, data: { a: '1' } });
    for (const namespace of ['elsewhere', 'default']) {
      await suite.store.append(objectStreamId('configmaps', namespace, 'settings'), [{ type: ObjectEventTypes.created, data: { resource: 'configmaps', object: settings(namespace) }, metadata: META }], { expectedVersion: 'no_stream' });
    }
    // The second ConfigMap's pass: any pass the first had caused came before it, and a pass over every pod asks with no filter.
    await eventually(async () => expect(runtime.sandboxesAsked.length).toBeGreaterThan(0));
    for (const asked of runtime.sandboxesAsked) expect([...(asked?.pods ?? ['every pod'])].sort()).toEqual(['default/x', 'default/y']);
  });
});

/** As the scheduler binds: the binding sets the pod's host fields, and the worker runs the pod its creation and binding make. */
describe('the pod worker on a binding that carries only what it sets', () => {
  const runtime = new SimRuntime(1);
  const suite = podWorkerSuite('podworkerbinding', runtime, 500, { follows: FLEET_FOLLOWS });
  const stream = (name: string) => objectStreamId('pods', 'default', name);

  it('starts the pod, and writes its status as the fields it sets', async () => {
    const created = pod('later');
    delete (created.spec as { nodeName?: string }).nodeName;
    await suite.store.append(stream('later'), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: created }, metadata: META }], { expectedVersion: 'no_stream' });
    const status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] };
    await suite.store.append(stream('later'), [{ type: PodEventTypes.bound, data: { resource: 'pods', set: { 'spec.nodeName': 'sim-1', status } }, metadata: META }], { expectedVersion: 1 });
    await eventually(async () => expect((await statusIn(suite.store, 'later'))?.phase).toBe('Running'));
    const events = await suite.store.readStream(stream('later'));
    const written = events[events.length - 1];
    expect(written.type).toBe(ObjectEventTypes.statusUpdated);
    expect(Object.keys(written.data as object).sort()).toEqual(['resource', 'set']);
    expect(Object.keys((written.data as any).set)).toEqual(['status']);
    // The feed's model applies the status once its follower has read it back (it may trail the store).
    await eventually(async () => expect(suite.feed.model.get('pods', 'default', 'later')?.object.status.phase).toBe('Running'));
    const model = suite.feed.model.get('pods', 'default', 'later')!.object;
    expect(model.spec).toEqual({ ...created.spec, nodeName: 'sim-1' });
    expect(model.status.conditions.find((c: any) => c.type === 'PodScheduled')?.status).toBe('True');
  });
});

/** The sim runtime, keeping the mounts each pod's container was made with, and refusing a subPath `escape` as crx-runtime refuses one leading out of its volume. */
class MountingRuntime extends SimRuntime {
  readonly mounts = new Map<string, ContainerConfig['mounts']>();
  refuseEscape = true;

  override async createContainer(sandboxId: string, config: ContainerConfig, attempt: number) {
    if (this.refuseEscape && config.mounts?.some((m) => m.subPath === 'escape')) {
      throw new CodedError(CrxErrorCodes.containerConfig, `failed to prepare subPath for volumeMount "shared" of container "${config.name}"`);
    }
    const [sandbox] = (await this.listPodSandboxes()).filter((s) => s.id === sandboxId);
    this.mounts.set(sandbox.config.podName, config.mounts);
    return super.createContainer(sandboxId, config, attempt);
  }
}

/** What kubelet does with a mount's subPath and subPathExpr before the runtime binds it, and when the runtime refuses one. */
describe('the pod worker\'s subPaths', () => {
  const runtime = new MountingRuntime(1);
  const suite = podWorkerSuite('podworkersubpath', runtime, 500);
  const create = (name: string, mount: Record<string, string>) => {
    const p = pod(name);
    const spec = {
      ...p.spec,
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [{ ...p.spec.containers[0], env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], volumeMounts: [{ name: 'shared', mountPath: '/s', ...mount }] }],
    };
    return suite.store.append(objectStreamId('pods', 'default', name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: { ...p, spec } }, metadata: META }], { expectedVersion: 'no_stream' });
  };
  const waitingOf = async (name: string) => (await statusIn(suite.store, name))?.containerStatuses?.[0]?.state?.waiting;
  const failedEvents = async (name: string) =>
    (await suite.store.readAll({ limit: 10_000 }))
      .map((e) => (e.data as any)?.object)
      .filter((o) => o?.kind === 'Event' && o.involvedObject?.name === name && o.reason === 'Failed')
      .map((o) => `${o.type} ${o.message}`);

  it('hands the runtime each mount\'s subPath, a subPathExpr expanded from the container\'s env', async () => {
    await create('expr', { subPathExpr: 'logs/$(POD_NAME)' });
    await create('plain', { subPath: 'data/plain' });
    await eventually(async () => {
      expect((await statusIn(suite.store, 'expr'))?.phase).toBe('Running');
      expect((await statusIn(suite.store, 'plain'))?.phase).toBe('Running');
    });
    expect(runtime.mounts.get('expr')).toEqual([{ name: 'shared', mountPath: '/s', subPath: 'logs/expr' }]);
    expect(runtime.mounts.get('plain')).toEqual([{ name: 'shared', mountPath: '/s', subPath: 'data/plain' }]);
  });

  it('holds a container in CreateContainerConfigError, told once in a Failed Event, while its subPathExpr lacks a variable or the runtime refuses its subPath', async () => {
    await create('missing', { subPathExpr: '$(NOPE)/x' });
    await create('escape', { subPath: 'escape' });
    await eventually(async () => {
      expect(await waitingOf('missing')).toEqual({ reason: 'CreateContainerConfigError', message: 'missing value for NOPE' });
      expect(await waitingOf('escape')).toEqual({ reason: 'CreateContainerConfigError', message: 'failed to prepare subPath for volumeMount "shared" of container "c"' });
    });
    // Passes and resyncs (every 500 ms) go over both meanwhile: the Event is not told again.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await failedEvents('missing')).toEqual(['Warning Error: missing value for NOPE']);
    expect(await failedEvents('escape')).toEqual(['Warning Error: failed to prepare subPath for volumeMount "shared" of container "c"']);
    expect((await statusIn(suite.store, 'escape'))?.phase).toBe('Pending');

    // The volume no longer leads out (another container changed it): the next pass makes the container.
    runtime.refuseEscape = false;
    await eventually(async () => expect((await statusIn(suite.store, 'escape'))?.phase).toBe('Running'));
    expect(runtime.mounts.get('escape')).toEqual([{ name: 'shared', mountPath: '/s', subPath: 'escape' }]);
  });
});

/** The sim runtime, holding the stop of one pod's sandbox until the test lets it end (a pod using its grace period). */
class SlowStopRuntime extends SimRuntime {
  private release?: () => void;
  readonly stopping = new Set<string>();

  constructor(private readonly slowPod: string) {
    super(1);
  }

  override async stopPodSandbox(id: string): Promise<object> {
    const sandbox = (await super.listPodSandboxes()).find((s) => s.id === id);
    if (sandbox?.config.podName === this.slowPod) {
      this.stopping.add(this.slowPod);
      await new Promise<void>((resolve) => (this.release = resolve));
    }
    return super.stopPodSandbox(id);
  }

  endStop(): void {
    this.release?.();
  }
}

describe('the pod worker deleting a pod through its grace period', () => {
  const runtime = new SlowStopRuntime('slow');
  const suite = podWorkerSuite('podworker-grace', runtime, 60_000);
  const create = (name: string) =>
    suite.store.append(objectStreamId('pods', 'default', name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: pod(name) }, metadata: META }], { expectedVersion: 'no_stream' });

  it('starts other pods while one takes its grace period to stop, and writes that pod\'s deletion once it stopped', async () => {
    await create('slow');
    await eventually(async () => expect((await statusIn(suite.store, 'slow'))?.phase).toBe('Running'));
    const events = await suite.store.readStream(objectStreamId('pods', 'default', 'slow'));
    const deleting = objectOfStream(events);
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: '2026-01-01T00:01:00Z', deletionGracePeriodSeconds: 30 };
    await suite.store.append(objectStreamId('pods', 'default', 'slow'), [{ type: ObjectEventTypes.deletionStarted, data: { resource: 'pods', object: deleting }, metadata: META }], { expectedVersion: events.length });
    await eventually(async () => expect(runtime.stopping.has('slow')).toBe(true));

    // Its stop is held: a pass waiting for it would leave this pod unstarted.
    await create('quick');
    await eventually(async () => expect((await statusIn(suite.store, 'quick'))?.phase).toBe('Running'));
    expect((await suite.store.readStream(objectStreamId('pods', 'default', 'slow'))).pop()!.type).toBe(ObjectEventTypes.deletionStarted);

    runtime.endStop();
    await eventually(async () => {
      expect((await suite.store.readStream(objectStreamId('pods', 'default', 'slow'))).pop()!.type).toBe(ObjectEventTypes.deleted);
      expect((await runtime.listPodSandboxes()).map((s) => s.config.podName)).toEqual(['quick']);
    });
  });
});

/**
 * The sim runtime, stopping sandboxes as the process driver does: a stop ends the grace period it was given after it
 * was asked, or as soon as another stop of the same sandbox (one asked with a shorter grace period) has ended it.
 */
class GracefulStopRuntime extends SimRuntime {
  /** The grace period of each stop asked, by pod name. */
  readonly asked = new Map<string, number[]>();
  private readonly ending = new Map<string, (() => void)[]>();

  override async stopPodSandbox(id: string, graceSeconds = 30): Promise<object> {
    const [sandbox] = (await super.listPodSandboxes()).filter((s) => s.id === id);
    const name = sandbox.config.podName;
    this.asked.set(name, [...(this.asked.get(name) ?? []), graceSeconds]);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.end(id), graceSeconds * 1000);
      this.ending.set(id, [...(this.ending.get(id) ?? []), () => (clearTimeout(timer), resolve())]);
    });
    return super.stopPodSandbox(id);
  }

  private end(id: string): void {
    for (const end of this.ending.get(id) ?? []) end();
    this.ending.delete(id);
  }
}

describe('the pod worker cutting a pod\'s stop short when its grace period is', () => {
  const runtime = new GracefulStopRuntime(1);
  const suite = podWorkerSuite('podworker-shorten', runtime, 60_000);
  const stream = (name: string) => objectStreamId('pods', 'default', name);
  const create = (name: string, container: object = {}) => {
    const p = pod(name);
    const object = { ...p, spec: { ...p.spec, terminationGracePeriodSeconds: 300, containers: [{ ...p.spec.containers[0], ...container }] } };
    return suite.store.append(stream(name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object }, metadata: META }], { expectedVersion: 'no_stream' });
  };
  /** As the gateway writes a DELETE: the deletion's start, then each shorter grace period asked. */
  const deleteWith = async (name: string, grace: number, type: string = ObjectEventTypes.updated) => {
    const events = await suite.store.readStream(stream(name));
    const current = objectOfStream(events);
    const object = { ...current, metadata: { ...current.metadata, deletionTimestamp: '2026-01-01T00:05:00Z', deletionGracePeriodSeconds: grace } };
    await suite.store.append(stream(name), [{ type, data: { resource: 'pods', object }, metadata: META }], { expectedVersion: events.length });
  };
  const deleted = async (name: string) => (await suite.store.readStream(stream(name))).pop()!.type === ObjectEventTypes.deleted;

  it('stops the pod again with the shorter grace period, which ends it by then; a longer one changes nothing', async () => {
    await create('stubborn');
    await eventually(async () => expect((await statusIn(suite.store, 'stubborn'))?.phase).toBe('Running'));
    await deleteWith('stubborn', 300, ObjectEventTypes.deletionStarted);
    await eventually(async () => expect(runtime.asked.get('stubborn')).toEqual([300]));
    await deleteWith('stubborn', 200);
    await eventually(async () => expect(runtime.asked.get('stubborn')).toEqual([300, 200]));
    // Not shorter than what is left: as the gateway never writes one, but a worker must not take it either.
    await deleteWith('stubborn', 250);
    await deleteWith('stubborn', 3);
    const shortened = Date.now();
    await eventually(async () => expect(runtime.asked.get('stubborn')).toEqual([300, 200, 3]));
    await eventually(async () => expect(await deleted('stubborn')).toBe(true), { timeoutMs: 10_000 });
    expect(Date.now() - shortened).toBeGreaterThanOrEqual(2_900);
    expect(await runtime.listPodSandboxes({ pods: ['default/stubborn'] })).toEqual([]);
  }, 30_000);

  it('ends the wait for a preStop hook at the shorter deadline, then gives the stop signal its 2 s', async () => {
    await create('hooked', { lifecycle: { preStop: { sleep: { seconds: 120 } } } });
    await eventually(async () => expect((await statusIn(suite.store, 'hooked'))?.phase).toBe('Running'));
    await deleteWith('hooked', 300, ObjectEventTypes.deletionStarted);
    // Let the worker start the hook.
    await new Promise((r) => setTimeout(r, 500));
    expect(runtime.asked.get('hooked')).toBeUndefined();
    await deleteWith('hooked', 2);
    await eventually(async () => expect(runtime.asked.get('hooked')).toEqual([2]), { timeoutMs: 10_000 });
    await eventually(async () => expect(await deleted('hooked')).toBe(true), { timeoutMs: 10_000 });
  }, 30_000);
});

/** The sim runtime, keeping each container it was asked to make (its config, by container name). */
class CreatingRuntime extends SimRuntime {
  readonly created: ContainerConfig[] = [];

  override async createContainer(sandboxId: string, config: ContainerConfig, attempt: number) {
    this.created.push(config);
    return super.createContainer(sandboxId, config, attempt);
  }
}

/** kubectl debug's ephemeral containers, as kubelet runs them: started once, in the target's process namespace, never again. */
describe('the pod worker\'s ephemeral containers', () => {
  const runtime = new CreatingRuntime(1);
  const suite = podWorkerSuite('podworkerephemeral', runtime, 200);
  const stream = (name: string) => objectStreamId('pods', 'default', name);
  const debugger0 = { name: 'dbg', image: 'busybox', command: ['sh'], targetContainerName: 'c' };

  const createPod = (name: string, restartPolicy: string) => suite.store.append(stream(name), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: { ...pod(name), spec: { ...pod(name).spec, restartPolicy } } }, metadata: META }], { expectedVersion: 'no_stream' });
  /** As the gateway's ephemeralcontainers subresource writes it: the stored pod with the container added. */
  const addEphemeral = async (name: string) => {
    const events = await suite.store.readStream(stream(name));
    const current = objectOfStream(events);
    const next = { ...current, spec: { ...current.spec, ephemeralContainers: [debugger0] } };
    await suite.store.append(stream(name), [{ type: ObjectEventTypes.updated, data: { resource: 'pods', object: next }, metadata: META }], { expectedVersion: events[events.length - 1].streamVersion });
  };
  const containersOf = async (name: string) => {
    const sandbox = (await runtime.listPodSandboxes()).find((s) => s.config.podName === name)!;
    return runtime.listContainers(sandbox.id);
  };

  it('starts an added ephemeral container once, joined to its target, and does not restart it after it exits', async () => {
    await createPod('debugged', 'Always');
    await eventually(async () => expect((await statusIn(suite.store, 'debugged'))?.phase).toBe('Running'));
    await addEphemeral('debugged');
    await eventually(async () => expect((await statusIn(suite.store, 'debugged'))?.ephemeralContainerStatuses?.[0]?.state?.running).toBeDefined());
    const app = (await containersOf('debugged')).find((c) => c.name === 'c')!;
    expect(runtime.created.filter((c) => c.name === 'dbg')).toEqual([expect.objectContaining({ name: 'dbg', command: ['sh'], targetContainerId: app.id })]);
    // Each container's Events name it in the list it is in, as `kubectl get events -o wide` shows them.
    // Read through the global log, which shows a commit once no older transaction is open: waited for.
    await eventually(async () => {
      const started = (await suite.store.readAll({ limit: 10_000 }))
        .map((e) => (e.data as any)?.object)
        .filter((o) => o?.kind === 'Event' && o.involvedObject?.name === 'debugged' && o.reason === 'Started')
        .map((o) => o.involvedObject.fieldPath);
      expect(started).toEqual(['spec.containers{c}', 'spec.ephemeralContainers{dbg}']);
    });

    const dbg = (await containersOf('debugged')).find((c) => c.name === 'dbg')!;
    await runtime.stopContainer(dbg.id);
    await eventually(async () => {
      const status = (await statusIn(suite.store, 'debugged')).ephemeralContainerStatuses[0];
      expect(status).toMatchObject({ name: 'dbg', ready: false, restartCount: 0, state: { terminated: { exitCode: 143, reason: 'Error' } } });
    });
    // Several resyncs (every 200 ms) pass over it: under the pod's restartPolicy Always an app container would be back.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await containersOf('debugged')).filter((c) => c.name === 'dbg')).toHaveLength(1);
    expect(runtime.created.filter((c) => c.name === 'dbg')).toHaveLength(1);
    expect((await statusIn(suite.store, 'debugged')).phase).toBe('Running');
  });

  it('starts none on a pod whose containers have finished', async () => {
    await createPod('finished', 'Never');
    await eventually(async () => expect((await statusIn(suite.store, 'finished'))?.phase).toBe('Running'));
    const [app] = await containersOf('finished');
    await runtime.stopContainer(app.id);
    await eventually(async () => expect((await statusIn(suite.store, 'finished'))?.phase).toBe('Failed'));
    await addEphemeral('finished');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await containersOf('finished')).map((c) => c.name)).toEqual(['c']);
  });
});

describe('probe failures in Events, as kubelet records them', () => {
  const runtime = new SimRuntime(1);
  const suite = podWorkerSuite('podworkerprobes', runtime, 1000);
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  /** The Events of the log about the pod, as their streams hold them last. */
  async function eventsAbout(name: string): Promise<any[]> {
    const streams = (await suite.store.listStreams('events/default/')).filter((s) => s.streamId.startsWith(`events/default/${name}.`));
    return Promise.all(streams.map(async (s) => objectOfStream(await suite.store.readStream(s.streamId))));
  }

  it('offers every failed run to the recorder: a readiness probe failing each second counts up one Unhealthy Event', async () => {
    const port = (server.address() as AddressInfo).port;
    const probed = pod('unready');
    (probed.spec.containers[0] as any).readinessProbe = { httpGet: { host: '127.0.0.1', port, path: '/ready' }, periodSeconds: 1, failureThreshold: 3 };
    await suite.store.append(objectStreamId('pods', 'default', 'unready'), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: probed }, metadata: META }], { expectedVersion: 'no_stream' });
    await eventually(async () => {
      const unhealthy = (await eventsAbout('unready')).filter((e) => e.reason === 'Unhealthy');
      expect(unhealthy).toHaveLength(1);
      expect(unhealthy[0]).toMatchObject({
        type: 'Warning',
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        involvedObject: { fieldPath: 'spec.containers{c}' },
        source: { component: 'spherelet', host: 'sim-1' },
      });
      expect(unhealthy[0].count).toBeGreaterThanOrEqual(5);
      expect(Date.parse(unhealthy[0].lastTimestamp) - Date.parse(unhealthy[0].firstTimestamp)).toBeGreaterThanOrEqual(3000);
    }, { timeoutMs: 15_000 });
    expect((await statusIn(suite.store, 'unready')).conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False' });
  }, 20_000);
});

/**
 * The sim runtime with exec as crx-runtime runs a command that outlives its timeout (a `sleep 5` probe): killed at the
 * timeout, answered with exit 126; and a container stop that takes the whole grace period it is given (a container
 * that ignores SIGTERM). Each stop notes the host's prober metrics as they were when it was asked.
 */
class HangingRuntime extends SimRuntime {
  readonly stopsAsked: { id: string; graceSeconds: number; metrics?: ProbeMetricsSnapshot }[] = [];
  /** The host's prober metrics, set once its worker runs. */
  probes?: () => ProbeMetricsSnapshot;

  override async execSync(req: { containerId: string; command: string[]; timeoutSeconds?: number }) {
    await new Promise((r) => setTimeout(r, (req.timeoutSeconds ?? 1) * 1000));
    return { exitCode: 126, stdout: '', stderr: '' };
  }

  override async stopContainer(id: string, graceSeconds = 30) {
    this.stopsAsked.push({ id, graceSeconds, metrics: this.probes?.() });
    await new Promise((r) => setTimeout(r, graceSeconds * 1000));
    return super.stopContainer(id);
  }
}

describe('a container whose exec liveness probe times out, killed through a long grace period', () => {
  const runtime = new HangingRuntime(1);
  const suite = podWorkerSuite('podworkerliveness', runtime, 1000);
  beforeAll(() => {
    runtime.probes = suite.probes;
  });

  async function eventsAbout(name: string): Promise<any[]> {
    const streams = (await suite.store.listStreams('events/default/')).filter((s) => s.streamId.startsWith(`events/default/${name}.`));
    return Promise.all(streams.map(async (s) => objectOfStream(await suite.store.readStream(s.streamId))));
  }

  it("fails the probe with kubelet's `command \"sleep 5\" timed out`, kills the container once, and counts the failures in /metrics/probes until the pod goes", async () => {
    const hung = pod('hung');
    (hung.spec as any).restartPolicy = 'Never';
    (hung.spec as any).terminationGracePeriodSeconds = 6;
    (hung.spec.containers[0] as any).livenessProbe = { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 1, failureThreshold: 2 };
    await suite.store.append(objectStreamId('pods', 'default', 'hung'), [{ type: ObjectEventTypes.created, data: { resource: 'pods', object: hung }, metadata: META }], { expectedVersion: 'no_stream' });

    // Killed once its probe failed twice; the 6 s it takes to stop would let a probe still running kill it again.
    await eventually(async () => expect((await statusIn(suite.store, 'hung'))?.phase).toBe('Failed'), { timeoutMs: 30_000 });
    expect(runtime.stopsAsked).toHaveLength(1);
    expect(runtime.stopsAsked[0].graceSeconds).toBe(6);
    const events = await eventsAbout('hung');
    const killing = events.filter((e) => e.reason === 'Killing');
    expect(killing).toHaveLength(1);
    expect(killing[0]).toMatchObject({ type: 'Normal', message: 'Container c failed liveness probe', count: 1, involvedObject: { fieldPath: 'spec.containers{c}' } });
    const unhealthy = events.filter((e) => e.reason === 'Unhealthy');
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]).toMatchObject({ type: 'Warning', message: 'Liveness probe failed: command "sleep 5" timed out', count: 2 });

    // While it was being stopped, the host's /metrics/probes counted the two failed runs (no duration: kubelet observes none).
    const { totals, durations } = runtime.stopsAsked[0].metrics!;
    expect(totals).toEqual([{ owner: { namespace: 'default', pod: 'hung', podUid: 'uid-hung', container: 'c' }, kind: 'liveness', result: 'failed', count: 2 }]);
    expect(durations).toEqual([]);
    // The pod has finished: its probes are over, and their series gone.
    await eventually(async () => expect(suite.probes().totals).toEqual([]));
  }, 40_000);
});
