import { randomBytes, randomUUID } from 'node:crypto';
import { ClusterNetwork, ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, loadBalancerAddress, LOOPBACK_NETWORK, NatsNames, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, LogFollower, PassLoop, pokedFollower, sameJson, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { AdmitHook, Backend, TcpLoadBalancer } from '../services/tcp-load-balancer';
import { UdpLoadBalancer } from '../services/udp-load-balancer';
import { podServiceEndpoints, servicePortKey } from './pod-endpoints';

const ACTOR = { actor: 'system:serviceaccount:kube-system:endpointslice-controller', source: 'vm-operator' };
const MANAGED_BY = 'endpointslice-controller.k8s.io';
const PROXIED_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'];

/** A LoadBalancer's ingress address: its cluster IP at the same offset in the load balancer range (unique as the cluster IP is). */
export function podServiceIngress(clusterIP: string, network: ClusterNetwork = LOOPBACK_NETWORK): string | undefined {
  return loadBalancerAddress(network, clusterIP);
}

/** Where a service port listens: the cluster IP, the LoadBalancer ingress, and the node port on 127.0.0.1. */
function listenAddresses(svc: any, port: any, network?: ClusterNetwork): { address: string; port: number }[] {
  const out = [{ address: svc.spec.clusterIP as string, port: port.port as number }];
  const ingress = svc.spec.type === 'LoadBalancer' ? podServiceIngress(svc.spec.clusterIP, network) : undefined;
  if (ingress) out.push({ address: ingress, port: port.port });
  if ((svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer') && port.nodePort) out.push({ address: '127.0.0.1', port: port.nodePort });
  return out;
}

/**
 * core v1 Services of pods (in the elected vm-operator, beside the VirtualMachineService controller, with the same
 * TcpLoadBalancer): keeps one EndpointSlice per Service from the pods its selector matches, and proxies every TCP port
 * of the Service — on its cluster IP, its LoadBalancer ingress address and its node port — round robin to the Ready
 * pods. A port with no Ready pod has no listener, so connections are refused at once.
 */
export class PodServiceController {
  private readonly model = controllerReadModel([SERVICES_RESOURCE, 'pods', ENDPOINT_SLICES_RESOURCE]);
  private follower?: LogFollower;
  private readonly loop: PassLoop;
  /** Running balancers by `<protocol>/<address>:<port>`, with the service they serve. */
  private readonly balancers = new Map<string, { lb: TcpLoadBalancer | UdpLoadBalancer; service: string }>();
  /** Endpoint summaries last reported in an Event, by service key; and the unresolved-port warnings already given. */
  private readonly reported = new Map<string, string>();
  private readonly warned = new Set<string>();

  constructor(private readonly deps: { store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: Logger; network?: ClusterNetwork; admit?: AdmitHook }) {
    this.loop = new PassLoop(() => this.pass(), { resyncMs: 2000, retryMs: 200, onError: (err) => deps.logger.warn('pod service pass failed', { error: (err as Error).message }) });
  }

  async start(): Promise<void> {
    this.follower = pokedFollower(this.deps, (events) => {
      let relevant = false;
      for (const e of events) {
        const change = this.model.apply(e);
        if (change && (change.resource === SERVICES_RESOURCE || change.resource === 'pods' || change.resource === ENDPOINT_SLICES_RESOURCE)) relevant = true;
      }
      if (relevant) this.loop.schedule();
    }, { follows: this.model.follows });
    await this.follower.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.follower?.stop();
    await Promise.all([...this.balancers.values()].map((b) => b.lb.stop()));
    this.balancers.clear();
  }

  private async pass(): Promise<void> {
    const wanted = new Map<string, { address: string; port: number; protocol: 'TCP' | 'UDP'; backends: Backend[]; service: string }>();
    const live = new Set<string>();
    for (const stored of this.model.list(SERVICES_RESOURCE)) {
      const svc = stored.object;
      const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
      if (svc.metadata.deletionTimestamp || svc.spec?.type === 'ExternalName') continue;
      live.add(key);
      const pods = this.model.list('pods', svc.metadata.namespace).map((s) => s.object);
      const result = podServiceEndpoints(svc, pods);
      try {
        await this.syncSlice(svc, result.endpoints, result.ports);
        await this.reportChanges(svc, result);
        if (svc.spec?.type === 'LoadBalancer') await this.reportIngress(stored);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('service sync failed', { service: key, error: (err as Error).message });
        this.loop.schedule(300);
      }
      if (!PROXIED_TYPES.includes(svc.spec?.type) || !svc.spec?.clusterIP || svc.spec.clusterIP === 'None') continue;
      for (const port of svc.spec.ports ?? []) {
        const protocol = port.protocol ?? 'TCP';
        // SCTP is accepted as Kubernetes does, but not proxied: Node has no SCTP sockets.
        if (protocol !== 'TCP' && protocol !== 'UDP') continue;
        const backends = result.backends.get(servicePortKey(protocol, port.port)) ?? [];
        for (const at of listenAddresses(svc, port, this.deps.network)) wanted.set(`${protocol}/${at.address}:${at.port}`, { ...at, protocol, backends, service: key });
      }
    }
    await this.deleteOrphanSlices(live);
    await this.syncBalancers(wanted);
  }

  /** A listener only while there is a Ready backend: without one the port is closed and connections are refused. */
  private async syncBalancers(wanted: Map<string, { address: string; port: number; protocol: 'TCP' | 'UDP'; backends: Backend[]; service: string }>): Promise<void> {
    for (const [id, current] of this.balancers) {
      const want = wanted.get(id);
      if (want && want.backends.length > 0 && want.service === current.service) continue;
      this.balancers.delete(id);
      await current.lb.stop();
    }
    for (const [id, want] of wanted) {
      if (want.backends.length === 0) continue;
      let entry = this.balancers.get(id);
      if (!entry) {
        const options = { bindAddress: want.address, port: want.port, logger: this.deps.logger, admit: this.deps.admit };
        const lb = want.protocol === 'UDP' ? new UdpLoadBalancer(options) : new TcpLoadBalancer(options);
        try {
          await lb.start();
        } catch (err) {
          this.deps.logger.warn('service listener failed', { service: want.service, address: id, error: (err as Error).message });
          continue;
        }
        entry = { lb, service: want.service };
        this.balancers.set(id, entry);
      }
      entry.lb.setBackends(want.backends);
    }
  }

  private async syncSlice(svc: any, endpoints: any[], ports: any[]): Promise<void> {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const existing = this.model.get(ENDPOINT_SLICES_RESOURCE, ns, name);
    const body = { addressType: 'IPv4', endpoints, ports };
    if (existing && sameJson({ addressType: existing.object.addressType, endpoints: existing.object.endpoints ?? [], ports: existing.object.ports ?? [] }, body)) return;
    const object = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(existing ? existing.object.metadata : { name, namespace: ns, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), generation: 1 }),
        labels: { [SERVICE_NAME_LABEL]: name, [ENDPOINT_SLICE_MANAGED_BY_LABEL]: MANAGED_BY },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      ...body,
    };
    delete (object.metadata as any).resourceVersion;
    if (existing) {
      await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: existing.streamVersion });
    } else {
      await this.deps.store.append(objectStreamId(ENDPOINT_SLICES_RESOURCE, ns, name), [{ type: ObjectEventTypes.created, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: 'no_stream' });
    }
  }

  private async deleteOrphanSlices(live: Set<string>): Promise<void> {
    for (const stored of this.model.list(ENDPOINT_SLICES_RESOURCE)) {
      const slice = stored.object;
      if (slice.metadata.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] !== MANAGED_BY) continue;
      const owner = `${slice.metadata.namespace}/${slice.metadata.labels?.[SERVICE_NAME_LABEL]}`;
      if (live.has(owner)) continue;
      const last = structuredClone(slice);
      delete last.metadata.resourceVersion;
      try {
        await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.deleted, data: { resource: ENDPOINT_SLICES_RESOURCE, object: last }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
      }
      this.reported.delete(owner);
    }
  }

  /** Events on the Service: the Ready endpoints when they change, and a warning per pod whose named target port no container declares. */
  private async reportChanges(svc: any, result: ReturnType<typeof podServiceEndpoints>): Promise<void> {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}/${svc.metadata.uid}`;
    const ready = result.endpoints.filter((e) => e.conditions.ready).map((e) => e.targetRef.name);
    const summary = ready.join(',');
    if (this.reported.get(key) !== summary) {
      const first = !this.reported.has(key);
      this.reported.set(key, summary);
      if (!(first && ready.length === 0)) {
        await this.event(svc, 'Normal', 'UpdatedEndpoints', ready.length ? `Ready endpoints: ${ready.length} (${ready.join(', ')})` : 'No Ready endpoints: connections to the service are refused');
      }
    }
    for (const u of result.unresolved) {
      const warnKey = `${key}/${u.pod}/${u.portName}`;
      if (this.warned.has(warnKey)) continue;
      this.warned.add(warnKey);
      await this.event(svc, 'Warning', 'FailedToResolveTargetPort', `Pod "${u.pod}" declares no container port named "${u.portName}": left out of the endpoints`);
    }
  }

  private async reportIngress(stored: StoredObject): Promise<void> {
    const svc = stored.object;
    const ip = podServiceIngress(svc.spec?.clusterIP ?? '', this.deps.network);
    if (!ip || svc.status?.loadBalancer?.ingress?.[0]?.ip === ip) return;
    const next = structuredClone(svc);
    delete next.metadata.resourceVersion;
    next.status = { ...next.status, loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
    await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.statusUpdated, data: { resource: SERVICES_RESOURCE, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
    await this.event(svc, 'Normal', 'EnsuredLoadBalancer', `Ensured load balancer at ${ip}`);
  }

  private async event(svc: any, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const name = `${svc.metadata.name}.${randomBytes(8).toString('hex')}`;
    const object = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: svc.metadata.namespace, uid: randomUUID(), creationTimestamp: now, generation: 1 },
      involvedObject: { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, namespace: svc.metadata.namespace, uid: svc.metadata.uid },
      reason, message, type, source: { component: 'endpointslice-controller' }, reportingComponent: 'endpointslice-controller',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await this.deps.store.append(objectStreamId('events', svc.metadata.namespace, name), [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: ACTOR }], { expectedVersion: 'no_stream' });
  }
}
