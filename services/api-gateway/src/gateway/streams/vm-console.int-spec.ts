import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { ObjectEventTypes, objectStreamId, VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
import { EventStore } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { webConsoleTicketHash } from '@openpacific/objects';
import { eventually, testNatsUrl } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { parse } from 'yaml';
import { WebSocket } from 'ws';
import { MemoryHypervisor } from '../../../../spherelet-agent/src/vms/memory-hypervisor';
import { VmConsoleServer } from '../../../../spherelet-agent/src/vms/vm-console-server';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';
import { CONSOLE_PROTOCOL, CONSOLE_REFUSAL_PROTOCOL } from './vm-console';

const NS = 'team-a';
const META = { actor: 'test', source: 'test' };

/** What a WebSocket to a ticket URL got: the frames and how it closed, or the HTTP answer that refused it. */
interface Session {
  frames: string[];
  closed?: { code: number; reason: string };
  refused?: { status: number; body: any };
  /** The subprotocol the gateway chose, once the socket opened. */
  protocol?: string;
}

/**
 * The web console endpoint end to end: the real gateway finds a request by its ticket, spends the ticket, and
 * follows the VM's console from the VM's host (a console server over real NATS, on the memory hypervisor).
 */
describe('the VM web console endpoint (api-gateway)', () => {
  let stack: GatewayWithPolicy;
  let nc: NatsConnection;
  let store: EventStore;
  let consoles: VmConsoleServer;
  const hv = new MemoryHypervisor();
  const call = gatewayCaller(() => stack.dataDir);

  function open(ticket: string, protocols: string[] = []): { session: Session; done: Promise<Session> } {
    const server = parse(readFileSync(join(stack.dataDir, 'kubeconfig'), 'utf8')).clusters[0].cluster.server.replace(/^https/, 'wss');
    const session: Session = { frames: [] };
    const ws = new WebSocket(`${server}/ticket/${ticket}`, protocols, { ca: readFileSync(join(stack.dataDir, 'pki', 'ca.crt')) });
    ws.on('open', () => (session.protocol = ws.protocol));
    const done = new Promise<Session>((resolve) => {
      ws.on('message', (data) => session.frames.push(data.toString()));
      ws.on('close', (code, reason) => resolve(Object.assign(session, { closed: { code, reason: reason.toString() } })));
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(Object.assign(session, { refused: { status: res.statusCode!, body: JSON.parse(text) } })));
      });
      ws.on('error', () => undefined);
    });
    return { session, done };
  }

  async function put(resource: string, obj: any): Promise<any> {
    const object = { ...obj, metadata: { namespace: NS, uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1, ...obj.metadata } };
    await store.append(objectStreamId(resource, NS, obj.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
    return object;
  }

  /** As the gateway writes a request that alice created through the API (the ticket's hash as vm-operator adds it). */
  const ALICE = { username: 'alice', groups: ['team-a-devs', 'system:authenticated'] };
  const request = (name: string, ticket: string, expiryTime: string, requester?: typeof ALICE) => ({
    apiVersion: 'vmoperator.vmware.com/v1alpha5',
    kind: 'VirtualMachineWebConsoleRequest',
    metadata: {
      name,
      annotations: {
        'vmoperator.openpacific.io/web-console-ticket-sha256': webConsoleTicketHash(ticket),
        ...(requester ? { 'vmoperator.openpacific.io/web-console-requester': JSON.stringify(requester) } : {}),
      },
    },
    spec: { name: 'web-1', publicKey: 'k' },
    status: { response: 'r', expiryTime, proxyAddr: '127.0.0.1:6443' },
  });
  const inAMinute = () => new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('vmconsole', { gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
    nc = await connectNats({ url: testNatsUrl, name: 'vm-console-endpoint-test' });
    store = new EventStore(stack.db.pool);
    consoles = new VmConsoleServer(nc, stack.prefix, 'host-a', hv);
    consoles.start();
    const vm = await put(VIRTUAL_MACHINES_RESOURCE, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'web-1' }, spec: {}, status: { nodeName: 'host-a' } });
    await hv.create({ uid: vm.metadata.uid, name: 'web-1', namespace: NS, epoch: 1, cpus: 1, memoryBytes: 2 ** 30, ip: '10.0.0.9', ports: [22] });
    await hv.powerOn(vm.metadata.uid);
  }, 90_000);
  afterAll(async () => {
    consoles?.stop();
    await nc?.close();
    await stack?.stop();
  }, 30_000);

  it('admits requests as VM Operator’s webhooks do: a bad key is a 422 naming spec.publicKey, the spec is immutable', async () => {
    await eventually(async () => expect((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201));
    const base = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests`;
    const bad = await call('POST', base, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineWebConsoleRequest', metadata: { name: 'bad' }, spec: { name: 'web-1', publicKey: 'not a key' } });
    expect(bad.status).toBe(422);
    expect(bad.json.details.causes).toEqual([{ field: 'spec.publicKey', reason: 'FieldValueInvalid', message: 'Invalid value: "": invalid public key format' }]);
    const key = `-----BEGIN PUBLIC KEY-----\n${generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const v1 = `/apis/vmoperator.vmware.com/v1alpha1/namespaces/${NS}/webconsolerequests`;
    const made = await call('POST', v1, { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'WebConsoleRequest', metadata: { name: 'w1' }, spec: { virtualMachineName: 'web-1', publicKey: key } });
    expect(made.status).toBe(201);
    const changed = await call('PATCH', `${v1}/w1`, { spec: { virtualMachineName: 'web-2' } });
    expect(changed.status).toBe(422);
    expect(changed.json.details.causes).toEqual([{ field: 'spec.virtualMachineName', reason: 'FieldValueInvalid', message: 'Invalid value: "web-2": field is immutable' }]);
  });

  it('refuses a ticket nobody was given with a 404, before the upgrade', async () => {
    const { done } = open('no-such-ticket');
    const s = await done;
    expect(s.refused).toMatchObject({ status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: expect.stringContaining('web console ticket not found') } });
  });

  it('refuses an expired ticket with a 403', async () => {
    await put(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, request('old', 'old-ticket', '2020-01-01T00:00:00Z'));
    await eventually(async () => expect((await call('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests/old`)).status).toBe(200));
    const s = await open('old-ticket').done;
    expect(s.refused).toMatchObject({ status: 403, body: { code: 403, reason: 'Forbidden', message: `web console ticket of ${NS}/old expired at 2020-01-01T00:00:00Z` } });
  });

  it('streams the console for a good ticket once, spends it, and closes when the VM powers off', async () => {
    await put(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, request('c1', 'good-ticket', inAMinute(), ALICE));
    const path = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests/c1`;
    await eventually(async () => expect((await call('GET', path)).status).toBe(200));
    const first = open('good-ticket');
    await eventually(async () => expect(first.session.frames.join('')).toContain('web-1 login:'));
    expect(first.session.frames.join('')).toContain('OpenPacific sim hypervisor: powering on team-a/web-1 (1 vCPU, 1024 MiB)');
    const spent = (await call('GET', path)).json.metadata.annotations['vmoperator.openpacific.io/web-console-ticket-used'];
    expect(spent).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const again = await open('good-ticket').done;
    expect(again.refused).toMatchObject({ status: 403, body: { message: `web console ticket of ${NS}/c1 was already used at ${spent}: a ticket opens one console` } });
    // A client that can read a refusal only after an upgrade (a browser) is told in the socket.
    const told = await open('good-ticket', [CONSOLE_PROTOCOL, CONSOLE_REFUSAL_PROTOCOL]).done;
    expect(told.protocol).toBe(CONSOLE_REFUSAL_PROTOCOL);
    expect(told.frames.map((f) => JSON.parse(f))).toEqual([{ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `web console ticket of ${NS}/c1 was already used at ${spent}: a ticket opens one console`, reason: 'Forbidden', code: 403 }]);
    expect(told.closed).toEqual({ code: 4403, reason: `web console ticket of ${NS}/c1 was already used at ${spent}: a ticket opens one console` });

    const uid = (await hv.list())[0].uid;
    await hv.powerOff(uid, 'Hard');
    const s = await first.done;
    expect(s.closed).toEqual({ code: 1000, reason: 'the VM powered off' });
    expect(s.frames.join('')).toMatch(/web-1 login: \n[\s\S]*OpenPacific sim hypervisor: web-1 powered off \(Hard\)\n$/);
  });

  it('opens the console in the console subprotocol for a client that offers it', async () => {
    await put(VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, request('c2', 'browser-ticket', inAMinute(), ALICE));
    await eventually(async () => expect((await call('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests/c2`)).status).toBe(200));
    const s = await open('browser-ticket', [CONSOLE_PROTOCOL, CONSOLE_REFUSAL_PROTOCOL]).done;
    expect(s.protocol).toBe(CONSOLE_PROTOCOL);
    // The VM was powered off above: its whole console, then the close.
    expect(s.frames.join('')).toContain('web-1 login:');
    expect(s.closed).toEqual({ code: 1000, reason: 'the VM powered off' });
  });

  it('audits a refused ticket once, an opened console when it opened and when it closed, as the requester, never the ticket', async () => {
    const consoleOnly = (records: any[]) => records.filter((r) => r.subresource === 'console');
    const of = (records: any[], request: string) => records.filter((r) => r.annotations?.['vmoperator.openpacific.io/webconsolerequest'] === `virtualmachinewebconsolerequests/${request}`);
    let records: any[] = [];
    await eventually(async () => {
      const answer = await call('GET', '/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=subresource%3Dconsole');
      expect(answer.status).toBe(200);
      records = consoleOnly(answer.json.items).reverse();
      expect(records).toHaveLength(8);
    });
    const common = { verb: 'create', apiGroup: 'vmoperator.vmware.com', resource: 'virtualmachines', subresource: 'console', path: '/ticket/<redacted>' };
    const vm = { ...common, namespace: NS, name: 'web-1' };
    const c1 = { annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/c1' } };
    expect(records[0]).toMatchObject({ ...common, user: 'system:anonymous', groups: ['system:unauthenticated'], namespace: '', name: '', decision: 'deny', code: 404, stage: 'ResponseComplete' });
    // Put straight into the log by this test's actor, without the gateway's requester annotation: the creator from the log.
    expect(of(records, 'old')).toEqual([expect.objectContaining({ ...vm, user: 'test', decision: 'deny', code: 403, stage: 'ResponseComplete', annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/old' } })]);
    // c1: opened, refused twice (one record each), closed when the VM powered off.
    const first = of(records, 'c1');
    expect(first.map((r) => [r.code, r.stage, r.decision])).toEqual([[101, 'ResponseStarted', 'allow'], [403, 'ResponseComplete', 'deny'], [403, 'ResponseComplete', 'deny'], [101, 'ResponseComplete', 'allow']]);
    for (const r of first) expect(r).toMatchObject({ ...vm, user: 'alice' });
    expect(first[0]).toMatchObject({ ...c1, groups: ALICE.groups });
    const [opened, closed] = [first[0], first[3]];
    expect(closed).toMatchObject({
      time: opened.time, requestID: opened.requestID,
      annotations: { ...c1.annotations, 'vmoperator.openpacific.io/console-close-code': '1000', 'vmoperator.openpacific.io/console-close-reason': 'the VM powered off' },
    });
    // How long it lasted: from the request's time to its completion.
    expect(Date.parse(closed.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(opened.stageTimestamp));
    expect(Date.parse(opened.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(opened.time));
    expect(of(records, 'c2').map((r) => [r.user, r.code, r.stage])).toEqual([['alice', 101, 'ResponseStarted'], ['alice', 101, 'ResponseComplete']]);
    // The stage is a field selector too.
    const completed = await call('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=${encodeURIComponent('subresource=console,code=101,stage=ResponseComplete')}`);
    expect(completed.json.items.map((r: any) => r.requestID).sort()).toEqual([closed.requestID, of(records, 'c2')[1].requestID].sort());
    const all = JSON.stringify((await call('GET', '/apis/audit.openpacific.io/v1/auditrecords')).json);
    for (const ticket of ['no-such-ticket', 'old-ticket', 'good-ticket', 'browser-ticket']) expect(all).not.toContain(ticket);
  });

  it('records the creator of a request made through the API, and lets no client write it', async () => {
    const key = `-----BEGIN PUBLIC KEY-----\n${generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const base = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests`;
    const forged = JSON.stringify(ALICE);
    const made = await call('POST', base, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineWebConsoleRequest', metadata: { name: 'mine', annotations: { 'vmoperator.openpacific.io/web-console-requester': forged } }, spec: { name: 'web-1', publicKey: key } });
    expect(made.status).toBe(201);
    const requester = JSON.parse(made.json.metadata.annotations['vmoperator.openpacific.io/web-console-requester']);
    expect(requester.username).toBe('admin');
    expect(requester.groups).toContain('system:masters');
    const patched = await call('PATCH', `${base}/mine`, { metadata: { annotations: { 'vmoperator.openpacific.io/web-console-requester': forged } } });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.annotations['vmoperator.openpacific.io/web-console-requester']).toBe(made.json.metadata.annotations['vmoperator.openpacific.io/web-console-requester']);
  });
});
