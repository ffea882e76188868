import { randomInt, randomUUID } from 'node:crypto';
import { AllocationEventTypes, ClusterNetwork, clusterIPStreamId, inCIDR, natsNames, ObjectEventTypes, objectStreamId, SERVICES_RESOURCE } from '@openpacific/contracts';
import { AppendResult, EventStore, ExpectedVersion, migrate, NewEvent, StreamAppend } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { SharedFollower } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import type { PoolClient } from 'pg';
import { R } from './vms/vm-resources';
import { VmServiceController } from './vm-service-controller';

const META = { actor: 'test', source: 'test' };
const quiet: any = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
quiet.child = () => quiet;
const NS = 'lb-team';
const PORT = randomInt(29000, 30000);
const RACED = objectStreamId(R.services, NS, 'guest-lb');
// A small service range: 127.204.7.2-14 but its .10 (the .1 is the kubernetes Service's, the .10 the DNS server's).
const NET: ClusterNetwork = { podCIDR: '', serviceCIDR: '127.204.7.0/28', loadBalancerCIDR: '127.205.7.0/28' };
const FREE = [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14].map((n) => `127.204.7.${n}`);

/**
 * The log as vm-operator writes it, with one race made certain: when the controller writes the cluster IP it picked
 * for the raced VMService, another writer (a gateway replica, say) has just given that address to a Service of its
 * own, with the address's allocation event, in the moment between the controller's pick and its write.
 */
class RacingStore extends EventStore {
  /** The address taken from under the controller. */
  taken?: string;

  override async append(streamId: string, events: NewEvent[], opts: { expectedVersion?: ExpectedVersion; client?: PoolClient } = {}): Promise<AppendResult> {
    await this.race(streamId, events);
    return super.append(streamId, events, opts);
  }

  override async appendBatch(items: StreamAppend[], opts: { client?: PoolClient } = {}): Promise<AppendResult[]> {
    for (const item of items) await this.race(item.streamId, item.events);
    return super.appendBatch(items, opts);
  }

  private async race(streamId: string, events: NewEvent[]): Promise<void> {
    const address = (events[0]?.data as any)?.object?.spec?.clusterIp;
    if (this.taken || streamId !== RACED || !address) return;
    this.taken = address;
    const uid = randomUUID();
    const service = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { namespace: NS, name: 'taken', uid, creationTimestamp: new Date().toISOString() },
      spec: { type: 'ClusterIP', clusterIP: address, clusterIPs: [address], ports: [{ port: 80, protocol: 'TCP' }] },
    };
    await super.appendBatch([
      { streamId: objectStreamId(SERVICES_RESOURCE, NS, 'taken'), events: [{ type: ObjectEventTypes.created, data: { resource: SERVICES_RESOURCE, object: service }, metadata: META }], expectedVersion: 'no_stream' },
      {
        streamId: clusterIPStreamId(address), expectedVersion: 'no_stream',
        events: [{ type: AllocationEventTypes.clusterIP, data: { address, holder: { resource: SERVICES_RESOURCE, namespace: NS, name: 'taken', uid } }, metadata: META }],
      },
    ]);
  }
}

describe('a cluster IP vm-operator gives a VirtualMachineService, against another writer\'s allocation (real log)', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: RacingStore;
  let feed: SharedFollower;
  let vmServices: VmServiceController;

  beforeAll(async () => {
    db = await createTestDatabase('vmsvcalloc');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'vm-service-allocations-test' });
    store = new RacingStore(db.pool);
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('vmsvcalloc')), logger: quiet });
    vmServices = new VmServiceController({ store, feed, logger: quiet, network: NET });
    await feed.start();
    vmServices.start();
  }, 30_000);

  afterAll(async () => {
    await vmServices?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  /** As cluster-api writes a guest LoadBalancer's VMService: straight to the log, without a cluster IP. */
  async function writeVmService(name: string): Promise<string> {
    const uid = randomUUID();
    const vmService = {
      apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService',
      metadata: { namespace: NS, name, uid, creationTimestamp: new Date().toISOString() },
      spec: { type: 'ClusterIP', ports: [{ name: 'https', protocol: 'TCP', port: PORT, targetPort: 6443 }] },
    };
    await store.append(objectStreamId(R.services, NS, name), [{ type: ObjectEventTypes.created, data: { resource: R.services, object: vmService }, metadata: META }], { expectedVersion: 'no_stream' });
    return uid;
  }

  /** The cluster IP the controller wrote to the VMService. */
  function clusterIpOf(name: string): Promise<string> {
    return eventually(async () => {
      const events = await store.readStream(objectStreamId(R.services, NS, name));
      const ip = (events[events.length - 1].data as any).object.spec.clusterIp;
      expect(ip).toBeDefined();
      return ip;
    });
  }

  it('loses the address it picked to the writer whose allocation event came first, and ends with another free one', async () => {
    const uid = await writeVmService('guest-lb');
    const clusterIp = await clusterIpOf('guest-lb');
    const taken = store.taken;
    expect(taken).toBeDefined();
    expect(clusterIp).not.toBe(taken);
    expect(inCIDR(clusterIp, NET.serviceCIDR)).toBe(true);

    // The taken address's stream holds the other writer's allocation alone; the new one's, the VMService's.
    const lost = await store.readStream(clusterIPStreamId(taken!));
    expect(lost.map((e) => (e.data as any).holder.name)).toEqual(['taken']);
    const won = await store.readStream(clusterIPStreamId(clusterIp));
    expect(won.map((e) => e.type)).toEqual([AllocationEventTypes.clusterIP]);
    expect(won[0].data).toEqual({ address: clusterIp, holder: { resource: R.services, namespace: NS, name: 'guest-lb', uid } });
    // And its core Service carries the address it ended with.
    await eventually(async () => {
      const events = await store.readStream(objectStreamId(SERVICES_RESOURCE, NS, 'guest-lb'));
      expect((events[events.length - 1]?.data as any)?.object?.spec?.clusterIP).toBe(clusterIp);
    });
  });

  it('gives an address given out before and since freed, at its stream\'s next version (its ledger follows the streams)', async () => {
    // Every address still free was given out once to an object since deleted: each stream is at version 1.
    const held = [store.taken!, await clusterIpOf('guest-lb')];
    for (const address of FREE.filter((a) => !held.includes(a))) {
      const holder = { resource: SERVICES_RESOURCE, namespace: NS, name: `gone-${address.split('.')[3]}`, uid: randomUUID() };
      await store.append(clusterIPStreamId(address), [{ type: AllocationEventTypes.clusterIP, data: { address, holder }, metadata: META }], { expectedVersion: 'no_stream' });
    }
    const uid = await writeVmService('guest-lb-2');
    const clusterIp = await clusterIpOf('guest-lb-2');
    expect(FREE.filter((a) => !held.includes(a))).toContain(clusterIp);
    const stream = await store.readStream(clusterIPStreamId(clusterIp));
    expect(stream.map((e) => [e.streamVersion, (e.data as any).holder.uid])).toEqual([[1, expect.any(String)], [2, uid]]);
  });
});
