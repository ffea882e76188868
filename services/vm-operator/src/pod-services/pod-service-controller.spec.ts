import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, ENDPOINTS_RESOURCE, HOSTS_RESOURCE, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import { EventStore, NewEvent, RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import type { SharedFollower } from '@openpacific/objects';
import { eventually } from '@openpacific/testing';
import type { Logger } from '@openpacific/service-kit';
import { PodServiceController, readyNodeAddresses } from './pod-service-controller';

const quiet: any = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
quiet.child = () => quiet;
const USER = { actor: 'test-user', source: 'test' };

/**
 * The log in memory: appends checked against stream versions as the event store checks them, and read back to the
 * controller's handler in order, asynchronously, as the shared follower delivers them.
 */
class FakeLog {
  readonly events: RecordedEvent[] = [];
  private readonly versions = new Map<string, number>();
  private readonly state = new Map<string, any>();
  private position = 0n;
  private handler?: (events: RecordedEvent[]) => void;

  readonly feed = { add: (_follows: readonly string[], handler: (events: RecordedEvent[]) => void) => (this.handler = handler) } as unknown as SharedFollower;
  readonly store = { append: (streamId: string, events: NewEvent[], opts: { expectedVersion?: any } = {}) => this.append(streamId, events, opts.expectedVersion ?? 'any') } as unknown as EventStore;

  private async append(streamId: string, events: NewEvent[], expected: 'any' | 'no_stream' | number) {
    const version = this.versions.get(streamId) ?? 0;
    if (expected === 'no_stream' ? version !== 0 : typeof expected === 'number' && expected !== version) throw new VersionConflictError(streamId, expected, version);
    const recorded = events.map((e, i): RecordedEvent => {
      this.position += 1n;
      return { id: randomUUID(), streamId, streamVersion: version + i + 1, type: e.type, data: e.data, metadata: e.metadata as any, position: this.position, transactionId: this.position, createdAt: new Date() };
    });
    this.versions.set(streamId, version + events.length);
    for (const e of recorded) {
      if (e.type === ObjectEventTypes.deleted) this.state.delete(streamId);
      else this.state.set(streamId, e.data.object);
    }
    this.events.push(...recorded);
    setImmediate(() => this.handler?.(recorded));
    return { streamVersion: version + events.length, events: recorded };
  }

  /** A user's write (create, update or delete) of an object. */
  async write(resource: string, object: any, type: string = ObjectEventTypes.created): Promise<void> {
    const { namespace, name } = object.metadata;
    const streamId = objectStreamId(resource, namespace, name);
    const full = { ...object, metadata: { uid: this.get(resource, namespace, name)?.metadata.uid ?? randomUUID(), creationTimestamp: '2026-01-01T00:00:00Z', generation: 1, ...object.metadata } };
    await this.append(streamId, [{ type, data: { resource, object: full }, metadata: USER }], this.versions.get(streamId) ?? 'no_stream');
  }

  get(resource: string, namespace: string, name: string): any {
    return this.state.get(objectStreamId(resource, namespace, name));
  }

  /** The live objects of a resource in a namespace. */
  list(resource: string, namespace: string): any[] {
    return [...this.state].filter(([streamId, o]) => streamId === objectStreamId(resource, namespace, o.metadata.name)).map(([, o]) => o);
  }

  /** The controller's own appends (slices, Services' status, Events). */
  byController(): RecordedEvent[] {
    return this.events.filter((e) => e.metadata.actor !== USER.actor);
  }

  reasons(reason: string): string[] {
    return this.byController().filter((e) => e.data.resource === 'events' && e.data.object.reason === reason).map((e) => e.data.object.involvedObject.name);
  }
}

const svc = (namespace: string, name: string, clusterIP: string, ports: any[], selector?: any) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { namespace, name },
  spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports, ...(selector ? { selector } : {}) },
});
const slice = (namespace: string, name: string, service: string, ports: any[], endpoints: any[]) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace, name, labels: { [SERVICE_NAME_LABEL]: service } },
  addressType: 'IPv4', ports, endpoints,
});
const readyPod = (namespace: string, name: string, labels: any, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
});

/** A Host as its agent registers it: Ready unless said otherwise. */
const host = (name: string, ready = 'True', extra: { metadata?: any; spec?: any } = {}) => ({
  apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host',
  metadata: { namespace: '', name, ...extra.metadata }, spec: { ...extra.spec },
  status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'HeartbeatReceived' : 'HeartbeatMissed', lastTransitionTime: '2026-01-02T03:04:05Z' }] },
});

