import { BOOTSTRAP_DATA_KEY, NatsNames, rfc3339, ROLE_BINDINGS_RESOURCE, tanzuKubernetesClusterClassSpec, TKC_CLUSTER_CLASS, TKC_WORKER_CLASS, ZONE_LABEL } from '@openpacific/contracts';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, decryptedEvent, LogFollower, PassLoop, pokedFollower, ReadModel, sameJson, SecretKey, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { authSyncTargets, GuestAuthSync } from './guest-auth-sync';
import { GuestInfrastructure } from './guest-infrastructure';
import { ingressUpdates, loadBalancerWrites } from './guest-load-balancers';
import type { GuestAccess } from './guest-nodes';
import { GuestServiceMonitor } from './guest-services';
import { kubeconfigAccess, secretNames } from './guest-secrets';
import {
  CAPI_NODE_OPERATION_RETRIES, deleteHooks, GuestNodeOperations, isControlPlaneMachine, MACHINE_FINALIZER, NodeOperationRetries, nodeDeletionRefusal, nodeDeletionTimeoutExpired, nodeDrainAllowed,
  nodeVolumeDetachAllowed, PRE_DRAIN_DELETE_HOOK, PRE_TERMINATE_DELETE_HOOK,
} from './machine-deletion';
import { MachineExpectations } from './machine-expectations';
import { ClusterState, healthCheck, healthCheckPaused, healthConditions, HealthTarget, remediationAsked, skipsRemediation, Verdict } from './machine-health-check';
import { buildsTopologyClass, fromTanzuKubernetesCluster, fromTopology, imageOf, isTopologyCluster, MachinesSpec, NormalizedCluster, releaseOf } from './cluster-spec';
import { ownVirtualMachines } from './own-vms';
import { controlPlaneDomains, failureDomainsOfZones, landedFailureDomain, machinesOfDomainWithMost, pickFewest, PlacedMachine, vmZoneRefusal } from './failure-domains';
import { CAPV, clonedFrom, clonedVSphereMachine, isTemplateRef, MachineMakeUp, machineInfrastructureRef, objectRef, referencedTemplates, vsphereMachineTemplate } from './machine-templates';
import { capiCondition, condition, CR, created, deleted, LABELS, mergeConditions, setConditions, newObject, startDeletion, statusOf, suffix, templateHash, TOPOLOGY_DEPLOYMENT, TOPOLOGY_OWNED, updated } from './objects';

const CAPI = 'cluster.x-k8s.io/v1beta1';
const KCP = 'controlplane.cluster.x-k8s.io/v1beta1';
const VMOP = 'vmoperator.vmware.com/v1alpha5';
/** Appends of one pass in flight at once (the service's pool has ten connections). */
const WRITE_CONCURRENCY = 6;
/**
 * Machines an owner has on their way to the log at most (made by a pass, not yet read back); the rest come in later
 * passes. A pool asking for 2^31 machines (or 1e21, before the gateway refused it) made them all in memory at once
 * and ran the service out of heap.
 */
export const MACHINES_PER_PASS = 100;
const RETRY_MS = 200;

/**
 * Whether a change to what the controller follows can matter to a pass: a Secret or RoleBinding only in a namespace
 * that holds a TanzuKubernetesCluster or a Cluster (their kubeconfig, CA and bootstrap Secrets, and who may edit the
 * namespace, are read in their own namespace only); anything else always. A Secret written anywhere had started a
 * pass over every cluster.
 */
export function concernsClusters(model: Pick<ReadModel, 'list'>, resource: string, object: any): boolean {
  if (resource !== 'secrets' && resource !== ROLE_BINDINGS_RESOURCE) return true;
  const namespace: string | undefined = object?.metadata?.namespace;
  return !namespace || model.list(CR.tkcs, namespace).length > 0 || model.list(CR.clusters, namespace).length > 0;
}

/**
 * The three-layer cake, level-triggered in one pass over everything (in the elected cluster-api):
 * a TanzuKubernetesCluster becomes a Cluster API Cluster with a KubeadmControlPlane and a MachineDeployment
 * per node pool (plus a VirtualMachineSetResourcePolicy that spreads its VMs and a LoadBalancer
 * VirtualMachineService on 6443 for its control plane); MachineDeployments become MachineSets, control
 * planes and MachineSets become Machines, each Machine a VSphereMachine and a VirtualMachine. Everything
 * owns what it made, so a delete cascades down through the garbage collector. Status flows back up.
 */
export class ClusterController {
  private readonly model = controllerReadModel([...Object.values(CR), 'secrets', ROLE_BINDINGS_RESOURCE]);
  private follower?: LogFollower;
  /** Machines this controller created that the log has not brought back yet: counted as their owners'. */
  private readonly expectations = new MachineExpectations();
  /** The objects whose reconcile last failed, by uid, and how: logged once per different error. */
  private readonly failing = new Map<string, string>();
  private readonly loop: PassLoop;
  private readonly guests: GuestInfrastructure;
  /** What this pass's health checks found, by machine uid: each machine's status write carries it. */
  private health = new Map<string, { verdict: Verdict; remediate: boolean }>();
  /** The guest API calls of machine deletions: drains and Node deletions. */
  private readonly nodeOps: GuestNodeOperations;
  /** Who may edit a namespace is cluster-admin in its guests (guest-auth-sync.ts). */
  private readonly authSync: GuestAuthSync;
  /** Each guest's Services, for its LoadBalancers' Supervisor VirtualMachineServices (guest-load-balancers.ts). */
  private readonly guestServices: GuestServiceMonitor;

  constructor(
    private readonly deps: {
      store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: Logger; secretKey?: SecretKey; databaseUrl: string; natsUrl: string;
      /** Cluster API's drain and volume-detach retry intervals (20 s) unless a spec shortens them. */
      nodeOperationRetries?: Partial<NodeOperationRetries>;
      /** The Supervisor's issuer public key (PEM file) guest control planes get, to take its sessions. */
      supervisorIssuerKeyFile?: string;
      /** The Supervisor's datastore (absolute), under which each guest gets its own (`guests/<cluster uid>`). */
      datastoreDir?: string;
    },
  ) {
    this.loop = new PassLoop(() => this.pass(), { resyncMs: 3000, retryMs: 200, onError: (err) => deps.logger.warn('cluster pass failed', { error: (err as Error).message }) });
    this.guests = new GuestInfrastructure(this.model, deps, () => this.loop.schedule());
    this.authSync = new GuestAuthSync({ timeoutMs: 5000, logger: deps.logger });
    this.guestServices = new GuestServiceMonitor({ intervalMs: 1000, timeoutMs: 5000, staleMs: 10_000, logger: deps.logger, onChange: () => this.loop.schedule() });
    this.nodeOps = new GuestNodeOperations({ retries: { ...CAPI_NODE_OPERATION_RETRIES, ...deps.nodeOperationRetries }, timeoutMs: 5000, logger: deps.logger, onChange: () => this.loop.schedule() });
  }

  async start(): Promise<void> {
    const watched = new Set<string>([...Object.values(CR), 'secrets', ROLE_BINDINGS_RESOURCE]);
    this.follower = pokedFollower(this.deps, (events) => {
      let relevant = false;
      for (const e of events) {
        const change = this.model.apply(decryptedEvent(e, this.deps.secretKey));
        if (!relevant && change && watched.has(change.resource) && concernsClusters(this.model, change.resource, change.object)) relevant = true;
      }
      if (relevant) this.loop.schedule();
    }, { follows: this.model.follows, keep: ownVirtualMachines() });
    await this.follower.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    this.guests.stop();
    this.authSync.stop();
    this.guestServices.stop();
    this.nodeOps.stop();
    await this.follower?.stop();
  }

  private list(resource: string, namespace?: string): StoredObject[] {
    return this.model.list(resource, namespace).filter((s) => !s.object.metadata.deletionTimestamp);
  }

  private get(resource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.model.get(resource, namespace, name);
  }

  /** What `owner` owns; those being deleted too when asked. */
  private owned(resource: string, owner: any, opts: { deleting?: boolean } = {}): StoredObject[] {
    const all = opts.deleting ? this.model.list(resource, owner.metadata.namespace) : this.list(resource, owner.metadata.namespace);
    return all.filter((s) => (s.object.metadata.ownerReferences ?? []).some((r: any) => r.uid === owner.metadata.uid));
  }

  /** Never throws: a failed pass (the guests' databases unreachable, say) is retried on a timer, not at once. */
  private async pass(): Promise<void> {
    try {
      await this.reconcileAll();
    } catch (err) {
      this.deps.logger.warn('cluster pass failed', { error: (err as Error).message });
      setTimeout(() => this.loop.schedule(), RETRY_MS).unref();
    }
  }

