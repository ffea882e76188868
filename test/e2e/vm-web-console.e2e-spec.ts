import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { WebSocket } from 'ws';
import { kubectlJson } from './support/kubectl-json';

const NS = 'vm-console';
const VMOP = 'vmoperator.vmware.com';
/** VM Operator keeps a ticket 120 s; the cluster's vm-operator is told 20 s, so the deletion is seen within the test. */
const TTL_SECONDS = 20;

const setup = [
  { apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  { apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachineImage', metadata: { name: 'vmi-web', namespace: NS }, spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } } },
  { apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachine', metadata: { name: 'web-1', namespace: NS }, spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' } },
];

/** The key pair as `kubectl vsphere vm web-console` makes it: the public half's PKCS#1 body in a `PUBLIC KEY` block. */
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----\n${publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`;
/** As the plugin reads status.response: base64, RSA-OAEP with SHA-512. */
const decrypt = (response: string) => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' }, Buffer.from(response, 'base64')).toString();

interface Session {
  frames: string[];
  closed?: { code: number; reason: string };
  refused?: { status: number; body: any };
  ws: WebSocket;
  done: Promise<void>;
}

/** A VM web console session, VM Operator's ticket URL opened as a browser would (the cluster's CA trusted). */
function openConsole(cluster: TestCluster, url: string): Session {
  const ws = new WebSocket(url, { ca: cluster.caCertPem });
  const s: Session = { frames: [], ws, done: Promise.resolve() };
  s.done = new Promise<void>((resolve) => {
    ws.on('message', (data) => s.frames.push(data.toString()));
    ws.on('close', (code, reason) => {
      s.closed = { code, reason: reason.toString() };
      resolve();
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        s.refused = { status: res.statusCode!, body: JSON.parse(text) };
        resolve();
      });
    });
    ws.on('error', () => undefined);
  });
  return s;
}

/** VM web consoles with kubectl: a VirtualMachineWebConsoleRequest (and v1alpha1's WebConsoleRequest), its encrypted one-time ticket, the console over a WebSocket. */
describe('virtual machine web consoles', () => {
  let cluster: TestCluster;
  /** The first request's ticket URL, tried again once the request has expired. */
  let firstUrl = '';
  const create = (obj: any) => cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
  const request = (name: string, spec: any) => ({ apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachineWebConsoleRequest', metadata: { name, namespace: NS }, spec });
  const answered = async (resource: string, name: string) => {
    let obj: any;
    await eventually(async () => {
      // Not kubectlJson: v1alpha1's reads carry the deprecation warning on stderr.
      const r = await cluster.kubectl(['get', resource, name, '-n', NS, '-o', 'json']);
      expect(r.code).toBe(0);
      obj = JSON.parse(r.stdout);
      expect(obj.status?.response).toEqual(expect.any(String));
    }, { timeoutMs: 30_000 });
    return obj;
  };
  const reasons = async (name: string) => (await kubectlJson(cluster, ['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${name}`])).items.map((e: any) => `${e.type}/${e.reason}`);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'vmconsole', env: { SIM_VM_BOOT_MS: '200', WEB_CONSOLE_TTL_SECONDS: String(TTL_SECONDS) } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: setup }) })).stderr).toBe('');
    await eventually(async () => expect((await kubectlJson(cluster, ['get', 'vm', 'web-1', '-n', NS])).status).toMatchObject({ powerState: 'PoweredOn', network: { primaryIP4: expect.any(String) } }), { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a request whose public key is not an RSA PUBLIC KEY with 422 naming spec.publicKey, writing nothing', async () => {
    const r = await create(request('bad-key', { name: 'web-1', publicKey: 'ssh-rsa AAAAB3NzaC1yc2E user@host' }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('"bad-key" is invalid');
    expect(r.stderr).toContain('spec.publicKey: Invalid value: "": invalid public key format');
    const got = await cluster.kubectl(['get', 'virtualmachinewebconsolerequest', 'bad-key', '-n', NS]);
    expect(got.stderr).toContain('NotFound');
  });

  it('answers a request with the ticket URL encrypted for its key, owned by the VM, and opens the console once', async () => {
    expect((await create(request('console-1', { name: 'web-1', publicKey: PUBLIC_KEY }))).code).toBe(0);
    const wcr = await answered('virtualmachinewebconsolerequest', 'console-1');
    const vm = await kubectlJson(cluster, ['get', 'vm', 'web-1', '-n', NS]);
    const proxyAddr = new URL(cluster.server).host;
    expect(wcr.status.proxyAddr).toBe(proxyAddr);
    expect(wcr.metadata.labels).toEqual({ 'vmoperator.vmware.com/webconsolerequest-uuid': wcr.metadata.uid });
    expect(wcr.metadata.ownerReferences).toEqual([{ apiVersion: `${VMOP}/v1alpha5`, kind: 'VirtualMachine', name: 'web-1', uid: vm.metadata.uid, controller: true }]);
    const lifetime = Date.parse(wcr.status.expiryTime) - Date.parse(wcr.metadata.creationTimestamp);
    expect(lifetime).toBeGreaterThanOrEqual((TTL_SECONDS - 2) * 1000);
    expect(lifetime).toBeLessThanOrEqual((TTL_SECONDS + 10) * 1000);
    await eventually(async () => expect(await reasons('console-1')).toContain('Normal/Acquired TicketSuccess'));

    const url = decrypt(wcr.status.response);
    firstUrl = url;
    expect(url).toMatch(new RegExp(`^wss://${proxyAddr.replace(/\./g, '\\.')}/ticket/[A-Za-z0-9_-]{32}$`));
    const first = openConsole(cluster, url);
    await eventually(async () => expect(first.frames.join('')).toContain('web-1 login:'), { timeoutMs: 20_000 });
    const text = first.frames.join('');
    expect(text).toContain(`OpenPacific sim hypervisor: powering on ${NS}/web-1 (1 vCPU, 1024 MiB)`);
    expect(text).toContain('Booting web-1 (OpenPacific sim guest)');
    expect(text).toContain(`eth0: link up, address ${vm.status.network.primaryIP4}`);

    const second = openConsole(cluster, url);
    await second.done;
    expect(second.refused).toMatchObject({ status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden', message: expect.stringContaining(`web console ticket of ${NS}/console-1 was already used`) } });
    const spent = await kubectlJson(cluster, ['get', 'virtualmachinewebconsolerequest', 'console-1', '-n', NS]);
    expect(spent.metadata.annotations['vmoperator.openpacific.io/web-console-ticket-used']).toEqual(expect.any(String));
    first.ws.close();
    await first.done;
  });

  it('serves v1alpha1 WebConsoleRequests alike', async () => {
    const r = await create({ apiVersion: `${VMOP}/v1alpha1`, kind: 'WebConsoleRequest', metadata: { name: 'console-old', namespace: NS }, spec: { virtualMachineName: 'web-1', publicKey: PUBLIC_KEY } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('This API has been deprecated and is unsupported in future versions');
    const wcr = await answered('webconsolerequests', 'console-old');
    expect(wcr.apiVersion).toBe(`${VMOP}/v1alpha1`);
    expect(wcr.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: `${VMOP}/v1alpha1`, kind: 'VirtualMachine', name: 'web-1', controller: true })]);
    const s = openConsole(cluster, decrypt(wcr.status.response));
    await eventually(async () => expect(s.frames.join('')).toContain('web-1 login:'), { timeoutMs: 20_000 });
    s.ws.close();
    await s.done;
    const bad = await create({ apiVersion: `${VMOP}/v1alpha1`, kind: 'WebConsoleRequest', metadata: { name: 'old-bad', namespace: NS }, spec: { virtualMachineName: '', publicKey: PUBLIC_KEY } });
    expect(bad.stderr).toContain('spec.virtualMachineName: Required value');
  });

  it('audits a console session when it opens and when it closes, as the user who requested the ticket, and never records the ticket', async () => {
    // A user of the namespace with the edit role (a service account's bound token) requests the console.
    expect((await cluster.kubectl(['create', 'serviceaccount', 'console-user', '-n', NS])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'rolebinding', 'console-user-edit', '-n', NS, '--clusterrole=edit', `--serviceaccount=${NS}:console-user`])).code).toBe(0);
    const token = (await cluster.kubectl(['create', 'token', 'console-user', '-n', NS])).stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const made = await cluster.kubectl(['create', '-f', '-', '--token', token], { input: JSON.stringify(request('console-audit', { name: 'web-1', publicKey: PUBLIC_KEY })) });
    expect(made.stderr).toBe('');
    const url = decrypt((await answered('virtualmachinewebconsolerequest', 'console-audit')).status.response);
    const ticket = url.split('/ticket/')[1];
    const s = openConsole(cluster, url);
    await eventually(async () => expect(s.frames.join('')).toContain('web-1 login:'), { timeoutMs: 20_000 });
    s.ws.close();
    await s.done;

    const user = `system:serviceaccount:${NS}:console-user`;
    let opened: any;
    let closed: any;
    await eventually(async () => {
      const records = (await kubectlJson(cluster, ['get', 'auditrecords', '--field-selector', `subresource=console,namespace=${NS},user=${user}`])).items;
      expect(records.map((r: any) => r.stage)).toEqual(['ResponseComplete', 'ResponseStarted']);
      [closed, opened] = records;
    }, { timeoutMs: 10_000 });
    const record = opened;
    // The close: the same request (time, id), when it ended, and why.
    expect(closed).toMatchObject({
      user, name: 'web-1', code: 101, decision: 'allow', time: opened.time, requestID: opened.requestID,
      annotations: {
        'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/console-audit',
        'vmoperator.openpacific.io/console-close-code': expect.stringMatching(/^\d+$/),
        'vmoperator.openpacific.io/console-close-reason': 'the client closed the console',
      },
    });
    expect(Date.parse(closed.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(opened.stageTimestamp));
    const ended = (await kubectlJson(cluster, ['get', 'auditrecords', '--field-selector', `subresource=console,namespace=${NS},stage=ResponseComplete,requestID=${opened.requestID}`])).items;
    expect(ended.map((r: any) => r.metadata.name)).toEqual([closed.metadata.name]);
    expect(record).toMatchObject({
      user, verb: 'create', apiGroup: VMOP, resource: 'virtualmachines', subresource: 'console', namespace: NS, name: 'web-1',
      path: '/ticket/<redacted>', decision: 'allow', code: 101,
      annotations: { 'vmoperator.openpacific.io/webconsolerequest': 'virtualmachinewebconsolerequests/console-audit' },
    });
    expect(record.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated']));
    // The table too: who opened which VM's console.
    const table = await cluster.kubectl(['get', 'auditrecords', '--field-selector', `subresource=console,user=${user}`]);
    expect(table.stdout).toMatch(new RegExp(`${user}\\s+create\\s+virtualmachines/console\\.vmoperator\\.vmware\\.com\\s+${NS}\\s+web-1\\s+101`));
    // The ticket spent earlier by admin and refused the second time: recorded as admin's, a 403 denied.
    const refused = (await kubectlJson(cluster, ['get', 'auditrecords', '--field-selector', `subresource=console,namespace=${NS},code=403`])).items;
    expect(refused).toEqual(expect.arrayContaining([expect.objectContaining({ user: 'admin', decision: 'deny', name: 'web-1', path: '/ticket/<redacted>' })]));
    // No ticket anywhere in the audit log.
    const all = await cluster.kubectl(['get', 'auditrecords', '-o', 'json']);
    expect(all.code).toBe(0);
    for (const t of [ticket, firstUrl.split('/ticket/')[1]]) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(all.stdout).not.toContain(t);
    }
  });

  it('warns of a request for a VM that does not exist and gives it no ticket', async () => {
    expect((await create(request('ghost-console', { name: 'ghost', publicKey: PUBLIC_KEY }))).code).toBe(0);
    await eventually(async () => expect(await reasons('ghost-console')).toContain('Warning/VirtualMachine Not Found'), { timeoutMs: 30_000 });
    expect((await kubectlJson(cluster, ['get', 'virtualmachinewebconsolerequest', 'ghost-console', '-n', NS])).status?.response).toBeUndefined();
  });

  it('closes the console when the VM powers off, after its last lines', async () => {
    expect((await create(request('console-2', { name: 'web-1', publicKey: PUBLIC_KEY }))).code).toBe(0);
    const s = openConsole(cluster, decrypt((await answered('virtualmachinewebconsolerequest', 'console-2')).status.response));
    await eventually(async () => expect(s.frames.join('')).toContain('web-1 login:'), { timeoutMs: 20_000 });
    expect((await cluster.kubectl(['patch', 'vm', 'web-1', '-n', NS, '--type=merge', '-p', '{"spec":{"powerState":"PoweredOff"}}'])).code).toBe(0);
    await s.done;
    expect(s.closed).toEqual({ code: 1000, reason: 'the VM powered off' });
    expect(s.frames.join('')).toMatch(/OpenPacific sim hypervisor: web-1 powered off \(\w+\)\n$/);
  }, 60_000);

  it('deletes a request once its ticket expired; its ticket is then unknown', async () => {
    expect(firstUrl).not.toBe('');
    await eventually(async () => expect((await cluster.kubectl(['get', 'virtualmachinewebconsolerequest', 'console-1', '-n', NS])).stderr).toContain('NotFound'), { timeoutMs: (TTL_SECONDS + 30) * 1000 });
    const s = openConsole(cluster, firstUrl);
    await s.done;
    expect(s.refused).toMatchObject({ status: 404, body: { code: 404, message: expect.stringContaining('web console ticket not found') } });
    // The request's whole life, from the log: created, answered, spent, deleted by vm-operator.
    const history = await cluster.request('GET', `/apis/${VMOP}/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests/console-1/history`);
    expect(history.status).toBe(200);
    const items = history.json().items.map((i: any) => [i.type, i.source]);
    expect(items[0]).toEqual(['ResourceCreated', 'api-gateway']);
    expect(items.slice(1)).toEqual([['ResourceUpdated', 'vm-operator'], ['ResourceUpdated', 'api-gateway'], ['ResourceDeleted', 'vm-operator']]);
  }, (TTL_SECONDS + 60) * 1000);
});
