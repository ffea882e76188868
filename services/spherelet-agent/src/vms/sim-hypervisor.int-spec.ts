import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '@openpacific/testing';
import { SimHypervisor } from './sim-hypervisor';

// The guest is its own Node process: the built script (npm test builds first).
const guestScript = resolve(__dirname, '..', '..', 'dist', 'vms', 'sim-guest.js');

function greet(ip: string, port: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect({ host: ip, port }, () => undefined);
    s.once('data', (d) => {
      res(d.toString());
      s.destroy();
    });
    s.once('error', rej);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('the sim hypervisor', () => {
  const root = mkdtempSync(join(tmpdir(), 'sim-hv-'));
  const hv = new SimHypervisor(root, { guestScript, bootMs: 100, softStopMs: 1000 });
  const spec = { uid: 'u-1', name: 'web-1', namespace: 'team-a', epoch: 1, cpus: 2, memoryBytes: 2 ** 30, ip: '127.65.0.10', ports: [2222, 8080], userData: '#cloud-config\n' };

  beforeAll(() => {
    if (!existsSync(guestScript)) throw new Error(`${guestScript} missing: run npm run build first`);
  });
  afterAll(async () => {
    await hv.destroy('u-1').catch(() => undefined);
    await hv.destroy('u-2').catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a VM powered off with fixed identities, and powers it on as a guest that listens and heartbeats', async () => {
    const created = await hv.create(spec);
    expect(created).toMatchObject({ powerState: 'PoweredOff', guestHeartbeat: 'gray', uniqueID: 'vm-u-1' });
    expect(created.biosUUID).toMatch(/^[0-9a-f-]{36}$/);
    const on = await hv.powerOn('u-1');
    expect(on.powerState).toBe('PoweredOn');
    await eventually(async () => expect((await hv.guestInfo('u-1')).guestHeartbeat).toBe('green'));
    expect(await greet('127.65.0.10', 8080)).toBe('web-1 8080\n');
    expect(readFileSync(join(root, 'u-1', 'user-data.applied'), 'utf8')).toBe('#cloud-config\n');
    // Created again (an agent that lost track): the same VM, not a second one.
    expect((await hv.create(spec)).biosUUID).toBe(created.biosUUID);
  });

  it('suspends (the guest stops answering) and resumes the same guest', async () => {
    const { pid } = await hv.guestInfo('u-1');
    expect((await hv.suspend('u-1')).powerState).toBe('Suspended');
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) T /);
    expect((await hv.powerOn('u-1')).pid).toBe(pid);
    await eventually(async () => expect((await hv.guestInfo('u-1')).guestHeartbeat).toBe('green'));
  });

  it('powers off softly or hard, refuses to resize a running VM, and resizes a stopped one', async () => {
    await expect(hv.reconfigure('u-1', { cpus: 4, memoryBytes: 2 ** 31 })).rejects.toThrow('must be powered off');
    const { pid } = await hv.guestInfo('u-1');
    expect((await hv.powerOff('u-1', 'TrySoft')).powerState).toBe('PoweredOff');
    expect(alive(pid!)).toBe(false);
    expect(await hv.reconfigure('u-1', { cpus: 4, memoryBytes: 2 ** 31 })).toMatchObject({ cpus: 4, memoryBytes: 2 ** 31 });
    const again = await hv.powerOn('u-1');
    await hv.powerOff('u-1', 'Hard');
    expect(alive(again.pid!)).toBe(false);
  });

  it('reports the guestinfo keys the guest set from its runcmd once it is up, and none after a power-off', async () => {
    const userData = '#cloud-config\nruncmd:\n  - vmware-rpctool "info-set guestinfo.ready true"\n  - [vmware-rpctool, "info-set guestinfo.role web"]\n  - touch /tmp/never\n';
    await hv.create({ ...spec, uid: 'u-2', name: 'web-2', ip: '127.65.0.11', ports: [], userData });
    expect((await hv.powerOn('u-2')).guestInfo).toBeUndefined();
    // Set before the guest reports itself booted: a green heartbeat comes with them.
    await eventually(async () => expect(await hv.guestInfo('u-2')).toMatchObject({ guestHeartbeat: 'green', guestInfo: { 'guestinfo.ready': 'true', 'guestinfo.role': 'web' } }));
    expect((await hv.readConsole('u-2', 0)).content).toContain('cloud-init: runcmd: vmware-rpctool info-set guestinfo.ready');
    expect((await hv.powerOff('u-2', 'Hard')).guestInfo).toBeUndefined();
    await hv.destroy('u-2');
  });

  it('reports a VM whose guest died as off, and finds its VMs again after a restart of the agent', async () => {
    const { pid } = await hv.powerOn('u-1');
    process.kill(pid!, 'SIGKILL');
    await eventually(async () => expect((await hv.guestInfo('u-1')).powerState).toBe('PoweredOff'));
    const again = new SimHypervisor(root, { guestScript, bootMs: 100 });
    expect((await again.list()).map((v) => v.uid)).toEqual(['u-1']);
    await again.destroy('u-1');
    expect(await again.list()).toEqual([]);
  });
});
