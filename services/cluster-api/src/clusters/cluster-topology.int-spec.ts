import { natsNames, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, dropGuestStores, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { ClusterController } from './cluster-controller';
import { createIn, meta, NS, quiet } from './guest-cluster.spec-support';
import { CR, LABELS, updated } from './objects';

const CAPV = 'vmware.infrastructure.cluster.x-k8s.io/v1beta1';

/** A Cluster on the ClusterClass tanzukubernetescluster (TKG 2 / VKS), and a TKC's nodeDrainTimeouts, through the cluster controller. */
describe('the cluster controller building topologies', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let controller: ClusterController;

  const latest = async (resource: string, name: string, namespace: string | undefined = NS) => {
    const events = await store.readStream(objectStreamId(resource, namespace, name));
    const last = events[events.length - 1];
    return !last || last.type === ObjectEventTypes.deleted ? undefined : { object: (last.data as any).object, streamVersion: last.streamVersion };
  };
  const write = (resource: string, name: string, change: (o: any) => void) =>
    eventually(async () => {
      const stored = await latest(resource, name);
      const w = updated(resource, stored!, change)!;
      await store.append(w.streamId, w.events, { expectedVersion: w.expectedVersion });
    }, { timeoutMs: 10_000 });
  const condition = (o: any, type: string) => (o?.status?.conditions ?? []).find((c: any) => c.type === type);
  /** The VM make-up (`spec.template.spec`) of the VSphereMachineTemplate a reference names. */
  const templateOf = async (ref: any) => (await latest(CR.vsphereMachineTemplates, ref.name))?.object.spec.template.spec;
  /** Every object of a resource whose name starts with `prefix`, as the log has it now. */
  const current = async (resource: string, prefix: string) => {
    const now = new Map<string, any>();
    for (const e of await store.readAll({ limit: 100_000 })) {
      if (!e.streamId.startsWith(`${resource}/${NS}/${prefix}`)) continue;
      const o = (e.data as any).object;
      if (e.type === ObjectEventTypes.deleted) now.delete(o.metadata.name);
      else now.set(o.metadata.name, o);
    }
    return [...now.values()];
  };

  beforeAll(async () => {
    db = await createTestDatabase('clustertopology');
    await migrate(db.pool);
    store = new EventStore(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'cluster-topology-test' });
    controller = new ClusterController({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('ct')), logger: quiet, databaseUrl: db.url, natsUrl: testNatsUrl });
    await controller.start();
    await createIn(store, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: 'ns-1', creationTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Active' } });
    await createIn(store, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: 'ns-2', creationTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Active' } });
  }, 30_000);

  afterAll(async () => {
    await controller?.stop();
    await nc?.close();
    if (db) await dropGuestStores(db.url, testNatsUrl);
    await db?.drop();
  });

  it('offers the ClusterClass tanzukubernetescluster in a namespace, with its variables in its status', async () => {
    await eventually(async () => {
      const cc = (await latest(CR.clusterClasses, 'tanzukubernetescluster'))?.object;
      expect(cc?.spec.workers.machineDeployments.map((c: any) => c.class)).toEqual(['node-pool']);
      expect(cc.status.variables.map((v: any) => [v.name, v.definitions[0].from, v.definitions[0].required])).toEqual([['vmClass', 'inline', true], ['storageClass', 'inline', true]]);
      expect(condition(cc, 'VariablesReconciled')?.status).toBe('True');
    }, { timeoutMs: 10_000 });
    expect(await latest(CR.clusterClasses, 'tanzukubernetescluster', 'kube-system')).toBeUndefined();
  });

  it('builds a topology into the objects a TKC gets, owned by the Cluster, and follows its changes', async () => {
    const cluster = {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: meta('c2', { generation: 1 }),
      spec: {
        topology: {
          class: 'tanzukubernetescluster', version: 'v1.29.4---vmware.3-fips.1-tkg.1', controlPlane: { replicas: 1, nodeDrainTimeout: '2m' },
          workers: { machineDeployments: [{ class: 'node-pool', name: 'np-1', replicas: 2, nodeDrainTimeout: '30s' }, { class: 'node-pool', name: 'np-2', replicas: 1, variables: { overrides: [{ name: 'vmClass', value: 'best-effort-large' }] } }] },
          variables: [{ name: 'vmClass', value: 'best-effort-small' }, { name: 'storageClass', value: 'gold' }],
        },
      },
    };
    await createIn(store, CR.clusters, cluster);
    const uid = cluster.metadata.uid;
    const ownedByCluster = (o: any) => (o.metadata.ownerReferences ?? []).some((r: any) => r.uid === uid && r.kind === 'Cluster');
    await eventually(async () => {
      const kcp = (await latest(CR.kcps, 'c2-control-plane'))?.object;
      expect(kcp && ownedByCluster(kcp)).toBe(true);
      expect(kcp.spec).toMatchObject({ replicas: 1, version: 'v1.29.4---vmware.3-fips.1-tkg.1', machineTemplate: { nodeDrainTimeout: '2m', infrastructureRef: { apiVersion: CAPV, kind: 'VSphereMachineTemplate', namespace: NS } } });
      expect(kcp.spec.machineTemplate.infrastructureRef.name).toMatch(/^c2-control-plane-[0-9a-f]{5}$/);
      const cpTemplate = (await latest(CR.vsphereMachineTemplates, kcp.spec.machineTemplate.infrastructureRef.name))?.object;
      expect(cpTemplate && ownedByCluster(cpTemplate)).toBe(true);
      expect(cpTemplate.metadata.labels).toEqual({ 'cluster.x-k8s.io/cluster-name': 'c2', 'topology.cluster.x-k8s.io/owned': '' });
      expect(cpTemplate.spec.template.spec).toMatchObject({ className: 'best-effort-small', storageClass: 'gold' });
      const np1 = (await latest(CR.mds, 'c2-np-1'))?.object;
      expect(np1 && ownedByCluster(np1)).toBe(true);
      expect(np1.spec.replicas).toBe(2);
      expect(np1.spec.template.spec).toMatchObject({ nodeDrainTimeout: '30s', infrastructureRef: { kind: 'VSphereMachineTemplate', name: expect.stringMatching(/^c2-np-1-[0-9a-f]{5}$/) } });
      expect(np1.metadata.labels['topology.cluster.x-k8s.io/deployment-name']).toBe('np-1');
      expect((await templateOf(np1.spec.template.spec.infrastructureRef)).className).toBe('best-effort-small');
      const np2 = (await latest(CR.mds, 'c2-np-2'))!.object;
      expect((await templateOf(np2.spec.template.spec.infrastructureRef)).className).toBe('best-effort-large');
      for (const [resource, name] of [[CR.vsphereClusters, 'c2'], [CR.policies, 'c2'], [CR.vmServices, 'c2-control-plane-service']]) expect(ownedByCluster((await latest(resource, name))!.object)).toBe(true);
      const c = (await latest(CR.clusters, 'c2'))!.object;
      expect(c.spec.controlPlaneRef).toMatchObject({ kind: 'KubeadmControlPlane', name: 'c2-control-plane' });
      expect(c.status.phase).toBe('Provisioning');
      expect(condition(c, 'TopologyReconciled')?.status).toBe('True');
      // Nothing in this namespace offers the VM classes or the release's image: said as the TKC path says it.
      expect(condition(c, 'ReferencesResolved')).toMatchObject({ status: 'False', reason: 'NotAvailable' });
      expect(condition(c, 'ReferencesResolved').message).toContain('spec.topology.variables[vmClass].value: VirtualMachineClass "best-effort-small" is not available in namespace "default"');
      expect(condition(c, 'ReferencesResolved').message).toContain('spec.topology.workers.machineDeployments[np-2].variables.overrides[vmClass].value: VirtualMachineClass "best-effort-large"');
    }, { timeoutMs: 15_000 });

    // Scale np-1, raise the control plane, drop np-2: the objects follow.
    await write(CR.clusters, 'c2', (o) => {
      o.spec.topology.workers.machineDeployments = [{ ...o.spec.topology.workers.machineDeployments[0], replicas: 1 }];
      o.spec.topology.controlPlane.replicas = 3;
    });
    await eventually(async () => {
      expect((await latest(CR.mds, 'c2-np-1'))?.object.spec.replicas).toBe(1);
      expect((await latest(CR.kcps, 'c2-control-plane'))?.object.spec.replicas).toBe(3);
      expect(await latest(CR.mds, 'c2-np-2')).toBeUndefined();
    }, { timeoutMs: 15_000 });
  });

  it('reports a topology of a class the namespace does not have as TopologyReconcileFailed, and builds nothing', async () => {
    await createIn(store, CR.clusters, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: meta('c3'),
      spec: { topology: { class: 'nope', version: 'v1.29.4---vmware.3-fips.1-tkg.1', controlPlane: { replicas: 1 } } },
    });
    await eventually(async () => {
      const c = (await latest(CR.clusters, 'c3'))?.object;
      expect(condition(c, 'TopologyReconciled')).toMatchObject({
        status: 'False', reason: 'TopologyReconcileFailed', severity: 'Error',
        message: `failed to retrieve ClusterClass ${NS}/nope: clusterclasses.cluster.x-k8s.io "nope" not found`,
      });
      expect(c.status.phase).toBe('Pending');
      expect(condition(c, 'Ready')).toMatchObject({ status: 'False', reason: 'TopologyReconcileFailed' });
    }, { timeoutMs: 10_000 });
    expect(await latest(CR.kcps, 'c3-control-plane')).toBeUndefined();
  });

  it("passes a TKC's nodeDrainTimeouts down to the control plane's and pools' machine templates", async () => {
    await createIn(store, CR.tkcs, {
      apiVersion: 'run.tanzu.vmware.com/v1alpha3', kind: 'TanzuKubernetesCluster', metadata: meta('t1'),
      spec: { topology: { controlPlane: { replicas: 1, vmClass: 'small', storageClass: 'gold', tkr: { reference: { name: 'img' } }, nodeDrainTimeout: '5m' }, nodePools: [{ name: 'workers', replicas: 1, vmClass: 'small', storageClass: 'gold', nodeDrainTimeout: '90s' }] } },
    });
    await eventually(async () => {
      expect((await latest(CR.kcps, 't1-control-plane'))?.object.spec.machineTemplate.nodeDrainTimeout).toBe('5m');
      expect((await latest(CR.mds, 't1-workers'))?.object.spec.template.spec.nodeDrainTimeout).toBe('90s');
      // Its MachineSet, and the machine that set made, carry it too.
      const sets = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.mss}/${NS}/t1-workers`));
      expect((sets[sets.length - 1]?.data as any)?.object.spec.template.spec.nodeDrainTimeout).toBe('90s');
      const machines = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.machines}/${NS}/t1-workers`));
      expect((machines[machines.length - 1]?.data as any)?.object.spec.nodeDrainTimeout).toBe('90s');
    }, { timeoutMs: 10_000 });
    // A change goes to the MachineDeployment in place: the same MachineSet keeps it, no new one is made.
    const before = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.mss}/`) && e.type === ObjectEventTypes.created).map((e) => e.streamId);
    await write(CR.tkcs, 't1', (o) => (o.spec.topology.nodePools[0].nodeDrainTimeout = '3m'));
    await eventually(async () => {
      const sets = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.mss}/${NS}/t1-workers`) && e.type !== ObjectEventTypes.deleted);
      const last = sets[sets.length - 1];
      expect((last.data as any).object.spec.template.spec.nodeDrainTimeout).toBe('3m');
      const machines = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.machines}/${NS}/t1-workers`));
      expect((machines[machines.length - 1].data as any).object.spec.nodeDrainTimeout).toBe('3m');
    }, { timeoutMs: 10_000 });
    const after = (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId.startsWith(`${CR.mss}/`) && e.type === ObjectEventTypes.created).map((e) => e.streamId);
    expect(after.filter((s) => s.includes('t1-workers'))).toEqual(before.filter((s) => s.includes('t1-workers')));
  });

  it("gives a TKC's control plane and pool VSphereMachineTemplates, its machines VSphereMachines cloned from them, and a new template for a new VM class", async () => {
    await createIn(store, CR.tkcs, {
      apiVersion: 'run.tanzu.vmware.com/v1alpha3', kind: 'TanzuKubernetesCluster', metadata: meta('t2'),
      spec: { topology: { controlPlane: { replicas: 1, vmClass: 'small', storageClass: 'gold', tkr: { reference: { name: 'img' } } }, nodePools: [{ name: 'workers', replicas: 1, vmClass: 'small', storageClass: 'gold' }] } },
    });
    const tkcUid = (await latest(CR.tkcs, 't2'))!.object.metadata.uid;
    const machineOf = async (label: string, value: string) => (await current(CR.machines, 't2-')).filter((m) => m.metadata.labels?.[label] === value);
    /** Each machine refers to the VSphereMachine of its own name, cloned from a template: [machine, template name, VM class]. */
    const clones = async (machines: any[]) =>
      Promise.all(machines.map(async (m) => {
        expect(m.spec.infrastructureRef).toEqual({ apiVersion: CAPV, kind: 'VSphereMachine', name: m.metadata.name, namespace: NS });
        const vsm = (await latest(CR.vsphereMachines, m.metadata.name))?.object;
        expect(vsm?.metadata.annotations['cluster.x-k8s.io/cloned-from-groupkind']).toBe('VSphereMachineTemplate.vmware.infrastructure.cluster.x-k8s.io');
        expect(vsm.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Machine', uid: m.metadata.uid })]);
        return [m.metadata.name, vsm.metadata.annotations['cluster.x-k8s.io/cloned-from-name'], vsm.spec.className];
      }));
    const [cpBefore, poolBefore] = await eventually(async () => {
      const kcp = (await latest(CR.kcps, 't2-control-plane'))!.object;
      const md = (await latest(CR.mds, 't2-workers'))!.object;
      const cpName = kcp.spec.machineTemplate.infrastructureRef.name;
      const poolName = md.spec.template.spec.infrastructureRef.name;
      for (const name of [cpName, poolName]) {
        const t = (await latest(CR.vsphereMachineTemplates, name))!.object;
        expect(t.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'TanzuKubernetesCluster', uid: tkcUid })]);
        expect(t.spec.template.spec).toEqual({ className: 'small', imageName: 'img', storageClass: 'gold', powerOffMode: 'trySoft' });
      }
      expect(cpName).toMatch(/^t2-control-plane-[0-9a-f]{5}$/);
      expect(poolName).toMatch(/^t2-workers-[0-9a-f]{5}$/);
      expect(await clones(await machineOf(LABELS.controlPlaneName, 't2-control-plane'))).toEqual([[expect.any(String), cpName, 'small']]);
      expect(await clones(await machineOf(LABELS.deployment, 't2-workers'))).toEqual([[expect.any(String), poolName, 'small']]);
      return [cpName, poolName];
    }, { timeoutMs: 15_000 });

    // Another VM class: new templates, the references switched to them, and the machines rolled onto them.
    await write(CR.tkcs, 't2', (o) => {
      o.spec.topology.controlPlane.vmClass = 'large';
      o.spec.topology.nodePools[0].vmClass = 'large';
    });
    await eventually(async () => {
      const cpAfter = (await latest(CR.kcps, 't2-control-plane'))!.object.spec.machineTemplate.infrastructureRef.name;
      const md = (await latest(CR.mds, 't2-workers'))!.object;
      const poolAfter = md.spec.template.spec.infrastructureRef.name;
      expect(cpAfter).not.toBe(cpBefore);
      expect(poolAfter).not.toBe(poolBefore);
      expect((await templateOf({ name: cpAfter })).className).toBe('large');
      expect((await templateOf({ name: poolAfter })).className).toBe('large');
      // The control plane surges one machine made from the new template (the old one goes once it runs).
      expect((await clones(await machineOf(LABELS.controlPlaneName, 't2-control-plane'))).map(([, t, c]) => [t, c]).sort()).toEqual([[cpBefore, 'small'], [cpAfter, 'large']]);
      // The pool gets a MachineSet of the new template, and a machine cloned from it.
      const sets = await current(CR.mss, 't2-workers-');
      expect(sets.map((ms) => ms.spec.template.spec.infrastructureRef.name).sort()).toEqual([poolAfter, poolBefore].sort());
      expect((await clones(await machineOf(LABELS.deployment, 't2-workers'))).map(([, t]) => t)).toContain(poolAfter);
      // The control plane's old template goes (no control plane refers to it); the pool's stays while its old MachineSet does.
      expect(await latest(CR.vsphereMachineTemplates, cpBefore)).toBeUndefined();
      expect(await latest(CR.vsphereMachineTemplates, poolBefore)).toBeDefined();
    }, { timeoutMs: 20_000 });
  });
});