  /**
   * The guests' cloud provider: each reachable guest's LoadBalancer Services get their Supervisor VirtualMachineService
   * (written with this pass), and its ingress goes back onto the guest Service's status (in the background).
   */
  private loadBalancers(access: Map<string, GuestAccess>): (StreamAppend | undefined)[] {
    this.guestServices.track(access);
    const writes: (StreamAppend | undefined)[] = [];
    for (const { object: c } of this.model.list(CR.clusters)) {
      const services = access.has(c.metadata.uid) ? this.guestServices.services(c.metadata.uid) : undefined;
      if (!services) continue;
      this.guestServices.noteLoadBalancers(c.metadata.uid, this.model, c, services);
      writes.push(...loadBalancerWrites(this.model, c, services));
      for (const { service, loadBalancer } of ingressUpdates(this.model, c, services).values()) this.guestServices.writeStatus(c.metadata.uid, service, loadBalancer);
    }
    return writes;
  }

  private async reconcileAll(): Promise<void> {
    const writes: (StreamAppend | undefined)[] = this.guests.reconcile();
    const guests = authSyncTargets(this.model);
    this.authSync.track(guests);
    writes.push(...this.loadBalancers(new Map([...guests].map(([uid, g]) => [uid, g.access]))));
    this.health = new Map();
    writes.push(...this.each(this.list(CR.mhcs), 'MachineHealthCheck', (s) => this.healthCheck(s)));
    writes.push(...this.clusterClasses());
    writes.push(...this.each(this.list(CR.tkcs), 'TanzuKubernetesCluster', (s) => this.tkc(s)));
    const [kcps, mss] = [this.list(CR.kcps), this.list(CR.mss)];
    this.expectations.keepOnly(new Set([...kcps, ...mss].map((s) => s.object.metadata.uid)));
    writes.push(...this.each(kcps, 'KubeadmControlPlane', (s) => this.controlPlane(s)));
    writes.push(...this.each(this.list(CR.mds), 'MachineDeployment', (s) => this.deployment(s)));
    writes.push(...this.each(mss, 'MachineSet', (s) => this.machineSet(s)));
    writes.push(...this.each(this.list(CR.machines), 'Machine', (s) => this.machine(s)));
    const deleting = this.model.list(CR.machines).filter((s) => s.object.metadata.deletionTimestamp);
    this.nodeOps.keepOnly(new Set(deleting.map((s) => s.object.metadata.uid)));
    writes.push(...this.each(deleting, 'Machine', (s) => this.machineDeletion(s)));
    writes.push(...this.each(this.list(CR.vsphereClusters), 'VSphereCluster', (s) => this.vsphereCluster(s)));
    writes.push(...this.each(this.list(CR.clusters), 'Cluster', (s) => this.cluster(s)));
    for (const uid of this.failing.keys()) if (!this.model.findByUid(uid)) this.failing.delete(uid);
    // Each write is its own stream's append: they go out together rather than one round trip after another.
    let retry = false;
    const pending = writes.filter((w): w is StreamAppend => !!w);
    const send = async () => {
      for (let w = pending.shift(); w; w = pending.shift()) {
        try {
          await this.deps.store.appendBatch([w]);
        } catch (err) {
          if (!(err instanceof VersionConflictError)) this.deps.logger.warn('cluster write failed', { stream: w.streamId, error: (err as Error).message });
          this.expectations.failed(w.streamId);
          retry = true;
        }
      }
    };
    await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, send));
    // Most failures are a stale version: the follower brings the newer one shortly.
    if (retry) setTimeout(() => this.loop.schedule(), RETRY_MS).unref();
  }


  /**
   * One kind's objects reconciled one by one, each object's failure its own: logged (once per different error) and
   * skipped until a later pass, while the pass goes on. A MachineHealthCheck without a spec threw in every pass,
   * and no Cluster of any namespace was reconciled until it was gone.
   */
  private each<T>(objects: StoredObject[], kind: string, reconcile: (s: StoredObject) => T | T[]): T[] {
    const out: T[] = [];
    for (const s of objects) {
      try {
        const result = reconcile(s);
        if (Array.isArray(result)) out.push(...result);
        else out.push(result);
        this.failing.delete(s.object.metadata.uid);
      } catch (err) {
        const { namespace, name, uid } = s.object.metadata;
        const error = (err as Error).message;
        if (this.failing.get(uid) !== error) this.deps.logger.warn('object reconcile failed', { kind, namespace, name, error });
        this.failing.set(uid, error);
      }
    }
    return out;
  }

  /** TKC → Cluster, then what its spec asks for (build); its status back. */
  private tkc(stored: StoredObject): (StreamAppend | undefined)[] {
    const tkc = stored.object;
    const spec = fromTanzuKubernetesCluster(tkc);
    const { name, namespace: ns } = spec;
    const writes = this.build(spec, tkc);
    if (!this.get(CR.clusters, ns, name)) {
      writes.push(
        created(
          CR.clusters,
          newObject(CAPI, 'Cluster', ns, name, tkc, {
            labels: { [LABELS.cluster]: name },
            spec: {
              topology: { class: TKC_CLUSTER_CLASS, version: this.release(spec.version)?.spec?.version ?? spec.version, controlPlane: { replicas: spec.controlPlane.replicas }, variables: [{ name: 'vmClass', value: spec.controlPlane.vmClass }, { name: 'storageClass', value: spec.controlPlane.storageClass }] },
              ...clusterRefs(name, ns),
            },
          }),
        ),
      );
    }
    writes.push(this.tkcStatus(stored, spec));
    return writes;
  }

  /**
   * One guest cluster's Cluster API objects, from a TKC or a Cluster's topology, all owned by `owner` (so deleting it
   * cascades): a VirtualMachineSetResourcePolicy (cluster-module groups), the control plane's LoadBalancer
   * VirtualMachineService on 6443, a VSphereCluster, a KubeadmControlPlane `<c>-control-plane` and a MachineDeployment
   * `<c>-<pool>` per pool, each referring to a VSphereMachineTemplate of its VM class, image and storage class; a
   * MachineDeployment of a pool no longer asked for is deleted. Replicas, the release (version and VM image), VM and
   * storage class, nodeDrainTimeout and a pool's failureDomain follow the spec: a new make-up is a new template, and
   * switching the reference to it rolls the machines. A template no object refers to any more is deleted.
   */
  private build(spec: NormalizedCluster, owner: any): (StreamAppend | undefined)[] {
    const { name, namespace: ns } = spec;
    const topology = owner.kind === 'Cluster';
    const writes: (StreamAppend | undefined)[] = [];
    const ensure = (resource: string, childName: string, make: () => any, sync?: (o: any) => void) => {
      const existing = this.get(resource, ns, childName);
      if (!existing) writes.push(created(resource, make(), this.model.streamVersion(resource, ns, childName)));
      else if (sync && !existing.object.metadata.deletionTimestamp) writes.push(updated(resource, existing, sync));
    };
    const labels = { [LABELS.cluster]: name };
    ensure(CR.policies, name, () => newObject(VMOP, 'VirtualMachineSetResourcePolicy', ns, name, owner, { labels, spec: { resourcePool: { name }, folder: name, clusterModuleGroups: ['control-plane-group', ...spec.pools.map((p) => `${p.name}-workers-group`)] } }));
    ensure(CR.vmServices, `${name}-control-plane-service`, () =>
      newObject(VMOP, 'VirtualMachineService', ns, `${name}-control-plane-service`, owner, {
        labels,
        spec: { type: 'LoadBalancer', selector: { [LABELS.vmCluster]: name, [LABELS.vmRole]: 'controlplane' }, ports: [{ name: 'apiserver', protocol: 'TCP', port: 6443, targetPort: 6443 }] },
      }),
    );
    ensure(CR.vsphereClusters, name, () => newObject(CAPV, 'VSphereCluster', ns, name, owner, { labels, spec: {} }));
    const makeUp = (m: MachinesSpec): MachineMakeUp => ({ className: m.vmClass, imageName: imageOf(this.release(m.release), m.release), storageClass: m.storageClass });
    // Each part's VSphereMachineTemplate, made when its make-up is new; what refers to it is switched to it below.
    const templates = new Set<string>();
    const templateRef = (base: string, m: MachinesSpec, templateLabels: Record<string, string>, classTemplate: string) => {
      const template = vsphereMachineTemplate(ns, base, owner, makeUp(m), { labels: templateLabels, clonedFrom: `${TKC_CLUSTER_CLASS}-${classTemplate}` });
      templates.add(template.metadata.name);
      ensure(CR.vsphereMachineTemplates, template.metadata.name, () => template);
      return objectRef(template);
    };
    const cp = spec.controlPlane;
    const kcpLabels = topology ? { ...labels, [TOPOLOGY_OWNED]: '' } : labels;
    const cpRef = templateRef(`${name}-control-plane`, cp, kcpLabels, 'control-plane');
    const kcpTemplate = () => ({ infrastructureRef: cpRef, ...(cp.nodeDrainTimeout ? { nodeDrainTimeout: cp.nodeDrainTimeout } : {}) });
    ensure(
      CR.kcps,
      `${name}-control-plane`,
      () => newObject(KCP, 'KubeadmControlPlane', ns, `${name}-control-plane`, owner, { labels: kcpLabels, spec: { replicas: cp.replicas, version: spec.version, machineTemplate: kcpTemplate(), kubeadmConfigSpec: {} } }),
      (o) => {
        o.spec.replicas = cp.replicas;
        o.spec.version = spec.version;
        o.spec.machineTemplate = kcpTemplate();
      },
    );
    const wanted = new Set<string>();
    for (const pool of spec.pools) {
      const mdName = `${name}-${pool.name}`;
      wanted.add(mdName);
      const mdLabels = { ...labels, [LABELS.deployment]: mdName, ...(topology ? { [TOPOLOGY_OWNED]: '', [TOPOLOGY_DEPLOYMENT]: pool.name } : {}) };
      const poolRef = templateRef(mdName, pool, { ...labels, ...(topology ? { [TOPOLOGY_OWNED]: '', [TOPOLOGY_DEPLOYMENT]: pool.name } : {}) }, TKC_WORKER_CLASS);
      const templateSpec = () => ({
        clusterName: name, version: pool.release, infrastructureRef: poolRef,
        ...(pool.nodeDrainTimeout ? { nodeDrainTimeout: pool.nodeDrainTimeout } : {}),
        ...(pool.failureDomain ? { failureDomain: pool.failureDomain } : {}),
      });
      // MachineSpec requires bootstrap (its machines' data Secrets are named later); only in a new MachineDeployment's
      // template, as adding it to an existing one would change its template hash and roll its machines.
      ensure(
        CR.mds,
        mdName,
        () => newObject(CAPI, 'MachineDeployment', ns, mdName, owner, { labels: mdLabels, spec: { clusterName: name, replicas: pool.replicas, selector: { matchLabels: { [LABELS.deployment]: mdName } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: { spec: { bootstrap: {}, ...templateSpec() } } } }),
        (o) => {
          o.spec.replicas = pool.replicas;
          o.spec.template.spec = { ...o.spec.template.spec, ...templateSpec() };
          if (!pool.nodeDrainTimeout) delete o.spec.template.spec.nodeDrainTimeout;
          if (!pool.failureDomain) delete o.spec.template.spec.failureDomain;
        },
      );
    }
    // A pool (machineDeployment) taken out of the spec: its MachineDeployment goes, and its machines with it.
    for (const md of this.owned(CR.mds, owner)) if (!wanted.has(md.object.metadata.name)) writes.push(startDeletion(CR.mds, md));
    writes.push(...this.unusedTemplates(owner, templates));
    return writes;
  }

  /**
   * The VSphereMachineTemplates `owner` made that are neither wanted now nor referred to by any control plane,
   * MachineDeployment, MachineSet or Machine (an old MachineSet keeps its template until the rollout removed it).
   */
  private unusedTemplates(owner: any, wanted: Set<string>): (StreamAppend | undefined)[] {
    const ns = owner.metadata.namespace;
    const all = (resource: string) => this.model.list(resource, ns).map((s) => s.object);
    const used = referencedTemplates({ kcps: all(CR.kcps), mds: all(CR.mds), mss: all(CR.mss), machines: all(CR.machines) });
    return this.owned(CR.vsphereMachineTemplates, owner)
      .filter((t) => !wanted.has(t.object.metadata.name) && !used.has(t.object.metadata.name))
      .map((t) => startDeletion(CR.vsphereMachineTemplates, t));
  }

  /** The TanzuKubernetesRelease a release names (by name or version), if there is one. */
  private release(name: string): any {
    return releaseOf(name, (tkr) => this.get(CR.tkrs, undefined, tkr)?.object);
  }

  private tkcStatus(stored: StoredObject, spec: NormalizedCluster): StreamAppend | undefined {
    const tkc = stored.object;
    const ns = tkc.metadata.namespace;
    const { cpReady, poolsReady, endpoint } = this.readiness(spec);
    const mds = spec.pools.map((p) => this.get(CR.mds, ns, `${spec.name}-${p.name}`)?.object);
    const machines = this.list(CR.machines, ns).filter((m) => m.object.metadata.labels?.[LABELS.cluster] === tkc.metadata.name);
    const problems = this.unavailableReferences(spec);
    const ready = cpReady && poolsReady && !!endpoint && problems.length === 0;
    const status = {
      phase: ready ? 'running' : 'creating',
      version: spec.version,
      totalWorkerReplicas: mds.reduce((n: number, md: any) => n + (md?.status?.replicas ?? 0), 0),
      apiEndpoints: endpoint ? [{ host: endpoint, port: 6443 }] : [],
      nodeStatus: Object.fromEntries(machines.map((m) => [m.object.metadata.name, machineReady(m.object) ? 'ready' : m.object.status?.nodeRef ? 'notready' : 'pending'])),
      vmStatus: Object.fromEntries(machines.map((m) => [m.object.metadata.name, vmStatusOf(this.get(CR.vms, m.object.metadata.namespace, m.object.metadata.name)?.object)])),
      conditions: mergeConditions(tkc.status?.conditions, [
        condition('ControlPlaneReady', cpReady),
        condition('NodePoolsReady', poolsReady),
        problems.length ? condition('ReferencesResolved', false, 'NotAvailable', problems.join('; ')) : condition('ReferencesResolved', true),
        condition('Ready', ready, problems.length ? 'NotAvailable' : 'NotReady', problems.join('; ')),
      ]),
    };
    return statusOf(CR.tkcs, stored, status);
  }

  /** Whether the control plane and every pool have their machines ready, and the control plane's endpoint. */
  private readiness(spec: NormalizedCluster): { cpReady: boolean; poolsReady: boolean; endpoint?: string } {
    const ns = spec.namespace;
    const kcp = this.get(CR.kcps, ns, `${spec.name}-control-plane`)?.object;
    const mds = spec.pools.map((p) => this.get(CR.mds, ns, `${spec.name}-${p.name}`)?.object);
    const cpReady = !!kcp && (kcp.status?.readyReplicas ?? 0) >= (kcp.spec.replicas ?? 1) && (kcp.status?.replicas ?? 0) === kcp.spec.replicas;
    const poolsReady = mds.every((md: any) => md && (md.status?.readyReplicas ?? 0) >= md.spec.replicas && (md.status?.replicas ?? 0) === md.spec.replicas);
    const endpoint = this.get(CR.vmServices, ns, `${spec.name}-control-plane-service`)?.object?.status?.loadBalancer?.ingress?.[0]?.ip;
    return { cpReady, poolsReady, endpoint };
  }

  /** What the spec names that its namespace does not offer: VM classes, storage classes, the releases' VM images, each with the field that names it. */
  private unavailableReferences(spec: NormalizedCluster): string[] {
    const ns = spec.namespace;
    const out = new Set<string>();
    for (const part of [spec.controlPlane, ...spec.pools]) {
      if (part.vmClass && !this.get(CR.vmClasses, ns, part.vmClass)) out.add(`${part.field.vmClass}: VirtualMachineClass "${part.vmClass}" is not available in namespace "${ns}"`);
      if (part.storageClass && !this.get(CR.storageClasses, undefined, part.storageClass)) out.add(`${part.field.storageClass}: StorageClass "${part.storageClass}" does not exist`);
      if (!part.release) continue;
      const image = imageOf(this.release(part.release), part.release);
      if (!this.get(CR.vmImages, ns, image) && !this.get(CR.clusterVmImages, undefined, image)) {
        out.add(`${part.field.release}: no VM image "${image}" for release "${part.release}" is available in namespace "${ns}"`);
      }
    }
    return [...out];
  }

  /**
   * KubeadmControlPlane → its Machines. A scale-down deletes one machine a pass (see controlPlaneScaleDownVictim) and
   * the next only once that one is gone, as KCP's scaleDownControlPlane does. A new version or machine
   * template rolls one machine at a time, surging by one (3 → 4 → 3), so the control plane never drops
   * below its count: the new machine must be Running before an outdated one is removed. Machines being deleted
   * count as its own, and while one is, nothing is scaled, rolled or remediated (KCP's preflight check waits for
   * machines to be deleted). With failure domains (its Cluster's `status.failureDomains` marked for the control plane),
   * as KCP places machines: each new one in the domain with the fewest up-to-date machines (then the fewest overall,
   * then by name). While the namespace has Zones its Cluster does not list yet, no machine is made.
   */
  private controlPlane(stored: StoredObject): (StreamAppend | undefined)[] {
    const kcp = stored.object;
    const cluster = kcp.metadata.labels?.[LABELS.cluster];
    const clusterObject = cluster ? this.get(CR.clusters, kcp.metadata.namespace, cluster)?.object : undefined;
    const domains = controlPlaneDomains(clusterObject?.status?.failureDomains);
    const awaitingDomains = domains.length === 0 && clusterObject?.spec?.infrastructureRef?.kind === 'VSphereCluster' && this.list(CR.zones, kcp.metadata.namespace).length > 0;
    const all = this.owned(CR.machines, kcp, { deleting: true });
    const deleting = all.filter((m) => m.object.metadata.deletionTimestamp);
    const machines = all.filter((m) => !deleting.includes(m));
    const template = {
      labels: { [LABELS.cluster]: cluster, [LABELS.controlPlane]: '', [LABELS.controlPlaneName]: kcp.metadata.name },
      spec: { clusterName: cluster, version: kcp.spec.version, bootstrap: {}, infrastructureRef: kcp.spec.machineTemplate?.infrastructureRef, ...pickInPlaceFields(kcp.spec.machineTemplate) },
    };
    const replicas = kcp.spec.replicas ?? 1;
    const inPlace = propagateInPlace(machines, kcp.spec.machineTemplate);
    // As KCP tells them: another version, or a VSphereMachine cloned from another template than the current one.
    const outdated = machines.filter((m) => m.object.spec.version !== kcp.spec.version || !this.madeFrom(m.object, template.spec.infrastructureRef));
    // As KCP remediates: one machine at a time, not while it lacks machines, never the last of an initialized control plane.
    const unhealthy = machines.filter((m) => remediationAsked(m.object));
    const remediable = unhealthy.length > 0 && machines.length >= replicas && (machines.length > 1 || !kcp.status?.initialized);
    const upToDate = machines.filter((m) => !outdated.includes(m));
    // The failure domain of each new machine, counting those made before it in this pass.
    const placement = {
      failureDomain: (made: PlacedMachine[]) => pickFewest(domains, [...machines.map((m) => m.object), ...made], [...upToDate.map((m) => m.object), ...made]),
      // As KCP scales down: one machine a pass, whatever the surplus; the next once it is gone (nothing is scaled while
      // one is being deleted, below).
      victims: (candidates: StoredObject[]) => [controlPlaneScaleDownVictim(domains, candidates, [])],
    };
    let writes: (StreamAppend | undefined)[];
    if (deleting.length || awaitingDomains) {
      writes = [];
    } else if (remediable) {
      writes = [startDeletion(CR.machines, deletionOrder(unhealthy, 'Oldest')[0])];
    } else if (outdated.length === 0 || machines.length < replicas) {
      writes = this.scaleMachines(kcp, machines, replicas, 'Oldest', template, placement);
    } else if (machines.length === replicas) {
      writes = this.scaleMachines(kcp, machines, replicas + 1, 'Oldest', template, placement);
    } else {
      const ready = upToDate.length > 0 && upToDate.every((m) => machineReady(m.object));
      writes = ready ? [startDeletion(CR.machines, controlPlaneScaleDownVictim(domains, machines, outdated))] : [];
    }
    writes.push(...inPlace);
    const ready = all.filter((m) => machineReady(m.object)).length;
    // As KCP counts them: every machine it owns, those being deleted too; updated, all but the outdated ones not being deleted.
    const status = { replicas: all.length, readyReplicas: ready, updatedReplicas: all.length - outdated.length, unavailableReplicas: all.length - ready };
    const resized = resizedCondition(replicas, all.length, ready);
    const conditions = resized ? { conditions: setConditions(kcp.status?.conditions, [resized]) } : {};
    writes.push(statusOf(CR.kcps, stored, { ...kcp.status, ...status, initialized: !!kcp.status?.initialized || ready > 0, ready: ready > 0, version: kcp.spec.version, selector: `${LABELS.controlPlaneName}=${kcp.metadata.name}`, ...conditions }));
    return writes;
  }

  /**
   * MachineDeployment → the MachineSet of its current template; when the template changed (a new release),
   * a rolling update as Cluster API does it: the new set grows by at most maxSurge above the wanted count,
   * the old ones shrink only as far as maxUnavailable allows (defaults 1 and 0: one new machine, wait until it
   * is available, remove one old).
   */
  private deployment(stored: StoredObject): (StreamAppend | undefined)[] {
    const md = stored.object;
    // The node timeouts are not part of the hash: Cluster API propagates them in place rather than rolling machines.
    const hash = templateHash(withoutInPlaceFields(md.spec.template));
    const msName = `${md.metadata.name}-${hash}`;
    const writes: (StreamAppend | undefined)[] = [];
    const sets = this.owned(CR.mss, md);
    const current = sets.find((s) => s.object.metadata.name === msName);
    const old = sets.filter((s) => s !== current).sort((a, b) => a.object.metadata.creationTimestamp.localeCompare(b.object.metadata.creationTimestamp));
    const replicas = md.spec.replicas ?? 1;
    const labels = { ...md.metadata.labels, [LABELS.deployment]: md.metadata.name };
    if (!current) {
      const initial = old.length === 0 ? replicas : 0;
      writes.push(created(CR.mss, newObject(CAPI, 'MachineSet', md.metadata.namespace, msName, md, { labels, spec: { clusterName: md.spec.clusterName, replicas: initial, deletePolicy: md.spec.deletePolicy ?? 'Random', selector: { matchLabels: { [LABELS.set]: msName } }, template: md.spec.template } })));
    } else if (old.length === 0) {
      if (current.object.spec.replicas !== replicas || !sameInPlaceFields(current.object.spec.template?.spec, md.spec.template?.spec)) {
        writes.push(
          updated(CR.mss, current, (o) => {
            o.spec.replicas = replicas;
            copyInPlaceFields(md.spec.template?.spec, o.spec.template.spec);
          }),
        );
      }
    } else {
      const rolling = md.spec.strategy?.rollingUpdate ?? {};
      const maxSurge = Number.isInteger(rolling.maxSurge) ? rolling.maxSurge : 1;
      const maxUnavailable = Number.isInteger(rolling.maxUnavailable) ? rolling.maxUnavailable : 0;
      const specTotal = sets.reduce((n, s) => n + (s.object.spec.replicas ?? 0), 0);
      const up = Math.min(replicas - current.object.spec.replicas, replicas + maxSurge - specTotal);
      if (up > 0) writes.push(updated(CR.mss, current, (o) => (o.spec.replicas += up)));
      // Ready machines not being deleted: a set's status counts those draining too.
      let removable = sets.reduce((n, s) => n + this.owned(CR.machines, s.object).filter((m) => machineReady(m.object)).length, 0) - (replicas - maxUnavailable);
      for (const s of old) {
        const down = Math.min(removable, s.object.spec.replicas ?? 0);
        if (down > 0) {
          writes.push(updated(CR.mss, s, (o) => (o.spec.replicas -= down)));
          removable -= down;
        } else if ((s.object.spec.replicas ?? 0) === 0 && this.owned(CR.machines, s.object, { deleting: true }).length === 0) {
          writes.push(deleted(CR.mss, s));
        }
      }
    }
    const sum = (f: (s: any) => number) => sets.reduce((n, s) => n + f(s.object.status ?? {}), 0);
    const ready = sum((s) => s.readyReplicas ?? 0);
    writes.push(statusOf(CR.mds, stored, { ...md.status, replicas: sum((s) => s.replicas ?? 0), readyReplicas: ready, availableReplicas: ready, updatedReplicas: current?.object.status?.readyReplicas ?? 0, unavailableReplicas: Math.max(0, replicas - ready), phase: old.length ? 'Running' : ready >= replicas ? 'Running' : 'ScalingUp', selector: `${LABELS.deployment}=${md.metadata.name}` }));
    return writes;
  }

  /**
   * MachineSet → its Machines. As Cluster API's, it counts the Machines being deleted as its own (cluster-api#3434):
   * one draining is not replaced until it is gone, and a scale-down takes the ones already going first.
   */
  private machineSet(stored: StoredObject): (StreamAppend | undefined)[] {
    const ms = stored.object;
    const machines = this.owned(CR.machines, ms, { deleting: true });
    // A MachineSet replaces every machine its health check asked it to: deleted now, made anew once gone.
    const unhealthy = machines.filter((m) => !m.object.metadata.deletionTimestamp && remediationAsked(m.object));
    const writes: (StreamAppend | undefined)[] = unhealthy.map((m) => startDeletion(CR.machines, m));
    writes.push(...propagateInPlace(machines, ms.spec.template?.spec));
    const going = new Set(unhealthy.map((m) => m.object.metadata.uid));
    writes.push(...this.scaleMachines(ms, machines, ms.spec.replicas ?? 1, ms.spec.deletePolicy ?? 'Random', {
      labels: { [LABELS.cluster]: ms.spec.clusterName, [LABELS.set]: ms.metadata.name, [LABELS.deployment]: ms.metadata.labels?.[LABELS.deployment] ?? '' },
      spec: { ...ms.spec.template.spec, bootstrap: ms.spec.template.spec.bootstrap?.dataSecretName ? { dataSecretName: ms.spec.template.spec.bootstrap.dataSecretName } : {} },
    }, { going }));
    const ready = machines.filter((m) => machineReady(m.object)).length;
    writes.push(statusOf(CR.mss, stored, { ...ms.status, replicas: machines.length, fullyLabeledReplicas: machines.length, readyReplicas: ready, availableReplicas: ready, selector: `${LABELS.set}=${ms.metadata.name}` }));
    return writes;
  }

  /**
   * Creates what is missing, deletes the surplus by the delete policy (those being deleted, or `going` this pass, first:
   * they are waited for rather than deleted again). A control plane places each new machine in a failure domain and
   * picks its victims by them (`placement`).
   */
  private scaleMachines(
    owner: any, machines: StoredObject[], replicas: number, policy: string, template: { labels: Record<string, string>; spec: any },
    opts: { going?: Set<string>; failureDomain?: (made: PlacedMachine[]) => string | undefined; victims?: (candidates: StoredObject[], count: number) => StoredObject[] } = {},
  ) {
    const going = opts.going ?? new Set<string>();
    const writes: (StreamAppend | undefined)[] = [];
    const base = owner.kind === 'KubeadmControlPlane' ? owner.metadata.name : owner.metadata.name.replace(/-[0-9a-f]{10}$/, '');
    const expected = this.expectations.pending(owner.metadata.uid, machines.map((m) => m.streamId));
    const made: PlacedMachine[] = [];
    // At most MACHINES_PER_PASS on their way to the log at once: the rest once those are in it.
    const wanted = Math.min(replicas, machines.length + Math.max(expected, MACHINES_PER_PASS));
    for (let i = machines.length + expected; i < wanted; i++) {
      const name = `${base}-${suffix()}`;
      const failureDomain = opts.failureDomain?.(made);
      // Its infrastructure is the VSphereMachine of its name, cloned from the owner's template (machine()).
      const spec = { ...template.spec, infrastructureRef: machineInfrastructureRef(template.spec.infrastructureRef, owner.metadata.namespace, name), ...(failureDomain ? { failureDomain } : {}) };
      const machine = newObject(CAPI, 'Machine', owner.metadata.namespace, name, owner, { labels: template.labels, spec });
      made.push(machine);
      // Held from the start, so that no deletion can skip the drain.
      const write = created(CR.machines, { ...machine, metadata: { ...machine.metadata, finalizers: [MACHINE_FINALIZER] } });
      this.expectations.created(owner.metadata.uid, write.streamId);
      writes.push(write);
    }
    // Only Machines in the log can go; one still expected counts, so it is not made again meanwhile.
    const surplus = Math.min(machines.length, machines.length + expected - replicas);
    if (surplus > 0) {
      const victims = opts.victims ? opts.victims(machines, surplus) : deletionOrder(machines, policy, going).slice(0, surplus);
      for (const victim of victims) if (!going.has(victim.object.metadata.uid)) writes.push(startDeletion(CR.machines, victim));
    }
    return writes;
  }

  /** Machine → VSphereMachine → VirtualMachine; the Machine's phase follows the VM, as Cluster API derives it. */
  private machine(stored: StoredObject): (StreamAppend | undefined)[] {
    const m = stored.object;
    // As Cluster API's machine controller: its finalizer first, so that a deletion always comes through reconcileDelete.
    if (!(m.metadata.finalizers ?? []).includes(MACHINE_FINALIZER)) return [updated(CR.machines, stored, (o) => (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), MACHINE_FINALIZER]))];
    const ns = m.metadata.namespace;
    const name = m.metadata.name;
    const writes: (StreamAppend | undefined)[] = [];
    const vsm = this.get(CR.vsphereMachines, ns, name);
    if (!vsm) {
      // Cloned once its template is there (a template created this pass comes back from the log shortly).
      const template = this.templateOf(m);
      if (template) writes.push(created(CR.vsphereMachines, clonedVSphereMachine(template, m), this.model.streamVersion(CR.vsphereMachines, ns, name)));
      return writes;
    }
    // The failure domain: the Machine's goes to its VSphereMachine (CAPV), a VSphereMachine's to a Machine without one (Cluster API).
    const failureDomain: string | undefined = m.spec.failureDomain || vsm.object.spec?.failureDomain || undefined;
    if (m.spec.failureDomain && vsm.object.spec?.failureDomain !== m.spec.failureDomain) return [updated(CR.vsphereMachines, vsm, (o) => (o.spec.failureDomain = m.spec.failureDomain))];
    if (!m.spec.failureDomain && failureDomain) return [updated(CR.machines, stored, (o) => (o.spec.failureDomain = failureDomain))];
    const infra: MachineMakeUp = vsm.object.spec ?? {};
    const vm = this.get(CR.vms, ns, name)?.object;
    const cluster = m.metadata.labels?.[LABELS.cluster];
    const role = m.metadata.labels?.[LABELS.controlPlane] !== undefined ? 'controlplane' : 'worker';
    const boot = this.guests.bootstrap(stored, role);
    if (boot.write) return [boot.write];
    // Placed by VM Operator in its zone, which must be one of the namespace's (its webhook refuses another); a namespace
    // without Zones places by no zone.
    const zones = this.model.list(CR.zones, ns).map((z) => z.object);
    const zone = failureDomain && zones.length ? failureDomain : undefined;
    const refused = zone ? vmZoneRefusal(zone, zones) : undefined;
    writes.push(this.vsphereMachineStatus(vsm, vm, refused));
    if (!vm && boot.dataSecretName && !refused) {
      writes.push(
        created(
          CR.vms,
          newObject(VMOP, 'VirtualMachine', ns, name, vsm.object, {
            labels: { ...m.metadata.labels, [LABELS.vmCluster]: cluster, [LABELS.vmRole]: role, ...(zone ? { [ZONE_LABEL]: zone } : {}) },
            annotations: { 'vsphere-cluster-module-group': role === 'controlplane' ? 'control-plane-group' : `${m.metadata.labels?.[LABELS.deployment] ?? 'workers'}-workers-group` },
            spec: {
              className: infra.className, imageName: infra.imageName, storageClass: infra.storageClass, powerState: 'PoweredOn', powerOffMode: 'TrySoft', suspendMode: 'TrySoft', restartMode: 'TrySoft', reserved: { resourcePolicyName: cluster },
              bootstrap: { cloudInit: { rawCloudConfig: { name: boot.dataSecretName, key: BOOTSTRAP_DATA_KEY } } },
            },
          }),
        ),
      );
    }
    const running = vm?.status?.powerState === 'PoweredOn' && (vm.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    const providerID = vm?.status?.biosUUID ? `vsphere://${vm.status.biosUUID}` : undefined;
    // The node, as the guest cluster's own API lists it. A cluster without a kubeconfig (Cluster API objects
    // written by hand, booting user-given data) has no API to ask: its VM answering stands for its node.
    const guest = this.guests.guestOf(m);
    const node = guest ? this.guests.nodeOf(guest, name) : undefined;
    const nodeSeen = guest ? !!node : running;
    const nodeReady = running && (guest ? !!node?.ready : true);
    // As Cluster API derives it: once its node appeared a machine stays Running; its Ready condition says how it is.
    const nodeRef = nodeSeen || m.status?.nodeRef ? { apiVersion: 'v1', kind: 'Node', name } : undefined;
    const phase = nodeRef && providerID ? 'Running' : providerID ? 'Provisioned' : vm ? 'Provisioning' : 'Pending';
    const health = this.health.get(m.metadata.uid);
    const landed = landedFailureDomain(vm, m.status?.failureDomain);
    if (providerID && m.spec.providerID !== providerID) writes.push(updated(CR.machines, stored, (o) => (o.spec.providerID = providerID)));
    else
      writes.push(
        statusOf(CR.machines, stored, {
          phase,
          bootstrapReady: !!boot.dataSecretName,
          infrastructureReady: !!providerID,
          ...(nodeRef ? { nodeRef } : {}),
          ...(vm?.status?.network?.primaryIP4 ? { addresses: [{ type: 'InternalIP', address: vm.status.network.primaryIP4 }] } : {}),
          ...(landed ? { failureDomain: landed } : {}),
          lastUpdated: m.status?.phase === phase ? m.status.lastUpdated : new Date().toISOString(),
          conditions: mergeConditions(m.status?.conditions, [
            condition('BootstrapReady', !!boot.dataSecretName, 'WaitingForBootstrapData', boot.waitingFor ?? ''),
            // A VM its VSphereMachine could not create says why, as Cluster API mirrors the infrastructure's Ready.
            refused && !vm ? capiCondition('InfrastructureReady', false, VM_CREATION_FAILED, 'Warning', refused) : condition('InfrastructureReady', !!providerID),
            condition('Ready', nodeReady),
            ...healthConditions(m.status?.conditions, health?.verdict, health?.remediate),
          ]),
        }),
      );
    return writes;
  }

  /**
   * A VSphereMachine's `VMProvisioned` (and its summary `Ready`), written only once its VM could not be created (CAPV's
   * VMCreationFailed: a zone the namespace lacks) and from then on: False with the refusal while it lasts; then, its
   * VM made, False `VMProvisionStarted` until the VM has its BIOS UUID, then True.
   */
  private vsphereMachineStatus(vsm: StoredObject, vm: any | undefined, refused: string | undefined): StreamAppend | undefined {
    const status = vsm.object.status ?? {};
    if (!refused && !status.conditions) return undefined;
    const provisioned = vm?.status?.biosUUID
      ? capiCondition('VMProvisioned', true)
      : refused && !vm ? capiCondition('VMProvisioned', false, VM_CREATION_FAILED, 'Warning', refused) : capiCondition('VMProvisioned', false, 'VMProvisionStarted', 'Info');
    const ready = provisioned.status === 'True' ? capiCondition('Ready', true) : { ...provisioned, type: 'Ready' };
    return statusOf(CR.vsphereMachines, vsm, { ...status, ready: provisioned.status === 'True', conditions: setConditions(status.conditions, [ready, provisioned]) });
  }

  /**
   * A Machine being deleted, as Cluster API's reconcileDelete takes it (phase `Deleting`), one step a pass:
   * 1. while it has `pre-drain.delete.hook.machine.cluster.x-k8s.io*` annotations, nothing more
   *    (`PreDrainDeleteHookSucceeded` False `WaitingExternalHook`; True once they are gone);
   * 2. its Node in the guest is cordoned and drained through the guest's API (node-drain.ts), `DrainingSucceeded`
   *    saying how it goes (False `Draining` while pods are still to go, False `DrainingFailed` on an error, True once
   *    drained); not when the Machine says `exclude-node-draining` or once `nodeDrainTimeout` has passed since the drain
   *    started (`status.deletion.nodeDrainStartTime`);
   * 3. the Node's `status.volumesAttached` is waited for to empty (`VolumeDetachSucceeded` False
   *    `WaitingForVolumeDetach`, then True); not when the Machine says `exclude-wait-for-node-volume-detach` or once
   *    `nodeVolumeDetachTimeout` has passed since the wait began (`status.deletion.waitForNodeVolumeDetachStartTime`);
   * 4. while it has `pre-terminate.delete.hook.machine.cluster.x-k8s.io*` annotations, nothing more
   *    (`PreTerminateDeleteHookSucceeded` False `WaitingExternalHook`; True once they are gone);
   * 5. its VirtualMachine is deleted (and waited for: its host powers it off), then its VSphereMachine;
   * 6. its Node is deleted from the guest (given up, `NodeHealthy` False `DeletionFailed`, after `nodeDeletionTimeout`);
   * 7. the finalizer goes, and with it the Machine.
   * Steps 1–3 and 6 are skipped where Cluster API skips them (nodeDeletionRefusal): the cluster being deleted, no node,
   * the control plane being deleted or without a machine left.
   */
  private machineDeletion(stored: StoredObject): (StreamAppend | undefined)[] {
    const m = stored.object;
    const finalizers: string[] = m.metadata.finalizers ?? [];
    if (!finalizers.includes(MACHINE_FINALIZER)) return [];
    const ns = m.metadata.namespace;
    const name = m.metadata.name;
    const now = Date.now();
    const cluster = this.get(CR.clusters, ns, m.spec.clusterName ?? '')?.object;
    const access = cluster ? kubeconfigAccess(this.guests.secret(ns, secretNames.kubeconfig(cluster.metadata.name))) : undefined;
    const controlPlane = cluster?.spec?.controlPlaneRef?.name ? this.get(CR.kcps, ns, cluster.spec.controlPlaneRef.name)?.object : undefined;
    const activeControlPlaneMachines = cluster ? this.list(CR.machines, ns).filter((x) => isControlPlaneMachine(x.object, cluster.metadata.name)).length : 0;
    const refusal = nodeDeletionRefusal(m, cluster, { hasGuestApi: !!access, controlPlane, activeControlPlaneMachines });
    const nodeName: string | undefined = m.status?.nodeRef?.name;
    const changes: any[] = [];
    let deletion = m.status?.deletion;
    const writes: (StreamAppend | undefined)[] = [];
    const status = () => {
      const phase = 'Deleting';
      return statusOf(CR.machines, stored, {
        ...m.status,
        phase,
        lastUpdated: m.status?.phase === phase ? m.status.lastUpdated : new Date(now).toISOString(),
        ...(deletion ? { deletion } : {}),
        conditions: setConditions(m.status?.conditions, changes),
      });
    };
    const has = (type: string) => (m.status?.conditions ?? []).some((c: any) => c.type === type);
    if (!refusal && access && nodeName) {
      // Lifecycle hooks: whoever put the annotation removes it to let the deletion go on.
      if (deleteHooks(m, PRE_DRAIN_DELETE_HOOK).length) {
        changes.push(capiCondition('PreDrainDeleteHookSucceeded', false, 'WaitingExternalHook', 'Info'));
        return [status()];
      }
      changes.push(capiCondition('PreDrainDeleteHookSucceeded', true));
      if (nodeDrainAllowed(m, now)) {
        if (!deletion?.nodeDrainStartTime) deletion = { ...deletion, nodeDrainStartTime: rfc3339(now) };
        const drained = this.nodeOps.drain(m.metadata.uid, access, nodeName);
        if (!drained?.done) {
          if (!drained) {
            // Set once, when the drain starts: its transition time says since when the node is being drained.
            if (!has('DrainingSucceeded')) changes.push(capiCondition('DrainingSucceeded', false, 'Draining', 'Info', 'Draining the node before deletion'));
          } else if (drained.failed) {
            changes.push(capiCondition('DrainingSucceeded', false, 'DrainingFailed', 'Warning', drained.message));
          } else {
            changes.push(capiCondition('DrainingSucceeded', false, 'Draining', 'Info', drained.message));
          }
          return [status()];
        }
        changes.push(capiCondition('DrainingSucceeded', true));
      }
      // Drained: its volumes detached before the VM goes (a volume still attached would go with the VM's disks).
      if (nodeVolumeDetachAllowed(m, now)) {
        if (!deletion?.waitForNodeVolumeDetachStartTime) deletion = { ...deletion, waitForNodeVolumeDetachStartTime: rfc3339(now) };
        // Set once, when the wait starts; it says no more while it lasts.
        if (!has('VolumeDetachSucceeded')) changes.push(capiCondition('VolumeDetachSucceeded', false, 'WaitingForVolumeDetach', 'Info', 'Waiting for node volumes to be detached'));
        const detached = this.nodeOps.volumes(m.metadata.uid, access, nodeName);
        if (!detached?.done) {
          if (detached?.failed) this.deps.logger.warn('error waiting for node volumes detaching', { machine: `${ns}/${name}`, node: nodeName, error: detached.message });
          return [status()];
        }
        changes.push(capiCondition('VolumeDetachSucceeded', true));
      }
    }
    if (deleteHooks(m, PRE_TERMINATE_DELETE_HOOK).length) {
      changes.push(capiCondition('PreTerminateDeleteHookSucceeded', false, 'WaitingExternalHook', 'Info'));
      return [status()];
    }
    changes.push(capiCondition('PreTerminateDeleteHookSucceeded', true));
    changes.push(capiCondition('NodeHealthy', false, 'Deleting', 'Info'));
    // The infrastructure: the VM first (its host powers it off before it goes), then the VSphereMachine.
    const vsm = this.get(CR.vsphereMachines, ns, name);
    const vm = this.get(CR.vms, ns, name);
    const ours = (o: StoredObject | undefined, owner: any) => !!o && !!owner && (o.object.metadata.ownerReferences ?? []).some((r: any) => r.uid === owner.metadata.uid);
    if (vm && ours(vm, vsm?.object)) {
      writes.push(startDeletion(CR.vms, vm));
      changes.push(capiCondition('InfrastructureReady', false, 'Deleting', 'Info'));
      return [...writes, status()];
    }
    if (vsm && ours(vsm, m)) {
      writes.push(startDeletion(CR.vsphereMachines, vsm));
      changes.push(capiCondition('InfrastructureReady', false, 'Deleting', 'Info'));
      return [...writes, status()];
    }
    changes.push(capiCondition('InfrastructureReady', false, 'Deleted', 'Info'));
    // Only once the infrastructure is gone is the Node deleted (cluster-api#2565).
    if (!refusal && access && nodeName) {
      const gone = this.nodeOps.deleteNode(m.metadata.uid, access, nodeName);
      if (!gone) return [status()];
      if (!gone.ok) {
        changes.push(capiCondition('NodeHealthy', false, 'DeletionFailed', 'Warning'));
        if (!nodeDeletionTimeoutExpired(m, now)) {
          this.deps.logger.warn("deleting a machine's node failed", { machine: `${ns}/${name}`, error: gone.message });
          return [status()];
        }
        this.deps.logger.info('node deletion timeout expired, continuing without node deletion', { machine: `${ns}/${name}`, node: nodeName });
      }
    }
    const rest = finalizers.filter((f) => f !== MACHINE_FINALIZER);
    return [rest.length ? updated(CR.machines, stored, (o) => (o.metadata.finalizers = rest)) : deleted(CR.machines, stored)];
  }

  /**
   * The VSphereMachineTemplate a Machine's VSphereMachine is cloned from: the one its control plane's or MachineSet's
   * template names (the Machine names its VSphereMachine), or — a Machine written by hand — the one it names itself.
   */
  private templateOf(m: any): any | undefined {
    const ns = m.metadata.namespace;
    let ref = m.spec.infrastructureRef;
    if (ref?.kind === 'VSphereMachine') {
      const owner = (m.metadata.ownerReferences ?? []).find((r: any) => r.controller);
      const resource = owner?.kind === 'KubeadmControlPlane' ? CR.kcps : owner?.kind === 'MachineSet' ? CR.mss : undefined;
      const o = resource ? this.get(resource, ns, owner.name)?.object : undefined;
      if (!o || o.metadata.uid !== owner.uid) return undefined;
      ref = owner.kind === 'KubeadmControlPlane' ? o.spec.machineTemplate?.infrastructureRef : o.spec.template?.spec?.infrastructureRef;
    }
    return isTemplateRef(ref) ? this.get(CR.vsphereMachineTemplates, ns, ref.name)?.object : undefined;
  }

  /** Whether a control-plane machine was made from the template `templateRef` names (see clonedFrom). */
  private madeFrom(m: any, templateRef: any): boolean {
    const ref = m.spec.infrastructureRef ?? {};
    if (ref.kind !== 'VSphereMachine') return ref.kind === templateRef?.kind && ref.name === templateRef?.name;
    return clonedFrom(this.get(CR.vsphereMachines, m.metadata.namespace, ref.name)?.object, templateRef);
  }

  /**
   * MachineHealthCheck, as Cluster API's: each Machine it selects is judged by the node its `status.nodeRef` names in
   * the guest cluster (machine-health-check.ts); the verdicts go onto the Machines with their status writes, and
   * those to remediate get `OwnerRemediated` False, which their owner acts on. While the guest's API does not answer,
   * nothing is judged: the check waits rather than replace machines of a cluster it cannot see.
   */
  private healthCheck(stored: StoredObject): StreamAppend | undefined {
    const mhc = stored.object;
    if (healthCheckPaused(mhc, this.get(CR.clusters, mhc.metadata.namespace, mhc.spec.clusterName ?? '')?.object)) return undefined;
    const selects = machineSelector(mhc.spec.selector);
    const machines = this.list(CR.machines, mhc.metadata.namespace).filter((m) => m.object.spec.clusterName === mhc.spec.clusterName && selects(m.object.metadata.labels ?? {}) && !skipsRemediation(m.object));
    const seen = this.healthTargets(mhc, machines.map((m) => m.object));
    if (!seen) {
      this.deps.logger.debug('machine health check waits for an unreachable guest cluster', { mhc: mhc.metadata.name, cluster: mhc.spec.clusterName });
      return undefined;
    }
    const outcome = healthCheck(mhc, seen.targets, seen.cluster, Date.now());
    for (const [uid, verdict] of outcome.verdicts) this.health.set(uid, { verdict, remediate: outcome.remediationAllowed });
    const unhealthy = machines.filter((m) => outcome.verdicts.get(m.object.metadata.uid)?.health === 'unhealthy');
    if (unhealthy.length) this.deps.logger.warn('machine health check', { mhc: mhc.metadata.name, unhealthy: unhealthy.map((m) => m.object.metadata.name), remediating: outcome.remediationAllowed });
    if (outcome.nextCheckMs !== undefined) setTimeout(() => this.loop.schedule(), outcome.nextCheckMs).unref();
    return statusOf(CR.mhcs, stored, outcome.status);
  }

  /**
   * The check's machines with their nodes: from the guest's API once its control plane is initialized (undefined
   * while that API does not answer); none to ask before. A cluster without an API (no kubeconfig: Cluster API
   * objects written by hand) has a node per machine only as its VM answering, whose `Ready` is the machine's.
   */
  private healthTargets(mhc: any, machines: any[]): { targets: HealthTarget[]; cluster: ClusterState } | undefined {
    const ns = mhc.metadata.namespace;
    const c = this.get(CR.clusters, ns, mhc.spec.clusterName ?? '')?.object;
    const kcp = c?.spec.controlPlaneRef?.name ? this.get(CR.kcps, ns, c.spec.controlPlaneRef.name)?.object : undefined;
    const infrastructure = (c?.status?.conditions ?? []).find((x: any) => x.type === 'InfrastructureReady' && x.status === 'True');
    const cluster: ClusterState = c
      ? { infrastructureReady: !!c.status?.infrastructureReady, infrastructureReadyAt: Date.parse(infrastructure?.lastTransitionTime) || undefined, controlPlaneInitialized: !c.spec.controlPlaneRef || !!kcp?.status?.initialized }
      : { infrastructureReady: true, controlPlaneInitialized: true };
    if (!c || !this.guests.secret(ns, secretNames.kubeconfig(c.metadata.name))) {
      const standIn = (m: any) => ({ conditions: (m.status?.conditions ?? []).filter((x: any) => x.type === 'Ready') });
      return { cluster, targets: machines.map((m) => ({ machine: m, node: m.status?.nodeRef ? standIn(m) : undefined })) };
    }
    if (!cluster.controlPlaneInitialized) return { cluster, targets: machines.map((m) => ({ machine: m })) };
    const nodes = this.guests.reachableNodes(c);
    if (!nodes) return undefined;
    return { cluster, targets: machines.map((m) => ({ machine: m, node: m.status?.nodeRef ? nodes.get(m.status.nodeRef.name) ?? 'missing' : undefined })) };
  }

  /**
   * VSphereCluster → its `status.failureDomains`, as CAPV's Supervisor flavour reports them: one per Zone of its
   * namespace, each for the control plane; no field while the namespace has none.
   */
  private vsphereCluster(stored: StoredObject): StreamAppend | undefined {
    const vc = stored.object;
    const failureDomains = failureDomainsOfZones(this.list(CR.zones, vc.metadata.namespace).map((z) => z.object));
    const { failureDomains: _previous, ...rest } = vc.status ?? {};
    return statusOf(CR.vsphereClusters, stored, { ...rest, ...(failureDomains ? { failureDomains } : {}) });
  }

  /**
   * Cluster → for a topology of the class `tanzukubernetescluster` (one not a TKC's own), what a TKC gets (build), owned
   * by the Cluster; its refs, endpoint and kubeconfig; its status: phase as Cluster API derives it, `infrastructureReady`
   * (the control-plane service has an address), `controlPlaneReady`, and conditions, with `TopologyReconciled` for a
   * topology (False `TopologyReconcileFailed` while its ClusterClass does not exist).
   */
  private cluster(stored: StoredObject): (StreamAppend | undefined)[] {
    const c = stored.object;
    const ns = c.metadata.namespace;
    const writes: (StreamAppend | undefined)[] = [];
    const topology = isTopologyCluster(c);
    let topologyCondition: any;
    let problems: string[] = [];
    let refs: any;
    if (c.spec?.topology?.class) {
      const classNs = c.spec.topology.classNamespace || ns;
      const clusterClass = this.get(CR.clusterClasses, classNs, c.spec.topology.class);
      if (!topology) topologyCondition = capiCondition('TopologyReconciled', true);
      else if (!clusterClass) {
        topologyCondition = capiCondition('TopologyReconciled', false, 'TopologyReconcileFailed', 'Error', `failed to retrieve ClusterClass ${classNs}/${c.spec.topology.class}: clusterclasses.cluster.x-k8s.io "${c.spec.topology.class}" not found`);
      } else if (!buildsTopologyClass(c)) {
        topologyCondition = capiCondition('TopologyReconciled', false, 'TopologyReconcileFailed', 'Error', `ClusterClass ${classNs}/${c.spec.topology.class} cannot be built: cluster-api builds topologies of the class "${TKC_CLUSTER_CLASS}" only`);
      } else {
        const spec = fromTopology(c);
        writes.push(...this.build(spec, c));
        problems = this.unavailableReferences(spec);
        refs = clusterRefs(c.metadata.name, ns);
        topologyCondition = capiCondition('TopologyReconciled', true);
      }
    }
    const endpoint = this.get(CR.vmServices, ns, `${c.metadata.name}-control-plane-service`)?.object?.status?.loadBalancer?.ingress?.[0]?.ip;
    const needsRefs = refs && (!sameJson(c.spec.controlPlaneRef, refs.controlPlaneRef) || !sameJson(c.spec.infrastructureRef, refs.infrastructureRef));
    if ((endpoint && c.spec.controlPlaneEndpoint?.host !== endpoint) || needsRefs) {
      writes.push(
        updated(CR.clusters, stored, (o) => {
          if (endpoint) o.spec.controlPlaneEndpoint = { host: endpoint, port: 6443 };
          if (refs) Object.assign(o.spec, refs);
        }),
      );
    }
    writes.push(this.guests.kubeconfig(c));
    const kcp = this.get(CR.kcps, ns, c.spec.controlPlaneRef?.name ?? '')?.object;
    // As Cluster API's cluster controller copies them from its infrastructure: the VSphereCluster's failure domains.
    const infrastructure = c.spec.infrastructureRef?.kind === 'VSphereCluster' ? this.get(CR.vsphereClusters, ns, c.spec.infrastructureRef.name ?? '')?.object : undefined;
    const failureDomains = infrastructure?.status?.failureDomains;
    const infrastructureReady = !!endpoint;
    const controlPlaneReady = !!kcp?.status?.ready;
    // cluster_controller_phases.go reconcilePhase: Pending, Provisioning once it has its refs, Provisioned once its infrastructure is ready with an endpoint.
    const phase = infrastructureReady && endpoint ? 'Provisioned' : c.spec.controlPlaneRef || c.spec.infrastructureRef ? 'Provisioning' : 'Pending';
    const ready = infrastructureReady && controlPlaneReady && problems.length === 0 && (!topologyCondition || topologyCondition.status === 'True');
    const conditions = [
      condition('ControlPlaneReady', controlPlaneReady),
      condition('InfrastructureReady', infrastructureReady),
      ...(topology ? [problems.length ? condition('ReferencesResolved', false, 'NotAvailable', problems.join('; ')) : condition('ReferencesResolved', true)] : []),
      condition('Ready', ready, problems.length ? 'NotAvailable' : topologyCondition?.status === 'False' ? topologyCondition.reason : 'NotReady', problems.length ? problems.join('; ') : topologyCondition?.status === 'False' ? topologyCondition.message : ''),
      ...(topologyCondition ? [topologyCondition] : []),
    ];
    const { failureDomains: _previous, ...status } = c.status ?? {};
    writes.push(
      statusOf(CR.clusters, stored, {
        ...status,
        ...(failureDomains && Object.keys(failureDomains).length ? { failureDomains } : {}),
        phase,
        infrastructureReady,
        controlPlaneReady,
        ...(topology ? { observedGeneration: c.metadata.generation } : {}),
        conditions: mergeConditions(c.status?.conditions, conditions),
      }),
    );
    return writes;
  }

  /**
   * Every namespace (but Kubernetes' own `kube-*` and `vmware-system-*`) offers the default ClusterClass
   * `tanzukubernetescluster`, as a vSphere 8 Supervisor namespace does; made again when deleted, never in a namespace
   * being deleted. Every ClusterClass gets its status as Cluster API's ClusterClass controller writes it: the
   * variables as clusters are checked against (`from: inline`), `VariablesReconciled` and `RefVersionsUpToDate`.
   */
  private clusterClasses(): (StreamAppend | undefined)[] {
    const writes: (StreamAppend | undefined)[] = [];
    for (const { object: namespace } of this.model.list(CR.namespaces)) {
      const ns = namespace.metadata.name;
      if (namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating' || /^(kube-|vmware-system-)/.test(ns)) continue;
      if (!this.model.get(CR.clusterClasses, ns, TKC_CLUSTER_CLASS)) writes.push(created(CR.clusterClasses, newObject(CAPI, 'ClusterClass', ns, TKC_CLUSTER_CLASS, undefined, { spec: tanzuKubernetesClusterClassSpec() })));
    }
    for (const stored of this.list(CR.clusterClasses)) {
      const cc = stored.object;
      const variables = (cc.spec?.variables ?? []).map((v: any) => ({ name: v.name, definitionsConflict: false, definitions: [{ from: 'inline', required: !!v.required, ...(v.metadata ? { metadata: v.metadata } : {}), schema: v.schema }] }));
      const conditions = setConditions(cc.status?.conditions, [capiCondition('RefVersionsUpToDate', true), capiCondition('VariablesReconciled', true)]);
      writes.push(statusOf(CR.clusterClasses, stored, { ...cc.status, observedGeneration: cc.metadata.generation ?? 1, variables, conditions }));
    }
    return writes;
  }
}

