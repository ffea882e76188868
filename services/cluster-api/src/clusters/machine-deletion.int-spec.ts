import { natsNames, ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, dropGuestStores, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ClusterController } from './cluster-controller';
import { GuestApi, guestPod } from './guest-api.spec-support';
import { addGuestCluster, createIn, machineTemplate, meta, NS, quiet, templateRef } from './guest-cluster.spec-support';
import { CR, LABELS, startDeletion, updated } from './objects';

const workerRef = templateRef('workers');
const controlPlaneRef = templateRef('control-plane');
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
  const workersOf = async (cluster: string) => (await machinesOf(cluster)).filter((m) => m.metadata.labels?.[LABELS.set]);
  const annotate = (name: string, change: (annotations: Record<string, string>) => void) =>
    write(CR.machines, name, (s) => updated(CR.machines, s, (o) => {
      o.metadata.annotations = { ...o.metadata.annotations };
      change(o.metadata.annotations);
    }));
  /** Both workers of c1 (a replacement may still be on its way) have their Node in the guest, and know it (nodeRef). */
  const workerNodesReady = () =>
    eventually(async () => {
      const workers = await workersOf('c1');
      expect(workers).toHaveLength(2);
      for (const m of workers) if (!m.metadata.deletionTimestamp && !guests.c1.nodes.has(m.metadata.name)) guests.c1.nodes.set(m.metadata.name, ready());
      expect(workers.every((m) => !m.metadata.deletionTimestamp && m.status?.nodeRef?.name === m.metadata.name)).toBe(true);
    }, { timeoutMs: 20_000 });
  const PRE_DRAIN = 'pre-drain.delete.hook.machine.cluster.x-k8s.io/e2e-owner';
  const PRE_TERMINATE = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io/e2e-owner';

  /** A guest cluster as cluster-api sees one: a Cluster with its endpoint, CA and kubeconfig, its API, and a control-plane machine whose node is there. */
  async function guestCluster(name: string): Promise<void> {
    const api = (guests[name] = await addGuestCluster(store, name));
    // Cluster API leaves the Nodes of a cluster without control-plane machines alone: this one has one.
    await create(CR.machines, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: meta(`${name}-cp`, { labels: { [LABELS.cluster]: name, [LABELS.controlPlane]: '' } }),
      spec: { clusterName: name, bootstrap: { dataSecretName: `${name}-data` }, infrastructureRef: controlPlaneRef },
    });
    api.nodes.set(`${name}-cp`, ready());
  }

  beforeAll(async () => {
    db = await createTestDatabase('machinedeletion');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'machine-deletion-test' });
    store = new EventStore(db.pool);
    await create(CR.vsphereMachineTemplates, machineTemplate('workers'));
    await create(CR.vsphereMachineTemplates, machineTemplate('control-plane'));
    await guestCluster('c1');
    await create(CR.mss, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', metadata: meta('c1-workers-0123456789', { labels: { [LABELS.deployment]: 'c1-workers' } }),
      spec: { clusterName: 'c1', replicas: 3, selector: { matchLabels: { [LABELS.set]: 'c1-workers-0123456789' } }, template: { metadata: {}, spec: { clusterName: 'c1', version: 'v1.29', bootstrap: { dataSecretName: 'c1-data' }, infrastructureRef: workerRef } } },
    });
    // Cluster API waits 20 s between drain rounds and between looks at a node's volumes: shortened here.
    controller = new ClusterController({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('mdel')), logger: quiet, databaseUrl: db.url, natsUrl: testNatsUrl, nodeOperationRetries: { drainMs: 1000, volumesMs: 500 } });
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

  it("holds a deletion at each lifecycle hook and at the node's attached volumes, and its MachineSet replaces it only once it is gone", async () => {
    const api = guests.c1;
    await workerNodesReady();
    const before = (await workersOf('c1')).map((m) => m.metadata.name).sort();
    expect(before).toHaveLength(2);
    const [victim] = before;
    api.holdEvicted = false;
    api.pods.set('default/web-5', guestPod('default', 'web-5', victim, { controller: { kind: 'ReplicaSet', name: 'web' } }));
    api.volumesAttached.set(victim, ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-5']);
    await annotate(victim, (a) => {
      a[PRE_DRAIN] = '';
      a[PRE_TERMINATE] = '';
    });
    const requestsBefore = api.requests.length;
    await write(CR.machines, victim, (s) => startDeletion(CR.machines, s));

    // Held before the drain: not cordoned, nothing evicted, no replacement made.
    await eventually(async () => {
      const m = (await latest(CR.machines, victim))!.object;
      expect(m.status.phase).toBe('Deleting');
      expect(condition(m, 'PreDrainDeleteHookSucceeded')).toMatchObject({ status: 'False', reason: 'WaitingExternalHook', severity: 'Info' });
    }, { timeoutMs: 20_000 });
    // Passes go by (the resync is every 3 s).
    await new Promise((r) => setTimeout(r, 3500));
    expect(api.cordoned.has(victim)).toBe(false);
    expect(api.requests.slice(requestsBefore).filter((r) => r.includes('/eviction') || r.startsWith('PATCH'))).toEqual([]);
    expect(condition((await latest(CR.machines, victim))!.object, 'DrainingSucceeded')).toBeUndefined();
    expect((await workersOf('c1')).map((m) => m.metadata.name).sort()).toEqual(before);

    // The hook's owner removes it: drained, then the node's volume waited for; the VM still there.
    await annotate(victim, (a) => delete a[PRE_DRAIN]);
    const waiting = await eventually(async () => {
      const m = (await latest(CR.machines, victim))!.object;
      expect(condition(m, 'PreDrainDeleteHookSucceeded')).toMatchObject({ status: 'True' });
      expect(condition(m, 'DrainingSucceeded')).toMatchObject({ status: 'True' });
      expect(condition(m, 'VolumeDetachSucceeded')).toMatchObject({ status: 'False', reason: 'WaitingForVolumeDetach', severity: 'Info', message: 'Waiting for node volumes to be detached' });
      return m;
    }, { timeoutMs: 20_000 });
    expect(api.cordoned.has(victim)).toBe(true);
    expect(api.pods.has('default/web-5')).toBe(false);
    expect(waiting.status.deletion.waitForNodeVolumeDetachStartTime).toBeDefined();
    await new Promise((r) => setTimeout(r, 1500));
    expect(condition((await latest(CR.machines, victim))!.object, 'VolumeDetachSucceeded')).toMatchObject({ status: 'False' });
    expect(await latest(CR.vms, victim)).toBeDefined();

    // Detached: now the pre-terminate hook holds it, its VM untouched.
    api.volumesAttached.delete(victim);
    await eventually(async () => {
      const m = (await latest(CR.machines, victim))!.object;
      expect(condition(m, 'VolumeDetachSucceeded')).toMatchObject({ status: 'True' });
      expect(condition(m, 'PreTerminateDeleteHookSucceeded')).toMatchObject({ status: 'False', reason: 'WaitingExternalHook', severity: 'Info' });
    }, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await latest(CR.vms, victim))?.object.metadata.deletionTimestamp).toBeUndefined();
    expect(api.nodes.has(victim)).toBe(true);
    expect((await workersOf('c1')).map((m) => m.metadata.name).sort()).toEqual(before);

    // Removed too: the VM, the Node and the Machine go; only then is its replacement made.
    await annotate(victim, (a) => delete a[PRE_TERMINATE]);
    await eventually(async () => expect(await latest(CR.machines, victim)).toBeUndefined(), { timeoutMs: 20_000 });
    expect(await latest(CR.vms, victim)).toBeUndefined();
    expect(api.nodes.has(victim)).toBe(false);
    const last = (await history(CR.machines, victim)).at(-1)!.object;
    expect(condition(last, 'PreTerminateDeleteHookSucceeded')).toMatchObject({ status: 'True' });
    await eventually(async () => {
      const now = (await workersOf('c1')).map((m) => m.metadata.name);
      expect(now).toHaveLength(2);
      expect(now).not.toContain(victim);
    }, { timeoutMs: 20_000 });
    // No machine of the set was made while the victim was still there.
    const events = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.machines}/`));
    const of = (e: any) => (e.data as any).object;
    const startedAt = events.findIndex((e) => e.type === ObjectEventTypes.deletionStarted && of(e).metadata.name === victim);
    const goneAt = events.findIndex((e) => e.type === ObjectEventTypes.deleted && of(e).metadata.name === victim);
    const madeAt = events.findIndex((e, i) => i > startedAt && e.type === ObjectEventTypes.created && of(e).metadata.labels?.[LABELS.set]);
    expect(startedAt).toBeGreaterThan(-1);
    expect(madeAt).toBeGreaterThan(goneAt);
  }, 90_000);

  it('stops waiting for volumes that stay attached once nodeVolumeDetachTimeout has passed', async () => {
    const api = guests.c1;
    await workerNodesReady();
    const [victim] = (await workersOf('c1')).map((m) => m.metadata.name).sort();
    api.volumesAttached.set(victim, ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-6']);
    // Set on the set's template, it reaches its machines in place.
    await write(CR.mss, 'c1-workers-0123456789', (s) => updated(CR.mss, s, (o) => (o.spec.template.spec.nodeVolumeDetachTimeout = '1s')));
    await eventually(async () => expect((await latest(CR.machines, victim))?.object.spec.nodeVolumeDetachTimeout).toBe('1s'), { timeoutMs: 10_000 });
    await write(CR.machines, victim, (s) => startDeletion(CR.machines, s));
    await eventually(async () => expect(await latest(CR.machines, victim)).toBeUndefined(), { timeoutMs: 20_000 });
    const events = await history(CR.machines, victim);
    expect(events.some((e) => condition(e.object, 'VolumeDetachSucceeded')?.reason === 'WaitingForVolumeDetach')).toBe(true);
    expect(events.some((e) => condition(e.object, 'VolumeDetachSucceeded')?.status === 'True')).toBe(false);
    expect(api.nodes.has(victim)).toBe(false);
  }, 40_000);

  it('a KubeadmControlPlane with a machine being deleted makes no other, even scaled up, until that one is gone', async () => {
    await create(CR.kcps, {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: meta('c3-control-plane', { labels: { [LABELS.cluster]: 'c3' } }),
      spec: { replicas: 1, version: 'v1.29', machineTemplate: { infrastructureRef: controlPlaneRef }, kubeadmConfigSpec: {} },
    });
    const ofKcp = async () => (await machinesOf('c3')).filter((m) => m.metadata.labels?.[LABELS.controlPlaneName] === 'c3-control-plane').map((m) => m.metadata.name);
    const [first] = await eventually(async () => {
      const names = await ofKcp();
      expect(names).toHaveLength(1);
      return names;
    }, { timeoutMs: 20_000 });
    await annotate(first, (a) => (a[PRE_TERMINATE] = ''));
    await write(CR.machines, first, (s) => startDeletion(CR.machines, s));
    await eventually(async () => expect(condition((await latest(CR.machines, first))?.object, 'PreTerminateDeleteHookSucceeded')).toMatchObject({ status: 'False', reason: 'WaitingExternalHook' }), { timeoutMs: 20_000 });
    await write(CR.kcps, 'c3-control-plane', (s) => updated(CR.kcps, s, (o) => (o.spec.replicas = 2)));
    // Passes go by: KCP waits for the machine being deleted, which it still counts as its own.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await ofKcp()).toEqual([first]);
    expect((await latest(CR.kcps, 'c3-control-plane'))?.object.status).toMatchObject({ replicas: 1 });
    await annotate(first, (a) => delete a[PRE_TERMINATE]);
    await eventually(async () => {
      const names = await ofKcp();
      expect(names).not.toContain(first);
      expect(names).toHaveLength(2);
    }, { timeoutMs: 20_000 });
  }, 40_000);

  it('a KubeadmControlPlane scaled from 5 to 3 deletes one machine, and the next only once that one is gone', async () => {
    await create(CR.kcps, {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: meta('c4-control-plane', { labels: { [LABELS.cluster]: 'c4' } }),
      spec: { replicas: 5, version: 'v1.29', machineTemplate: { infrastructureRef: controlPlaneRef }, kubeadmConfigSpec: {} },
    });
    const ofKcp = async () => (await machinesOf('c4')).filter((m) => m.metadata.labels?.[LABELS.controlPlaneName] === 'c4-control-plane');
    const deleting = async () => (await ofKcp()).filter((m) => m.metadata.deletionTimestamp).map((m) => m.metadata.name);
    const kcpOf = async () => (await latest(CR.kcps, 'c4-control-plane'))?.object;
    const five = await eventually(async () => {
      const names = (await ofKcp()).map((m) => m.metadata.name);
      expect(names).toHaveLength(5);
      return names;
    }, { timeoutMs: 20_000 });
    // Each held by a pre-terminate hook: a deletion lasts until the test lets it finish.
    for (const name of five) await annotate(name, (a) => (a[PRE_TERMINATE] = ''));
    await write(CR.kcps, 'c4-control-plane', (s) => updated(CR.kcps, s, (o) => (o.spec.replicas = 3)));

    const [first] = await eventually(async () => {
      const going = await deleting();
      expect(going).toHaveLength(1);
      return going;
    }, { timeoutMs: 20_000 });
    // Passes go by (the resync is every 3 s): still that one alone, counted with the rest.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await deleting()).toEqual([first]);
    expect(await ofKcp()).toHaveLength(5);
    await eventually(async () => {
      const kcp = await kcpOf();
      expect(kcp?.status).toMatchObject({ replicas: 5, updatedReplicas: 5 });
      expect(condition(kcp, 'Resized')).toMatchObject({ status: 'False', reason: 'ScalingDown', severity: 'Warning', message: 'Scaling down control plane to 3 replicas (actual 5)' });
    }, { timeoutMs: 10_000 });

    await annotate(first, (a) => delete a[PRE_TERMINATE]);
    const [second] = await eventually(async () => {
      expect((await ofKcp()).map((m) => m.metadata.name)).not.toContain(first);
      const going = await deleting();
      expect(going).toHaveLength(1);
      return going;
    }, { timeoutMs: 20_000 });
    expect(second).not.toBe(first);
    await eventually(async () => expect(condition(await kcpOf(), 'Resized')).toMatchObject({ reason: 'ScalingDown', message: 'Scaling down control plane to 3 replicas (actual 4)' }), { timeoutMs: 10_000 });

    await annotate(second, (a) => delete a[PRE_TERMINATE]);
    await eventually(async () => {
      const names = (await ofKcp()).map((m) => m.metadata.name);
      expect(names).toHaveLength(3);
      expect(names).not.toContain(second);
      expect(await deleting()).toEqual([]);
      expect((await kcpOf())?.status).toMatchObject({ replicas: 3, updatedReplicas: 3 });
    }, { timeoutMs: 20_000 });
    // From the log: two deletions in all, the second begun only after the first machine was gone.
    const events = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.machines}/${NS}/c4-control-plane-`));
    const name = (e: any) => (e.data as any).object.metadata.name;
    const started = events.filter((e) => e.type === ObjectEventTypes.deletionStarted);
    expect(started.map(name)).toEqual([first, second]);
    const firstGoneAt = events.findIndex((e) => e.type === ObjectEventTypes.deleted && name(e) === first);
    expect(firstGoneAt).toBeGreaterThan(-1);
    expect(events.indexOf(started[1])).toBeGreaterThan(firstGoneAt);
  }, 60_000);

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
    // Reads only: its nodes, and (while it lived) the auth sync's look at its ClusterRoleBindings and the cloud provider's at
    // its Services; no drain, no delete.
    const reads = ['GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'GET /api/v1/services'];
    expect(api.requests.filter((r) => !r.startsWith('GET /api/v1/nodes') && !reads.includes(r))).toEqual([]);
    expect(api.nodes.has('c2-cp')).toBe(true);
  }, 40_000);
});
