import { allocationAppend, ClusterNetwork, clusterIPStreamId, ENDPOINTS_RESOURCE, isAllocationStream, LOOPBACK_NETWORK, ObjectEventTypes, objectStreamId, rfc3339, SERVICES_RESOURCE } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';
import { randomUUID } from 'node:crypto';
import { AllocationLedger, CLUSTER_IP_ALLOCATIONS, controllerReadModel, feedPassLoop, objectEvent, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { TcpLoadBalancer } from './services/tcp-load-balancer';
import { UdpLoadBalancer } from './services/udp-load-balancer';
import { coreServiceFor, hasCoreShape, vmServiceController, vmServiceOwnerReference } from './services/vm-service-core';
import { allocateClusterIP, heldClusterIPs, INGRESS_INDEX_ANNOTATION, ingressFor, legacyAddresses, legacyIndex, LostClusterIPs } from './services/vm-service-addresses';
import { backendsFor, endpointsSubsets, readyEndpoints } from './services/vm-service-endpoints';
import { ensurePool } from './vms/address-pools';
import { R } from './vms/vm-resources';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
export { INGRESS_INDEX_ANNOTATION };
/**
 * How long a backend that refused a connection is passed over. A VM is Ready (its guest answers) before the
 * program behind a port listens: a guest cluster's control plane is Ready about a second before its
 * api-gateway serves 6443, and the load balancer's default of 5 s turned that second into five for the first
 * client (cluster-api reading the guest's nodes, on the guest cluster's way to Ready). Half a second still
 * spares the other backends a retry per client.
 */
const BACKEND_COOLDOWN_MS = 500;
/**
 * How long a cluster IP this controller just wrote counts as held though the read model does not show it yet: the
 * next service of the same pass, allocating before the write comes back, must not take it too.
 */
const CLAIM_MS = 30_000;

/** Where a VirtualMachineService listens: a LoadBalancer's ingress, and the cluster address its core Service carries. */
interface ServiceAddresses {
  ingress?: string;
  cluster: string;
}

/**
 * VirtualMachineServices (in the elected vm-operator): every proxied service has a cluster IP from the cluster's
 * service range (`spec.clusterIp`, set once; the gateway's on create, see `addressFor`), a LoadBalancer also an ingress address at the same offset in the load
 * balancer range (`status.loadBalancer.ingress`), as core Services get theirs; on each a load balancer per TCP or UDP port
 * forwards, round robin, to the Ready VMs its selector matches (UDP: a flow per client address and port, pinned to one
 * VM, as the core Services' proxy keeps them, `UdpLoadBalancer`) — so `nc <address> <port>` reaches a VM's guest, from
 * the machine and from pods in their own network namespaces (both ranges are local on the machine, `local-ranges.ts`).
 * The endpoints follow the VMs as they become Ready, move or go. As VM Operator, each service with a selector also
 * gets a core v1 Endpoints of its name listing the VMs it selects (ready or not), and every service a selector-less
 * core v1 Service of its name (`coreServiceFor`) carrying its cluster IP, so `kubectl get svc` lists it and the
 * cluster DNS answers its name with that address. Services made before kept their loopback addresses
 * (127.201.x.y cluster, 127.200.x.y ingress: `legacyAddresses`): a cluster IP never changes.
 */
export class VmServiceController {
  private readonly model = controllerReadModel([R.services, R.vms, R.namespaces, ENDPOINTS_RESOURCE, SERVICES_RESOURCE]);
  private readonly loop: PassLoop;
  /** One balancer per service address, port and protocol, by `<ns>/<name>/<address>:<port>/<protocol>`. */
  private readonly balancers = new Map<string, TcpLoadBalancer | UdpLoadBalancer>();
  /** The Services of a VMService's name held by someone else, warned about once each (by the Service's uid). */
  private readonly warned = new Set<string>();
  /** Cluster IPs written to a VMService and not yet seen in the read model, by address, until when they count as held. */
  private readonly claims = new Map<string, number>();
  /** The cluster IPs' allocation streams' versions, at the read model's point of the log (the same feed fills both). */
  private readonly allocations = new AllocationLedger();
  /** Cluster IPs another writer took while this controller was writing them, passed over until the model shows it. */
  private readonly lost = new LostClusterIPs();
  private readonly network: ClusterNetwork;

  /**
   * Reads the log through `feed`, which the caller starts (replaying the log) before `start`. `network`: the cluster's
   * ranges (SERVICE_CIDR, LOADBALANCER_CIDR), the loopback ones when not given.
   */
  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger; network?: ClusterNetwork }) {
    this.network = deps.network ?? LOOPBACK_NETWORK;
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'VM service', logger: deps.logger, resyncMs: 2000 });
    // Read with the model's page, before any pass can run: the ledger and the model show one point of the log.
    deps.feed.add([CLUSTER_IP_ALLOCATIONS], (events) => {
      for (const e of events) this.allocations.apply(e);
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await Promise.all([...this.balancers.values()].map((b) => b.stop()));
    this.balancers.clear();
  }

  private async pass(): Promise<void> {
    const live = new Set<string>();
    for (const stored of this.model.list(R.services)) {
      const svc = stored.object;
      try {
        await this.syncEndpoints(svc);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('VM service endpoints failed', { service: svc.metadata.name, error: (err as Error).message });
        setTimeout(() => this.loop.schedule(), 500).unref();
      }
      const proxied = ['LoadBalancer', 'ClusterIP'].includes(svc.spec?.type) && svc.spec.clusterIp !== 'None';
      if (svc.metadata.deletionTimestamp) continue;
      let addresses: ServiceAddresses | undefined;
      if (proxied) {
        try {
          addresses = await this.addressFor(stored);
          if (!addresses) continue;
          const endpoints = readyEndpoints(svc, this.model.list(R.vms, svc.metadata.namespace).map((s) => s.object));
          const backends = backendsFor(svc, endpoints);
          for (const address of [addresses.ingress, addresses.cluster]) {
            if (!address) continue;
            // Each TCP and UDP port (`backendsFor` leaves others out): 53/TCP and 53/UDP are two balancers.
            for (const port of backends) {
              const key = `${svc.metadata.namespace}/${svc.metadata.name}/${address}:${port.port}/${port.protocol}`;
              live.add(key);
              let lb = this.balancers.get(key);
              if (!lb) {
                const at = { bindAddress: address, port: port.port, logger: this.deps.logger };
                lb = port.protocol === 'UDP' ? new UdpLoadBalancer(at) : new TcpLoadBalancer({ ...at, failureCooldownMs: BACKEND_COOLDOWN_MS });
                await lb.start();
                this.balancers.set(key, lb);
                this.deps.logger.info('load balancer listening', { service: `${svc.metadata.namespace}/${svc.metadata.name}`, address: `${address}:${port.port}`, protocol: port.protocol });
              }
              lb.setBackends(port.backends);
            }
          }
          if (addresses.ingress) await this.reportIngress(stored, addresses.ingress);
        } catch (err) {
          if (!(err instanceof VersionConflictError)) this.deps.logger.warn('VM service failed', { service: svc.metadata.name, error: (err as Error).message });
          setTimeout(() => this.loop.schedule(), 500).unref();
          if (!addresses) continue;
        }
      }
      try {
        // The ingress as just reported: the read model may not have the status write back yet.
        const view = addresses?.ingress ? { ...svc, status: { ...svc.status, loadBalancer: { ingress: [{ ip: addresses.ingress }] } } } : svc;
        await this.syncCoreService(view, addresses?.cluster);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('VM service core Service failed', { service: svc.metadata.name, error: (err as Error).message });
        setTimeout(() => this.loop.schedule(), 500).unref();
      }
    }
    for (const [key, lb] of this.balancers) {
      if (live.has(key)) continue;
      try {
        await lb.stop();
        this.balancers.delete(key);
      } catch (err) {
        this.deps.logger.warn('stopping a load balancer failed', { balancer: key, error: (err as Error).message });
        setTimeout(() => this.loop.schedule(), 500).unref();
      }
    }
  }

  /**
   * The core v1 Service of the VMService's name (`coreServiceFor`), created or put back when it drifted (someone edited
   * it), at its stream version. It goes with the VMService (owner reference, through the garbage collector). A Service
   * of that name that no VirtualMachineService controls is someone else's and never touched: a warning in the log and a
   * Warning Event on the VMService, once; one another VirtualMachineService of the name (an older uid) controls is
   * waited out, as the garbage collector is deleting it.
   */
  private async syncCoreService(svc: any, clusterIP: string | undefined): Promise<void> {
    const { namespace, name, uid } = svc.metadata;
    const existing = this.model.get(SERVICES_RESOURCE, namespace, name);
    if (existing) {
      const owner = vmServiceController(existing.object);
      if (!owner) return this.notOwned(svc, existing.object);
      if (owner.uid !== uid || existing.object.metadata.deletionTimestamp) return;
    }
    const shape = coreServiceFor(svc, clusterIP, [INGRESS_INDEX_ANNOTATION]);
    if (existing && hasCoreShape(existing.object, shape)) return;
    const base: any = existing ? structuredClone(existing.object.metadata) : { name, namespace, uid: randomUUID(), creationTimestamp: rfc3339() };
    delete base.resourceVersion;
    delete base.labels;
    delete base.annotations;
    const metadata = {
      ...base,
      ...(Object.keys(shape.labels).length ? { labels: shape.labels } : {}),
      ...(Object.keys(shape.annotations).length ? { annotations: shape.annotations } : {}),
      ownerReferences: shape.ownerReferences,
    };
    const object = { apiVersion: 'v1', kind: 'Service', metadata, spec: shape.spec, status: shape.status };
    if (existing) {
      await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: SERVICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: existing.streamVersion });
    } else {
      // At the stream's version: a Service of the name deleted before keeps its stream.
      const at = this.model.streamVersion(SERVICES_RESOURCE, namespace, name);
      await this.deps.store.append(objectStreamId(SERVICES_RESOURCE, namespace, name), [{ type: ObjectEventTypes.created, data: { resource: SERVICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: at });
    }
  }

  /** A Service of the VMService's name that is not its own: said once, in the log and in a Warning Event on the VMService. */
  private async notOwned(svc: any, service: any): Promise<void> {
    const { namespace, name, uid } = svc.metadata;
    const key = `${namespace}/${name}/${uid}/${service.metadata.uid}`;
    if (this.warned.has(key)) return;
    this.deps.logger.warn('VM service has no core Service: a Service of its name is not managed by it', { service: `${namespace}/${name}` });
    // Named from the two uids: a second replica or a restart finds it written and records no second one.
    const event = objectEvent(
      { apiVersion: svc.apiVersion ?? 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', name, namespace, uid },
      { type: 'Warning', reason: 'ErrResourceExists', message: `Resource "${name}" already exists and is not managed by VirtualMachineService`, component: 'vmware-system-vmop', actor: ACTOR, onceKey: `ErrResourceExists/${service.metadata.uid}` },
    );
    try {
      await this.deps.store.append(event.streamId, event.events, { expectedVersion: event.expectedVersion });
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    this.warned.add(key);
  }

  /**
   * The service's Endpoints (same name), written when what they list changes. A service without a selector has
   * none written, as VM Operator leaves them to whoever manages them; nor does one whose name another controller's
   * Endpoints hold. They go with the service (owner reference, through the garbage collector).
   */
  private async syncEndpoints(svc: any): Promise<void> {
    const { namespace, name, uid } = svc.metadata;
    if (svc.metadata.deletionTimestamp || !Object.keys(svc.spec?.selector ?? {}).length) return;
    const existing = this.model.get(ENDPOINTS_RESOURCE, namespace, name);
    const owner = existing?.object.metadata.ownerReferences?.find((o: any) => o.controller);
    if (owner && owner.uid !== uid) return;
    const subsets = endpointsSubsets(svc, this.model.list(R.vms, namespace).map((s) => s.object));
    const labels = svc.metadata.labels ?? {};
    const ownerReferences = [vmServiceOwnerReference(svc)];
    const current = existing?.object;
    if (current && owner && sameJson(current.subsets ?? [], subsets) && sameJson(current.metadata.labels ?? {}, labels)) return;
    const metadata = current
      ? { ...current.metadata, labels, ownerReferences }
      : { name, namespace, uid: randomUUID(), creationTimestamp: rfc3339(), labels, ownerReferences };
    delete (metadata as any).resourceVersion;
    const object = { apiVersion: 'v1', kind: 'Endpoints', metadata, ...(subsets.length ? { subsets } : {}) };
    if (existing) {
      await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: ENDPOINTS_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: existing.streamVersion });
    } else {
      // At the stream's version (0 for a new one): the Endpoints of a service deleted and made again reuse its name's stream.
      const at = this.model.streamVersion(ENDPOINTS_RESOURCE, namespace, name);
      await this.deps.store.append(objectStreamId(ENDPOINTS_RESOURCE, namespace, name), [{ type: ObjectEventTypes.created, data: { resource: ENDPOINTS_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: at });
    }
  }

  /**
   * Where the service listens: its cluster IP (`spec.clusterIp`) and, for a LoadBalancer, the ingress at the same
   * offset in the load balancer range. The gateway gives a service created through it its cluster IP (or checked the
   * author's), from the allocator core Services' come from; this is used as found. Only a service written straight to
   * the log without one (cluster-api's control-plane service of a guest cluster) is given one here, free against every
   * Service's and VMService's in the read model, and written with the address's allocation event at the version the
   * ledger showed (contracts' `allocationAppend`), as the gateway writes its own: when a gateway (or another writer) gave the
   * address out first, the write fails with a version conflict on the address's stream, and a later pass picks again,
   * passing over the lost address until the read model shows who has it. An older service (INGRESS_INDEX_ANNOTATION)
   * keeps its loopback addresses (outside the service range, no allocation event), its cluster IP written if it was
   * only on its core Service. Undefined while an address is being written.
   */
  private async addressFor(stored: StoredObject): Promise<ServiceAddresses | undefined> {
    const svc = stored.object;
    const index = legacyIndex(svc);
    let legacy: { pool: number; index: number } | undefined;
    if (index !== undefined) {
      const pool = await ensurePool(this.deps.store, this.model, svc.metadata.namespace, ACTOR);
      if (pool === undefined) return undefined;
      legacy = { pool, index };
    }
    const clusterIp: string | undefined = svc.spec.clusterIp;
    if (clusterIp) {
      if (svc.spec.type !== 'LoadBalancer') return { cluster: clusterIp };
      const ingress = ingressFor(this.network, clusterIp, legacy);
      if (!ingress) this.warnOnce(svc, `no ingress: cluster IP ${clusterIp} is outside the service range ${this.network.serviceCIDR}`);
      return { ingress, cluster: clusterIp };
    }
    const ip = legacy ? legacyAddresses(legacy.pool, legacy.index).cluster : this.allocate();
    // Read right after the pick, with no wait between: the version the address was judged free on.
    const judgedAt = this.allocations.version(clusterIPStreamId(ip));
    const next = structuredClone(svc);
    delete next.metadata.resourceVersion;
    next.spec.clusterIp = ip;
    const update = { streamId: stored.streamId, events: [{ type: ObjectEventTypes.updated, data: { resource: R.services, object: next }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
    try {
      await this.deps.store.appendBatch(legacy ? [update] : [update, allocationAppend({ address: ip }, R.services, svc, judgedAt, ACTOR)]);
    } catch (err) {
      if (err instanceof VersionConflictError && isAllocationStream(err.streamId)) {
        this.lost.add(ip, err.actualVersion);
        this.deps.logger.info('VM service cluster IP given to another object meanwhile, picking another', { service: `${svc.metadata.namespace}/${svc.metadata.name}`, clusterIP: ip });
      }
      throw err;
    }
    this.claims.set(ip, Date.now() + CLAIM_MS);
    return undefined;
  }

  /** A free cluster IP (`allocateClusterIP`), also clear of the ones this controller just wrote or just lost. */
  private allocate(): string {
    const now = Date.now();
    for (const [ip, until] of this.claims) if (until < now) this.claims.delete(ip);
    const held = heldClusterIPs(this.model.list(SERVICES_RESOURCE).map((s) => s.object), this.model.list(R.services).map((s) => s.object));
    for (const ip of this.claims.keys()) held.add(ip);
    for (const ip of this.lost.held(this.allocations)) held.add(ip);
    const ip = allocateClusterIP(this.network, held);
    if (!ip) throw new Error(`failed to allocate a cluster IP: the service range ${this.network.serviceCIDR} is full`);
    return ip;
  }

  /** A log warning said once per service (by uid) and text. */
  private warnOnce(svc: any, text: string): void {
    const key = `${svc.metadata.uid}/${text}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.deps.logger.warn(`VM service has ${text}`, { service: `${svc.metadata.namespace}/${svc.metadata.name}` });
  }

  private async reportIngress(stored: StoredObject, ip: string): Promise<void> {
    const svc = stored.object;
    if (svc.status?.loadBalancer?.ingress?.[0]?.ip === ip) return;
    const next = structuredClone(svc);
    delete next.metadata.resourceVersion;
    next.status = { ...next.status, loadBalancer: { ingress: [{ ip }] } };
    await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.statusUpdated, data: { resource: R.services, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
  }
}