/** CAPV's reason for a VirtualMachine it could not create or update. */
const VM_CREATION_FAILED = 'VMCreationFailed';

/** A machine template's fields Cluster API changes on existing machines in place (no rollout). */
const IN_PLACE_FIELDS = ['nodeDrainTimeout', 'nodeVolumeDetachTimeout', 'nodeDeletionTimeout'] as const;

function pickInPlaceFields(from: any): Record<string, string> {
  return Object.fromEntries(IN_PLACE_FIELDS.filter((f) => from?.[f] !== undefined).map((f) => [f, from[f]]));
}

function sameInPlaceFields(a: any, b: any): boolean {
  return IN_PLACE_FIELDS.every((f) => a?.[f] === b?.[f]);
}

function copyInPlaceFields(from: any, to: any): void {
  for (const f of IN_PLACE_FIELDS) {
    if (from?.[f] === undefined) delete to[f];
    else to[f] = from[f];
  }
}

/** A MachineDeployment's template without the in-place fields: what its MachineSets' names hash. */
export function withoutInPlaceFields(template: any): any {
  if (!template?.spec) return template;
  const spec = { ...template.spec };
  for (const f of IN_PLACE_FIELDS) delete spec[f];
  return { ...template, spec };
}

/** The machines whose node timeouts differ from their owner's template, brought in line. */
function propagateInPlace(machines: StoredObject[], template: any): (StreamAppend | undefined)[] {
  return machines.filter((m) => !m.object.metadata.deletionTimestamp && !sameInPlaceFields(m.object.spec, template)).map((m) => updated(CR.machines, m, (o) => copyInPlaceFields(template, o.spec)));
}

