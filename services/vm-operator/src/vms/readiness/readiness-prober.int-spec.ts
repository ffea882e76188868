import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { ENDPOINTS_RESOURCE, natsNames, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower, VM_GUEST_HEARTBEAT_ANNOTATION, VM_GUEST_INFO_ANNOTATION } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { VmServiceController } from '../../vm-service-controller';
import { R } from '../vm-resources';
import { ReadinessProber } from './readiness-prober';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const NS = 'team-a';

/** A port nothing listens on: one the kernel handed out and took back. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('the readiness prober', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let feed: SharedFollower;
  let prober: ReadinessProber;
  let services: VmServiceController;
  let server: Server;
  let openPort: number;

  async function latest(resource: string, name: string): Promise<{ object: any; version: number }> {
    const events = await store.readStream(objectStreamId(resource, NS, name));
    const last = events[events.length - 1];
    return { object: (last?.data as any)?.object, version: last?.streamVersion ?? 0 };
  }

  async function put(resource: string, obj: any): Promise<void> {
    const streamId = objectStreamId(resource, NS, obj.metadata.name);
    const prev = await latest(resource, obj.metadata.name);
    const object = prev.object
      ? { ...obj, metadata: { ...prev.object.metadata, ...obj.metadata }, status: obj.status ?? prev.object.status }
      : { ...obj, metadata: { namespace: NS, uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1, ...obj.metadata } };
    const type = prev.object ? ObjectEventTypes.updated : ObjectEventTypes.created;
    await store.append(streamId, [{ type, data: { resource, object }, metadata: META }], { expectedVersion: prev.object ? prev.version : 'no_stream' });
  }

  const vm = (name: string, probe: any, opts: { ip?: string; heartbeat?: string; power?: string } = {}) => ({
    apiVersion: 'vmoperator.vmware.com/v1alpha5',
    kind: 'VirtualMachine',
    metadata: { name, labels: { app: 'web' }, annotations: opts.heartbeat ? { [VM_GUEST_HEARTBEAT_ANNOTATION]: opts.heartbeat } : {} },
    spec: { className: 'small', imageName: 'photon', ...(probe ? { readinessProbe: probe } : {}) },
    status: { powerState: opts.power ?? 'PoweredOn', network: opts.ip ? { primaryIP4: opts.ip } : {} },
  });

  const ready = async (name: string) => (await latest(R.vms, name)).object.status?.conditions?.find((c: any) => c.type === 'Ready');

  async function eventsAbout(name: string): Promise<string[]> {
    const all = await store.readAll({ limit: 10_000 });
    return all
      .map((e) => (e.data as any)?.object)
      .filter((o) => o?.kind === 'Event' && o.involvedObject?.name === name)
      .map((o) => `${o.reason}:${o.source?.component ?? o.reportingComponent}`);
  }

  beforeAll(async () => {
    db = await createTestDatabase('vmready');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'readiness-prober-test' });
    store = new EventStore(db.pool);
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    openPort = (server.address() as AddressInfo).port;
    await store.append(objectStreamId('namespaces', undefined, NS), [{ type: ObjectEventTypes.created, data: { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: randomUUID(), creationTimestamp: new Date().toISOString() } } }, metadata: META }], { expectedVersion: 'no_stream' });
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vmready')), logger: quiet });
    prober = new ReadinessProber({ store, feed, logger: quiet });
    services = new VmServiceController({ store, feed, logger: quiet });
    await feed.start();
    prober.start();
    services.start();
  }, 30_000);

  afterAll(async () => {
    prober?.stop();
    await services?.stop();
    await feed?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await nc?.close();
    await db?.drop();
  });

  it('makes a VM whose TCP probe connects Ready, and one whose port is closed NotReady, once each', async () => {
    await put(R.vms, vm('up', { tcpSocket: { port: openPort }, periodSeconds: 1 }, { ip: '127.0.0.1' }));
    await put(R.vms, vm('down', { tcpSocket: { port: await closedPort() }, periodSeconds: 1, timeoutSeconds: 1 }, { ip: '127.0.0.1' }));
    await eventually(async () => expect(await ready('up')).toMatchObject({ status: 'True', reason: 'True', message: '' }));
    await eventually(async () => expect(await ready('down')).toMatchObject({ status: 'False', reason: 'NotReady', message: expect.stringContaining('connection refused') }));
    const versions = [(await latest(R.vms, 'up')).version, (await latest(R.vms, 'down')).version];
    // Three periods of probing that find the same: nothing more is written.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect([(await latest(R.vms, 'up')).version, (await latest(R.vms, 'down')).version]).toEqual(versions);
    expect(await eventsAbout('up')).toEqual(['Ready:virtualmachine-prober-manager']);
    expect(await eventsAbout('down')).toEqual(['NotReady:virtualmachine-prober-manager']);
  });

  it('lists the Ready VMs in the service Endpoints and the others as not ready', async () => {
    await put(R.vms, vm('plain', undefined, { ip: '127.0.0.2' }));
    await put(R.services, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', metadata: { name: 'web' }, spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }] } });
    await eventually(async () => {
      const ep = (await latest(ENDPOINTS_RESOURCE, 'web')).object;
      expect(ep.subsets).toHaveLength(1);
      // Both probed VMs share 127.0.0.1; a VM without a probe is ready as soon as it has an address.
      expect(ep.subsets[0].addresses.map((a: any) => a.targetRef.name).sort()).toEqual(['plain', 'up']);
      expect(ep.subsets[0].notReadyAddresses.map((a: any) => a.targetRef.name)).toEqual(['down']);
      expect(ep.subsets[0].ports).toEqual([{ name: 'ssh', port: 22, protocol: 'TCP' }]);
    });
    expect(prober.size).toBe(2);
    expect(await ready('plain')).toBeUndefined();
  });

  it('follows the listener going away, and a VM powered off, within a period', async () => {
    await new Promise((resolve) => server.close(resolve));
    await eventually(async () => expect(await ready('up')).toMatchObject({ status: 'False', reason: 'NotReady', message: expect.stringContaining('connection refused') }));
    await put(R.vms, vm('down', { tcpSocket: { port: openPort }, periodSeconds: 1 }, { ip: '127.0.0.1', power: 'PoweredOff' }));
    await eventually(async () => expect(await ready('down')).toMatchObject({ status: 'False', reason: 'NotReady', message: 'virtual machine is not powered on' }));
    // Read through the global log, which shows a commit once no older transaction is open.
    await eventually(async () => expect(await eventsAbout('up')).toEqual(['Ready:virtualmachine-prober-manager', 'NotReady:virtualmachine-prober-manager']));
  });

  it('judges a heartbeat probe by what the host reported, at once when the report changes', async () => {
    await put(R.vms, vm('beat', { guestHeartbeat: { thresholdStatus: 'green' }, periodSeconds: 600 }, { ip: '127.0.0.3', heartbeat: 'red' }));
    await eventually(async () => expect(await ready('beat')).toMatchObject({ status: 'False', reason: 'NotReady', message: 'heartbeat status "red" is below threshold' }));
    await put(R.vms, vm('beat', { guestHeartbeat: { thresholdStatus: 'green' }, periodSeconds: 600 }, { ip: '127.0.0.3', heartbeat: 'green' }));
    await eventually(async () => expect(await ready('beat')).toMatchObject({ status: 'True', reason: 'True' }));
  });

  it('judges a guestInfo probe by the keys the host reported, at once when they change', async () => {
    const probe = { guestInfo: [{ key: 'ready', value: '^true$' }], periodSeconds: 600 };
    const withKeys = (keys?: Record<string, string>) => {
      const obj = vm('info', probe, { ip: '127.0.0.4' });
      obj.metadata.annotations = keys ? { [VM_GUEST_INFO_ANNOTATION]: JSON.stringify(keys) } : {};
      return obj;
    };
    await put(R.vms, withKeys());
    await eventually(async () => expect(await ready('info')).toMatchObject({ status: 'False', reason: 'NotReady', message: 'guestinfo.ready is not set' }));
    await put(R.vms, withKeys({ 'guestinfo.ready': 'true' }));
    await eventually(async () => expect(await ready('info')).toMatchObject({ status: 'True', reason: 'True' }));
    await put(R.vms, withKeys({ 'guestinfo.ready': 'truest' }));
    await eventually(async () => expect(await ready('info')).toMatchObject({ status: 'False', reason: 'NotReady', message: 'guestinfo.ready does not match "^true$"' }));
    await put(R.vms, { ...withKeys(), spec: { className: 'small', imageName: 'photon' } });
  });

  it('forgets a VM whose probe is removed, leaving its Ready to the host', async () => {
    await put(R.vms, { ...vm('beat', undefined, { ip: '127.0.0.3', heartbeat: 'green' }) });
    await eventually(() => expect(prober.size).toBe(2));
  });
});
