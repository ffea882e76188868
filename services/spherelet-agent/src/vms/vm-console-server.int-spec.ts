import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { vmConsoleSubject, VmConsoleReply, VmConsoleRequest } from '@openpacific/contracts';
import { connectNats, requestJson } from '@openpacific/messaging';
import { eventually, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { SimHypervisor } from './sim-hypervisor';
import { VmConsoleServer } from './vm-console-server';

// The guest is its own Node process: the built script (npm test builds first).
const guestScript = resolve(__dirname, '..', '..', 'dist', 'vms', 'sim-guest.js');
type Answer = VmConsoleReply | { error: { code: string; message: string } };

describe('the VM console server', () => {
  const prefix = uniqueNatsPrefix('vmconsole');
  const root = mkdtempSync(join(tmpdir(), 'sim-console-'));
  const hv = new SimHypervisor(root, { guestScript, bootMs: 100, softStopMs: 2000 });
  let nc: NatsConnection;
  let server: VmConsoleServer;
  const read = (uid: string, fromByte: number) => requestJson<VmConsoleRequest, Answer>(nc, vmConsoleSubject(prefix, 'host-a'), { uid, fromByte }, 3000);
  const text = async (uid: string) => {
    const r = await read(uid, 0);
    if ('error' in r) throw new Error(r.error.message);
    return r;
  };

  beforeAll(async () => {
    if (!existsSync(guestScript)) throw new Error(`${guestScript} missing: run npm run build first`);
    nc = await connectNats({ url: testNatsUrl, name: 'vm-console-server-test' });
    server = new VmConsoleServer(nc, prefix, 'host-a', hv);
    server.start();
  });
  afterAll(async () => {
    server?.stop();
    await hv.destroy('c-1').catch(() => undefined);
    await nc?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers the console of a running guest: the power-on, the boot and a login prompt naming the VM', async () => {
    await hv.create({ uid: 'c-1', name: 'web-1', namespace: 'team-a', epoch: 1, cpus: 1, memoryBytes: 2 ** 30, ip: '127.65.0.21', ports: [2223] });
    await hv.powerOn('c-1');
    await eventually(async () => expect((await text('c-1')).content).toContain('web-1 login:'));
    const r = await text('c-1');
    expect(r.powerState).toBe('PoweredOn');
    expect(r.content.split('\n')[0]).toBe('OpenPacific sim hypervisor: powering on team-a/web-1 (1 vCPU, 1024 MiB)');
    expect(r.content).toContain('Booting web-1 (OpenPacific sim guest)');
    expect(r.content).toContain('eth0: link up, address 127.65.0.21');
    expect(r.nextByte).toBe(Buffer.byteLength(r.content));
    const more = await read('c-1', r.nextByte);
    expect(more).toEqual({ content: '', nextByte: r.nextByte, powerState: 'PoweredOn' });
  });

  it('goes on with the guest’s shutdown and the power-off, and says the VM is off', async () => {
    const before = await text('c-1');
    await hv.powerOff('c-1', 'Soft');
    const after = await read('c-1', before.nextByte);
    expect(after).toMatchObject({ powerState: 'PoweredOff' });
    expect((after as VmConsoleReply).content).toMatch(/\] Stopping services\.\.\.\n.*\] reboot: Power down\nOpenPacific sim hypervisor: web-1 powered off \(Soft\)\n$/);
  });

  it('answers a VM it does not have, or a bad read, with an error code', async () => {
    expect(await read('nope', 0)).toEqual({ error: { code: 'HYPERVISOR.NOT_FOUND', message: 'no VM nope on this host' } });
    expect(await read('c-1', -1)).toMatchObject({ error: { code: 'HYPERVISOR.INVALID' } });
  });
});
