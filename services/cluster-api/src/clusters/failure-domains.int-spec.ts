import { natsNames, ObjectEventTypes, objectStreamId, ZONE_LABEL } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, dropGuestStores, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ClusterController } from './cluster-controller';
import { GuestApi } from './guest-api.spec-support';
import { addGuestCluster, createIn, machineTemplate, meta, NS, quiet, templateRef } from './guest-cluster.spec-support';
import { CR, LABELS, statusOf, updated } from './objects';

const ZONES = { 'zone-a': { controlPlane: true }, 'zone-b': { controlPlane: true }, 'zone-c': { controlPlane: true } };
const zone = (name: string, namespace = NS) => ({
  apiVersion: 'topology.tanzu.vmware.com/v1alpha1', kind: 'Zone', metadata: { ...meta(name), namespace },
  spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name } },
});
const tkc = (name: string, namespace: string, nodePools: any[]) => ({
  apiVersion: 'run.tanzu.vmware.com/v1alpha3', kind: 'TanzuKubernetesCluster', metadata: { ...meta(name), namespace },
  spec: { topology: { controlPlane: { replicas: 3, vmClass: 'small', storageClass: 'gold', tkr: { reference: { name: 'img' } } }, nodePools } },
});

/** vSphere Zones as failure domains, through the cluster controller: Zones → VSphereCluster → Cluster → Machines → VMs. */
describe('the cluster controller placing machines in failure domains', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let controller: ClusterController;
  let guest: GuestApi | undefined;

  const latest = async (resource: string, name: string, namespace: string = NS) => {
    const events = await store.readStream(objectStreamId(resource, namespace, name));
    const last = events[events.length - 1];
    return !last || last.type === ObjectEventTypes.deleted ? undefined : { object: (last.data as any).object, streamVersion: last.streamVersion };
  };
  const object = async (resource: string, name: string, namespace: string = NS) => (await latest(resource, name, namespace))?.object;
  /** Every live object of a resource in a namespace whose name starts with `prefix`, as the log has it now. */
  const current = async (resource: string, prefix: string, namespace: string = NS) => {
    const now = new Map<string, any>();
    for (const e of await store.readAll({ limit: 100_000 })) {
      if (!e.streamId.startsWith(`${resource}/${namespace}/${prefix}`)) continue;
      const o = (e.data as any).object;
      if (e.type === ObjectEventTypes.deleted) now.delete(o.metadata.name);
      else now.set(o.metadata.name, o);
    }
    return [...now.values()].filter((o) => !o.metadata.deletionTimestamp);
  };
  const write = (resource: string, name: string, change: (o: any) => void) =>
    eventually(async () => {
      const w = updated(resource, (await latest(resource, name))!, change)!;
      await store.append(w.streamId, w.events, { expectedVersion: w.expectedVersion });
    }, { timeoutMs: 10_000 });
  const condition = (o: any, type: string) => (o?.status?.conditions ?? []).find((c: any) => c.type === type);
  const controlPlaneOf = (cluster: string, namespace = NS) => current(CR.machines, `${cluster}-control-plane-`, namespace);
  const domainsOf = (machines: any[]) => machines.map((m) => m.spec.failureDomain).sort();

  beforeAll(async () => {
    db = await createTestDatabase('failuredomains');
    await migrate(db.pool);
    store = new EventStore(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'failure-domains-test' });
    for (const name of ['zone-c', 'zone-a', 'zone-b']) await createIn(store, CR.zones, zone(name));
    controller = new ClusterController({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('fd')), logger: quiet, databaseUrl: db.url, natsUrl: testNatsUrl });
    await controller.start();
  }, 30_000);

  afterAll(async () => {
    await controller?.stop();
    await guest?.stop();
    await nc?.close();
    if (db) await dropGuestStores(db.url, testNatsUrl);
    await db?.drop();
  });

  it("spreads a TKC's control plane over the namespace's zones, one machine per zone, and pins a pool to its failureDomain", async () => {
    await createIn(store, CR.tkcs, tkc('z1', NS, [{ name: 'workers', replicas: 2, vmClass: 'small', storageClass: 'gold', failureDomain: 'zone-b' }]));
    await eventually(async () => {
      expect((await object(CR.vsphereClusters, 'z1'))?.status?.failureDomains).toEqual(ZONES);
      expect((await object(CR.clusters, 'z1'))?.status?.failureDomains).toEqual(ZONES);
      const cp = await controlPlaneOf('z1');
      expect(domainsOf(cp)).toEqual(['zone-a', 'zone-b', 'zone-c']);
      for (const m of cp) expect((await object(CR.vsphereMachines, m.metadata.name))?.spec.failureDomain).toBe(m.spec.failureDomain);

      const md = await object(CR.mds, 'z1-workers');
      expect(md?.spec.template.spec.failureDomain).toBe('zone-b');
      const sets = await current(CR.mss, 'z1-workers-');
      expect(sets.map((s) => s.spec.template.spec.failureDomain)).toEqual(['zone-b']);
      const workers = await current(CR.machines, 'z1-workers-');
      expect(domainsOf(workers)).toEqual(['zone-b', 'zone-b']);
      for (const m of workers) expect((await object(CR.vsphereMachines, m.metadata.name))?.spec.failureDomain).toBe('zone-b');
    }, { timeoutMs: 20_000 });
    // Every control-plane machine was made in its domain: none was ever made before the Cluster listed them.
    const made = (await store.readAll({ limit: 100_000 })).filter((e) => e.type === ObjectEventTypes.created && e.streamId.startsWith(`${CR.machines}/${NS}/z1-control-plane-`));
    expect(made.map((e) => (e.data as any).object.spec.failureDomain).sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
  });

  it('scales the control plane down from the domain with the most machines (ties by name) and back up into the emptiest', async () => {
    await write(CR.tkcs, 'z1', (o) => (o.spec.topology.controlPlane.replicas = 2));
    await eventually(async () => expect(domainsOf(await controlPlaneOf('z1'))).toEqual(['zone-b', 'zone-c']), { timeoutMs: 20_000 });
    await write(CR.tkcs, 'z1', (o) => (o.spec.topology.controlPlane.replicas = 3));
    await eventually(async () => expect(domainsOf(await controlPlaneOf('z1'))).toEqual(['zone-a', 'zone-b', 'zone-c']), { timeoutMs: 20_000 });
  });

  it('scales the control plane down by the machine annotated cluster.x-k8s.io/delete-machine first, whatever its domain', async () => {
    const [marked] = (await controlPlaneOf('z1')).filter((m) => m.spec.failureDomain === 'zone-c');
    await write(CR.machines, marked.metadata.name, (o) => (o.metadata.annotations = { ...o.metadata.annotations, 'cluster.x-k8s.io/delete-machine': 'yes' }));
    await write(CR.tkcs, 'z1', (o) => (o.spec.topology.controlPlane.replicas = 2));
    // Without the annotation zone-a's machine would go (the tie of domains broken by name, as above).
    await eventually(async () => expect(domainsOf(await controlPlaneOf('z1'))).toEqual(['zone-a', 'zone-b']), { timeoutMs: 20_000 });
    // The marked one is the one going: being deleted at once, gone once its finalizer is done.
    await eventually(async () => expect(await object(CR.machines, marked.metadata.name)).toBeUndefined(), { timeoutMs: 20_000 });
    await write(CR.tkcs, 'z1', (o) => (o.spec.topology.controlPlane.replicas = 3));
    await eventually(async () => expect(domainsOf(await controlPlaneOf('z1'))).toEqual(['zone-a', 'zone-b', 'zone-c']), { timeoutMs: 20_000 });
  });

  it('moves a pool to another failure domain by rolling it onto a new MachineSet', async () => {
    await write(CR.tkcs, 'z1', (o) => (o.spec.topology.nodePools[0].failureDomain = 'zone-c'));
    await eventually(async () => {
      expect((await object(CR.mds, 'z1-workers'))?.spec.template.spec.failureDomain).toBe('zone-c');
      const sets = await current(CR.mss, 'z1-workers-');
      expect(sets.map((s) => s.spec.template.spec.failureDomain).sort()).toEqual(['zone-b', 'zone-c']);
      expect(sets.find((s) => s.spec.template.spec.failureDomain === 'zone-c')?.spec.replicas).toBeGreaterThan(0);
    }, { timeoutMs: 20_000 });
  });

  it("labels a machine's VM with its zone, and leaves a machine whose zone the namespace lacks without one, saying why", async () => {
    guest = await addGuestCluster(store, 'g1');
    await createIn(store, CR.vsphereMachineTemplates, machineTemplate('g1-workers'));
    const machineSet = (name: string, failureDomain: string) => ({
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', metadata: meta(name, { labels: { [LABELS.cluster]: 'g1' } }),
      spec: { clusterName: 'g1', replicas: 1, selector: { matchLabels: { [LABELS.set]: name } }, template: { spec: { clusterName: 'g1', version: 'v1.29', bootstrap: { dataSecretName: 'g1-data' }, infrastructureRef: templateRef('g1-workers'), failureDomain } } },
    });
    await createIn(store, CR.mss, machineSet('g1-c-0123456789', 'zone-c'));
    await createIn(store, CR.mss, machineSet('g1-x-0123456789', 'zone-x'));
    const [placed, refused] = await eventually(async () => {
      const [c] = await current(CR.machines, 'g1-c-');
      const vm = await object(CR.vms, c?.metadata.name ?? '-');
      expect(vm?.metadata.labels[ZONE_LABEL]).toBe('zone-c');
      const [x] = await current(CR.machines, 'g1-x-');
      expect(x?.spec.failureDomain).toBe('zone-x');
      const vsm = await object(CR.vsphereMachines, x.metadata.name);
      const message = 'failed to create or update VirtualMachine: admission webhook "default.validating.virtualmachine.v1alpha5.vmoperator.vmware.com" denied the request: metadata.labels[topology.kubernetes.io/zone]: Invalid value: "zone-x": zones.topology.tanzu.vmware.com "zone-x" not found';
      expect(condition(vsm, 'VMProvisioned')).toMatchObject({ status: 'False', reason: 'VMCreationFailed', severity: 'Warning', message });
      expect(condition(vsm, 'Ready')).toMatchObject({ status: 'False', reason: 'VMCreationFailed' });
      expect(condition(await object(CR.machines, x.metadata.name), 'InfrastructureReady')).toMatchObject({ status: 'False', reason: 'VMCreationFailed', message });
      return [c.metadata.name, x.metadata.name];
    }, { timeoutMs: 20_000 });
    expect(await object(CR.vms, refused)).toBeUndefined();
    // The VM of the placed machine was made with its zone label from the first: it is never changed.
    const vmEvents = await store.readStream(objectStreamId(CR.vms, NS, placed));
    expect((vmEvents[0].data as any).object.metadata.labels[ZONE_LABEL]).toBe('zone-c');
    // No status.failureDomain until the VM is placed; then the zone VM Operator placed it in (its status.zone).
    expect((await object(CR.machines, placed))?.status).not.toHaveProperty('failureDomain');
    await eventually(async () => {
      const vm = (await latest(CR.vms, placed))!;
      const w = statusOf(CR.vms, vm, { ...vm.object.status, nodeName: 'host-3', zone: 'zone-c' })!;
      await store.append(w.streamId, w.events, { expectedVersion: w.expectedVersion });
    }, { timeoutMs: 10_000 });
    await eventually(async () => expect((await object(CR.machines, placed))?.status?.failureDomain).toBe('zone-c'), { timeoutMs: 20_000 });

    // The zone offered to the namespace: the VM is made, and the refusal goes.
    await createIn(store, CR.zones, zone('zone-x'));
    await eventually(async () => {
      expect((await object(CR.vms, refused))?.metadata.labels[ZONE_LABEL]).toBe('zone-x');
      expect(condition(await object(CR.vsphereMachines, refused), 'VMProvisioned')).toMatchObject({ status: 'False', reason: 'VMProvisionStarted' });
      expect(condition(await object(CR.machines, refused), 'InfrastructureReady')?.reason).not.toBe('VMCreationFailed');
      // A fourth zone is a fourth failure domain.
      expect(Object.keys((await object(CR.clusters, 'z1'))?.status?.failureDomains ?? {})).toEqual(['zone-a', 'zone-b', 'zone-c', 'zone-x']);
    }, { timeoutMs: 20_000 });
  });

  it('gives nothing a failure domain or a zone label in a namespace without Zones', async () => {
    await createIn(store, CR.tkcs, tkc('p1', 'plain', [{ name: 'workers', replicas: 1, vmClass: 'small', storageClass: 'gold' }]));
    await eventually(async () => {
      expect(await controlPlaneOf('p1', 'plain')).toHaveLength(3);
      expect(await current(CR.machines, 'p1-workers-', 'plain')).toHaveLength(1);
      expect(await current(CR.vsphereMachines, 'p1-', 'plain')).toHaveLength(4);
    }, { timeoutMs: 20_000 });
    for (const m of await current(CR.machines, 'p1-', 'plain')) expect(m.spec).not.toHaveProperty('failureDomain');
    for (const v of await current(CR.vsphereMachines, 'p1-', 'plain')) {
      expect(v.spec).not.toHaveProperty('failureDomain');
      expect(v).not.toHaveProperty('status');
    }
    expect((await object(CR.mds, 'p1-workers', 'plain'))?.spec.template.spec).not.toHaveProperty('failureDomain');
    expect(await object(CR.vsphereClusters, 'p1', 'plain')).not.toHaveProperty('status');
    expect((await object(CR.clusters, 'p1', 'plain'))?.status).not.toHaveProperty('failureDomains');
  });
});