/** The refs a built Cluster carries: its KubeadmControlPlane and VSphereCluster. */
function clusterRefs(name: string, namespace: string) {
  return {
    controlPlaneRef: { apiVersion: KCP, kind: 'KubeadmControlPlane', name: `${name}-control-plane`, namespace },
    infrastructureRef: { apiVersion: CAPV, kind: 'VSphereCluster', name, namespace },
  };
}

function vmStatusOf(vm: any): string {
  if (!vm) return 'pending';
  if (vm.metadata.deletionTimestamp) return 'deleting';
  if (vm.status?.powerState === 'PoweredOn') return (vm.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'ready' : 'poweredon';
  return vm.status?.powerState ? 'created' : 'pending';
}

/** On a Machine: delete it before any other when its MachineSet or KubeadmControlPlane scales down (Cluster API's shouldDelete). */
export const DELETE_MACHINE_ANNOTATION = 'cluster.x-k8s.io/delete-machine';

/**
 * A KubeadmControlPlane's `Resized`, as KCP marks it: False `ScalingUp`/`ScalingDown` (Warning) while it owns fewer or
 * more machines than `spec.replicas` (those being deleted counted), True once it owns as many and all are ready;
 * undefined (left as it is) while the last of them are still coming up.
 */
export function resizedCondition(desired: number, replicas: number, ready: number): any | undefined {
  if (replicas < desired) return capiCondition('Resized', false, 'ScalingUp', 'Warning', `Scaling up control plane to ${desired} replicas (actual ${replicas})`);
  if (replicas > desired) return capiCondition('Resized', false, 'ScalingDown', 'Warning', `Scaling down control plane to ${desired} replicas (actual ${replicas})`);
  return ready === replicas ? capiCondition('Resized', true) : undefined;
}

/**
 * The control-plane machine a scale-down or a rollout removes, as KCP's selectMachineForScaleDown picks it. First the
 * machines eligible: the outdated ones (`outdated`, empty outside a rollout) with the delete-machine annotation, else
 * any with it, else the outdated ones, else all. Then, of those, the oldest (an unready one first) of the failure
 * domain with the most machines, counting every machine (see machinesOfDomainWithMost); without failure domains, the
 * oldest eligible machine.
 */
export function controlPlaneScaleDownVictim(domains: string[], machines: StoredObject[], outdated: StoredObject[]): StoredObject {
  const marked = (ms: StoredObject[]) => ms.filter((m) => m.object.metadata.annotations?.[DELETE_MACHINE_ANNOTATION] !== undefined);
  const eligible = [marked(outdated), marked(machines), outdated, machines].find((ms) => ms.length > 0) ?? [];
  const inDomain = new Set(machinesOfDomainWithMost(domains, machines.map((m) => m.object), eligible.map((m) => m.object)));
  return deletionOrder(eligible.filter((m) => inDomain.has(m.object)), 'Oldest')[0];
}

/**
 * Machines to delete first, as MachineSet delete policies rank them: those being deleted already (or `going`, by uid),
 * then those with the delete-machine annotation, then unhealthy ones, then the rest by the policy.
 */
export function deletionOrder(machines: StoredObject[], policy: string, going: Set<string> = new Set()): StoredObject[] {
  const unhealthy = (m: any) =>
    m.metadata.deletionTimestamp || going.has(m.metadata.uid) ? 3 : m.metadata.annotations?.[DELETE_MACHINE_ANNOTATION] !== undefined ? 2 : machineReady(m) ? 0 : 1;
  const age = (m: any) => Date.parse(m.metadata.creationTimestamp);
  return [...machines].sort((a, b) => {
    const u = unhealthy(b.object) - unhealthy(a.object);
    if (u !== 0) return u;
    if (policy === 'Oldest') return age(a.object) - age(b.object) || a.object.metadata.name.localeCompare(b.object.metadata.name);
    if (policy === 'Newest') return age(b.object) - age(a.object) || a.object.metadata.name.localeCompare(b.object.metadata.name);
    return a.object.metadata.name.localeCompare(b.object.metadata.name);
  });
}


/** A machine whose node is Ready (its VM runs and answers), as MachineSets count ready replicas. */
function machineReady(m: any): boolean {
  return m.status?.phase === 'Running' && (m.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/**
 * A MachineHealthCheck's `selector` (matchLabels and matchExpressions) as a test of a Machine's labels; one that
 * cannot be read (an unknown operator) selects no Machine rather than stopping the controller.
 */
function machineSelector(selector: any): (labels: Record<string, string>) => boolean {
  try {
    const requirements = labelSelectorFromObject(selector ?? {});
    return (labels) => matchesLabelSelector(requirements, labels);
  } catch {
    return () => false;
  }
}
