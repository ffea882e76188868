import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import { EventStore, NewEvent, RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import type { SharedFollower } from '@openpacific/objects';
import { eventually } from '@openpacific/testing';
import type { Logger } from '@openpacific/service-kit';
import { PodServiceController } from './pod-service-controller';

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

/** What a TCP connection to the address gets back, or the error code of its failure. */
function fetchText(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('PodServiceController and Services without a selector', () => {
  let log: FakeLog;
  let controller: PodServiceController;
  let server: net.Server;
  let backendPort: number;

  beforeEach(async () => {
    log = new FakeLog();
    server = net.createServer((socket) => socket.end('from the backend'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    backendPort = (server.address() as net.AddressInfo).port;
    controller = new PodServiceController({ store: log.store, feed: log.feed, logger: quiet as Logger });
    controller.start();
  });

  afterEach(async () => {
    await controller.stop();
    await new Promise((resolve) => server.close(resolve));
  });

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
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'web')?.metadata.labels).toEqual({ [SERVICE_NAME_LABEL]: 'web', [ENDPOINT_SLICE_MANAGED_BY_LABEL]: 'endpointslice-controller.k8s.io' }));
    await eventually(() => expect(log.reasons('UpdatedEndpoints')).toEqual(['web']));

    // An empty selector is no selector.
    await log.write(SERVICES_RESOURCE, { ...selecting, spec: { ...selecting.spec, selector: {} } }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'web')).toBeUndefined());
    // Proxied to the other writer's slice now: its port named http.
    await eventually(async () => expect(await fetchText('127.214.0.2', 18080)).toBe('from the backend'));
    await log.write('pods', readyPod('shop', 'web-2', { app: 'web' }, '127.0.0.2'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.reasons('UpdatedEndpoints')).toEqual(['web']);
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'web')).toBeUndefined();

    // The Service gone: its listener closes, and the slice someone else wrote for it stays theirs to delete.
    await log.write(SERVICES_RESOURCE, log.get(SERVICES_RESOURCE, 'shop', 'web'), ObjectEventTypes.deleted);
    await eventually(async () => expect(await fetchText('127.214.0.2', 18080)).toBe('ECONNREFUSED'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'web-extra')).toEqual(expect.objectContaining({ endpoints: extra.endpoints }));
    expect(log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).map((e) => [e.type, e.data.object.metadata.name])).toEqual([
      [ObjectEventTypes.created, 'web'],
      [ObjectEventTypes.deleted, 'web'],
    ]);
  });

  it('proxies to a pod that is not Ready while its Service publishes not-ready addresses, and marks it ready in the slice', async () => {
    const pod = readyPod('shop', 'peer-0', { app: 'peer' }, '127.0.0.1');
    await log.write('pods', { ...pod, status: { ...pod.status, conditions: [{ type: 'Ready', status: 'False' }] } });
    const peers = svc('shop', 'peers', '127.214.0.4', [{ name: 'p', port: 17000, targetPort: backendPort, protocol: 'TCP' }], { app: 'peer' });
    await log.write(SERVICES_RESOURCE, peers);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'peers')?.endpoints?.[0]?.conditions).toEqual({ ready: false, serving: false, terminating: false }));
    expect(await fetchText('127.214.0.4', 17000)).toBe('ECONNREFUSED');

    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'peers'), spec: { ...peers.spec, publishNotReadyAddresses: true } }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'peers').endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false }));
    await eventually(async () => expect(await fetchText('127.214.0.4', 17000)).toBe('from the backend'));

    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'peers'), spec: { ...peers.spec, publishNotReadyAddresses: false } }, ObjectEventTypes.updated);
    await eventually(async () => expect(await fetchText('127.214.0.4', 17000)).toBe('ECONNREFUSED'));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'peers').endpoints[0].conditions.ready).toBe(false);
  });

  it('writes its slice beside another writer\'s slice of the Service\'s name, and deletes only its own', async () => {
    await log.write('pods', readyPod('shop', 'db-0', { app: 'db' }, '127.0.0.1'));
    const theirs = slice('shop', 'db', 'db', [{ name: 'pg', port: backendPort, protocol: 'TCP' }], [{ addresses: ['127.0.0.1'] }]);
    await log.write(ENDPOINT_SLICES_RESOURCE, theirs);
    const db = svc('shop', 'db', '127.214.0.3', [{ name: 'pg', port: 15432, targetPort: backendPort, protocol: 'TCP' }], { app: 'db' });
    await log.write(SERVICES_RESOURCE, { ...db, metadata: { ...db.metadata, uid: 'abcdef12-3456-7890-abcd-ef1234567890' } });
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'db-abcde')?.endpoints).toEqual([expect.objectContaining({ addresses: ['127.0.0.1'], targetRef: expect.objectContaining({ name: 'db-0' }) })]));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'db')).toEqual(expect.objectContaining({ metadata: expect.objectContaining({ labels: { [SERVICE_NAME_LABEL]: 'db' } }) }));

    const { selector: _, ...withoutSelector } = log.get(SERVICES_RESOURCE, 'shop', 'db').spec;
    await log.write(SERVICES_RESOURCE, { ...log.get(SERVICES_RESOURCE, 'shop', 'db'), spec: withoutSelector }, ObjectEventTypes.updated);
    await eventually(() => expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'db-abcde')).toBeUndefined());
    await eventually(async () => expect(await fetchText('127.214.0.3', 15432)).toBe('from the backend'));
    expect(log.get(ENDPOINT_SLICES_RESOURCE, 'shop', 'db').metadata.labels).toEqual({ [SERVICE_NAME_LABEL]: 'db' });
    expect(log.byController().filter((e) => e.data.resource === ENDPOINT_SLICES_RESOURCE).every((e) => e.data.object.metadata.name === 'db-abcde')).toBe(true);
  });
});