/** What a TCP connection to the address (from `localAddress`, when given) gets back, or the error code of its failure. */
function fetchText(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * A port of the node port range nothing on this machine listens on: the controller takes `nodePort` as the API gave
 * it, so the test picks one that is free here.
 */
async function freeNodePort(): Promise<number> {
  const start = 30000 + Math.floor(Math.random() * 2768);
  for (let i = 0; i < 2768; i++) {
    const port = 30000 + ((start - 30000 + i) % 2768);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 30000-32767');
}

describe('PodServiceController and Services without a selector', () => {
  let log: FakeLog;
  let controller: PodServiceController;
  let server: net.Server;
  let backendPort: number;
  let healthzPort: number;

  beforeEach(async () => {
    log = new FakeLog();
    // A balancer may reset its side of a connection it is done with (a listener closed by an update): the backend
    // socket's ECONNRESET is no failure of the test.
    server = net.createServer((socket) => socket.on('error', () => undefined).end('from the backend'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    backendPort = (server.address() as net.AddressInfo).port;
    // kube-proxy's 10256 stands in for a port free here: other runs on this machine may hold 10256 on a host's address.
    healthzPort = await freeNodePort();
    controller = new PodServiceController({ store: log.store, feed: log.feed, logger: quiet as Logger, healthzPort });
    controller.start();
  });

  afterEach(async () => {
    await controller.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  /** The endpointslice controller's slices of a Service, by name. */
  const ownSlices = (namespace: string, service: string): any[] =>
    log.list(ENDPOINT_SLICES_RESOURCE, namespace)
      .filter((s) => s.metadata.labels?.[ENDPOINT_SLICE_MANAGED_BY_LABEL] === 'endpointslice-controller.k8s.io' && s.metadata.labels?.[SERVICE_NAME_LABEL] === service)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));

  it('proxies the Service to the endpoints of the slices written for it, and writes neither slice nor Event', async () => {
    // As the api-gateway is to write the `kubernetes` Service's slice: its own address, port name https.
    await log.write(SERVICES_RESOURCE, svc('default', 'kubernetes', '127.214.0.1', [{ name: 'https', port: 18443, targetPort: 6443, protocol: 'TCP' }]));
    const gateway = slice('default', 'kubernetes', 'kubernetes', [{ name: 'https', port: backendPort, protocol: 'TCP' }], [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    await log.write(ENDPOINT_SLICES_RESOURCE, gateway);
    await eventually(async () => expect(await fetchText('127.214.0.1', 18443)).toBe('from the backend'));

    // Not ready: out of rotation, and with no other endpoint the port is closed.
    await log.write(ENDPOINT_SLICES_RESOURCE, { ...gateway, endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: false } }] }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.214.0.1', 18443)).toBe('ECONNREFUSED'));
    // Ready again, in another slice of the Service (the first one's endpoints still not ready).
    await log.write(ENDPOINT_SLICES_RESOURCE, slice('default', 'kubernetes-extra', 'kubernetes', [{ name: 'https', port: backendPort, protocol: 'TCP' }], [{ addresses: ['127.0.0.1'] }]));
    await eventually(async () => expect(await fetchText('127.214.0.1', 18443)).toBe('from the backend'));

    expect(log.byController()).toEqual([]);
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'default', 'kubernetes').metadata.labels).toEqual({ [SERVICE_NAME_LABEL]: 'kubernetes' });
  });

  it('deletes the slice it wrote once the selector goes, never another writer\'s, and reports no endpoints after', async () => {
    await log.write('pods', readyPod('shop', 'web-1', { app: 'web' }, '127.0.0.1'));
    const extra = slice('shop', 'web-extra', 'web', [{ name: 'http', port: backendPort, protocol: 'TCP' }], [{ addresses: ['127.0.0.1'] }]);
    await log.write(ENDPOINT_SLICES_RESOURCE, extra);
    const selecting = svc('shop', 'web', '127.214.0.2', [{ name: 'http', port: 18080, targetPort: backendPort, protocol: 'TCP' }], { app: 'web' });
    await log.write(SERVICES_RESOURCE, selecting);
    await eventually(() => expect(ownSlices('shop', 'web')).toHaveLength(1));
    const [own] = ownSlices('shop', 'web');
    expect(own.metadata).toEqual(expect.objectContaining({ generateName: 'web-', labels: { [SERVICE_NAME_LABEL]: 'web', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'endpointslice-controller.k8s.io' } }));
    expect(own.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    await eventually(() => expect(log.reasons('UpdatedEndpoints')).toEqual(['web']));

    // An empty selector is no selector.
    await log.write(SERVICES_RESOURCE, { ...selecting, spec: { ...selecting.spec, selector: {} } }, ObjectEventTypes.updated);
    await eventually(() => expect(ownSlices('shop', 'web')).toEqual([]));
    // Proxied to the other writer's slice now: its port named http.
    await eventually(async () => expect(await fetchText('127.214.0.2', 18080)).toBe('from the backend'));
    await log.write('pods', readyPod('shop', 'web-2', { app: 'web' }, '127.0.0.2'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.reasons('UpdatedEndpoints')).toEqual(['web']);
    expect(ownSlices('shop', 'web')).toEqual([]);

    // The Service gone: its listener closes, and the slice someone else wrote for it stays theirs to delete.
    await log.write(SERVICES_RESOURCE, log.get(SERVICES_RESOURCE, 'shop', 'web'), ObjectEventTypes.deleted);
    await eventually(async () => expect(await fetchText('127.214.0.2', 18080)).toBe('ECONNREFUSED'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'web-extra')).toEqual(expect.objectContaining({ endpoints: extra.endpoints }));
    expect(log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).map((e) => [e.type, e.data.object.metadata.name])).toEqual([
      [ObjectEventTypes.created, own.metadata.name],
      [ObjectEventTypes.deleted, own.metadata.name],
    ]);
  });

  it('writes the slice again for a Service deleted and made again under the same name', async () => {
    await log.write('pods', readyPod('shop', 'web-1', { app: 'web' }, '127.0.0.1'));
    const selecting = svc('shop', 'web', '127.214.0.3', [{ name: 'http', port: 18081, targetPort: backendPort, protocol: 'TCP' }], { app: 'web' });
    await log.write(SERVICES_RESOURCE, selecting);
    await eventually(() => expect(ownSlices('shop', 'web').map((s) => s.endpoints.length)).toEqual([1]));
    await log.write(SERVICES_RESOURCE, log.get(SERVICES_RESOURCE, 'shop', 'web'), ObjectEventTypes.deleted);
    await eventually(() => expect(ownSlices('shop', 'web')).toEqual([]));
    // Made again: a new uid, a slice owned by it.
    const uid = randomUUID();
    await log.write(SERVICES_RESOURCE, { ...selecting, metadata: { ...selecting.metadata, uid } });
    await eventually(() => expect(ownSlices('shop', 'web').map((s) => [s.endpoints.length, s.metadata.ownerReferences[0].uid])).toEqual([[1, uid]]));
    await eventually(async () => expect(await fetchText('127.214.0.3', 18081)).toBe('from the backend'));
  });

  it('proxies to a pod that is not Ready while its Service publishes not-ready addresses, and marks it ready in the slice', async () => {
    const pod = readyPod('shop', 'peer-0', { app: 'peer' }, '127.0.0.1');
    await log.write('pods', { ...pod, status: { ...pod.status, conditions: [{ type: 'Ready', status: 'False' }] } });
    const peers = svc('shop', 'peers', '127.214.0.4', [{ name: 'p', port: 17000, targetPort: backendPort, protocol: 'TCP' }], { app: 'peer' });
    await log.write(SERVICES_RESOURCE, peers);
    await eventually(() => expect(ownSlices('shop', 'peers')[0]?.endpoints?.[0]?.conditions).toEqual({ ready: false, serving: false, terminating: false }));
    expect(await fetchText('127.214.0.4', 17000)).toBe('ECONNREFUSED');

    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'peers'), spec: { ...peers.spec, publishNotReadyAddresses: true } }, ObjectEventTypes.updated);
    await eventually(() => expect(ownSlices('shop', 'peers')[0].endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false }));
    await eventually(async () => expect(await fetchText('127.214.0.4', 17000)).toBe('from the backend'));

    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'peers'), spec: { ...peers.spec, publishNotReadyAddresses: false } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.214.0.4', 17000)).toBe('ECONNREFUSED'));
    // The slice may follow a pass later: a pass leaves the slices alone until it has read back its last write to them.
    await eventually(() => expect(ownSlices('shop', 'peers')[0].endpoints[0].conditions.ready).toBe(false));
  });

  it('proxies a LoadBalancer with allocateLoadBalancerNodePorts false on its cluster IP and ingress, and on 127.0.0.1 only the node port it names', async () => {
    await log.write('pods', readyPod('shop', 'front-0', { app: 'front' }, '127.0.0.1'));
    const nodePort = await freeNodePort();
    // In the loopback service range (the controller's default network), so that it has an ingress address: 127.203.214.9.
    const front = svc('shop', 'front', '127.202.214.9', [
      { name: 'plain', port: 17100, targetPort: backendPort, protocol: 'TCP' },
      { name: 'named', port: 17101, targetPort: backendPort, protocol: 'TCP', nodePort },
    ], { app: 'front' });
    await log.write(SERVICES_RESOURCE, { ...front, spec: { ...front.spec, type: 'LoadBalancer', allocateLoadBalancerNodePorts: false } });
    await eventually(() => expect(log.get(SERVICES_RESOURCE, 'shop', 'front').status?.loadBalancer?.ingress).toEqual([{ ip: '127.203.214.9', ipMode: 'VIP' }]));
    for (const [host, port] of [['127.202.214.9', 17100], ['127.203.214.9', 17100], ['127.202.214.9', 17101], ['127.203.214.9', 17101], ['127.0.0.1', nodePort]] as const) {
      await eventually(async () => expect(await fetchText(host, port)).toBe('from the backend'));
    }
    expect(log.reasons('EnsuredLoadBalancer')).toEqual(['front']);

    // The named node port given up (an update to ports without one): its listener goes, the others stay.
    const stored = log.get(SERVICES_RESOURCE, 'shop', 'front');
    await log.write(SERVICES_RESOURCE, { ...stored, spec: { ...stored.spec, ports: stored.spec.ports.map(({ nodePort: _n, ...p }: any) => p) } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.0.0.1', nodePort)).toBe('ECONNREFUSED'));
    expect(await fetchText('127.203.214.9', 17101)).toBe('from the backend');
  });

  it('with externalTrafficPolicy Local serves each host\'s node port from its own endpoints and kube-proxy\'s health check on each host', async () => {
    // host-141 and host-142: their addresses 127.241.0.1 and 127.242.0.1.
    for (const name of ['host-141', 'host-142']) await log.write(HOSTS_RESOURCE, host(name));
    const pod = readyPod('shop', 'web-0', { app: 'web' }, '127.0.0.1');
    await log.write('pods', { ...pod, spec: { ...pod.spec, nodeName: 'host-141' } });
    const [nodePort, healthCheckNodePort] = [await freeNodePort(), await freeNodePort()];
    const web = svc('shop', 'web', '127.202.214.10', [{ name: 'http', port: 17102, targetPort: backendPort, protocol: 'TCP', nodePort }], { app: 'web' });
    await log.write(SERVICES_RESOURCE, { ...web, spec: { ...web.spec, type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort } });
    const check = async (host: string) => {
      const res = await fetch(`http://${host}:${healthCheckNodePort}/any/path`);
      return { status: res.status, type: res.headers.get('content-type'), nosniff: res.headers.get('x-content-type-options'), weight: res.headers.get('x-load-balancing-endpoint-weight'), body: await res.text() };
    };
    await eventually(async () => expect(await check('127.241.0.1')).toEqual({
      status: 200, type: 'application/json', nosniff: 'nosniff', weight: '1',
      body: '{\n\t"service": {\n\t\t"namespace": "shop",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}',
    }));
    expect(await check('127.242.0.1')).toMatchObject({ status: 503, weight: '0', body: expect.stringContaining('"localEndpoints": 0') });
    expect(await fetchText('127.241.0.1', nodePort)).toBe('from the backend');
    expect(await fetchText('127.242.0.1', nodePort)).toBe('ECONNREFUSED');
    // The cluster IP, the ingress and 127.0.0.1 (every host at once) reach every endpoint.
    for (const [host, port] of [['127.202.214.10', 17102], ['127.203.214.10', 17102], ['127.0.0.1', nodePort]] as const) expect(await fetchText(host, port)).toBe('from the backend');

    // The pod not ready: host-141's check fails too, and its node port is closed.
    await log.write('pods', { ...pod, spec: { ...pod.spec, nodeName: 'host-141' }, status: { ...pod.status, conditions: [{ type: 'Ready', status: 'False' }] } }, ObjectEventTypes.updated);
    await eventually(async () => expect((await check('127.241.0.1')).status).toBe(503));
    await eventually(async () => expect(await fetchText('127.241.0.1', nodePort)).toBe('ECONNREFUSED'));

    // Back to Cluster (the gateway frees the health check port): no health check, no per-host node ports.
    const stored = log.get(SERVICES_RESOURCE, 'shop', 'web');
    const { healthCheckNodePort: _freed, ...spec } = stored.spec;
    await log.write(SERVICES_RESOURCE, { ...stored, spec: { ...spec, externalTrafficPolicy: 'Cluster' } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.241.0.1', healthCheckNodePort)).toBe('ECONNREFUSED'));
    expect(await fetchText('127.242.0.1', healthCheckNodePort)).toBe('ECONNREFUSED');
  });

  it('with internalTrafficPolicy Local keeps a pod\'s connections to the cluster IP on its host, by the pod range address it comes from', async () => {
    // The pod network's range stands on loopback here: any 127.77.x.y is a source this machine can connect from.
    await controller.stop();
    controller = new PodServiceController({ store: log.store, feed: log.feed, logger: quiet as Logger, healthzPort, network: { podCIDR: '127.77.0.0/16', serviceCIDR: '127.202.0.0/16', loadBalancerCIDR: '127.203.0.0/16' } });
    controller.start();
    const named = async (name: string, address: string, port = 0) => {
      const srv = net.createServer((socket) => socket.on('error', () => undefined).end(name));
      await new Promise<void>((resolve) => srv.listen(port, address, resolve));
      return srv;
    };
    const webA = await named('web-a', '127.77.1.10');
    const target = (webA.address() as net.AddressInfo).port;
    const webB = await named('web-b', '127.77.2.10', target);
    const at = (name: string, ip: string, nodeName: string, labels: any = {}) => {
      const p = readyPod('shop', name, labels, ip);
      return { ...p, spec: { ...p.spec, nodeName } };
    };
    try {
      await log.write('pods', at('web-a', '127.77.1.10', 'host-a', { app: 'web' }));
      // Clients: a pod on each host, one on a host without an endpoint, one not yet on any host.
      for (const [name, ip, node] of [['client-a', '127.77.1.20', 'host-a'], ['client-b', '127.77.2.20', 'host-b'], ['client-c', '127.77.3.20', 'host-c']]) await log.write('pods', at(name, ip, node));
      const web = svc('shop', 'web', '127.202.214.30', [{ name: 'http', port: 17130, targetPort: target, protocol: 'TCP' }], { app: 'web' });
      await log.write(SERVICES_RESOURCE, { ...web, spec: { ...web.spec, internalTrafficPolicy: 'Local' } });
      const from = (source: string) => fetchText('127.202.214.30', 17130, source);

      await eventually(async () => expect(await from('127.77.1.20')).toBe('web-a'));
      // host-b has no endpoint: its pod is turned away at once (kube-proxy drops it), as is host-c's.
      expect(await from('127.77.2.20')).toBe('ECONNRESET');
      expect(await from('127.77.3.20')).toBe('ECONNRESET');
      // A source that is no pod's (the machine) or outside the pod range is served as Cluster serves it.
      expect(await from('127.0.0.1')).toBe('web-a');
      expect(await from('127.77.9.9')).toBe('web-a');

      // An endpoint on host-b: host-b's pod reaches it and only it; host-a's pod still only web-a.
      await log.write('pods', at('web-b', '127.77.2.10', 'host-b', { app: 'web' }));
      await eventually(async () => expect(await from('127.77.2.20')).toBe('web-b'));
      const seen = { a: new Set<string>(), b: new Set<string>(), machine: new Set<string>() };
      for (let i = 0; i < 6; i++) {
        seen.a.add(await from('127.77.1.20'));
        seen.b.add(await from('127.77.2.20'));
        seen.machine.add(await from('127.0.0.1'));
      }
      expect([[...seen.a], [...seen.b], [...seen.machine].sort()]).toEqual([['web-a'], ['web-b'], ['web-a', 'web-b']]);

      // web-a terminating, still serving: host-a keeps using it (no ready endpoint there), while the machine, as
      // Cluster, has a ready one elsewhere and goes to web-b only.
      const a = log.get('pods', 'shop', 'web-a');
      await log.write('pods', { ...a, metadata: { ...a.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' } }, ObjectEventTypes.updated);
      await eventually(async () => expect(await from('127.0.0.1')).toBe('web-b'));
      for (let i = 0; i < 4; i++) {
        expect(await from('127.77.1.20')).toBe('web-a');
        expect(await from('127.0.0.1')).toBe('web-b');
      }
      // The ingress and node ports are not the cluster IP: internalTrafficPolicy leaves them alone. Back to Cluster,
      // host-c's pod reaches an endpoint too.
      const stored = log.get(SERVICES_RESOURCE, 'shop', 'web');
      await log.write(SERVICES_RESOURCE, { ...stored, spec: { ...stored.spec, internalTrafficPolicy: 'Cluster' } }, ObjectEventTypes.updated);
      await eventually(async () => expect(await from('127.77.3.20')).toBe('web-b'));
    } finally {
      await Promise.all([webA, webB].map((srv) => new Promise((resolve) => srv.close(resolve))));
    }
  });

  /** One HTTP GET: status, the headers kube-proxy sets, and the body; or the error code. */
  const get = async (url: string) => {
    try {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), nosniff: res.headers.get('x-content-type-options'), body: await res.text() };
    } catch (err: any) {
      return { error: err.cause?.code ?? err.message };
    }
  };
  const annotation = (name: string) => log.get(HOSTS_RESOURCE, '', name)?.metadata.annotations?.['openpacific.io/node-port-address'];

  it('gives every host an address of its own, past 150 and without a number too, writes it on the Node and keeps it', async () => {
    const at = (i: number) => ({ metadata: { creationTimestamp: `2026-01-01T00:00:0${i}Z` } });
    await log.write(HOSTS_RESOURCE, host('host-1', 'True', at(1)));
    await log.write(HOSTS_RESOURCE, host('host-151', 'True', at(2)));
    await log.write(HOSTS_RESOURCE, host('worker', 'True', at(3)));
    await log.write(HOSTS_RESOURCE, host('edge-1', 'True', at(4)));
    await eventually(async () => expect(['host-1', 'host-151', 'worker', 'edge-1'].map(annotation)).toEqual(['127.101.0.1', '127.101.1.1', '127.249.255.1', '127.248.255.1']));
    const written = log.byController().filter((e) => e.data.resource === HOSTS_RESOURCE);
    expect(written.map((e) => [e.type, e.metadata.actor])).toEqual(Array(4).fill(['ResourceUpdated', 'system:serviceaccount:kube-system:kube-proxy']));
    // Each answers as its own kube-proxy on its address.
    for (const address of ['127.101.0.1', '127.101.1.1', '127.249.255.1', '127.248.255.1']) {
      await eventually(async () => expect(await get(`http://${address}:${healthzPort}/healthz`)).toMatchObject({ status: 200, type: 'application/json', nosniff: 'nosniff', body: expect.stringContaining('"nodeEligible": true}') }));
    }

    // Kept for the host's life: host-1 gone, a host taking its number gets its slot; the others keep theirs, and no
    // address is written twice.
    await log.write(HOSTS_RESOURCE, log.get(HOSTS_RESOURCE, '', 'host-1'), ObjectEventTypes.deleted);
    await log.write(HOSTS_RESOURCE, host('rack-1', 'True', at(5)));
    await eventually(async () => expect(annotation('rack-1')).toBe('127.101.0.1'));
    expect(['host-151', 'worker', 'edge-1'].map(annotation)).toEqual(['127.101.1.1', '127.249.255.1', '127.248.255.1']);
    expect(log.byController().filter((e) => e.data.resource === HOSTS_RESOURCE)).toHaveLength(5);
    // An address another, older host holds is not taken: the younger host gets one of its own.
    const edge = log.get(HOSTS_RESOURCE, '', 'edge-1');
    await log.write(HOSTS_RESOURCE, { ...edge, metadata: { ...edge.metadata, annotations: { 'openpacific.io/node-port-address': '127.101.1.1' } } }, ObjectEventTypes.updated);
    await eventually(async () => expect(annotation('edge-1')).toBe('127.248.255.1'));
    expect(annotation('host-151')).toBe('127.101.1.1');
  });

  it('answers 503 for a host that is not Ready, and reports a Node being deleted or ToBeDeletedByClusterAutoscaler on /healthz only', async () => {
    await log.write(HOSTS_RESOURCE, host('host-143'));
    const pod = readyPod('shop', 'web-0', { app: 'web' }, '127.0.0.1');
    await log.write('pods', { ...pod, spec: { ...pod.spec, nodeName: 'host-143' } });
    const [nodePort, healthCheckNodePort] = [await freeNodePort(), await freeNodePort()];
    const web = svc('shop', 'web', '127.202.214.11', [{ name: 'http', port: 17103, targetPort: backendPort, protocol: 'TCP', nodePort }], { app: 'web' });
    await log.write(SERVICES_RESOURCE, { ...web, spec: { ...web.spec, type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort } });
    const address = '127.243.0.1';
    const serviceBody = (healthy: boolean) => `{\n\t"service": {\n\t\t"namespace": "shop",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": ${healthy}\n}`;
    const now = '"(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? \\+0000 UTC m=\\+\\d+\\.\\d{9})"';
    await eventually(async () => expect(await get(`http://${address}:${healthCheckNodePort}/`)).toMatchObject({ status: 200, body: serviceBody(true) }));
    const healthz = await get(`http://${address}:${healthzPort}/healthz`);
    expect(healthz).toMatchObject({ status: 200, type: 'application/json', nosniff: 'nosniff' });
    // Healthy: lastUpdated is the current time, as kube-proxy writes it (Go's time.Time, quoted).
    const [, last, , current] = new RegExp(`^\\{"lastUpdated": ${now},"currentTime": ${now}, "nodeEligible": true\\}$`).exec((healthz as any).body) ?? [];
    expect(last).toBeDefined();
    expect(last).toBe(current);
    expect(await get(`http://${address}:${healthzPort}/livez`)).toMatchObject({ status: 200, body: expect.stringMatching(new RegExp(`^\\{"lastUpdated": ${now},"currentTime": ${now}\\}$`)) });
    expect(await get(`http://${address}:${healthzPort}/metrics`)).toMatchObject({ status: 404, type: 'text/plain; charset=utf-8', body: '404 page not found\n' });

    // Not Ready: the proxy on it is not healthy; its endpoint is still counted.
    const stored = () => log.get(HOSTS_RESOURCE, '', 'host-143');
    await log.write(HOSTS_RESOURCE, { ...stored(), status: host('host-143', 'False').status }, ObjectEventTypes.updated);
    await eventually(async () => expect(await get(`http://${address}:${healthCheckNodePort}/`)).toMatchObject({ status: 503, body: serviceBody(false) }));
    expect(await get(`http://${address}:${healthzPort}/healthz`)).toMatchObject({
      status: 503, body: expect.stringMatching(new RegExp(`^\\{"lastUpdated": "2026-01-02 03:04:05 \\+0000 UTC","currentTime": ${now}, "nodeEligible": true\\}$`)),
    });
    expect(await get(`http://${address}:${healthzPort}/livez`)).toMatchObject({ status: 503 });

    // Ready again, then tainted for deletion by cluster-autoscaler: /healthz fails, /livez and the Service's check do not.
    await log.write(HOSTS_RESOURCE, { ...stored(), status: host('host-143').status, spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1700000000', effect: 'NoSchedule' }] } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await get(`http://${address}:${healthzPort}/healthz`)).toMatchObject({ status: 503, body: expect.stringContaining('"nodeEligible": false}') }));
    expect(await get(`http://${address}:${healthzPort}/livez`)).toMatchObject({ status: 200 });
    expect(await get(`http://${address}:${healthCheckNodePort}/`)).toMatchObject({ status: 200, body: serviceBody(true) });
    // Untainted: eligible again; being deleted: not.
    await log.write(HOSTS_RESOURCE, { ...stored(), spec: {} }, ObjectEventTypes.updated);
    await eventually(async () => expect(await get(`http://${address}:${healthzPort}/healthz`)).toMatchObject({ status: 200 }));
    await log.write(HOSTS_RESOURCE, { ...stored(), metadata: { ...stored().metadata, deletionTimestamp: '2026-01-03T00:00:00Z' } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await get(`http://${address}:${healthzPort}/healthz`)).toMatchObject({ status: 503, body: expect.stringContaining('"nodeEligible": false}') }));
    // Gone: nothing answers on its address any more.
    await log.write(HOSTS_RESOURCE, stored(), ObjectEventTypes.deleted);
    await eventually(async () => expect(await get(`http://${address}:${healthzPort}/healthz`)).toEqual({ error: 'ECONNREFUSED' }));
    expect(await fetchText(address, healthCheckNodePort)).toBe('ECONNREFUSED');
  });

  it('writes its slice beside another writer\'s slice named as the Service, and deletes only its own', async () => {
    await log.write('pods', readyPod('shop', 'db-0', { app: 'db' }, '127.0.0.1'));
    const theirs = slice('shop', 'db', 'db', [{ name: 'pg', port: backendPort, protocol: 'TCP' }], [{ addresses: ['127.0.0.1'] }]);
    await log.write(ENDPOINT_SLICES_RESOURCE, theirs);
    const db = svc('shop', 'db', '127.214.0.3', [{ name: 'pg', port: 15432, targetPort: backendPort, protocol: 'TCP' }], { app: 'db' });
    await log.write(SERVICES_RESOURCE, { ...db, metadata: { ...db.metadata, uid: 'abcdef12-3456-7890-abcd-ef1234567890' } });
    await eventually(() => expect(ownSlices('shop', 'db').map((s) => s.endpoints)).toEqual([[expect.objectContaining({ addresses: ['127.0.0.1'], targetRef: expect.objectContaining({ name: 'db-0' }) })]]));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'db')).toEqual(expect.objectContaining({ metadata: expect.objectContaining({ labels: { [SERVICE_NAME_LABEL]: 'db' } }) }));

    const { selector: _, ...withoutSelector } = log.get(SERVICES_RESOURCE, 'shop', 'db').spec;
    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'db'), spec: withoutSelector }, ObjectEventTypes.updated);
    await eventually(() => expect(ownSlices('shop', 'db')).toEqual([]));
    await eventually(async () => expect(await fetchText('127.214.0.3', 15432)).toBe('from the backend'));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'db').metadata.labels).toEqual({ [SERVICE_NAME_LABEL]: 'db' });
    expect(log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).every((e) => /^db-.{5}$/.test(e.data.object.metadata.name))).toBe(true);
  });
  it('labels its slices with the Service\'s labels, relabels them when those change, and marks a headless Service\'s', async () => {
    await log.write('pods', readyPod('shop', 'lab-1', { app: 'lab' }, '127.0.0.1'));
    const labelled = svc('shop', 'lab', '127.214.0.7', [{ name: 'http', port: 18082, targetPort: backendPort, protocol: 'TCP' }], { app: 'lab' });
    // The reserved keys of a Service's own labels are the controller's to set, not copied.
    await log.write(SERVICES_RESOURCE, { ...labelled, metadata: { ...labelled.metadata, labels: { tier: 'back', [SERVICE_NAME_LABEL]: 'other', 'service.kubernetes.io/headless': '' } } });
    const mine = { [SERVICE_NAME_LABEL]: 'lab', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'endpointslice-controller.k8s.io' };
    await eventually(() => expect(ownSlices('shop', 'lab').map((s) => s.metadata.labels)).toEqual([{ tier: 'back', ...mine }]));
    const [first] = ownSlices('shop', 'lab');

    // A label changed, one added, one removed: the same slice (its endpoints as they were) relabelled.
    const current = log.get(SERVICES_RESOURCE, 'shop', 'lab');
    await log.write(SERVICES_RESOURCE, { ...current, metadata: { ...current.metadata, labels: { tier: 'front', team: 'a' } } }, ObjectEventTypes.updated);
    await eventually(() => expect(ownSlices('shop', 'lab').map((s) => s.metadata.labels)).toEqual([{ tier: 'front', team: 'a', ...mine }]));
    expect(ownSlices('shop', 'lab').map((s) => [s.metadata.name, s.endpoints])).toEqual([[first.metadata.name, first.endpoints]]);

    const headless = svc('shop', 'lab-headless', 'None', [{ name: 'http', port: 80, targetPort: backendPort, protocol: 'TCP' }], { app: 'lab' });
    await log.write(SERVICES_RESOURCE, { ...headless, spec: { ...headless.spec, clusterIPs: ['None'] } });
    await eventually(() => expect(ownSlices('shop', 'lab-headless').map((s) => s.metadata.labels)).toEqual([
      { 'service.kubernetes.io/headless': '', [SERVICE_NAME_LABEL]: 'lab-headless', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'endpointslice-controller.k8s.io' },
    ]));
    // Settled: the passes after write no slice again.
    const sliceWrites = () => log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).length;
    const settled = sliceWrites();
    await new Promise((resolve) => setTimeout(resolve, 2300));
    expect(sliceWrites()).toBe(settled);
  });

  it('keeps the Endpoints of a selecting Service as the endpoints controller does, and never touches another writer\'s', async () => {
    await log.write('pods', readyPod('shop', 'api-1', { app: 'api' }, '127.0.0.1'));
    const slow = readyPod('shop', 'api-2', { app: 'api' }, '127.0.0.2');
    await log.write('pods', { ...slow, status: { ...slow.status, conditions: [{ type: 'Ready', status: 'False' }] } });
    const api = svc('shop', 'api', '127.214.0.5', [{ name: 'http', port: 18081, targetPort: backendPort, protocol: 'TCP' }], { app: 'api' });
    await log.write(SERVICES_RESOURCE, { ...api, metadata: { ...api.metadata, labels: { tier: 'back' } } });
    const target = (name: string, ip: string) => ({ ip, targetRef: { kind: 'Pod', namespace: 'shop', name, uid: log.get('pods', 'shop', name).metadata.uid } });
    await eventually(() => expect(log.get(ENDPOINTS_RESOURCE, 'shop', 'api')?.subsets).toEqual([
      { addresses: [target('api-1', '127.0.0.1')], notReadyAddresses: [target('api-2', '127.0.0.2')], ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }] },
    ]));
    const written = log.get(ENDPOINTS_RESOURCE, 'shop', 'api');
    expect(written.metadata.labels).toEqual({ tier: 'back', 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    expect(written.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'api', uid: log.get(SERVICES_RESOURCE, 'shop', 'api').metadata.uid, controller: true })]);
    expect(Date.parse(written.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'])).toBeGreaterThan(Date.now() - 10_000);
    // Its own Endpoints are not mirrored: the one slice of the Service is the endpointslice controller's.
    expect(log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).map((e) => e.data.object.metadata.name)).toEqual([ownSlices('shop', 'api')[0].metadata.name]);

    // Ready now: both in addresses; the passes after it (resyncs every 2 s) write nothing more.
    await log.write('pods', { ...log.get('pods', 'shop', 'api-2'), status: slow.status }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINTS_RESOURCE, 'shop', 'api').subsets[0].addresses).toEqual([target('api-1', '127.0.0.1'), target('api-2', '127.0.0.2')]));
    const writes = () => log.byController().filter((e) => e.data.resource === ENDPOINTS_RESOURCE).length;
    const settled = writes();
    await new Promise((resolve) => setTimeout(resolve, 2300));
    expect(writes()).toBe(settled);

    // The pods gone: Endpoints without subsets, as Kubernetes writes them.
    for (const name of ['api-1', 'api-2']) await log.write('pods', log.get('pods', 'shop', name), ObjectEventTypes.deleted);
    await eventually(() => expect(log.get(ENDPOINTS_RESOURCE, 'shop', 'api')).not.toHaveProperty('subsets'));
    // The selector gone: its Endpoints are deleted.
    const { selector: _, ...bare } = log.get(SERVICES_RESOURCE, 'shop', 'api').spec;
    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'api'), spec: bare }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINTS_RESOURCE, 'shop', 'api')).toBeUndefined());

    // A VirtualMachineService's Endpoints of a selecting Service's name stay theirs, through the Service's life and deletion.
    const vmOwned = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { namespace: 'shop', name: 'vms', labels: { app: 'vms' }, ownerReferences: [{ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', name: 'vms', uid: 'vms-uid', controller: true }] },
      subsets: [{ addresses: [{ ip: '127.0.0.9' }], ports: [{ name: 'ssh', port: 22, protocol: 'TCP' }] }],
    };
    await log.write(ENDPOINTS_RESOURCE, vmOwned);
    await log.write('pods', readyPod('shop', 'vms-pod', { app: 'vms' }, '127.0.0.3'));
    await log.write(SERVICES_RESOURCE, svc('shop', 'vms', '127.214.0.6', [{ name: 'ssh', port: 18022, targetPort: backendPort, protocol: 'TCP' }], { app: 'vms' }));
    await eventually(() => expect(ownSlices('shop', 'vms')).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await log.write(SERVICES_RESOURCE, log.get(SERVICES_RESOURCE, 'shop', 'vms'), ObjectEventTypes.deleted);
    await eventually(() => expect(ownSlices('shop', 'vms')).toEqual([]));
    expect(log.get(ENDPOINTS_RESOURCE, 'shop', 'vms')).toEqual(expect.objectContaining({ subsets: vmOwned.subsets, metadata: expect.objectContaining({ labels: { app: 'vms' } }) }));
    expect(log.byController().some((e) => e.data.resource === ENDPOINTS_RESOURCE && e.data.object.metadata.name === 'vms')).toBe(false);
  }, 15_000);

  it('truncates its Endpoints past 1000 addresses, ready ones first, with the over-capacity annotation, and drops it once they fit', async () => {
    const ip = (i: number) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    for (let i = 0; i < 1000; i++) await log.write('pods', readyPod('big', `web-${i}`, { app: 'web' }, ip(i)));
    const late = readyPod('big', 'web-late', { app: 'web' }, '127.9.0.1');
    await log.write('pods', { ...late, status: { ...late.status, conditions: [{ type: 'Ready', status: 'False' }] } });
    await log.write(SERVICES_RESOURCE, svc('big', 'web', '127.214.0.9', [{ name: 'http', port: 18090, targetPort: backendPort, protocol: 'TCP' }], { app: 'web' }));
    await eventually(() => {
      const endpoints = log.get(ENDPOINTS_RESOURCE, 'big', 'web');
      expect(endpoints?.metadata.annotations['endpoints.kubernetes.io/over-capacity']).toBe('truncated');
      // 1000 ready addresses fill it: the not-ready one is cut.
      expect(endpoints.subsets).toHaveLength(1);
      expect(endpoints.subsets[0].addresses).toHaveLength(1000);
      expect(endpoints.subsets[0].notReadyAddresses).toBeUndefined();
    }, { timeoutMs: 10_000 });
    // The EndpointSlices are not truncated: they list every endpoint, 100 a slice.
    await eventually(() => expect(ownSlices('big', 'web').map((s) => s.endpoints.length).sort((a, b) => b - a)).toEqual([...Array(10).fill(100), 1]));
    await log.write('pods', log.get('pods', 'big', 'web-0'), ObjectEventTypes.deleted);
    await eventually(() => {
      const endpoints = log.get(ENDPOINTS_RESOURCE, 'big', 'web');
      expect(endpoints.metadata.annotations).not.toHaveProperty(['endpoints.kubernetes.io/over-capacity']);
      expect(endpoints.subsets[0].addresses).toHaveLength(999);
      expect(endpoints.subsets[0].notReadyAddresses).toEqual([expect.objectContaining({ ip: '127.9.0.1' })]);
    }, { timeoutMs: 10_000 });
  }, 30_000);

  it('keeps a Service\'s endpoints in slices of at most 100 through a burst of changes, never one endpoint twice', async () => {
    const ip = (i: number) => `127.2.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    await log.write(SERVICES_RESOURCE, svc('burst', 'web', '127.214.0.10', [{ name: 'http', port: 18091, targetPort: backendPort, protocol: 'TCP' }], { app: 'web' }));
    // Pods arriving one by one while the controller passes: each pass must see its own slice writes before the next.
    for (let i = 0; i < 150; i++) await log.write('pods', readyPod('burst', `web-${i}`, { app: 'web' }, ip(i)));
    const settled = async (count: number) => eventually(() => {
      const slices = ownSlices('burst', 'web');
      const names = slices.flatMap((s) => s.endpoints.map((e: any) => e.targetRef.name));
      expect(names).toHaveLength(count);
      expect(new Set(names).size).toBe(count);
      for (const s of slices) expect(s.endpoints.length).toBeLessThanOrEqual(100);
      return slices;
    }, { timeoutMs: 10_000 });
    expect((await settled(150)).map((s) => s.endpoints.length).sort((a, b) => b - a)).toEqual([100, 50]);
    const created = () => log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE && e.type === ObjectEventTypes.created).length;
    expect(created()).toBe(2);
    // 30 go: the same two slices rewritten, none created.
    for (let i = 0; i < 30; i++) await log.write('pods', log.get('pods', 'burst', `web-${i * 5}`), ObjectEventTypes.deleted);
    expect((await settled(120)).length).toBe(2);
    expect(created()).toBe(2);
  }, 20_000);

  it('mirrors a VirtualMachineService\'s Endpoints for its core Service, but neither listens on its addresses nor reports its ingress', async () => {
    const owner = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', name: 'vm-web', uid: 'vms-uid', controller: true, blockOwnerDeletion: true };
    const core = svc('vm-team', 'vm-web', '127.214.0.9', [{ name: 'http', port: 15480, targetPort: backendPort, protocol: 'TCP' }]);
    await log.write(SERVICES_RESOURCE, { ...core, metadata: { ...core.metadata, ownerReferences: [owner] }, spec: { ...core.spec, type: 'LoadBalancer', allocateLoadBalancerNodePorts: false } });
    // As the VirtualMachineService controller writes them: not labelled skip-mirror, so mirrored.
    await log.write(ENDPOINTS_RESOURCE, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'vm-team', name: 'vm-web', labels: { app: 'web' }, ownerReferences: [owner] },
      subsets: [{ addresses: [{ ip: '127.0.0.1', targetRef: { kind: 'VirtualMachine', namespace: 'vm-team', name: 'web-1', uid: 'vm-uid' } }], ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }] }],
    });
    await eventually(() => expect(log.list(ENDPOINT_SLICES_RESOURCE, 'vm-team')).toHaveLength(1));
    const mirrored = log.list(ENDPOINT_SLICES_RESOURCE, 'vm-team')[0];
    expect(mirrored.metadata.labels).toEqual({ app: 'web', [SERVICE_NAME_LABEL]: 'vm-web', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'endpointslicemirroring-controller.k8s.io' });
    expect(mirrored.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'VirtualMachine', namespace: 'vm-team', name: 'web-1', uid: 'vm-uid' } }]);
    // A pass or two more: still no listener on the cluster IP (the VMService's balancers own it) and no status written.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await fetchText('127.214.0.9', 15480)).toBe('ECONNREFUSED');
    expect(log.byController().filter((e) => e.data.resource !== ENDPOINT_SLICES_RESOURCE)).toEqual([]);
    expect(log.get(SERVICES_RESOURCE, 'vm-team', 'vm-web').status).toBeUndefined();

    // The same Service without that owner is proxied as any selector-less one: the check is what keeps it quiet.
    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'vm-team', 'vm-web'), metadata: { ...log.get(SERVICES_RESOURCE, 'vm-team', 'vm-web').metadata, ownerReferences: undefined } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.214.0.9', 15480)).toBe('from the backend'));
  });

  it('mirrors at most 1000 addresses of a set of ports and says so once in a TooManyAddressesToMirror Warning on the Endpoints', async () => {
    await log.write(SERVICES_RESOURCE, svc('shop', 'big', '127.214.0.10', [{ name: 'http', port: 15481, protocol: 'TCP' }]));
    const addresses = Array.from({ length: 1003 }, (_, i) => ({ ip: `10.9.${Math.floor(i / 250)}.${i % 250}` }));
    await log.write(ENDPOINTS_RESOURCE, { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'shop', name: 'big' }, subsets: [{ addresses, ports: [{ name: 'http', port: 80 }] }] });
    await eventually(() => expect(log.list(ENDPOINT_SLICES_RESOURCE, 'shop').map((s) => s.endpoints.length)).toEqual([1000]));
    await eventually(() => expect(log.reasons('TooManyAddressesToMirror')).toEqual(['big']));
    const warning = log.byController().find((e) => e.data.object.reason === 'TooManyAddressesToMirror')!.data.object;
    expect(warning).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Endpoints', name: 'big' }, message: 'A max of 1000 addresses can be mirrored to EndpointSlices per Endpoints subset. 3 addresses were skipped' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.reasons('TooManyAddressesToMirror')).toEqual(['big']);
  });

  it('mirrors a user\'s Endpoints of a Service without a selector into a slice, proxies through it, and deletes it when they go', async () => {
    await log.write(SERVICES_RESOURCE, svc('shop', 'legacy', '127.214.0.7', [{ name: 'pg', port: 15433, targetPort: 5432, protocol: 'TCP' }]));
    const user = {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'shop', name: 'legacy', labels: { team: 'data' } },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'pg', port: backendPort, protocol: 'TCP' }] }],
    };
    await log.write(ENDPOINTS_RESOURCE, user);
    await eventually(async () => expect(await fetchText('127.214.0.7', 15433)).toBe('from the backend'));
    const mirrored = () => log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).map((e) => e.data.object);
    expect(mirrored()).toHaveLength(1);
    const slice = log.get(ENDPOINT_SLICES_RESOURCE, 'shop', mirrored()[0].metadata.name);
    expect(slice).toEqual(expect.objectContaining({
      addressType: 'IPv4', ports: [{ name: 'pg', port: backendPort, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    }));
    expect(slice.metadata.labels).toEqual({ team: 'data', [SERVICE_NAME_LABEL]: 'legacy', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'endpointslicemirroring-controller.k8s.io' });
    expect(slice.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Endpoints', name: 'legacy', uid: log.get(ENDPOINTS_RESOURCE, 'shop', 'legacy').metadata.uid })]);
    // The user's Endpoints are theirs: not rewritten.
    expect(log.byController().some((e) => e.data.resource === ENDPOINTS_RESOURCE)).toBe(false);

    // Not ready: ready false in the slice, out of rotation, the port closed.
    await log.write(ENDPOINTS_RESOURCE, { ...log.get(ENDPOINTS_RESOURCE, 'shop', 'legacy'), subsets: [{ notReadyAddresses: [{ ip: '127.0.0.1' }], ports: user.subsets[0].ports }] }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', slice.metadata.name).endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: false } }]));
    await eventually(async () => expect(await fetchText('127.214.0.7', 15433)).toBe('ECONNREFUSED'));

    // Ready again, then the Endpoints deleted: the slice goes and the port closes.
    await log.write(ENDPOINTS_RESOURCE, { ...log.get(ENDPOINTS_RESOURCE, 'shop', 'legacy'), subsets: user.subsets }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.214.0.7', 15433)).toBe('from the backend'));
    await log.write(ENDPOINTS_RESOURCE, log.get(ENDPOINTS_RESOURCE, 'shop', 'legacy'), ObjectEventTypes.deleted);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', slice.metadata.name)).toBeUndefined());
    await eventually(async () => expect(await fetchText('127.214.0.7', 15433)).toBe('ECONNREFUSED'));

    // Written again, then the Service gets a selector: the mirrored slice goes, the user's Endpoints stay theirs.
    await log.write(ENDPOINTS_RESOURCE, user);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', slice.metadata.name)).toBeDefined());
    const legacy = log.get(SERVICES_RESOURCE, 'shop', 'legacy');
    await log.write(SERVICES_RESOURCE, { ...legacy, spec: { ...legacy.spec, selector: { app: 'pg' } } }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', slice.metadata.name)).toBeUndefined());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.get(ENDPOINTS_RESOURCE, 'shop', 'legacy').subsets).toEqual(user.subsets);
    expect(log.byController().some((e) => e.data.resource === ENDPOINTS_RESOURCE)).toBe(false);
  }, 15_000);
});

describe('PodServiceController in a guest cluster (node ports on every Ready Node\'s InternalIP, no host addresses, no ingress)', () => {
  let log: FakeLog;
  let controller: PodServiceController;
  let server: net.Server;
  let backendPort: number;

  beforeEach(async () => {
    log = new FakeLog();
    server = net.createServer((socket) => socket.on('error', () => undefined).end('from the backend'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    backendPort = (server.address() as net.AddressInfo).port;
    const healthzPort = await freeNodePort();
    controller = new PodServiceController({ store: log.store, feed: log.feed, logger: quiet as Logger, healthzPort, nodePortAddress: '127.9.3.4', guestCluster: true });
    controller.start();
  });

  afterEach(async () => {
    await controller.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  const node = (name: string, ip: string, ready = 'True') => {
    const h = host(name, ready);
    return { ...h, status: { ...h.status, addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } };
  };

  it('serves node ports on its own address and each Ready Node\'s, never 127.0.0.1, writes no address or ingress and serves Local as Cluster', async () => {
    await log.write(HOSTS_RESOURCE, node('host-141', '127.9.3.4'));
    await log.write(HOSTS_RESOURCE, node('worker-1', '127.9.3.5'));
    await log.write(HOSTS_RESOURCE, node('worker-2', '127.9.3.6', 'False'));
    const pod = readyPod('shop', 'web-0', { app: 'web' }, '127.0.0.1');
    await log.write('pods', { ...pod, spec: { ...pod.spec, nodeName: 'worker-1' } });
    const [nodePort, healthCheckNodePort] = [await freeNodePort(), await freeNodePort()];
    const web = svc('shop', 'web', '127.202.214.12', [{ name: 'http', port: 17104, targetPort: backendPort, protocol: 'TCP', nodePort }], { app: 'web' });
    await log.write(SERVICES_RESOURCE, { ...web, spec: { ...web.spec, type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort } });
    await eventually(async () => {
      expect(await fetchText('127.9.3.4', nodePort)).toBe('from the backend');
      expect(await fetchText('127.9.3.5', nodePort)).toBe('from the backend');
    });
    expect(await fetchText('127.202.214.12', 17104)).toBe('from the backend');
    // The guest's own load balancer range is not served, nor any ingress written: the cloud provider gives it.
    expect(await fetchText('127.203.214.12', 17104)).toBe('ECONNREFUSED');
    expect(log.get(SERVICES_RESOURCE, 'shop', 'web').status?.loadBalancer).toBeUndefined();
    // A Node not Ready gets none; 127.0.0.1 is the Supervisor's.
    expect(await fetchText('127.9.3.6', nodePort)).toBe('ECONNREFUSED');
    expect(await fetchText('127.0.0.1', nodePort)).toBe('ECONNREFUSED');
    // host-141's own address (127.241.0.1) is the Supervisor's scheme: neither written nor listened on.
    expect(await fetchText('127.241.0.1', nodePort)).toBe('ECONNREFUSED');
    expect(await fetchText('127.241.0.1', healthCheckNodePort)).toBe('ECONNREFUSED');
    expect(log.get(HOSTS_RESOURCE, '', 'host-141').metadata.annotations?.['openpacific.io/node-port-address']).toBeUndefined();
    // worker-2 becomes Ready: its address serves the node port; worker-1 goes: its address stops.
    await log.write(HOSTS_RESOURCE, node('worker-2', '127.9.3.6'));
    await eventually(async () => expect(await fetchText('127.9.3.6', nodePort)).toBe('from the backend'));
    await log.write(HOSTS_RESOURCE, node('worker-1', '127.9.3.5', 'False'));
    await eventually(async () => expect(await fetchText('127.9.3.5', nodePort)).toBe('ECONNREFUSED'));
  });
});

describe('readyNodeAddresses', () => {
  const node = (ip: string | undefined, ready = 'True', deleting = false) => ({
    metadata: { name: `n-${ip}`, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { conditions: [{ type: 'Ready', status: ready }], addresses: ip ? [{ type: 'InternalIP', address: ip }] : [] },
  });

  it('lists each Ready Node\'s InternalIP once, sorted, but never 127.0.0.1, a Node not Ready, being deleted or without one', () => {
    expect(readyNodeAddresses([node('127.64.0.9'), node('127.64.0.3'), node('127.64.0.3'), node('127.0.0.1'), node('127.64.0.4', 'False'), node('127.64.0.5', 'True', true), node(undefined), node('not-an-ip')]))
      .toEqual(['127.64.0.3', '127.64.0.9']);
  });
});
