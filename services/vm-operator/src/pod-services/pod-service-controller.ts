import { randomBytes, randomUUID } from 'node:crypto';
import { ClusterNetwork, ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, loadBalancerAddress, LOOPBACK_NETWORK, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import { EventStore, RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, ObjectChange, objectKey, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { AdmitHook, Backend, TcpLoadBalancer } from '../services/tcp-load-balancer';
import { UdpLoadBalancer } from '../services/udp-load-balancer';
import { podServiceEndpoints, servicePortKey } from './pod-endpoints';
import { ServiceSelectors } from './service-selectors';
import { hasSelector, sliceServiceBackends } from './slice-backends';

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

const serviceKey = (stored: StoredObject): string => objectKey(stored.object.metadata.namespace, stored.object.metadata.name);
/** A slice this controller wrote (and may rewrite or delete); any other is its writer's alone. */
const isManaged = (slice: any): boolean => slice?.metadata?.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] === MANAGED_BY;

/** Where a Service port listens and where it sends connections. */
interface Listener {
  address: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  backends: Backend[];
  service: string;
}

/**
 * core v1 Services of pods (in the elected vm-operator, beside the VirtualMachineService controller, with the same
 * TcpLoadBalancer): keeps one EndpointSlice per Service from the pods its selector matches, and proxies every TCP port
 * of the Service — on its cluster IP, its LoadBalancer ingress address and its node port — round robin to the ready
 * endpoints, or, while none is, to those still serving through their termination (`proxiedEndpoints`). A port with
 * nowhere to send has no listener, so connections are refused at once.
 *
 * A Service without a selector (absent or empty) is, as in Kubernetes, left to whoever manages it: no slice of this
 * controller (one it wrote while the Service had a selector is deleted), no UpdatedEndpoints Events; its ports are
 * proxied as kube-proxy does, to the endpoints of the EndpointSlices labelled with its name (`sliceServiceBackends`),
 * e.g. the api-gateway's for the `kubernetes` Service or a user's pointing at an outside address.
 *
 * A pass syncs only the Services whose inputs changed (the Service, its slice, or a pod its selector matches before
 * or after the change; every Service on a resync): in a burst of pods that no Service selects, a pod costs its
 * read-model update and one index probe per label, and no pass.
 */
export class PodServiceController {
  private readonly model = controllerReadModel([SERVICES_RESOURCE, 'pods', ENDPOINT_SLICES_RESOURCE]);
  private readonly loop: PassLoop;
  /** Running balancers by `<protocol>/<address>:<port>`, with the service they serve. */
  private readonly balancers = new Map<string, { lb: TcpLoadBalancer | UdpLoadBalancer; service: string }>();
  /** Endpoint summaries last reported in an Event, by service key; and the unresolved-port warnings already given. */
  private readonly reported = new Map<string, string>();
  private readonly warned = new Set<string>();
  private readonly selectors = new ServiceSelectors();
  /** Services (`<ns>/<name>`) to sync on the next pass; every one of them when `full`. */
  private readonly dirty = new Set<string>();
  private full = true;
  /** Each live Service's listeners as its last sync found them, by service key. */
  private readonly listeners = new Map<string, Listener[]>();

  /** Reads the log through `feed`, which the caller starts (replaying the log) before `start`. */
  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger; network?: ClusterNetwork; admit?: AdmitHook }) {
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: 2000,
      retryMs: 200,
      onResync: () => (this.full = true),
      onError: (err) => {
        this.full = true;
        deps.logger.warn('pod service pass failed', { error: (err as Error).message });
      },
    });
    deps.feed.add(this.model.follows, (events) => this.read(events));
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await Promise.all([...this.balancers.values()].map((b) => b.lb.stop()));
    this.balancers.clear();
  }

  private read(events: RecordedEvent[]): void {
    const before = this.dirty.size;
    for (const e of events) {
      const change = this.model.apply(e);
      if (change) this.markAffected(change);
    }
    if (this.dirty.size > before) this.loop.schedule();
  }

  /** The Services a change may change: the Service itself, the owner of a slice, the Services selecting a pod before or after. */
  private markAffected(change: ObjectChange): void {
    const { namespace, name, labels } = change.object.metadata;
    if (change.resource === SERVICES_RESOURCE) {
      const key = objectKey(namespace, name);
      if (change.type === 'DELETED') this.selectors.delete(key);
      else this.selectors.set(key, namespace, change.object.spec?.selector);
      this.dirty.add(key);
    } else if (change.resource === ENDPOINT_SLICES_RESOURCE) {
      // The Service the slice is labelled for, and the one it was labelled for before when relabelled.
      this.dirty.add(objectKey(namespace, labels?.[SERVICE_NAME_LABEL] ?? name));
      const before = change.previous?.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (before) this.dirty.add(objectKey(namespace, before));
    } else {
      this.selectors.selecting(namespace, labels, this.dirty);
      if (change.previous) this.selectors.selecting(namespace, change.previous.metadata.labels, this.dirty);
    }
  }

  private async pass(): Promise<void> {
    const services = this.model.list(SERVICES_RESOURCE).filter((s) => !s.object.metadata.deletionTimestamp && s.object.spec?.type !== 'ExternalName');
    const live = new Set(services.map(serviceKey));
    const todo = this.full ? services : services.filter((s) => this.dirty.has(serviceKey(s)));
    this.full = false;
    this.dirty.clear();
    for (const key of this.listeners.keys()) if (!live.has(key)) this.listeners.delete(key);
    for (const stored of todo) await this.syncService(stored);
    await this.deleteOrphanSlices(new Set(services.filter((s) => hasSelector(s.object)).map(serviceKey)));
    // In list order, as every pass built them before: of two Services claiming one address, the later one's listener stands.
    const wanted = new Map<string, Listener>();
    for (const s of services) for (const l of this.listeners.get(serviceKey(s)) ?? []) wanted.set(`${l.protocol}/${l.address}:${l.port}`, l);
    await this.syncBalancers(wanted);
  }

  /**
   * The Service's slice, Events and ingress as its pods say, and its listeners for the balancers. A Service without
   * a selector gets neither slice nor Events: its backends are the endpoints of the slices others write for it.
   */
  private async syncService(stored: StoredObject): Promise<void> {
    const svc = stored.object;
    const key = serviceKey(stored);
    const ns = svc.metadata.namespace;
    const result = hasSelector(svc) ? podServiceEndpoints(svc, this.model.list('pods', ns).map((s) => s.object)) : undefined;
    // Without a selector, a slice of this controller's is one it wrote while the Service had one: stale, and deleted
    // by deleteOrphanSlices in this pass.
    const backends = result?.backends ?? sliceServiceBackends(svc, this.model.list(ENDPOINT_SLICES_RESOURCE, ns).map((s) => s.object).filter((s) => !isManaged(s)));
    try {
      if (result) {
        await this.syncSlice(svc, result.endpoints, result.ports);
        await this.reportChanges(svc, result);
      } else {
        this.reported.delete(`${key}/${svc.metadata.uid}`);
      }
      if (svc.spec?.type === 'LoadBalancer') await this.reportIngress(stored);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) this.deps.logger.warn('service sync failed', { service: key, error: (err as Error).message });
      this.dirty.add(key);
      this.loop.schedule(300);
    }
    const listeners: Listener[] = [];
    if (PROXIED_TYPES.includes(svc.spec?.type) && svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') {
      for (const port of svc.spec.ports ?? []) {
        const protocol = port.protocol ?? 'TCP';
        // SCTP is accepted as Kubernetes does, but not proxied: Node has no SCTP sockets.
        if (protocol !== 'TCP' && protocol !== 'UDP') continue;
        const portBackends = backends.get(servicePortKey(protocol, port.port)) ?? [];
        for (const at of listenAddresses(svc, port, this.deps.network)) listeners.push({ ...at, protocol, backends: portBackends, service: key });
      }
    }
    this.listeners.set(key, listeners);
  }

  /** A listener only while there is a backend: without one the port is closed and connections are refused. */
  private async syncBalancers(wanted: Map<string, Listener>): Promise<void> {
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

  /**
   * Where the Service's own slice is: `<svc>`, or `<svc>-<first 5 hex digits of its uid>` when another writer's slice
   * holds that name (one written for the Service while it had no selector), so this controller never rewrites (and
   * later deletes) a slice it did not write. Undefined when both names are someone else's.
   */
  private sliceOf(svc: any): { name: string; existing?: StoredObject } | undefined {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const ours = (s: StoredObject | undefined) => Boolean(s && isManaged(s.object) && s.object.metadata.labels?.[SERVICE_NAME_LABEL] === name);
    const spare = `${name}-${String(svc.metadata.uid ?? '').replace(/[^0-9a-f]/g, '').slice(0, 5) || 'slice'}`;
    const atSpare = this.model.get(ENDPOINT_SLICES_RESOURCE, ns, spare);
    if (ours(atSpare)) return { name: spare, existing: atSpare };
    const atName = this.model.get(ENDPOINT_SLICES_RESOURCE, ns, name);
    if (!atName || ours(atName)) return { name, existing: atName };
    return atSpare ? undefined : { name: spare };
  }

  private async syncSlice(svc: any, endpoints: any[], ports: any[]): Promise<void> {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const slot = this.sliceOf(svc);
    if (!slot) {
      const warnKey = `${ns}/${name}/${svc.metadata.uid}/slice`;
      if (!this.warned.has(warnKey)) this.deps.logger.warn('service slice not written: its names are other writers\' slices', { service: objectKey(ns, name) });
      this.warned.add(warnKey);
      return;
    }
    const existing = slot.existing;
    const body = { addressType: 'IPv4', endpoints, ports };
    if (existing && sameJson({ addressType: existing.object.addressType, endpoints: existing.object.endpoints ?? [], ports: existing.object.ports ?? [] }, body)) return;
    const object = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(existing ? existing.object.metadata : { name: slot.name, namespace: ns, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), generation: 1 }),
        labels: { [SERVICE_NAME_LABEL]: name, [ENDPOINT_SLICE_MANAGED_BY_LABEL]: MANAGED_BY },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      ...body,
    };
    delete (object.metadata as any).resourceVersion;
    if (existing) {
      await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: existing.streamVersion });
    } else {
      await this.deps.store.append(objectStreamId(ENDPOINT_SLICES_RESOURCE, ns, slot.name), [{ type: ObjectEventTypes.created, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: 'no_stream' });
    }
  }

  /**
   * Deletes the slices this controller wrote whose Service is gone or no longer selects (`owners`: the live Services
   * with a selector). A slice without its managed-by label is never touched, whoever wrote it.
   */
  private async deleteOrphanSlices(owners: Set<string>): Promise<void> {
    for (const stored of this.model.list(ENDPOINT_SLICES_RESOURCE)) {
      const slice = stored.object;
      if (!isManaged(slice)) continue;
      const owner = objectKey(slice.metadata.namespace, slice.metadata.labels?.[SERVICE_NAME_LABEL]);
      if (owners.has(owner)) continue;
      const last = structuredClone(slice);
      delete last.metadata.resourceVersion;
      try {
        await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.deleted, data: { resource: ENDPOINT_SLICES_RESOURCE, object: last }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
      }
      this.forgetReported(owner);
    }
  }

  /** Forgets the endpoints last reported for a Service (`<ns>/<name>`, of any uid): its next report is a first one. */
  private forgetReported(service: string): void {
    for (const key of this.reported.keys()) if (key.startsWith(`${service}/`)) this.reported.delete(key);
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
