import { randomUUID } from 'node:crypto';
import { HOSTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId, PodEventTypes } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { objectOfStream, SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { serviceMetrics } from '@openpacific/service-kit';
import { PodScheduler } from './pod-scheduler';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('the pod scheduler with priorities', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let log: SharedFollower;
  let scheduler: PodScheduler;

  async function create(resource: string, object: any): Promise<void> {
    const { namespace, name } = object.metadata;
    await store.append(objectStreamId(resource, namespace, name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
  }

  const host = (name: string) => ({
    apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name, uid: randomUUID(), creationTimestamp: now(), labels: { 'kubernetes.io/hostname': name } }, spec: {},
    status: { epoch: 1, allocatable: { cpu: '2', memory: '8Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True', reason: 'HostReady', message: '', lastTransitionTime: now() }] },
  });
  const pod = (name: string, priority: number, preemptionPolicy = 'PreemptLowerPriority', cpu = '1') => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: now() },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }], priority, preemptionPolicy, schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 7 },
    status: { phase: 'Pending' },
  });
  const current = async (name: string) => objectOfStream(await store.readStream(objectStreamId('pods', 'default', name)));
  const events = async () => (await store.readAll({ limit: 10_000 })).filter((e) => e.type === ObjectEventTypes.created && (e.data as any).resource === 'events').map((e) => (e.data as any).object);

  /** What the host's agent does once a deleted pod has stopped: the deletion finishes. */
  async function finishDeletion(name: string): Promise<void> {
    const streamId = objectStreamId('pods', 'default', name);
    const history = await store.readStream(streamId);
    await store.append(streamId, [{ type: ObjectEventTypes.deleted, data: { resource: 'pods', object: objectOfStream(history) }, metadata: META }], { expectedVersion: history.length });
  }

  beforeAll(async () => {
    db = await createTestDatabase('podpreemption');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'pod-preemption-test' });
    store = new EventStore(db.pool);
    await create(HOSTS_RESOURCE, host('host-a'));
    const deps = { store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('pp')), logger: quiet };
    log = new SharedFollower(deps);
    scheduler = new PodScheduler({ ...deps, log }, { batchSize: 2000, chunkPods: 250, maxInFlight: 2, resyncMs: 500 });
    await log.start();
    scheduler.start();
  }, 30_000);

  afterAll(async () => {
    await scheduler?.stop();
    await log?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('preempts the lowest-priority pod for a higher-priority one, then binds it once the victim is gone', async () => {
    await create('pods', pod('low-1', 1));
    await create('pods', pod('low-2', 5));
    await eventually(async () => expect((await current('low-2')).spec.nodeName).toBe('host-a'), 15_000);
    await eventually(async () => expect((await current('low-1')).spec.nodeName).toBe('host-a'), 15_000);
    // Never does not preempt: it waits, Unschedulable, nominated nowhere.
    await create('pods', pod('polite', 100, 'Never'));
    const verdict = async (name: string) => (await current(name)).status.conditions?.find((c: any) => c.type === 'PodScheduled')?.message;
    await eventually(async () => expect(await verdict('polite')).toBe('0/1 hosts are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..'), 15_000);
    await create('pods', pod('urgent', 1000));
    await eventually(async () => expect((await current('urgent')).status.nominatedNodeName).toBe('host-a'), 15_000);
    const victim = await current('low-1');
    expect(victim.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 7 });
    expect(victim.status.conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' }),
    ]));
    // As kube-apiserver marks the deletion the scheduler asks for: due when its grace period ends.
    const disrupted = victim.status.conditions.find((c: any) => c.type === 'DisruptionTarget').lastTransitionTime;
    expect(Date.parse(victim.metadata.deletionTimestamp)).toBe(Date.parse(disrupted) + 7_000);
    expect((await current('low-2')).metadata.deletionTimestamp).toBeUndefined();
    const urgent = await current('urgent');
    // Written with the victim's deletion, but read through the global log, which shows it once no older transaction is open.
    await eventually(async () => expect((await events()).filter((e) => e.reason === 'Preempted')).toEqual([
      expect.objectContaining({ type: 'Normal', involvedObject: expect.objectContaining({ name: 'low-1' }), message: `Preempted by pod ${urgent.metadata.uid} on node host-a` }),
    ]));
    // While the victim terminates, the urgent pod waits without preempting again; then it takes the room first.
    await eventually(async () => expect(await verdict('urgent')).toBe('0/1 hosts are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node..'), 15_000);
    await finishDeletion('low-1');
    await eventually(async () => expect((await current('urgent')).spec.nodeName).toBe('host-a'), 15_000);
    expect((await current('polite')).spec.nodeName).toBeUndefined();
    expect((await current('low-2')).metadata.deletionTimestamp).toBeUndefined();
    await eventually(async () => {
      const bound = (await store.readAll({ limit: 10_000 })).filter((e) => e.type === PodEventTypes.bound).map((e) => e.streamId);
      expect(bound.filter((s) => s === objectStreamId('pods', 'default', 'urgent'))).toHaveLength(1);
    });

    // kube-scheduler's metrics, as the health port serves them: three pods placed, one preemption of one victim, polite waiting.
    const text = await serviceMetrics().metrics();
    expect(text).toMatch(/^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 3$/m);
    expect(text).toMatch(/^scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]\d*$/m);
    expect(text).toMatch(/^scheduler_scheduling_attempt_duration_seconds_count\{result="scheduled",profile="default-scheduler"\} 3$/m);
    expect(text).toMatch(/^scheduler_preemption_victims_sum 1$/m);
    expect(text).toMatch(/^scheduler_pending_pods\{queue="unschedulable"\} 1$/m);
    expect(text).toMatch(/^scheduler_pending_pods\{queue="active"\} 0$/m);
  }, 40_000);

  it('takes pending pods in priority order, not in order of arrival', async () => {
    // polite (100) waits already; a later pod of higher priority (and an equal one) come, then one slot opens.
    await create('pods', pod('later-higher', 200, 'Never'));
    await create('pods', pod('later-equal', 100, 'Never'));
    await eventually(async () => expect((await current('later-equal')).status.conditions?.find((c: any) => c.type === 'PodScheduled')?.reason).toBe('Unschedulable'), 15_000);
    await finishDeletion('low-2');
    await eventually(async () => expect((await current('later-higher')).spec.nodeName).toBe('host-a'), 15_000);
    expect((await current('polite')).spec.nodeName).toBeUndefined();
    // Then, among equals, the earlier one.
    await finishDeletion('urgent');
    await eventually(async () => expect((await current('polite')).spec.nodeName).toBe('host-a'), 15_000);
    expect((await current('later-equal')).spec.nodeName).toBeUndefined();
  }, 30_000);

  it('keeps the room a nominated pod waits for from pods of lower priority while its victims go', async () => {
    // host-a runs later-higher (200) and polite (100); later-equal (100) waits. A pod of both CPUs preempts both.
    await create('pods', pod('whole', 1000, 'PreemptLowerPriority', '2'));
    await eventually(async () => expect((await current('whole')).status.nominatedNodeName).toBe('host-a'), 15_000);
    expect((await current('polite')).metadata.deletionTimestamp).toEqual(expect.any(String));
    expect((await current('later-higher')).metadata.deletionTimestamp).toEqual(expect.any(String));
    // One victim gone: a CPU is free, and later-equal would fit in it, but the nominee holds it.
    await finishDeletion('polite');
    // A pass after that deletion: the new pod's verdict is written, and later-equal (earlier in the queue) was weighed too.
    await create('pods', pod('small', 5, 'Never'));
    const verdict = async (name: string) => (await current(name)).status.conditions?.find((c: any) => c.type === 'PodScheduled');
    await eventually(async () => expect(await verdict('small')).toMatchObject({ status: 'False', reason: 'Unschedulable' }), 15_000);
    expect((await current('later-equal')).spec.nodeName).toBeUndefined();
    await finishDeletion('later-higher');
    await eventually(async () => expect((await current('whole')).spec.nodeName).toBe('host-a'), 15_000);
    expect((await current('later-equal')).spec.nodeName).toBeUndefined();
    expect((await current('small')).spec.nodeName).toBeUndefined();
  }, 40_000);
});
