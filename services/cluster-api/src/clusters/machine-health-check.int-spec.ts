import { natsNames, ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, dropGuestStores, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ClusterController } from './cluster-controller';
import type { GuestApi } from './guest-api.spec-support';
import { addGuestCluster, createIn, machineTemplate, meta, quiet, secret, templateRef } from './guest-cluster.spec-support';
import { CR, LABELS } from './objects';

const infrastructureRef = templateRef('workers');

describe('a MachineHealthCheck reading the nodes of a guest cluster', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let controller: ClusterController;
  const guests: Record<string, GuestApi> = {};

  const create = (resource: string, object: any) => createIn(store, resource, object);
  /** Every object of a resource as the log has it now, and the history of each (deleted ones too). */
  const objects = async (resource: string) => {
    const now = new Map<string, any>();
    const history = new Map<string, { type: string; object: any }[]>();
    for (const e of await store.readAll({ limit: 100_000 })) {
      if (!e.streamId.startsWith(`${resource}/`)) continue;
      const object = (e.data as any).object;
      history.set(object.metadata.name, [...(history.get(object.metadata.name) ?? []), { type: e.type, object }]);
      if (e.type === ObjectEventTypes.deleted) now.delete(object.metadata.name);
      else now.set(object.metadata.name, object);
    }
    return { now, history };
  };
  const machines = async () => [...(await objects(CR.machines)).now.values()].filter((m) => m.spec.clusterName === 'c1');
  const condition = (o: any, type: string) => (o?.status?.conditions ?? []).find((c: any) => c.type === type);
  const check = async (name: string) => (await objects(CR.mhcs)).now.get(name);

  /** A guest cluster as cluster-api sees one: a Cluster with its endpoint, CA and kubeconfig, and its API. */
  async function guestCluster(name: string): Promise<void> {
    guests[name] = await addGuestCluster(store, name);
  }

  beforeAll(async () => {
    db = await createTestDatabase('machinehealth');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'machine-health-test' });
    store = new EventStore(db.pool);
    await create(CR.vsphereMachineTemplates, machineTemplate('workers'));
    await guestCluster('c1');
    await create(CR.mss, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', metadata: meta('c1-workers-0123456789', { labels: { [LABELS.deployment]: 'c1-workers' } }),
      spec: { clusterName: 'c1', replicas: 2, selector: { matchLabels: { [LABELS.set]: 'c1-workers-0123456789' } }, template: { metadata: {}, spec: { clusterName: 'c1', version: 'v1.29', bootstrap: { dataSecretName: 'c1-data' }, infrastructureRef } } },
    });
    controller = new ClusterController({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('mhc')), logger: quiet, databaseUrl: db.url, natsUrl: testNatsUrl });
    await controller.start();
    // Both machines' nodes appear in the guest, Ready: the machines get their nodeRef.
    const names = await eventually(async () => {
      const ms = await machines();
      expect(ms).toHaveLength(2);
      return ms.map((m) => m.metadata.name);
    }, { timeoutMs: 20_000 });
    for (const n of names) guests.c1.nodes.set(n, [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339() }]);
    await eventually(async () => expect((await machines()).every((m) => m.status?.nodeRef?.name === m.metadata.name)).toBe(true), { timeoutMs: 20_000 });
    await create(CR.mhcs, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: meta('c1-workers'),
      spec: { clusterName: 'c1', selector: { matchLabels: { [LABELS.set]: 'c1-workers-0123456789' } }, maxUnhealthy: '100%', unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '1s' }, { type: 'KernelDeadlock', status: 'True', timeout: '3s' }] },
    });
    await eventually(async () => expect((await check('c1-workers'))?.status).toMatchObject({ expectedMachines: 2, currentHealthy: 2, remediationsAllowed: 2 }), { timeoutMs: 20_000 });
  }, 90_000);

  afterAll(async () => {
    await controller?.stop();
    await Promise.all(Object.values(guests).map((g) => g.stop()));
    await nc?.close();
    if (db) await dropGuestStores(db.url, testNatsUrl);
    await db?.drop();
  });

  it("marks a machine whose guest node has had a condition past its timeout, and its MachineSet replaces it", async () => {
    const [victim, other] = (await machines()).map((m) => m.metadata.name).sort();
    guests.c1.nodes.set(victim, [{ type: 'Ready', status: 'Unknown', lastTransitionTime: rfc3339() }]);
    await eventually(async () => {
      const names = (await machines()).map((m) => m.metadata.name);
      expect(names).toHaveLength(2);
      expect(names).toContain(other);
      expect(names).not.toContain(victim);
    }, { timeoutMs: 20_000 });
    // The check marked it, then its owner deleted it.
    const history = (await objects(CR.machines)).history.get(victim)!;
    const marked = history.find((h) => condition(h.object, 'OwnerRemediated')?.status === 'False');
    expect(condition(marked?.object, 'HealthCheckSucceeded')).toMatchObject({ status: 'False', reason: 'UnhealthyNode', severity: 'Warning', message: 'Condition Ready on node is reporting status Unknown for more than 1s' });
    expect(condition(marked?.object, 'OwnerRemediated')).toMatchObject({ status: 'False', reason: 'WaitingForRemediation' });
    expect(history[history.length - 1].type).toBe(ObjectEventTypes.deleted);
    // The healthy one was judged so and kept.
    expect(condition((await machines()).find((m) => m.metadata.name === other), 'HealthCheckSucceeded')).toMatchObject({ status: 'True' });
  }, 30_000);

  it('leaves a machine whose node condition clears before its timeout', async () => {
    const kept = [...guests.c1.nodes.keys()].find((n) => (guests.c1.nodes.get(n) ?? []).every((c) => c.status === 'True'))!;
    guests.c1.nodes.set(kept, [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339() }, { type: 'KernelDeadlock', status: 'True', lastTransitionTime: rfc3339() }]);
    // Seen: the machine is not healthy while the condition holds (the replacement has no node yet either).
    await eventually(async () => expect((await check('c1-workers'))?.status).toMatchObject({ expectedMachines: 2, currentHealthy: 0 }), { timeoutMs: 10_000, intervalMs: 100 });
    guests.c1.nodes.set(kept, [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339() }, { type: 'KernelDeadlock', status: 'False', lastTransitionTime: rfc3339() }]);
    await eventually(async () => expect((await check('c1-workers'))?.status).toMatchObject({ currentHealthy: 1 }), { timeoutMs: 10_000, intervalMs: 100 });
    // Past the 3 s the condition would have needed.
    await new Promise((r) => setTimeout(r, 3500));
    const m = (await machines()).find((x) => x.metadata.name === kept);
    expect(condition(m, 'HealthCheckSucceeded')).toMatchObject({ status: 'True' });
    expect((await objects(CR.machines)).history.get(kept)!.some((h) => h.type === ObjectEventTypes.deleted || condition(h.object, 'HealthCheckSucceeded')?.status === 'False')).toBe(false);
  }, 30_000);

  it('replaces a machine whose node is gone from the guest (NodeNotFound)', async () => {
    const gone = [...guests.c1.nodes.keys()].find((n) => (guests.c1.nodes.get(n) ?? []).some((c) => c.type === 'KernelDeadlock'))!;
    guests.c1.nodes.delete(gone);
    await eventually(async () => expect((await machines()).map((m) => m.metadata.name)).not.toContain(gone), { timeoutMs: 20_000 });
    const marked = (await objects(CR.machines)).history.get(gone)!.find((h) => condition(h.object, 'OwnerRemediated')?.status === 'False');
    expect(condition(marked?.object, 'HealthCheckSucceeded')).toMatchObject({ status: 'False', reason: 'NodeNotFound' });
    // Its MachineSet counted it until it was gone (as Cluster API's does): the replacement comes after.
    await eventually(async () => expect(await machines()).toHaveLength(2), { timeoutMs: 10_000 });
  }, 30_000);

  it("judges nothing while the guest's API does not answer, and judges again once it does", async () => {
    await guestCluster('c2');
    guests.c2.silent = true;
    // A machine whose node the guest once had (its nodeRef says so), checked while the guest is silent.
    await create('secrets', secret('c2-m', { value: '#cloud-config\n{}\n' }));
    await create(CR.machines, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: meta('c2-m', { labels: { pool: 'c2' } }),
      spec: { clusterName: 'c2', bootstrap: { dataSecretName: 'c2-m' }, infrastructureRef },
      status: { phase: 'Running', nodeRef: { apiVersion: 'v1', kind: 'Node', name: 'c2-m' } },
    });
    await create(CR.mhcs, { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: meta('c2'), spec: { clusterName: 'c2', selector: { matchLabels: { pool: 'c2' } }, unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '1s' }] } });
    // Passes go by (the resync is every 3 s): the machine is written, the check is not, and nothing is judged.
    await eventually(async () => expect(condition((await objects(CR.machines)).now.get('c2-m'), 'BootstrapReady')).toBeDefined(), { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 3500));
    expect((await check('c2'))?.status).toBeUndefined();
    expect(condition((await objects(CR.machines)).now.get('c2-m'), 'HealthCheckSucceeded')).toBeUndefined();
    // Answering, without the node: now it is judged gone.
    guests.c2.silent = false;
    await eventually(async () => {
      expect(condition((await objects(CR.machines)).now.get('c2-m'), 'HealthCheckSucceeded')).toMatchObject({ status: 'False', reason: 'NodeNotFound' });
      expect((await check('c2'))?.status).toMatchObject({ expectedMachines: 1, currentHealthy: 0 });
    }, { timeoutMs: 20_000 });
  }, 60_000);
});
