import { ENDPOINTS_RESOURCE, ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';
import { randomUUID } from 'node:crypto';
import { controllerReadModel, feedPassLoop, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { TcpLoadBalancer } from './services/tcp-load-balancer';
import { backendsFor, endpointsSubsets, ingressAddress, readyEndpoints } from './services/vm-service-endpoints';
import { ensurePool } from './vms/address-pools';
import { R } from './vms/vm-resources';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
export const INGRESS_INDEX_ANNOTATION = 'vmoperator.openpacific.io/ingress-index';
/**
 * How long a backend that refused a connection is passed over. A VM is Ready (its guest answers) before the
 * program behind a port listens: a guest cluster's control plane is Ready about a second before its
 * api-gateway serves 6443, and the load balancer's default of 5 s turned that second into five for the first
 * client (cluster-api reading the guest's nodes, on the guest cluster's way to Ready). Half a second still
 * spares the other backends a retry per client.
 */
const BACKEND_COOLDOWN_MS = 500;

/**
 * VirtualMachineServices (in the elected vm-operator): a LoadBalancer gets an ingress address
 * (`status.loadBalancer.ingress`), a ClusterIP service a cluster IP (`spec.clusterIp`), on which a TCP load
 * balancer per port forwards, round robin, to the Ready VMs its selector matches — so `nc <address> <port>`
 * reaches a VM's guest. The endpoints follow the VMs as they become Ready, move or go. As VM Operator, each
 * service with a selector also gets a core v1 Endpoints of its name listing the VMs it selects (ready or not).
 */
export class VmServiceController {
  private readonly model = controllerReadModel([R.services, R.vms, R.namespaces, ENDPOINTS_RESOURCE]);
  private readonly loop: PassLoop;
  /** One balancer per service port, by `<ns>/<name>/<port>`. */
  private readonly balancers = new Map<string, TcpLoadBalancer>();

  /** Reads the log through `feed`, which the caller starts (replaying the log) before `start`. */
  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'VM service', logger: deps.logger, resyncMs: 2000 });
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
      if (!['LoadBalancer', 'ClusterIP'].includes(svc.spec?.type) || svc.spec.clusterIp === 'None' || svc.metadata.deletionTimestamp) continue;
      try {
        const ingress = await this.addressFor(stored);
        if (!ingress) continue;
        const endpoints = readyEndpoints(svc, this.model.list(R.vms, svc.metadata.namespace).map((s) => s.object));
        const backends = backendsFor(svc, endpoints);
        for (const port of svc.spec.ports ?? []) {
          const key = `${svc.metadata.namespace}/${svc.metadata.name}/${port.port}`;
          live.add(key);
          let lb = this.balancers.get(key);
          if (!lb) {
            lb = new TcpLoadBalancer({ bindAddress: ingress, port: port.port, logger: this.deps.logger, failureCooldownMs: BACKEND_COOLDOWN_MS });
            await lb.start();
            this.balancers.set(key, lb);
            this.deps.logger.info('load balancer listening', { service: `${svc.metadata.namespace}/${svc.metadata.name}`, address: `${ingress}:${port.port}` });
          }
          lb.setBackends(backends.find((b) => b.name === port.name && b.port === port.port)?.backends ?? []);
        }
        if (svc.spec.type === 'LoadBalancer') await this.reportIngress(stored, ingress);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('VM service failed', { service: svc.metadata.name, error: (err as Error).message });
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
    const ownerReferences = [{ apiVersion: svc.apiVersion ?? 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', name, uid, controller: true, blockOwnerDeletion: true }];
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
   * Where the service listens: its namespace's pool number and its own number in the namespace give a
   * LoadBalancer its ingress address (127.200.x.y) and a ClusterIP service its `spec.clusterIp`
   * (127.201.x.y, set once, as kube-apiserver allocates one).
   */
  private async addressFor(stored: StoredObject): Promise<string | undefined> {
    const svc = stored.object;
    const pool = await ensurePool(this.deps.store, this.model, svc.metadata.namespace, ACTOR);
    if (pool === undefined) return undefined;
    const index = Number(svc.metadata.annotations?.[INGRESS_INDEX_ANNOTATION]);
    if (Number.isInteger(index) && index > 0) {
      if (svc.spec.type === 'LoadBalancer') return ingressAddress(pool, index);
      const clusterIp = ingressAddress(pool, index).replace(/^127\.200\./, '127.201.');
      if (svc.spec.clusterIp === clusterIp) return clusterIp;
      if (svc.spec.clusterIp) return svc.spec.clusterIp;
      const next = structuredClone(svc);
      delete next.metadata.resourceVersion;
      next.spec.clusterIp = clusterIp;
      await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.updated, data: { resource: R.services, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
      return undefined;
    }
    const taken = new Set(this.model.list(R.services, svc.metadata.namespace).map((s) => Number(s.object.metadata.annotations?.[INGRESS_INDEX_ANNOTATION])));
    let free = 1;
    while (taken.has(free)) free++;
    const next = structuredClone(svc);
    delete next.metadata.resourceVersion;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [INGRESS_INDEX_ANNOTATION]: String(free) };
    await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.updated, data: { resource: R.services, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
    return undefined;
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
