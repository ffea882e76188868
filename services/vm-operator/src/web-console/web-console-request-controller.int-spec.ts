import { constants, generateKeyPairSync, privateDecrypt, randomUUID } from 'node:crypto';
import { natsNames, ObjectEventTypes, objectStreamId, VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, WEB_CONSOLE_REQUESTS_RESOURCE } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { ReadModel, SharedFollower, webConsoleTicketHash } from '@openpacific/objects';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { R } from '../vms/vm-resources';
import { WebConsoleRequestController } from './web-console-request-controller';

const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const NS = 'team-a';
const VMOP = 'vmoperator.vmware.com';
const TTL_MS = 3000;

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY = `-----BEGIN PUBLIC KEY-----\n${publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64')}\n-----END PUBLIC KEY-----\n`;
const decrypt = (b64: string) => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' }, Buffer.from(b64, 'base64')).toString();

describe('the web console request controllers', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let feed: SharedFollower;
  let controllers: WebConsoleRequestController[];
  // A whole read model: controllers' models leave Events out.
  const events = new ReadModel();

  async function latest(resource: string, ns: string | undefined, name: string): Promise<{ object: any; version: number; type?: string }> {
    const stream = await store.readStream(objectStreamId(resource, ns, name));
    const last = stream[stream.length - 1];
    return { object: last?.type === ObjectEventTypes.deleted ? undefined : (last?.data as any)?.object, version: last?.streamVersion ?? 0, type: last?.type };
  }

  async function create(resource: string, ns: string | undefined, obj: any): Promise<any> {
    const object = { ...obj, metadata: { ...(ns ? { namespace: ns } : {}), uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1, ...obj.metadata } };
    await store.append(objectStreamId(resource, ns, obj.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
    return object;
  }

  const reasonsFor = (name: string) => events.list('events', NS).filter((e) => e.object.involvedObject.name === name).map((e) => `${e.object.type}/${e.object.reason}`);

  beforeAll(async () => {
    db = await createTestDatabase('webconsole');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'web-console-controller-test' });
    store = new EventStore(db.pool);
    feed = new SharedFollower({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('webconsole')), logger: quiet });
    feed.add(['events'], (page) => page.forEach((e) => events.apply(e)));
    controllers = [VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, WEB_CONSOLE_REQUESTS_RESOURCE].map((r) => new WebConsoleRequestController({ store, feed, logger: quiet, ttlMs: TTL_MS }, r));
    await feed.start();
    for (const c of controllers) c.start();
    await create('endpoints', 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] });
  }, 30_000);

  afterAll(async () => {
    for (const c of controllers ?? []) c.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('answers a request for a VM of its namespace with a ticket for it, then deletes the request once it expired', async () => {
    const vm = await create(R.vms, NS, { apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachine', metadata: { name: 'web-1' }, spec: {} });
    const req = await create(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, NS, { apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachineWebConsoleRequest', metadata: { name: 'c1' }, spec: { name: 'web-1', publicKey: KEY } });
    await eventually(async () => expect((await latest(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c1')).object.status?.response).toBeDefined());
    const answered = (await latest(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c1')).object;
    const url = decrypt(answered.status.response);
    const ticket = /^wss:\/\/127\.0\.0\.1:6443\/ticket\/([A-Za-z0-9_-]{32})$/.exec(url)?.[1];
    expect(ticket).toBeDefined();
    expect(answered.status.proxyAddr).toBe('127.0.0.1:6443');
    const expiry = Date.parse(answered.status.expiryTime);
    expect(expiry - Date.parse(req.metadata.creationTimestamp)).toBeLessThanOrEqual(TTL_MS + 5000);
    expect(answered.metadata.labels).toEqual({ 'vmoperator.vmware.com/webconsolerequest-uuid': req.metadata.uid });
    expect(answered.metadata.annotations['vmoperator.openpacific.io/web-console-ticket-sha256']).toBe(webConsoleTicketHash(ticket!));
    expect(answered.metadata.ownerReferences).toEqual([{ apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachine', name: 'web-1', uid: vm.metadata.uid, controller: true }]);
    await eventually(async () => expect(reasonsFor('c1')).toEqual(['Normal/Acquired TicketSuccess']));
    await eventually(async () => expect((await latest(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c1')).type).toBe(ObjectEventTypes.deleted), { timeoutMs: TTL_MS + 10_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(expiry);
    // Answered once: the request's history is created, answered, deleted.
    expect((await store.readStream(objectStreamId(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c1'))).map((e) => e.type)).toEqual([ObjectEventTypes.created, ObjectEventTypes.updated, ObjectEventTypes.deleted]);
  }, 30_000);

  it('warns of a VM that does not exist, and answers once it does', async () => {
    await create(WEB_CONSOLE_REQUESTS_RESOURCE, NS, { apiVersion: `${VMOP}/v1alpha1`, kind: 'WebConsoleRequest', metadata: { name: 'c2' }, spec: { virtualMachineName: 'web-2', publicKey: KEY } });
    await eventually(async () => expect(reasonsFor('c2')).toEqual(['Warning/VirtualMachine Not Found']));
    expect((await latest(WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c2')).object.status).toBeUndefined();
    const vm = await create(R.vms, NS, { apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachine', metadata: { name: 'web-2' }, spec: {} });
    await eventually(async () => expect((await latest(WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c2')).object?.status?.response).toBeDefined(), { timeoutMs: 10_000 });
    const answered = (await latest(WEB_CONSOLE_REQUESTS_RESOURCE, NS, 'c2')).object;
    expect(decrypt(answered.status.response)).toMatch(/^wss:\/\/127\.0\.0\.1:6443\/ticket\//);
    expect(answered.metadata.ownerReferences).toEqual([{ apiVersion: `${VMOP}/v1alpha1`, kind: 'VirtualMachine', name: 'web-2', uid: vm.metadata.uid, controller: true }]);
    // The Event reaches this read model through the feed, after the answer may already be read back.
    await eventually(async () => expect(reasonsFor('c2').sort()).toEqual(['Normal/Acquired TicketSuccess', 'Warning/VirtualMachine Not Found']));
  }, 30_000);
});
