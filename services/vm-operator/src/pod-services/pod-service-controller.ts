import { randomUUID } from 'node:crypto';
import { ClusterNetwork, ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, ENDPOINTS_RESOURCE, ENDPOINTS_SKIP_MIRROR_LABEL, HOSTS_RESOURCE, isIPv4, loadBalancerAddress, LOOPBACK_NETWORK, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { EventStore, RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import { generateName } from '@openpacific/kube-api';
import { controllerReadModel, eventNameSuffix, ObjectChange, objectEvent, objectKey, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { AdmitHook, Backend, TcpLoadBalancer } from '../services/tcp-load-balancer';
import { UdpLoadBalancer } from '../services/udp-load-balancer';
import { vmServiceController } from '../services/vm-service-core';
import { addressesOverMirrorCap, isMirrorable, MAX_MIRRORED_PER_SUBSET, mirroredSlices, MIRRORING_MANAGED_BY, OVER_CAPACITY_ANNOTATION, podServiceEndpointsLabels, podServiceSubsets, truncateSubsets } from './core-endpoints';
import { proxiedEndpoints } from './endpoint-conditions';
import { MAX_ENDPOINTS_PER_SLICE, planSlices, serviceSliceLabels, SLICE_MANAGED_BY } from './endpoint-slicing';
import { internalTrafficLocal, localEndpointsByHost, PodHostIndex } from './internal-traffic';
import { assignHostAddresses, HealthCheckServer, HOST_ADDRESS_ANNOTATION, hostAddressUsable, HostProxyState, hostProxyState, localBackends, localReadyEndpoints, PROXY_HEALTHZ_PORT, ProxyHealthServer, uniqueBackends } from './local-traffic';
import { podServiceEndpoints, servicePortKey } from './pod-endpoints';
import { ServiceSelectors } from './service-selectors';
import { hasSelector, sliceServiceCandidates } from './slice-backends';

const ACTOR = { actor: 'system:serviceaccount:kube-system:endpointslice-controller', source: 'vm-operator' };
const ENDPOINTS_ACTOR = { actor: 'system:serviceaccount:kube-system:endpoint-controller', source: 'vm-operator' };
const MIRRORING_ACTOR = { actor: 'system:serviceaccount:kube-system:endpointslicemirroring-controller', source: 'vm-operator' };
/** Who writes a host's own address on its Node: the proxy, whose address it is. */
const PROXY_ACTOR = { actor: 'system:serviceaccount:kube-system:kube-proxy', source: 'vm-operator' };
/** Host addresses written per pass at most: a fleet registering thousands of hosts does not hold one pass up. */
const ADDRESS_WRITES_PER_PASS = 100;
const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
const PROXIED_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'];

/** A LoadBalancer's ingress address: its cluster IP at the same offset in the load balancer range (unique as the cluster IP is). */
export function podServiceIngress(clusterIP: string, network: ClusterNetwork = LOOPBACK_NETWORK): string | undefined {
  return loadBalancerAddress(network, clusterIP);
}

/** Where node ports are served for every host at once: 127.0.0.1, the InternalIP every host's Node reports. */
export const DEFAULT_NODE_PORT_ADDRESS = '127.0.0.1';

/**
 * Where a service port listens: the cluster IP (`internal`: the address `internalTrafficPolicy` governs), the
 * LoadBalancer ingress (when this proxy gives it: `ingress`), and the node port on each of `nodePortAddresses`.
 */
function listenAddresses(svc: any, port: any, opts: { network?: ClusterNetwork; ingress: boolean; nodePortAddresses: readonly string[] }): { address: string; port: number; internal?: boolean }[] {
  const out: { address: string; port: number; internal?: boolean }[] = [{ address: svc.spec.clusterIP as string, port: port.port as number, internal: true }];
  const ingress = opts.ingress && svc.spec.type === 'LoadBalancer' ? podServiceIngress(svc.spec.clusterIP, opts.network) : undefined;
  if (ingress) out.push({ address: ingress, port: port.port });
  if ((svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer') && port.nodePort) for (const address of opts.nodePortAddresses) out.push({ address, port: port.nodePort });
  return out;
}

/**
 * The InternalIP of every Ready Node not being deleted, sorted: where a guest cluster's proxy serves node ports, as
 * kube-proxy serves them on each node. `127.0.0.1` (what a Supervisor host reports) is never one: it is the
 * Supervisor's node-port address on this shared machine.
 */
export function readyNodeAddresses(hosts: readonly any[]): string[] {
  const out = new Set<string>();
  for (const h of hosts) {
    if (h?.metadata?.deletionTimestamp || !hostProxyState(h).healthy) continue;
    const ip = (h.status?.addresses ?? []).find((a: any) => a?.type === 'InternalIP')?.address;
    if (typeof ip === 'string' && isIPv4(ip) && ip !== DEFAULT_NODE_PORT_ADDRESS) out.add(ip);
  }
  return [...out].sort();
}

const serviceKey = (stored: StoredObject): string => objectKey(stored.object.metadata.namespace, stored.object.metadata.name);
/** A slice this controller wrote (and may rewrite or delete); any other is its writer's alone. */
const isManaged = (slice: any): boolean => slice?.metadata?.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] === SLICE_MANAGED_BY;
/** A slice the mirroring half wrote from a selector-less Service's Endpoints (proxied like any other writer's slice). */
const isMirrored = (slice: any): boolean => slice?.metadata?.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] === MIRRORING_MANAGED_BY;
/**
 * Endpoints this controller wrote (and may rewrite or delete): labelled skip-mirror, as kube-controller-manager's
 * endpoints controller labels its own, and owned (controller reference) by the core v1 Service of their name. Any
 * other Endpoints of that name — the VirtualMachineService controller's (owned by a VirtualMachineService), a user's —
 * are never touched; a user's skip-mirror Endpoints without that owner are theirs too.
 */
const isOwnEndpoints = (endpoints: any): boolean =>
  endpoints?.metadata?.labels?.[ENDPOINTS_SKIP_MIRROR_LABEL] === 'true' &&
  (endpoints.metadata.ownerReferences ?? []).some((o: any) => o?.controller === true && o.apiVersion === 'v1' && o.kind === 'Service' && o.name === endpoints.metadata.name);

/** kube's ExternalPolicyForExternalIP's half that applies here: node ports of a NodePort or LoadBalancer with `externalTrafficPolicy: Local`. */
const externalLocal = (svc: any): boolean => (svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer') && svc.spec?.externalTrafficPolicy === 'Local';

/** A host's health check of a Service (`healthCheckNodePort` on the host's address) and what it answers. */
interface HealthCheck {
  address: string;
  port: number;
  namespace: string;
  name: string;
  localEndpoints: number;
  proxyHealthy: boolean;
  service: string;
}

/** A host as the proxy sees it: its own address (none past the address slots) and its kube-proxy's health. */
interface HostInfo {
  address?: string;
  proxy: HostProxyState;
}

/** Where a Service port listens and where it sends connections. */
interface Listener {
  address: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  backends: Backend[];
  /** `internalTrafficPolicy: Local` on the cluster IP: per host, where its pods' connections go (`localEndpointsByHost`). */
  byHost?: Map<string, Backend[]>;
  service: string;
  /** `sessionAffinity: ClientIP`'s timeout in seconds; undefined for None. */
  affinitySeconds?: number;
}

/**
 * core v1 Services of pods (in the elected vm-operator, beside the VirtualMachineService controller, with the same
 * TcpLoadBalancer): keeps the EndpointSlices of each Service from the pods its selector matches (at most 100
 * endpoints a slice, `planSlices`), and proxies every TCP port of the Service — on its cluster IP, its LoadBalancer
 * ingress address and its node port — round robin to the ready
 * endpoints, or, while none is, to those still serving through their termination (`proxiedEndpoints`). A port with
 * nowhere to send has no listener, so connections are refused at once.
 *
 * A Service without a selector (absent or empty) is, as in Kubernetes, left to whoever manages it: no slice of this
 * controller (one it wrote while the Service had a selector is deleted), no UpdatedEndpoints Events; its ports are
 * proxied as kube-proxy does, to the endpoints of the EndpointSlices labelled with its name (`sliceServiceBackends`),
 * e.g. the api-gateway's for the `kubernetes` Service or a user's pointing at an outside address.
 *
 * Core v1 Endpoints, as kube-controller-manager keeps them: a Service with a selector gets Endpoints of its name
 * (the endpoints controller: `podServiceSubsets`, labelled skip-mirror, owned by the Service; `isOwnEndpoints` says
 * which are this controller's, any other is never touched); the Endpoints a user writes for a Service without a
 * selector are mirrored into EndpointSlices (the EndpointSliceMirroring controller: `mirroredSlices`), which the
 * proxy reads as any other writer's slices.
 *
 * `externalTrafficPolicy: Local` (NodePort, LoadBalancer): each host (Node) also gets the Service's node ports on an
 * address of its own (`assignHostAddresses`, written on its Node as `openpacific.io/node-port-address`), sending only
 * to the endpoints on that host (none → refused), and a LoadBalancer's `healthCheckNodePort` there answers kube-proxy's
 * health check (`HealthCheckServer`; 503 also while the host is not Ready). The cluster IP, the ingress and 127.0.0.1
 * (every host's InternalIP at once) still send to every endpoint. Every host's address also serves kube-proxy's
 * `/healthz` and `/livez` on port 10256 (`ProxyHealthServer`).
 *
 * `internalTrafficPolicy: Local`: on the cluster IP, a pod's connection goes only to the endpoints on its own host
 * (none → reset), the pod known by the connection's source address where pods have addresses of their own
 * (`PodHostIndex`, with POD_CIDR); any other client is served as under `Cluster`.
 *
 * A pass syncs only the Services whose inputs changed (the Service, one of its slices, or a pod its selector matches before
 * or after the change; every Service on a resync): in a burst of pods that no Service selects, a pod costs its
 * read-model update and one index probe per label, and no pass.
 */
export class PodServiceController {
  private readonly model = controllerReadModel([SERVICES_RESOURCE, 'pods', ENDPOINT_SLICES_RESOURCE, ENDPOINTS_RESOURCE, HOSTS_RESOURCE]);
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
  /** Each live Service's health checks (one per host) as its last sync found them, by service key; and those serving, by `<address>:<port>`. */
  private readonly healthChecks = new Map<string, HealthCheck[]>();
  private readonly healthServers = new Map<string, { server: HealthCheckServer; service: string }>();
  /** This controller's slice writes not yet read back, by service key: slice name → the stream version written. */
  private readonly sliceWrites = new Map<string, Map<string, number>>();
  /** Each host's address and proxy health, by name, as the hosts last read say (`refreshHosts`); stale when `hostsChanged`. */
  private hostInfo = new Map<string, HostInfo>();
  private hostsChanged = true;
  /** Where node ports listen (`nodePortAddress`, and in a guest cluster every Ready Node's InternalIP), as `refreshHosts` last found. */
  private nodePortAddresses: string[] = [];
  /** This controller's address writes on Hosts not yet read back: host name → the stream version written. */
  private readonly addressWrites = new Map<string, number>();
  /** Each host's kube-proxy health server, by `<address>:<port>`. */
  private readonly proxyHealthServers = new Map<string, ProxyHealthServer>();
  /** The health server addresses that failed to listen, warned about once each until one listens. */
  private readonly proxyHealthFailed = new Set<string>();
  /** Each pod's address → its host, for the balancers to keep pods' connections on their host (`internalTrafficPolicy: Local`). */
  private readonly podHosts: PodHostIndex;

  /**
   * Reads the log through `feed`, which the caller starts (replaying the log) before `start`. `healthzPort`: where
   * each host's kube-proxy health server listens (10256, kube-proxy's; 0: none).
   */
  constructor(private readonly deps: {
    store: EventStore; feed: SharedFollower; logger: Logger; network?: ClusterNetwork; admit?: AdmitHook; healthzPort?: number;
    /** Where node ports are served for every host (`DEFAULT_NODE_PORT_ADDRESS`; a guest cluster's control-plane VM address). */
    nodePortAddress?: string;
    /**
     * A guest cluster's proxy, kube-proxy's on each of its nodes: node ports also on every Ready Node's InternalIP
     * (`readyNodeAddresses`); no per-host addresses (`assignHostAddresses`: `externalTrafficPolicy: Local`, 10256), which
     * are the Supervisor hosts' loopback scheme; no LoadBalancer ingress of its own (`podServiceIngress`), as the guest's
     * cloud provider (cluster-api on the Supervisor) writes the Supervisor's.
     */
    guestCluster?: boolean;
  }) {
    this.podHosts = new PodHostIndex(deps.network?.podCIDR ?? '');
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
    await Promise.all([...this.healthServers.values()].map((h) => h.server.stop()));
    this.healthServers.clear();
    await Promise.all([...this.proxyHealthServers.values()].map((s) => s.stop()));
    this.proxyHealthServers.clear();
  }

  private read(events: RecordedEvent[]): void {
    const before = this.dirty.size;
    const hostsBefore = this.hostsChanged;
    for (const e of events) {
      const change = this.model.apply(e);
      if (change) this.markAffected(change);
    }
    if (this.dirty.size > before || (this.hostsChanged && !hostsBefore)) this.loop.schedule();
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
    } else if (change.resource === HOSTS_RESOURCE) {
      // A host come, gone or changed (its address, readiness, taints, deletion): the Services served per host get or
      // lose its listeners and health check, or answer them anew; its own health server too.
      this.hostsChanged = true;
      for (const s of this.model.list(SERVICES_RESOURCE)) if (externalLocal(s.object)) this.dirty.add(serviceKey(s));
    } else if (change.resource === ENDPOINTS_RESOURCE) {
      // Endpoints belong to the Service of their name: its own to keep, or a user's to mirror.
      this.dirty.add(objectKey(namespace, name));
    } else {
      if (change.type === 'DELETED') this.podHosts.remove(objectKey(namespace, name));
      else this.podHosts.update(objectKey(namespace, name), change.object);
      this.selectors.selecting(namespace, labels, this.dirty);
      if (change.previous) this.selectors.selecting(namespace, change.previous.metadata.labels, this.dirty);
    }
  }

  private async pass(): Promise<void> {
    const services = this.model.list(SERVICES_RESOURCE).filter((s) => !s.object.metadata.deletionTimestamp && s.object.spec?.type !== 'ExternalName');
    const live = new Set(services.map(serviceKey));
    if (this.full) this.hostsChanged = true;
    // Node ports moved (a guest's Node became Ready or went): every Service is listened for anew.
    const nodePortsMoved = this.hostsChanged ? await this.refreshHosts() : false;
    const todo = this.full || nodePortsMoved ? services : services.filter((s) => this.dirty.has(serviceKey(s)));
    this.full = false;
    this.dirty.clear();
    for (const key of this.listeners.keys()) if (!live.has(key)) this.listeners.delete(key);
    for (const key of this.healthChecks.keys()) if (!live.has(key)) this.healthChecks.delete(key);
    for (const key of this.sliceWrites.keys()) if (!live.has(key)) this.sliceWrites.delete(key);
    for (const stored of todo) await this.syncService(stored);
    const selecting = new Set(services.filter((s) => hasSelector(s.object)).map(serviceKey));
    await this.deleteOrphanSlices(selecting);
    await this.deleteOrphanEndpoints(selecting);
    await this.deleteOrphanMirrors(new Set(services.filter((s) => !hasSelector(s.object)).map(serviceKey)));
    // In list order, as every pass built them before: of two Services claiming one address, the later one's listener stands.
    const wanted = new Map<string, Listener>();
    for (const s of services) for (const l of this.listeners.get(serviceKey(s)) ?? []) wanted.set(`${l.protocol}/${l.address}:${l.port}`, l);
    await this.syncBalancers(wanted);
    const checks = new Map<string, HealthCheck>();
    for (const s of services) for (const h of this.healthChecks.get(serviceKey(s)) ?? []) checks.set(`${h.address}:${h.port}`, h);
    await this.syncHealthChecks(checks);
    await this.syncProxyHealth();
  }

  /**
   * Every host's own address (`assignHostAddresses`: kept from its Node's annotation, else allocated) and its proxy's
   * health; the addresses not yet on their Nodes are written there (a conflict is the next pass's). Also where node
   * ports listen; true when that changed.
   */
  private async refreshHosts(): Promise<boolean> {
    this.hostsChanged = false;
    const hosts = this.model.list(HOSTS_RESOURCE);
    const own = this.deps.nodePortAddress ?? DEFAULT_NODE_PORT_ADDRESS;
    const nodePortAddresses = this.deps.guestCluster ? [...new Set([own, ...readyNodeAddresses(hosts.map((h) => h.object))])].sort() : [own];
    const nodePortsMoved = !sameJson(nodePortAddresses, this.nodePortAddresses);
    this.nodePortAddresses = nodePortAddresses;
    // Without host addresses every host is served as its InternalIP is: `Local` node ports as `Cluster`, no health checks.
    const addresses = this.deps.guestCluster ? new Map<string, string>() : assignHostAddresses(hosts.map((h) => ({
      name: h.object.metadata.name,
      annotated: h.object.metadata.annotations?.[HOST_ADDRESS_ANNOTATION],
      createdAt: h.object.metadata.creationTimestamp,
    })), hostAddressUsable(this.deps.network ?? LOOPBACK_NETWORK));
    this.hostInfo = new Map(hosts.map((h) => [h.object.metadata.name as string, { address: addresses.get(h.object.metadata.name), proxy: hostProxyState(h.object) }]));
    let writes = 0;
    for (const stored of hosts) {
      const name: string = stored.object.metadata.name;
      const address = addresses.get(name);
      if (stored.streamVersion >= (this.addressWrites.get(name) ?? 0)) this.addressWrites.delete(name);
      if (!address || stored.object.metadata.annotations?.[HOST_ADDRESS_ANNOTATION] === address || stored.object.metadata.deletionTimestamp || this.addressWrites.has(name)) continue;
      if (++writes > ADDRESS_WRITES_PER_PASS) {
        // The rest in the next pass, soon.
        this.hostsChanged = true;
        this.loop.schedule(50);
        break;
      }
      const object = structuredClone(stored.object);
      delete object.metadata.resourceVersion;
      object.metadata.annotations = { ...object.metadata.annotations, [HOST_ADDRESS_ANNOTATION]: address };
      try {
        const written = await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.updated, data: { resource: HOSTS_RESOURCE, object }, metadata: PROXY_ACTOR }], { expectedVersion: stored.streamVersion });
        this.addressWrites.set(name, written.streamVersion);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('host address not written', { host: name, error: (err as Error).message });
        // Its next version marks the hosts changed again when it is read; a failed write is retried after a while.
        this.hostsChanged = true;
        this.loop.schedule(300);
      }
    }
    return nodePortsMoved;
  }

  /** Each host's kube-proxy health server on its own address (`healthzPort`), answering from the host's state; stale ones closed. */
  private async syncProxyHealth(): Promise<void> {
    const port = this.deps.healthzPort ?? PROXY_HEALTHZ_PORT;
    const wanted = new Map<string, HostInfo & { address: string }>();
    if (port > 0) for (const info of this.hostInfo.values()) if (info.address) wanted.set(`${info.address}:${port}`, info as HostInfo & { address: string });
    for (const [id, server] of this.proxyHealthServers) {
      if (wanted.has(id)) continue;
      this.proxyHealthServers.delete(id);
      await server.stop();
    }
    for (const [id, want] of wanted) {
      let server = this.proxyHealthServers.get(id);
      if (!server) {
        server = new ProxyHealthServer(want.address, port);
        try {
          await server.start();
        } catch (err) {
          if (!this.proxyHealthFailed.has(id)) this.deps.logger.warn('proxy health server failed to listen', { address: id, error: (err as Error).message });
          this.proxyHealthFailed.add(id);
          continue;
        }
        this.proxyHealthFailed.delete(id);
        this.proxyHealthServers.set(id, server);
      }
      server.setState(want.proxy);
    }
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
    // A VirtualMachineService's core Service: the VMService controller's balancers listen on its addresses and it
    // reports its ingress; a second listener here would collide with them. Its Endpoints are still mirrored.
    const vmServiceOwned = vmServiceController(svc) !== undefined;
    // Without a selector, a slice of this controller's is one it wrote while the Service had one: stale, and deleted
    // by deleteOrphanSlices in this pass.
    const candidates = result?.candidates ?? sliceServiceCandidates(svc, this.model.list(ENDPOINT_SLICES_RESOURCE, ns).map((s) => s.object).filter((s) => !isManaged(s)));
    const backends = result?.backends ?? new Map([...candidates].map(([k, list]) => [k, uniqueBackends(proxiedEndpoints(list))]));
    try {
      if (result) {
        await this.syncSlices(svc, result);
        await this.syncEndpoints(svc);
        await this.reportChanges(svc, result);
      } else {
        this.reported.delete(`${key}/${svc.metadata.uid}`);
        await this.syncMirroredSlices(svc);
      }
      if (svc.spec?.type === 'LoadBalancer' && !vmServiceOwned && !this.deps.guestCluster) await this.reportIngress(stored);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) this.deps.logger.warn('service sync failed', { service: key, error: (err as Error).message });
      this.dirty.add(key);
      this.loop.schedule(300);
    }
    const listeners: Listener[] = [];
    if (PROXIED_TYPES.includes(svc.spec?.type) && svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && !vmServiceOwned) {
      const affinitySeconds = svc.spec.sessionAffinity === 'ClientIP' ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
      for (const port of svc.spec.ports ?? []) {
        const protocol = port.protocol ?? 'TCP';
        // SCTP is accepted as Kubernetes does, but not proxied: Node has no SCTP sockets.
        if (protocol !== 'TCP' && protocol !== 'UDP') continue;
        const portBackends = backends.get(servicePortKey(protocol, port.port)) ?? [];
        // internalTrafficPolicy Local: the cluster IP keeps each pod's connections on its host.
        const byHost = internalTrafficLocal(svc) ? localEndpointsByHost(candidates.get(servicePortKey(protocol, port.port)) ?? []) : undefined;
        for (const { internal, ...at } of listenAddresses(svc, port, { network: this.deps.network, ingress: !this.deps.guestCluster, nodePortAddresses: this.nodePortAddresses })) {
          listeners.push({ ...at, protocol, backends: portBackends, ...(internal && byHost ? { byHost } : {}), service: key, affinitySeconds });
        }
        // externalTrafficPolicy Local: each host's own address sends its node port to the endpoints on that host only.
        if (externalLocal(svc) && port.nodePort) {
          const portCandidates = candidates.get(servicePortKey(protocol, port.port)) ?? [];
          for (const [host, { address }] of this.hostInfo) if (address) listeners.push({ address, port: port.nodePort, protocol, backends: localBackends(portCandidates, host), service: key, affinitySeconds });
        }
      }
    }
    this.listeners.set(key, listeners);
    const hcPort = svc.spec?.healthCheckNodePort;
    const checks = externalLocal(svc) && svc.spec.type === 'LoadBalancer' && !vmServiceOwned && Number.isInteger(hcPort) && hcPort > 0
      ? [...this.hostInfo].filter(([, info]) => info.address).map(([host, info]) => ({
        address: info.address!, port: hcPort, namespace: ns, name: svc.metadata.name,
        localEndpoints: localReadyEndpoints(candidates.values(), host), proxyHealthy: info.proxy.healthy, service: key,
      }))
      : [];
    this.healthChecks.set(key, checks);
  }

  /** A health check server per host and Service that needs one, answering from the last count; stale ones closed. */
  private async syncHealthChecks(wanted: Map<string, HealthCheck>): Promise<void> {
    for (const [id, current] of this.healthServers) {
      const want = wanted.get(id);
      if (want && want.service === current.service) continue;
      this.healthServers.delete(id);
      await current.server.stop();
    }
    for (const [id, want] of wanted) {
      let entry = this.healthServers.get(id);
      if (!entry) {
        const server = new HealthCheckServer(want.address, want.port, { namespace: want.namespace, name: want.name });
        try {
          await server.start();
        } catch (err) {
          this.deps.logger.warn('service health check failed to listen', { service: want.service, address: id, error: (err as Error).message });
          continue;
        }
        entry = { server, service: want.service };
        this.healthServers.set(id, entry);
      }
      entry.server.setLocalEndpoints(want.localEndpoints, want.proxyHealthy);
    }
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
        const options = { bindAddress: want.address, port: want.port, logger: this.deps.logger, admit: this.deps.admit, clientHost: this.podHosts.hostOf };
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
      entry.lb.setBackends(want.backends, want.byHost);
      entry.lb.setAffinity(want.affinitySeconds);
    }
  }

  /**
   * The Service's EndpointSlices as kube-controller-manager's endpointslice controller keeps them (`planSlices`):
   * at most `MAX_ENDPOINTS_PER_SLICE` endpoints each, rewritten in place where they can be, new ones named by
   * `generateName` `<service>-`. Its slices of another Service of the name (an older uid) or of another address type
   * are deleted. Skipped while the read model has not yet seen this controller's last writes to the Service's
   * slices (as kube's slice tracker skips a stale cache): a pass on a stale view would place endpoints twice; the
   * events of those writes mark the Service again.
   */
  private async syncSlices(svc: any, result: ReturnType<typeof podServiceEndpoints>): Promise<void> {
    const { namespace: ns, name, uid } = svc.metadata;
    const key = objectKey(ns, name);
    if (this.slicesPending(key)) return;
    const managed = this.model.list(ENDPOINT_SLICES_RESOURCE, ns).filter((s) => isManaged(s.object) && s.object.metadata.labels?.[SERVICE_NAME_LABEL] === name);
    const current = (s: StoredObject) => s.object.addressType === 'IPv4' && (s.object.metadata.ownerReferences ?? []).some((o: any) => o?.uid === uid);
    // The Service's labels too, so that a change of them relabels its slices.
    const labels = serviceSliceLabels(svc);
    const plan = planSlices(managed.filter(current).map((s) => s.object), result.endpoints.map((endpoint, i) => ({ endpoint, ports: result.endpointPorts[i] })), MAX_ENDPOINTS_PER_SLICE, labels);
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid, controller: true, blockOwnerDeletion: true }];
    for (const content of plan.create) {
      let sliceName = generateName(`${name}-`);
      while (this.model.get(ENDPOINT_SLICES_RESOURCE, ns, sliceName)) sliceName = generateName(`${name}-`);
      const metadata = { name: sliceName, generateName: `${name}-`, namespace: ns, uid: randomUUID(), creationTimestamp: rfc3339(), generation: 1, labels, ownerReferences };
      const object = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: 'IPv4', ...content };
      // At the stream's version: a name used before (and deleted) keeps its stream.
      const at = this.model.streamVersion(ENDPOINT_SLICES_RESOURCE, ns, sliceName);
      const written = await this.deps.store.append(objectStreamId(ENDPOINT_SLICES_RESOURCE, ns, sliceName), [{ type: ObjectEventTypes.created, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: at });
      this.expectSlice(key, sliceName, written.streamVersion);
    }
    for (const { name: sliceName, content } of plan.update) {
      const existing = this.model.get(ENDPOINT_SLICES_RESOURCE, ns, sliceName)!;
      const metadata = { ...structuredClone(existing.object.metadata), labels, ownerReferences };
      delete metadata.resourceVersion;
      const object = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: 'IPv4', ...content };
      const written = await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: ACTOR }], { expectedVersion: existing.streamVersion });
      this.expectSlice(key, sliceName, written.streamVersion);
    }
    const deleting = new Set(plan.delete);
    for (const stored of managed) {
      if (current(stored) && !deleting.has(stored.object.metadata.name)) continue;
      await this.remove(stored, ENDPOINT_SLICES_RESOURCE, ACTOR);
      this.expectSlice(key, stored.object.metadata.name, stored.streamVersion + 1);
    }
  }

  /** Notes a write to one of a Service's slices, at the stream version it made, for `slicesPending`. */
  private expectSlice(service: string, slice: string, version: number): void {
    let writes = this.sliceWrites.get(service);
    if (!writes) this.sliceWrites.set(service, (writes = new Map()));
    writes.set(slice, version);
  }

  /** Whether a write `expectSlice` noted for the Service has yet to reach the read model. */
  private slicesPending(service: string): boolean {
    const writes = this.sliceWrites.get(service);
    if (!writes) return false;
    const ns = service.slice(0, service.indexOf('/'));
    for (const [slice, version] of writes) if (this.model.streamVersion(ENDPOINT_SLICES_RESOURCE, ns, slice) >= version) writes.delete(slice);
    if (writes.size === 0) this.sliceWrites.delete(service);
    return writes.size > 0;
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

  /**
   * The endpoints controller's half: the Service's core v1 Endpoints of its name (`podServiceSubsets`), written when
   * their subsets, labels or owner change, with the time of the change in `endpoints.kubernetes.io/last-change-trigger-time`.
   * Past 1000 addresses they are truncated (`truncateSubsets`) and annotated `endpoints.kubernetes.io/over-capacity: truncated`.
   * Endpoints of that name another writer holds (`isOwnEndpoints`) are left as they are, with a warning once.
   */
  private async syncEndpoints(svc: any): Promise<void> {
    const { namespace, name, uid } = svc.metadata;
    const existing = this.model.get(ENDPOINTS_RESOURCE, namespace, name);
    if (existing && !isOwnEndpoints(existing.object)) {
      const warnKey = `${namespace}/${name}/${uid}/endpoints`;
      if (!this.warned.has(warnKey)) this.deps.logger.warn('service endpoints not written: another writer\'s Endpoints hold its name', { service: objectKey(namespace, name) });
      this.warned.add(warnKey);
      return;
    }
    const { subsets, truncated } = truncateSubsets(podServiceSubsets(svc, this.model.list('pods', namespace).map((s) => s.object)));
    const labels = podServiceEndpointsLabels(svc);
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid, controller: true, blockOwnerDeletion: true }];
    const current = existing?.object;
    const changed = !current || !sameJson(current.subsets ?? [], subsets);
    const overCapacity = current?.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] === 'truncated';
    if (!changed && overCapacity === truncated && sameJson(current.metadata.labels ?? {}, labels) && sameJson(current.metadata.ownerReferences ?? [], ownerReferences)) return;
    const base = current ? structuredClone(current.metadata) : { name, namespace, uid: randomUUID(), creationTimestamp: rfc3339() };
    delete (base as any).resourceVersion;
    const annotations = { ...(base as any).annotations, ...(changed ? { [TRIGGER_TIME_ANNOTATION]: new Date().toISOString() } : {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    const object = { apiVersion: 'v1', kind: 'Endpoints', metadata: { ...base, labels, annotations, ownerReferences }, ...(subsets.length ? { subsets } : {}) };
    if (existing) {
      await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: ENDPOINTS_RESOURCE, object }, metadata: ENDPOINTS_ACTOR }], { expectedVersion: existing.streamVersion });
    } else {
      // At the stream's version, not 'no_stream': Endpoints of a Service deleted and created again reuse the name's stream.
      const at = this.model.streamVersion(ENDPOINTS_RESOURCE, namespace, name);
      await this.deps.store.append(objectStreamId(ENDPOINTS_RESOURCE, namespace, name), [{ type: ObjectEventTypes.created, data: { resource: ENDPOINTS_RESOURCE, object }, metadata: ENDPOINTS_ACTOR }], { expectedVersion: at });
    }
  }

  /**
   * The mirroring half, for a Service without a selector: the EndpointSlices `mirroredSlices` makes of the Endpoints
   * of its name (unless labelled skip-mirror), written when they differ; the mirrored slices of the Service it no
   * longer wants are deleted. A slice name another writer holds is left theirs, with a warning once.
   */
  private async syncMirroredSlices(svc: any): Promise<void> {
    const { namespace, name } = svc.metadata;
    const endpoints = this.model.get(ENDPOINTS_RESOURCE, namespace, name)?.object;
    const wanted = endpoints && !endpoints.metadata.deletionTimestamp && isMirrorable(endpoints) ? mirroredSlices(endpoints) : [];
    if (wanted.length) await this.reportOverMirrorCap(endpoints);
    for (const { name: sliceName, slice } of wanted) {
      const existing = this.model.get(ENDPOINT_SLICES_RESOURCE, namespace, sliceName);
      if (existing && !isMirrored(existing.object)) {
        const warnKey = `${namespace}/${sliceName}/${endpoints.metadata.uid}/mirror`;
        if (!this.warned.has(warnKey)) this.deps.logger.warn('endpoints not mirrored: another writer\'s slice holds the name', { endpoints: objectKey(namespace, name), slice: sliceName });
        this.warned.add(warnKey);
        continue;
      }
      const current = existing?.object;
      const fields = (s: any) => [s.metadata.labels ?? {}, s.metadata.annotations ?? {}, s.metadata.ownerReferences ?? [], s.addressType, s.endpoints ?? [], s.ports ?? []];
      if (current && sameJson(fields(current), fields(slice))) continue;
      const base = current ? structuredClone(current.metadata) : { uid: randomUUID(), creationTimestamp: rfc3339(), generation: 1 };
      delete (base as any).resourceVersion;
      delete (base as any).annotations;
      const object = { ...slice, metadata: { ...base, ...slice.metadata } };
      if (existing) {
        await this.deps.store.append(existing.streamId, [{ type: ObjectEventTypes.updated, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: MIRRORING_ACTOR }], { expectedVersion: existing.streamVersion });
      } else {
        // The name is the same for the same ports: a slice deleted with its Endpoints comes back on the same stream.
        const at = this.model.streamVersion(ENDPOINT_SLICES_RESOURCE, namespace, sliceName);
        await this.deps.store.append(objectStreamId(ENDPOINT_SLICES_RESOURCE, namespace, sliceName), [{ type: ObjectEventTypes.created, data: { resource: ENDPOINT_SLICES_RESOURCE, object }, metadata: MIRRORING_ACTOR }], { expectedVersion: at });
      }
    }
    const keep = new Set(wanted.map((w) => w.name));
    for (const stored of this.model.list(ENDPOINT_SLICES_RESOURCE, namespace)) {
      if (isMirrored(stored.object) && stored.object.metadata.labels?.[SERVICE_NAME_LABEL] === name && !keep.has(stored.object.metadata.name)) {
        await this.remove(stored, ENDPOINT_SLICES_RESOURCE, MIRRORING_ACTOR);
      }
    }
  }

  /**
   * The mirroring controller's Warning on Endpoints with more addresses to a set of ports than it mirrors, in its words;
   * once per Endpoints and count (the Event is named from both, so another replica or a restart writes no second one).
   */
  private async reportOverMirrorCap(endpoints: any): Promise<void> {
    const skipped = addressesOverMirrorCap(endpoints);
    if (skipped === 0) return;
    const { namespace, name, uid } = endpoints.metadata;
    const warnKey = `${namespace}/${name}/${uid}/over-mirror-cap/${skipped}`;
    if (this.warned.has(warnKey)) return;
    const event = objectEvent(
      { apiVersion: 'v1', kind: 'Endpoints', name, namespace, uid },
      {
        type: 'Warning', reason: 'TooManyAddressesToMirror', component: 'endpointslicemirroring-controller', actor: MIRRORING_ACTOR, onceKey: `TooManyAddressesToMirror/${skipped}`,
        message: `A max of ${MAX_MIRRORED_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${skipped} addresses were skipped`,
      },
    );
    try {
      await this.deps.store.append(event.streamId, event.events, { expectedVersion: event.expectedVersion });
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    this.warned.add(warnKey);
  }

  /** Deletes the Endpoints this controller wrote whose Service is gone or no longer selects (`owners`: the live Services with a selector). */
  private async deleteOrphanEndpoints(owners: Set<string>): Promise<void> {
    for (const stored of this.model.list(ENDPOINTS_RESOURCE)) {
      if (!isOwnEndpoints(stored.object) || owners.has(serviceKey(stored))) continue;
      await this.remove(stored, ENDPOINTS_RESOURCE, ENDPOINTS_ACTOR);
    }
  }

  /** Deletes the mirrored slices whose Service is gone or has a selector now (`selectorless`: the live Services without one). */
  private async deleteOrphanMirrors(selectorless: Set<string>): Promise<void> {
    for (const stored of this.model.list(ENDPOINT_SLICES_RESOURCE)) {
      const slice = stored.object;
      if (!isMirrored(slice) || selectorless.has(objectKey(slice.metadata.namespace, slice.metadata.labels?.[SERVICE_NAME_LABEL]))) continue;
      await this.remove(stored, ENDPOINT_SLICES_RESOURCE, MIRRORING_ACTOR);
    }
  }

  /** Deletes an object as it was last read; one changed or deleted meanwhile (e.g. by the garbage collector) is the next pass's. */
  private async remove(stored: StoredObject, resource: string, actor: typeof ACTOR): Promise<void> {
    const last = structuredClone(stored.object);
    delete last.metadata.resourceVersion;
    try {
      await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.deleted, data: { resource, object: last }, metadata: actor }], { expectedVersion: stored.streamVersion });
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
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
    const now = rfc3339();
    const name = `${svc.metadata.name}.${eventNameSuffix()}`;
    const object = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: svc.metadata.namespace, uid: randomUUID(), creationTimestamp: now },
      involvedObject: { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, namespace: svc.metadata.namespace, uid: svc.metadata.uid },
      reason, message, type, source: { component: 'endpointslice-controller' }, reportingComponent: 'endpointslice-controller',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await this.deps.store.append(objectStreamId('events', svc.metadata.namespace, name), [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: ACTOR }], { expectedVersion: 'no_stream' });
  }
}
