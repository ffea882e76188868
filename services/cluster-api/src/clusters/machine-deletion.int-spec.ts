import { natsNames, ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, dropGuestStores, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ClusterController } from './cluster-controller';
import { GuestApi, guestPod } from './guest-api.spec-support';
import { addGuestCluster, createIn, meta, NS, quiet } from './guest-cluster.spec-support';
import { CR, LABELS, startDeletion, updated } from './objects';

const workerRef = { className: 'small', imageName: 'img', storageClass: 'sc', role: 'worker' };
const ready = () => [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339() }];
const PDB_REFUSAL = { code: 429, status: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 1 currently' }] } } };

/** Machine deletion as Cluster API's reconcileDelete does it, against a guest cluster's API: drain, infrastructure, Node, finalizer. */
describe('the cluster controller deleting machines', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let controller: ClusterController;
  const guests: Record<string, GuestApi> = {};

  const create = (resource: string, object: any) => createIn(store, resource, object);
  /** The object as its stream has it now, with the stream's version (undefined once deleted). */
  const latest = async (resource: string, name: string) => {
    const events = await store.readStream(objectStreamId(resource, NS, name));
    const last = events[events.length - 1];
    return !last || last.type === ObjectEventTypes.deleted ? undefined : { object: (last.data as any).object, streamVersion: last.streamVersion };
  };
  const history = async (resource: string, name: string) => (await store.readStream(objectStreamId(resource, NS, name))).map((e) => ({ type: e.type, object: (e.data as any).object }));
  /** A write of the spec's own, tried again on the newer version when the controller wrote first. */
  const write = (resource: string, name: string, change: (stored: { object: any; streamVersion: number }) => any) =>
    eventually(async () => {
      const stored = await latest(resource, name);
      const w = change(stored!);
      await store.append(w.streamId, w.events, { expectedVersion: w.expectedVersion });
    }, { timeoutMs: 10_000 });
  const machinesOf = async (cluster: string) => {
    const out: any[] = [];
    const seen = new Set<string>();
    for (const e of await store.readAll({ limit: 100_000 })) if (e.streamId.startsWith(`${CR.machines}/`)) seen.add((e.data as any).object.metadata.name);
    for (const name of seen) {
      const m = await latest(CR.machines, name);
      if (m && m.object.spec.clusterName === cluster) out.push(m.object);
    }
    return out;
  };
  const condition = (o: any, type: string) => (o?.status?.conditions ?? []).find((c: any) => c.type === type);

  /** A guest cluster as cluster-api sees one: a Cluster with its endpoint, CA and kubeconfig, its API, and a control-plane machine whose node is there. */
  async function guestCluster(name: string): Promise<void> {
    const api = (guests[name] = await addGuestCluster(store, name));
    // Cluster API leaves the Nodes of a cluster without control-plane machines alone: this one has one.
    await create(CR.machines, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: meta(`${name}-cp`, { labels: { [LABELS.cluster]: name, [LABELS.controlPlane]: '' } }),
      spec: { clusterName: name, bootstrap: { dataSecretName: `${name}-data` }, infrastructureRef: { ...workerRef, role: 'controlplane' } },
    });
    api.nodes.set(`${name}-cp`, ready());
  }

  beforeAll(async () => {
    db = await createTestDatabase('machinedeletion');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'machine-deletion-test' });
    store = new EventStore(db.pool);
    await guestCluster('c1');
    await create(CR.mss, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', metadata: meta('c1-workers-0123456789', { labels: { [LABELS.deployment]: 'c1-workers' } }),
      spec: { clusterName: 'c1', replicas: 3, selector: { matchLabels: { [LABELS.set]: 'c1-workers-0123456789' } }, template: { metadata: {}, spec: { clusterName: 'c1', version: 'v1.29', bootstrap: { dataSecretName: 'c1-data' }, infrastructureRef: workerRef } } },
    });
    controller = new ClusterController({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('mdel')), logger: quiet, databaseUrl: db.url, natsUrl: testNatsUrl });
    await controller.start();
    const workers = await eventually(async () => {
      const ms = (await machinesOf('c1')).filter((m) => m.metadata.labels?.[LABELS.set]);
      expect(ms).toHaveLength(3);
      return ms.map((m) => m.metadata.name);
    }, { timeoutMs: 20_000 });
    for (const n of workers) guests.c1.nodes.set(n, ready());
    await eventually(async () => {
      const ms = await machinesOf('c1');
      expect(ms).toHaveLength(4);
      expect(ms.every((m) => m.status?.nodeRef?.name === m.metadata.name)).toBe(true);
    }, { timeoutMs: 20_000 });
  }, 90_000);

  afterAll(async () => {
    await controller?.stop();
    await Promise.all(Object.values(guests).map((g) => g.stop()));
    await nc?.close();
    if (db) await dropGuestStores(db.url, testNatsUrl);
    await db?.drop();
  });

  it('holds every machine it made with its finalizer', async () => {
    for (const m of await machinesOf('c1')) expect(m.metadata.finalizers).toEqual(['machine.cluster.x-k8s.io']);
  });

  it('scaled down, drains the node (cordon; evictions a PodDisruptionBudget refuses waited for), then deletes the VM, then the Node, then the Machine', async () => {
    const api = guests.c1;
    // The set deletes by name first (deletePolicy Random): the victim is the first worker.
    const workers = (await machinesOf('c1')).filter((m) => m.metadata.labels?.[LABELS.set]).map((m) => m.metadata.name).sort();
    const [victim, other] = workers;
    api.pods.set('default/web-1', guestPod('default', 'web-1', victim, { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.pods.set('kube-system/proxy-1', guestPod('kube-system', 'proxy-1', victim, { controller: { kind: 'DaemonSet', name: 'proxy' } }));
    api.pods.set('default/web-2', guestPod('default', 'web-2', other, { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.daemonSets.add('kube-system/proxy');
    api.refuseEviction = () => PDB_REFUSAL;
    api.holdEvicted = true;
    await write(CR.mss, 'c1-workers-0123456789', (s) => updated(CR.mss, s, (o) => (o.spec.replicas = 2)));

    // Deleting: cordoned, the budget's refusal in DrainingSucceeded, the VM still there.
    const draining = await eventually(async () => {
      const m = (await latest(CR.machines, victim))!.object;
      expect(m.metadata.deletionTimestamp).toBeDefined();
      expect(m.status.phase).toBe('Deleting');
      expect(condition(m, 'DrainingSucceeded')).toMatchObject({
        status: 'False', reason: 'Draining', severity: 'Info',
        message: "Drain not completed yet:\n* Pods with eviction failed:\n  * Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 1 healthy pods and has 1 currently: default/web-1",
      });
      return m;
    }, { timeoutMs: 20_000 });
    expect(api.cordoned.has(victim)).toBe(true);
    expect(api.cordoned.has(other)).toBe(false);
    expect(draining.status.deletion.nodeDrainStartTime).toBeDefined();
    expect(await latest(CR.vms, victim)).toBeDefined();
    expect(api.nodes.has(victim)).toBe(true);

    // The budget allows it: evicted, waited for while it is still there.
    api.refuseEviction = undefined;
    await eventually(async () => {
      const m = (await latest(CR.machines, victim))!.object;
      expect(condition(m, 'DrainingSucceeded')).toMatchObject({ status: 'False', reason: 'Draining', message: 'Drain not completed yet:\n* Pods with deletionTimestamp that still exist: default/web-1' });
    }, { timeoutMs: 20_000 });
    expect(api.pods.get('default/web-1').metadata.deletionTimestamp).toBeDefined();
    expect(await latest(CR.vms, victim)).toBeDefined();

    // Gone: drained; the VM, the VSphereMachine, the Node and the Machine go, in that order.
    api.pods.delete('default/web-1');
    await eventually(async () => expect(await latest(CR.machines, victim)).toBeUndefined(), { timeoutMs: 20_000 });
    const events = await history(CR.machines, victim);
    const drained = events.find((e) => condition(e.object, 'DrainingSucceeded')?.status === 'True');
    expect(drained).toBeDefined();
    expect(condition(drained!.object, 'DrainingSucceeded')?.lastTransitionTime >= condition(draining, 'DrainingSucceeded')?.lastTransitionTime).toBe(true);
    expect(events[events.length - 1].type).toBe(ObjectEventTypes.deleted);
    expect(await latest(CR.vms, victim)).toBeUndefined();
    expect(await latest(CR.vsphereMachines, victim)).toBeUndefined();
    expect(api.nodes.has(victim)).toBe(false);
    // Only once the infrastructure was gone: the Machine said so before its Node went.
    expect(events.some((e) => condition(e.object, 'InfrastructureReady')?.reason === 'Deleted')).toBe(true);
    const deleteAt = api.requests.indexOf(`DELETE /api/v1/nodes/${victim}`);
    expect(deleteAt).toBeGreaterThan(api.requests.lastIndexOf(`GET /api/v1/nodes/${victim}`));
    // The DaemonSet's pod and the other node's were left where they were.
    expect([...api.pods.keys()].sort()).toEqual(['default/web-2', 'kube-system/proxy-1']);
    expect(api.requests.filter((r) => r.endsWith('/eviction'))).toEqual(expect.arrayContaining(['POST /api/v1/namespaces/default/pods/web-1/eviction']));
    expect(api.requests.some((r) => r.includes('proxy-1/eviction') || r.includes('web-2/eviction'))).toBe(false);
  }, 60_000);

  it('deletes a machine marked exclude-node-draining without cordoning or evicting, and still deletes its Node', async () => {
    const api = guests.c1;
    const [victim] = (await machinesOf('c1')).filter((m) => m.metadata.labels?.[LABELS.set]).map((m) => m.metadata.name).sort();
    api.pods.set('default/web-3', guestPod('default', 'web-3', victim, { controller: { kind: 'ReplicaSet', name: 'web' } }));
    await write(CR.machines, victim, (s) => updated(CR.machines, s, (o) => (o.metadata.annotations = { ...o.metadata.annotations, 'machine.cluster.x-k8s.io/exclude-node-draining': '' })));
    await write(CR.machines, victim, (s) => startDeletion(CR.machines, s));
    await eventually(async () => expect(await latest(CR.machines, victim)).toBeUndefined(), { timeoutMs: 20_000 });
    expect(api.cordoned.has(victim)).toBe(false);
    expect(api.pods.has('default/web-3')).toBe(true);
    expect(api.nodes.has(victim)).toBe(false);
    expect((await history(CR.machines, victim)).some((e) => condition(e.object, 'DrainingSucceeded'))).toBe(false);
  }, 30_000);

  it('neither drains nor deletes Nodes of a cluster being deleted', async () => {
    await guestCluster('c2');
    const api = guests.c2;
    await eventually(async () => {
      expect((await latest(CR.machines, 'c2-cp'))?.object.status?.nodeRef?.name).toBe('c2-cp');
      // Held by its finalizer, the Cluster stays while it is being deleted.
      expect((await latest(CR.clusters, 'c2'))?.object.metadata.finalizers).toEqual(['cluster.cluster.x-k8s.io']);
    }, { timeoutMs: 20_000 });
    api.pods.set('default/web-9', guestPod('default', 'web-9', 'c2-cp', { controller: { kind: 'ReplicaSet', name: 'web' } }));
    await write(CR.clusters, 'c2', (s) => startDeletion(CR.clusters, s));
    await eventually(async () => expect((await latest(CR.clusters, 'c2'))?.object.metadata.deletionTimestamp).toBeDefined(), { timeoutMs: 10_000 });
    await write(CR.machines, 'c2-cp', (s) => startDeletion(CR.machines, s));
    await eventually(async () => expect(await latest(CR.machines, 'c2-cp')).toBeUndefined(), { timeoutMs: 20_000 });
    expect(await latest(CR.vms, 'c2-cp')).toBeUndefined();
    expect(api.requests.filter((r) => !r.startsWith('GET /api/v1/nodes'))).toEqual([]);
    expect(api.nodes.has('c2-cp')).toBe(true);
  }, 40_000);
});
