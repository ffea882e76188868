import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { Pool } from 'pg';
import { WebSocket } from 'ws';
import { VirtualMachineEventTypes } from '@openpacific/contracts';
import { checkInvariants, eventually, startCluster, TestCluster } from '@openpacific/testing';

const NS = 'fleet-vms';
const GROUP = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}`;
const hosts = ['sim-1', 'sim-2', 'sim-3'];

const setup = `
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachineClass
metadata: { name: small, namespace: ${NS} }
spec: { hardware: { cpus: 1, memory: 1Gi } }
---
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachineImage
metadata: { name: vmi-fleet, namespace: ${NS} }
spec: {}
---
apiVersion: v1
kind: Secret
metadata: { name: boot, namespace: ${NS} }
stringData: { user-data: "#cloud-config\\nhostname: fleet\\n" }
`;

function vmManifest(name: string, bootstrap = false): object {
  return {
    apiVersion: 'vmoperator.vmware.com/v1alpha5',
    kind: 'VirtualMachine',
    metadata: { name, labels: { app: 'fleet-vm' } },
    spec: { className: 'small', imageName: 'vmi-fleet', powerState: 'PoweredOn', ...(bootstrap ? { bootstrap: { cloudInit: { rawCloudConfig: { name: 'boot', key: 'user-data' } } } } : {}) },
  };
}

/**
 * VMs on a fleet of simulated hosts (SIM_FLEET_HOSTS, no process host): each host runs the agent's VM worker over
 * an in-memory hypervisor, so a VM is a record on its host with no guest process, and goes through the same
 * lifecycle as on a real host: placed, PoweredOn and Ready with an address, powered off and on, deleted.
 */
describe('virtual machines on simulated fleet hosts', () => {
  let cluster: TestCluster;
  const names = Array.from({ length: 6 }, (_, i) => `fvm-${i}`);
  const get = async (name: string) => (await cluster.request('GET', `${GROUP}/virtualmachines/${name}`)).json();
  const list = async () => (await cluster.request('GET', `${GROUP}/virtualmachines?labelSelector=app%3Dfleet-vm`)).json().items as any[];
  const power = (name: string, powerState: string) =>
    cluster.request('PATCH', `${GROUP}/virtualmachines/${name}`, { headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { powerState } } });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'fleetvms', hostCount: 0, env: { SIM_FLEET_HOSTS: String(hosts.length), POD_NETWORK: 'loopback' } });
    await cluster.hostsReady(hosts.length);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: setup })).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('powers VMs on on the simulated hosts, each Ready with its own address from the namespace pool', async () => {
    for (const [i, name] of names.entries()) expect((await cluster.request('POST', `${GROUP}/virtualmachines`, { body: vmManifest(name, i === 0) })).status).toBe(201);
    await eventually(async () => {
      const items = await list();
      expect(items.map((v) => [v.metadata.name, v.status?.powerState]).sort()).toEqual(names.map((n) => [n, 'PoweredOn']));
      for (const v of items) {
        expect(hosts).toContain(v.status.nodeName);
        expect(v.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
      }
      expect(new Set(items.map((v) => v.status.network?.primaryIP4)).size).toBe(names.length);
    }, { timeoutMs: 30_000, intervalMs: 300 });
    const events = JSON.parse((await cluster.kubectl(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=fvm-1', '-o', 'json'])).stdout).items;
    const host = (await get('fvm-1')).status.nodeName;
    expect(events.map((e: any) => e.message)).toEqual(expect.arrayContaining([`Created virtual machine on host ${host}`, `Powered on on host ${host}`]));
  }, 60_000);

  it('powers a VM off and on again on its host', async () => {
    const before = await get('fvm-2');
    expect((await power('fvm-2', 'PoweredOff')).status).toBe(200);
    await eventually(async () => {
      const v = await get('fvm-2');
      expect(v.status.powerState).toBe('PoweredOff');
      expect(v.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'PoweredOff' })]));
      expect(v.status.network).toEqual({});
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect((await power('fvm-2', 'PoweredOn')).status).toBe(200);
    await eventually(async () => {
      const v = await get('fvm-2');
      expect(v.status.powerState).toBe('PoweredOn');
      expect(v.status.nodeName).toBe(before.status.nodeName);
      expect(v.status.biosUUID).toBe(before.status.biosUUID);
      expect(v.status.network.primaryIP4).toBe(before.status.network.primaryIP4);
    }, { timeoutMs: 20_000, intervalMs: 200 });
  }, 60_000);

  it('serves the console of a VM on a simulated host through a one-time ticket, as a real host does', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = `-----BEGIN PUBLIC KEY-----\n${publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`;
    const wcr = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineWebConsoleRequest', metadata: { name: 'fvm-1-console', namespace: NS }, spec: { name: 'fvm-1', publicKey: pem } };
    expect((await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(wcr) })).code).toBe(0);
    let response = '';
    await eventually(async () => {
      response = (await cluster.request('GET', `${GROUP}/virtualmachinewebconsolerequests/fvm-1-console`)).json().status?.response ?? '';
      expect(response).not.toBe('');
    }, { timeoutMs: 30_000, intervalMs: 300 });
    const url = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' }, Buffer.from(response, 'base64')).toString();
    const vm = await get('fvm-1');
    expect(hosts).toContain(vm.status.nodeName);
    const frames: string[] = [];
    const ws = new WebSocket(url, { ca: cluster.caCertPem });
    const closed = new Promise<{ code: number; reason: string } | { refused: number }>((resolve) => {
      ws.on('message', (d) => frames.push(d.toString()));
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode! }));
      ws.on('error', () => undefined);
    });
    await eventually(async () => expect(frames.join('')).toContain('fvm-1 login:'), { timeoutMs: 20_000, intervalMs: 200 });
    expect(frames.join('')).toContain(`OpenPacific sim hypervisor: powering on ${NS}/fvm-1 (1 vCPU, 1024 MiB)`);
    expect(frames.join('')).toContain(`eth0: link up, address ${vm.status.network.primaryIP4}`);
    // The host goes on serving it: powering the VM off ends the console with its last line.
    expect((await power('fvm-1', 'PoweredOff')).status).toBe(200);
    expect(await closed).toEqual({ code: 1000, reason: 'the VM powered off' });
    expect(frames.join('')).toMatch(/OpenPacific sim hypervisor: fvm-1 powered off \(\w+\)\n$/);
  }, 60_000);

  it('deletes the VMs: each host destroys its VM and removes the finalizer, and the objects go', async () => {
    const deleted = await cluster.kubectl(['delete', 'vm', '-n', NS, '-l', 'app=fleet-vm', '--wait=true', '--timeout=30s']);
    expect(deleted.code).toBe(0);
    expect(await list()).toEqual([]);
    for (const name of names) expect((await cluster.request('GET', `${GROUP}/virtualmachines/${name}`)).status).toBe(404);
  }, 60_000);

  it('leaves a log in which no VM ran on two hosts at once, nor was moved off a host', async () => {
    const pool = new Pool({ connectionString: cluster.databaseUrl, max: 1 });
    try {
      const { doubleRuns, ok } = await checkInvariants(pool);
      const moved = (await pool.query('SELECT count(*)::int AS n FROM events WHERE type = $1', [VirtualMachineEventTypes.unplaced])).rows[0].n;
      expect({ doubleRuns, ok, moved }).toEqual({ doubleRuns: [], ok: true, moved: 0 });
    } finally {
      await pool.end();
    }
  });
});
