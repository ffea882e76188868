import { hostToNode, HostEventTypes, HOSTS_RESOURCE, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { objectOfStream } from '@openpacific/objects';
import { createTestDatabase, TestDatabase } from '@openpacific/testing';
import { gatedStore } from '../fleet/write-gate';
import { hostIdentity, newBootId } from './host-identity';
import { registerHost } from './host-registration';
import { hostDescription } from './host-spec';

const config = (name: string) => ({ HOST_NAME: name, HOST_CPU: '2', HOST_MEMORY: '4Gi', HOST_PODS: 110, HOST_LABELS: '', HOST_TAINTS: '' }) as any;
const runtime = { driver: 'sim', isolation: 'none', cgroups: 'false', podNetwork: { mode: 'loopback' } };

/** Registrations of hosts, each start with its boot id, against a database of this file's own. */
describe('registering a host', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('hostreg');
    await migrate(db.pool);
    store = new EventStore(db.pool);
  }, 30_000);
  afterAll(() => db?.drop());

  const register = (name: string, bootID: string, on: EventStore = store) => registerHost(on, name, hostDescription(config(name), runtime, bootID));
  const hostOf = async (name: string) => objectOfStream(await store.readStream(objectStreamId(HOSTS_RESOURCE, undefined, name)));
  /** The core v1 Events written so far about `kind` `name`. */
  const eventsAbout = async (kind: string, name: string) =>
    (await store.readAll({ limit: 10_000 }))
      .filter((e) => e.streamId.startsWith('events/') && e.data.object?.involvedObject?.kind === kind && e.data.object.involvedObject.name === name)
      .map((e) => ({ ...e.data.object, transactionId: e.transactionId }));

  it("writes the host's machine ID, system UUID and boot ID into its nodeInfo, and the Node shows them", async () => {
    const boot = newBootId();
    const { rebooted } = await register('host-a', boot);
    expect(rebooted).toBe(false);
    const host = await hostOf('host-a');
    expect(host.status.nodeInfo).toMatchObject(hostIdentity('host-a', boot));
    expect(host.status.nodeInfo.machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(hostToNode(host).status.nodeInfo).toMatchObject({ machineID: host.status.nodeInfo.machineID, systemUUID: host.status.nodeInfo.systemUUID, bootID: boot });
    // A first registration is no reboot.
    expect(await eventsAbout('Node', 'host-a')).toEqual([]);
  });

  it('records Rebooted on the Node and the Host when the boot id changes, and not when it stays', async () => {
    const first = newBootId();
    await register('host-b', first);
    // A new epoch of the same boot (a sim host registering again after a lost lease).
    expect((await register('host-b', first)).rebooted).toBe(false);
    expect(await eventsAbout('Node', 'host-b')).toEqual([]);

    const second = newBootId();
    const { epoch, rebooted } = await register('host-b', second);
    expect(rebooted).toBe(true);
    expect(epoch).toBe(3);
    const host = await hostOf('host-b');
    expect(host.status.nodeInfo).toMatchObject({ ...hostIdentity('host-b', second) });
    const [node] = await eventsAbout('Node', 'host-b');
    expect(node).toMatchObject({
      type: 'Warning',
      reason: 'Rebooted',
      message: `Node host-b has been rebooted, boot id: ${second}`,
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: 'host-b', uid: host.metadata.uid },
      metadata: { namespace: 'default' },
      source: { component: 'spherelet', host: 'host-b' },
      count: 1,
    });
    const [onHost] = await eventsAbout('Host', 'host-b');
    expect(onHost).toMatchObject({ reason: 'Rebooted', message: node.message, involvedObject: { kind: 'Host', uid: host.metadata.uid } });
    // Written in the registration's own transaction: the Node never shows the new boot without the Event, or the reverse.
    const registered = (await store.readStream(objectStreamId(HOSTS_RESOURCE, undefined, 'host-b'))).filter((e) => e.type === HostEventTypes.registered);
    expect([node.transactionId, onHost.transactionId]).toEqual([registered[2].transactionId, registered[2].transactionId]);
    expect(await eventsAbout('Node', 'host-b')).toHaveLength(1);
  });

  it('keeps the conditions others reported on the Node across a registration, and writes its own afresh', async () => {
    await register('host-c', newBootId());
    const host = await hostOf('host-c');
    const reported = { type: 'KernelDeadlock', status: 'True', reason: 'DockerHung', message: 'task docker blocked', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const streamId = objectStreamId(HOSTS_RESOURCE, undefined, 'host-c');
    const written = await store.readStream(streamId);
    await store.appendBatch([{
      streamId, expectedVersion: written[written.length - 1].streamVersion,
      events: [{ type: ObjectEventTypes.statusUpdated, data: { resource: HOSTS_RESOURCE, object: { ...host, status: { ...host.status, conditions: [...host.status.conditions, reported] } } }, metadata: { actor: 'npd', source: 'api-gateway' } }],
    }]);
    const { epoch } = await register('host-c', newBootId());
    const after = await hostOf('host-c');
    expect(after.status.conditions.map((c: { type: string }) => c.type)).toEqual([...host.status.conditions.map((c: { type: string }) => c.type), 'KernelDeadlock']);
    expect(after.status.conditions.find((c: { type: string }) => c.type === 'KernelDeadlock')).toEqual(reported);
    expect(after.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', message: `epoch ${epoch} started; waiting for heartbeats` });
    expect(hostToNode(after).status.conditions.map((c: { type: string }) => c.type)).toContain('KernelDeadlock');
  });

  it('keeps a host its machine ID and system UUID across boots, and gives another host its own', async () => {
    await register('host-c', newBootId());
    const before = (await hostOf('host-c')).status.nodeInfo;
    await register('host-c', newBootId());
    const after = (await hostOf('host-c')).status.nodeInfo;
    expect([after.machineID, after.systemUUID]).toEqual([before.machineID, before.systemUUID]);
    expect(after.bootID).not.toBe(before.bootID);
    const other = (await hostOf('host-a')).status.nodeInfo;
    expect(other.machineID).not.toBe(after.machineID);
    expect(other.systemUUID).not.toBe(after.systemUUID);
  });

  it("records Rebooted through the sim fleet's write gate too, with the registration", async () => {
    const gated = gatedStore(store, { limit: 1, maxStreams: 10 });
    await register('sim-9', newBootId(), gated);
    const boot = newBootId();
    expect((await register('sim-9', boot, gated)).rebooted).toBe(true);
    expect((await eventsAbout('Node', 'sim-9')).map((e) => e.message)).toEqual([`Node sim-9 has been rebooted, boot id: ${boot}`]);
    expect((await hostOf('sim-9')).status.nodeInfo.bootID).toBe(boot);
  });
});
