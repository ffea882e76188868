import { randomInt, randomUUID } from 'node:crypto';
import { createSocket, Socket } from 'node:dgram';
import { AddressInfo, connect, createServer, Server } from 'node:net';
import { ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, ENDPOINTS_RESOURCE, inCIDR, loadBalancerAddress, LOOPBACK_NETWORK, natsNames, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { PodServiceController } from './pod-services/pod-service-controller';
import { INGRESS_INDEX_ANNOTATION } from './services/vm-service-addresses';
import { POOL_ANNOTATION } from './vms/address-pools';
import { R } from './vms/vm-resources';
import { VmServiceController } from './vm-service-controller';

const META = { actor: 'test', source: 'test' };
const quiet: any = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
quiet.child = () => quiet;
const NS = 'vm-team';
// A pool few other runs on this machine use, so their balancers do not hold this test's older-style addresses.
const POOL = randomInt(40, 63);
// The controllers run with the loopback ranges: cluster IPs from 127.202.0.0/16, ingress at the same offset in 127.203.0.0/16.
const NET = LOOPBACK_NETWORK;
const PORT = randomInt(20000, 29000);

/** What a TCP connection to the address gets back, or its error code. */
function fetchText(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A UDP echo server standing for a VM's guest: answers each datagram with `<tag>:<datagram>`. */
async function udpEcho(tag: string, address: string, port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => socket.send(`${tag}:${msg}`, from.port, from.address));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return socket;
}

/** The reply to one datagram sent from `client` to the address, or 'no reply' after half a second. */
function askUdp(client: Socket, host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const done = (reply: string) => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(reply);
    };
    const onMessage = (msg: Buffer) => done(msg.toString());
    const timer = setTimeout(() => done('no reply'), 500);
    client.on('message', onMessage);
    client.send(text, port, host);
  });
}

/** Whether nothing holds the address and port for the protocol: binding it here succeeds (and is let go at once). */
async function free(protocol: 'TCP' | 'UDP', address: string, port: number): Promise<boolean> {
  if (protocol === 'UDP') {
    const socket = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, address, () => resolve(true));
    });
    socket.close();
    return ok;
  }
  const probe = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, address, () => resolve(true));
  });
  if (ok) await new Promise((resolve) => probe.close(resolve));
  return ok;
}

