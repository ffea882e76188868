import { MemoryHypervisor } from './memory-hypervisor';

const spec = { uid: 'u-1', name: 'vm-1', namespace: 'ns', epoch: 1, ip: '127.70.0.1', ports: [22], cpus: 1, memoryBytes: 2 ** 30 };

describe('the in-memory hypervisor of a simulated host', () => {
  it('creates a VM powered off with fixed identities, and powers it on with a guest that answers at once', async () => {
    const hv = new MemoryHypervisor();
    const created = await hv.create(spec);
    expect(created).toMatchObject({ powerState: 'PoweredOff', guestHeartbeat: 'gray', uniqueID: 'vm-u-1' });
    expect(await hv.create(spec)).toEqual(created);
    const on = await hv.powerOn('u-1');
    expect(on).toMatchObject({ powerState: 'PoweredOn', guestHeartbeat: 'green', biosUUID: created.biosUUID });
    expect(on.poweredOnAt).toBeDefined();
    expect(await hv.create({ ...spec, biosUUID: 'other' })).toMatchObject({ biosUUID: created.biosUUID });
  });

  it('publishes the guestinfo keys its runcmd sets while powered on or suspended, and drops them at power-off', async () => {
    const hv = new MemoryHypervisor();
    const userData = '#cloud-config\nruncmd:\n  - vmware-rpctool "info-set guestinfo.ready true"\n  - [vmware-rpctool, "info-set guestinfo.role web"]\n';
    expect((await hv.create({ ...spec, userData })).guestInfo).toBeUndefined();
    const keys = { 'guestinfo.ready': 'true', 'guestinfo.role': 'web' };
    expect((await hv.powerOn('u-1')).guestInfo).toEqual(keys);
    expect((await hv.suspend('u-1')).guestInfo).toEqual(keys);
    expect((await hv.powerOff('u-1', 'Hard')).guestInfo).toBeUndefined();
    expect((await hv.guestInfo('u-1')).guestInfo).toBeUndefined();
    expect((await hv.powerOn('u-1')).guestInfo).toEqual(keys);
    const plain = new MemoryHypervisor();
    await plain.create(spec);
    expect((await plain.powerOn('u-1')).guestInfo).toBeUndefined();
  });

  it('keeps identities a VM brought from another host', async () => {
    const hv = new MemoryHypervisor();
    expect(await hv.create({ ...spec, biosUUID: 'b', instanceUUID: 'i' })).toMatchObject({ biosUUID: 'b', instanceUUID: 'i' });
  });

  it('suspends, powers off, resizes only when off, and destroys', async () => {
    const hv = new MemoryHypervisor();
    await hv.create(spec);
    await hv.powerOn('u-1');
    expect(await hv.suspend('u-1')).toMatchObject({ powerState: 'Suspended', guestHeartbeat: 'gray' });
    await expect(hv.reconfigure('u-1', { cpus: 2, memoryBytes: 2 ** 31 })).rejects.toMatchObject({ code: 'HYPERVISOR.POWERED_ON' });
    expect(await hv.powerOff('u-1', 'Soft')).toMatchObject({ powerState: 'PoweredOff', poweredOnAt: undefined });
    expect(await hv.reconfigure('u-1', { cpus: 2, memoryBytes: 2 ** 31 })).toMatchObject({ cpus: 2, memoryBytes: 2 ** 31 });
    expect(await hv.attachDisks('u-1', [{ name: 'data', path: '/nowhere' }])).toEqual(['data']);
    expect((await hv.list()).map((v) => v.uid)).toEqual(['u-1']);
    await hv.destroy('u-1');
    expect(await hv.list()).toEqual([]);
    await expect(hv.guestInfo('u-1')).rejects.toMatchObject({ code: 'HYPERVISOR.NOT_FOUND' });
  });
});