describe('a VirtualMachineService\'s core v1 Service (VmServiceController and PodServiceController on the real log)', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let feed: SharedFollower;
  let vmServices: VmServiceController;
  let podServices: PodServiceController;
  let server: Server;
  let guestPort: number;

  async function latest(resource: string, name: string): Promise<{ object: any; version: number }> {
    const events = await store.readStream(objectStreamId(resource, NS, name));
    const last = events[events.length - 1];
    const object = last?.type === ObjectEventTypes.deleted ? undefined : (last?.data as any)?.object;
    return { object, version: last?.streamVersion ?? 0 };
  }

  /** A user's write: the object as given, over what is stored (its uid kept). */
  async function put(resource: string, obj: any, type?: string): Promise<void> {
    const prev = await latest(resource, obj.metadata.name);
    const object = { ...obj, metadata: { namespace: NS, uid: prev.object?.metadata.uid ?? randomUUID(), creationTimestamp: new Date().toISOString(), ...obj.metadata } };
    await store.append(objectStreamId(resource, NS, obj.metadata.name), [{ type: type ?? (prev.object ? ObjectEventTypes.updated : ObjectEventTypes.created), data: { resource, object }, metadata: META }], { expectedVersion: prev.version });
  }

  /** The VMService once vm-operator has given it its ingress (its cluster IP is set by then too). */
  function withIngress(name: string): Promise<any> {
    return eventually(async () => {
      const o = (await latest(R.services, name)).object;
      expect(o.status?.loadBalancer?.ingress?.[0]?.ip).toBeDefined();
      return o;
    });
  }

  async function eventsAbout(name: string): Promise<any[]> {
    const all = await store.readAll({ limit: 10_000 });
    return all.map((e) => (e.data as any)?.object).filter((o) => o?.kind === 'Event' && o.involvedObject?.name === name);
  }

  const vmService = (name: string, extra: any = {}) => ({
    apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService',
    metadata: { name, labels: { app: 'web' }, annotations: { note: 'kept' } },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', protocol: 'TCP', port: PORT, targetPort: guestPort }], ...extra },
  });

  beforeAll(async () => {
    db = await createTestDatabase('vmsvccore');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'vm-service-core-test' });
    store = new EventStore(db.pool);
    server = createServer((socket) => socket.on('error', () => undefined).end('from the guest'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    guestPort = (server.address() as AddressInfo).port;
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: randomUUID(), creationTimestamp: new Date().toISOString(), annotations: { [POOL_ANNOTATION]: String(POOL) } } };
    await store.append(objectStreamId('namespaces', undefined, NS), [{ type: ObjectEventTypes.created, data: { resource: 'namespaces', object: ns }, metadata: META }], { expectedVersion: 'no_stream' });
    await put(R.vms, {
      apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'web-1', labels: { app: 'web' } },
      spec: { className: 'small', imageName: 'photon' }, status: { powerState: 'PoweredOn', network: { primaryIP4: '127.0.0.1' } },
    });
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vmsvccore')), logger: quiet });
    vmServices = new VmServiceController({ store, feed, logger: quiet });
    podServices = new PodServiceController({ store, feed, logger: quiet, healthzPort: 0 });
    await feed.start();
    vmServices.start();
    podServices.start();
  }, 30_000);

  afterAll(async () => {
    await vmServices?.stop();
    await podServices?.stop();
    await feed?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await nc?.close();
    await db?.drop();
  });

  it('gives a LoadBalancer a cluster IP from the service range and the ingress at its offset, and a selector-less Service of its name, owned, at that cluster IP, which reaches the VM, with a mirrored slice', async () => {
    await put(R.services, vmService('web'));
    const vms = await withIngress('web');
    const cluster: string = vms.spec.clusterIp;
    const ingress: string = vms.status.loadBalancer.ingress[0].ip;
    expect(inCIDR(cluster, NET.serviceCIDR)).toBe(true);
    expect(ingress).toBe(loadBalancerAddress(NET, cluster));
    expect(vms.status.loadBalancer.ingress).toEqual([{ ip: ingress }]);
    expect(vms.metadata.annotations?.[INGRESS_INDEX_ANNOTATION]).toBeUndefined();
    const svc = await eventually(async () => {
      const o = (await latest(SERVICES_RESOURCE, 'web')).object;
      expect(o).toBeDefined();
      return o;
    });
    expect(svc.metadata).toMatchObject({
      labels: { app: 'web' },
      annotations: { note: 'kept' },
      ownerReferences: [{ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', name: 'web', uid: vms.metadata.uid, controller: true, blockOwnerDeletion: true }],
    });
    expect(svc.spec).toEqual({
      type: 'LoadBalancer', ports: [{ name: 'http', protocol: 'TCP', port: PORT, targetPort: guestPort }],
      clusterIP: cluster, clusterIPs: [cluster], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: false,
    });
    expect(svc.status).toEqual({ loadBalancer: { ingress: [{ ip: ingress, ipMode: 'VIP' }] } });
    // Both addresses reach the guest, through the VMService's balancers (the core proxy leaves them be).
    await eventually(async () => expect(await fetchText(cluster, PORT)).toBe('from the guest'));
    expect(await fetchText(ingress, PORT)).toBe('from the guest');

    // Its Endpoints, mirrored as for any selector-less Service.
    const slice = await eventually(async () => {
      const events = await store.readAll({ limit: 10_000 });
      const found = events.map((e) => (e.data as any)?.object).filter((o) => o?.kind === 'EndpointSlice' && o.metadata.labels?.[SERVICE_NAME_LABEL] === 'web');
      expect(found.length).toBeGreaterThan(0);
      return found[found.length - 1];
    });
    expect(slice.metadata.labels[ENDPOINT_SLICE_MANAGED_BY_LABEL]).toBe('endpointslicemirroring-controller.k8s.io');
    expect(slice.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: expect.objectContaining({ kind: 'VirtualMachine', name: 'web-1' }) }]);
    expect((await latest(ENDPOINT_SLICES_RESOURCE, slice.metadata.name)).object).toBeDefined();
  });

  it('puts back what someone changed on it, and makes it again when it is deleted', async () => {
    const { object: before } = await latest(SERVICES_RESOURCE, 'web');
    await put(SERVICES_RESOURCE, { ...before, metadata: { ...before.metadata, labels: { app: 'other' } }, spec: { ...before.spec, selector: { app: 'other' } } });
    await eventually(async () => {
      const now = (await latest(SERVICES_RESOURCE, 'web')).object;
      expect(now.metadata.labels).toEqual({ app: 'web' });
      expect(now.spec).toEqual(before.spec);
    });
    await put(SERVICES_RESOURCE, (await latest(SERVICES_RESOURCE, 'web')).object, ObjectEventTypes.deleted);
    await eventually(async () => expect((await latest(SERVICES_RESOURCE, 'web')).object?.spec).toEqual(before.spec));
  });

  it('never touches a Service of the name that is not its own, and says so once in a Warning Event', async () => {
    const mine = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', labels: { mine: 'yes' } }, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432 }] } };
    await put(SERVICES_RESOURCE, mine);
    const { version } = await latest(SERVICES_RESOURCE, 'db');
    await put(R.services, vmService('db', { type: 'ClusterIP' }));
    await eventually(async () => expect((await eventsAbout('db')).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'ErrResourceExists', 'Resource "db" already exists and is not managed by VirtualMachineService'],
    ]));
    // Its cluster IP is written (from the range, not web's) and several passes run: the user's Service stays as it was, the Event single.
    const clusterIp = await eventually(async () => {
      const ip = (await latest(R.services, 'db')).object.spec.clusterIp;
      expect(inCIDR(ip ?? '', NET.serviceCIDR)).toBe(true);
      return ip;
    });
    expect(clusterIp).not.toBe((await latest(R.services, 'web')).object.spec.clusterIp);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await latest(SERVICES_RESOURCE, 'db')).version).toBe(version);
    expect(await eventsAbout('db')).toHaveLength(1);
  });

  it('keeps a cluster IP once set: one its author chose, and an older service\'s loopback pair', async () => {
    // A free address of the range, chosen by the author: kept, the ingress at its offset, the core Service carrying it.
    const chosen = `127.202.${randomInt(100, 250)}.${randomInt(2, 250)}`;
    await put(R.services, vmService('chosen', { clusterIp: chosen, selector: { app: 'web' } }));
    await eventually(async () => expect((await latest(R.services, 'chosen')).object.status?.loadBalancer?.ingress).toEqual([{ ip: loadBalancerAddress(NET, chosen) }]));
    await eventually(async () => expect((await latest(SERVICES_RESOURCE, 'chosen')).object?.spec.clusterIP).toBe(chosen));
    expect((await latest(R.services, 'chosen')).object.spec.clusterIp).toBe(chosen);
    await eventually(async () => expect(await fetchText(loadBalancerAddress(NET, chosen)!, PORT)).toBe('from the guest'));

    // Made before the ranges: its number in the namespace gave it 127.200/201.<pool>.<n>, which it keeps, its cluster
    // IP now written on it as well.
    await put(R.services, { ...vmService('older'), metadata: { name: 'older', annotations: { [INGRESS_INDEX_ANNOTATION]: '9' } } });
    await eventually(async () => {
      const o = (await latest(R.services, 'older')).object;
      expect(o.spec.clusterIp).toBe(`127.201.${POOL}.9`);
      expect(o.status?.loadBalancer?.ingress).toEqual([{ ip: `127.200.${POOL}.9` }]);
    });
    await eventually(async () => expect((await latest(SERVICES_RESOURCE, 'older')).object?.spec.clusterIP).toBe(`127.201.${POOL}.9`));
    await eventually(async () => expect(await fetchText(`127.200.${POOL}.9`, PORT)).toBe('from the guest'));
    expect(await fetchText(`127.201.${POOL}.9`, PORT)).toBe('from the guest');
    // Passes go by: neither is given another address.
    const versions = [(await latest(R.services, 'chosen')).version, (await latest(R.services, 'older')).version];
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect([(await latest(R.services, 'chosen')).version, (await latest(R.services, 'older')).version]).toEqual(versions);
  });
  it('balances a UDP port beside a TCP one of the same number, follows the VM to its new address, and stops the listener when the port or the service goes', async () => {
    // The VM's guest: a TCP server (the suite's, on 127.0.0.1) and UDP echo servers on its first and later address.
    const first = await udpEcho('first', '127.0.0.1');
    const udpPort = (first.address() as AddressInfo).port;
    const second = await udpEcho('second', '127.0.0.2', udpPort);
    const client = createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
    try {
      await put(R.vms, {
        apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'dns-1', labels: { app: 'dns' } },
        spec: { className: 'small', imageName: 'photon' }, status: { powerState: 'PoweredOn', network: { primaryIP4: '127.0.0.1' } },
      });
      const ports = [
        { name: 'dns-tcp', protocol: 'TCP', port: PORT, targetPort: guestPort },
        { name: 'dns', protocol: 'UDP', port: PORT, targetPort: udpPort },
      ];
      await put(R.services, { ...vmService('dns', { selector: { app: 'dns' }, ports }), metadata: { name: 'dns', labels: { app: 'dns' } } });
      const vms = await withIngress('dns');
      const cluster: string = vms.spec.clusterIp;
      const ingress: string = vms.status.loadBalancer.ingress[0].ip;
      // A datagram to either address reaches the VM's UDP server, its reply comes back; the TCP port of the same number still reaches the TCP server.
      await eventually(async () => expect(await askUdp(client, cluster, PORT, 'q1')).toBe('first:q1'));
      expect(await askUdp(client, ingress, PORT, 'q2')).toBe('first:q2');
      expect(await fetchText(cluster, PORT)).toBe('from the guest');
      expect(await fetchText(ingress, PORT)).toBe('from the guest');
      // The Endpoints list the UDP port too, at its target port.
      await eventually(async () => expect((await latest(ENDPOINTS_RESOURCE, 'dns')).object?.subsets?.[0]?.ports).toEqual([
        { name: 'dns-tcp', port: guestPort, protocol: 'TCP' },
        { name: 'dns', port: udpPort, protocol: 'UDP' },
      ]));

      // The VM moves: the same client's flow goes with it.
      const { object: vm } = await latest(R.vms, 'dns-1');
      await put(R.vms, { ...vm, status: { ...vm.status, network: { primaryIP4: '127.0.0.2' } } });
      await eventually(async () => expect(await askUdp(client, cluster, PORT, 'q3')).toBe('second:q3'));

      // The UDP port goes: its listeners close on both addresses, the TCP one stays.
      await put(R.services, { ...(await latest(R.services, 'dns')).object, spec: { ...vms.spec, ports: ports.slice(0, 1) } });
      await eventually(async () => expect([await free('UDP', cluster, PORT), await free('UDP', ingress, PORT)]).toEqual([true, true]));
      expect(await askUdp(client, cluster, PORT, 'q4')).toBe('no reply');
      expect([await free('TCP', cluster, PORT), await free('TCP', ingress, PORT)]).toEqual([false, false]);

      // Back again, then the service goes: every listener of it closes.
      await put(R.services, { ...(await latest(R.services, 'dns')).object, spec: { ...vms.spec, ports } });
      await eventually(async () => expect(await askUdp(client, ingress, PORT, 'q5')).toBe('second:q5'));
      await put(R.services, (await latest(R.services, 'dns')).object, ObjectEventTypes.deleted);
      await eventually(async () => expect(await Promise.all([free('UDP', cluster, PORT), free('UDP', ingress, PORT), free('TCP', cluster, PORT), free('TCP', ingress, PORT)])).toEqual([true, true, true, true]));
      expect(await askUdp(client, cluster, PORT, 'q6')).toBe('no reply');
    } finally {
      client.close();
      first.close();
      second.close();
    }
  });
});
