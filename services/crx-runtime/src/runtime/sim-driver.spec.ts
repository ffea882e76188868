import { CrxErrorCodes } from '@openpacific/contracts';
import { SimDriver } from './sim-driver';

describe('the sim driver', () => {
  const config = (name: string) => ({ podUid: `u-${name}`, podName: name, podNamespace: 'default' });

  it('runs containers without processes after the start delay', async () => {
    const driver = new SimDriver(1, { startDelayMs: 30, failureRate: 0 });
    const sandbox = driver.runPodSandbox(config('a'));
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'anything' }, 0);
    const starting = driver.startContainer(c.id);
    expect(driver.containerStatus(c.id).state).toBe('CONTAINER_CREATED');
    await expect(driver.startContainer(c.id)).rejects.toThrow('already started');
    expect((await starting).state).toBe('CONTAINER_RUNNING');
    expect(driver.containerStatus(c.id).state).toBe('CONTAINER_RUNNING');
    expect((await driver.stopContainer(c.id)).state).toBe('CONTAINER_EXITED');
  });

  it('reports no image id: a sim host has no image for the name to resolve to', () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    const sandbox = driver.runPodSandbox(config('no-image'));
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox' }, 0);
    expect(driver.containerStatus(c.id)).not.toHaveProperty('imageRef');
  });

  it('fails the configured share of starts with exit code 1', async () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0.5, random: (() => { let i = 0; return () => (i++ % 2 === 0 ? 0.1 : 0.9); })() });
    const sandbox = driver.runPodSandbox(config('b'));
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const c = driver.createContainer(sandbox.id, { name: `c${i}`, image: 'x' }, 0);
      await driver.startContainer(c.id);
      ids.push(c.id);
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(ids.map((id) => driver.containerStatus(id).exitCode)).toEqual([1, undefined, 1, undefined]);
  });

  it('lists the sandboxes of the pods a filter names and the containers of the sandboxes named, everything without', () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    const a = driver.runPodSandbox(config('a'));
    const b = driver.runPodSandbox(config('b'));
    const c = driver.runPodSandbox({ ...config('c'), podNamespace: 'other' });
    const inA = driver.createContainer(a.id, { name: 'x', image: 'x' }, 0);
    const inB = driver.createContainer(b.id, { name: 'x', image: 'x' }, 0);
    const inC = driver.createContainer(c.id, { name: 'x', image: 'x' }, 0);
    const ids = (items: { id: string }[]) => items.map((i) => i.id);
    expect(ids(driver.listPodSandboxes({ pods: ['default/a', 'default/c', 'other/c'] }))).toEqual([a.id, c.id]);
    expect(driver.listPodSandboxes({ pods: [] })).toEqual([]);
    expect(ids(driver.listPodSandboxes())).toEqual([a.id, b.id, c.id]);
    expect(ids(driver.listContainers([a.id, c.id]))).toEqual([inA.id, inC.id]);
    expect(ids(driver.listContainers(b.id))).toEqual([inB.id]);
    expect(driver.listContainers([])).toEqual([]);
    expect(ids(driver.listContainers())).toEqual([inA.id, inB.id, inC.id]);
  });

  it('checks and records a volume\'s files without writing any, answers 0 for the same files again, and forgets them with the sandbox', async () => {
    const driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    const sandbox = driver.runPodSandbox(config('v'));
    const files = [{ path: 'key', data: Buffer.from('value').toString('base64'), mode: 0o644 }, { path: 'dir/nested', data: '', mode: 0o600 }];
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files })).toEqual({ written: 2 });
    expect(driver.volume(sandbox.id, 'config')).toEqual(files);
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: files.map((f) => ({ ...f })) })).toEqual({ written: 0 });
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [{ ...files[0], mode: 0o400 }] })).toEqual({ written: 1 });
    expect(driver.volume(sandbox.id, 'config')).toEqual([{ ...files[0], mode: 0o400 }]);

    for (const path of ['/abs', '../up', 'a/../b', '..data', '']) {
      expect(() => driver.writeVolume({ sandboxId: sandbox.id, name: 'other', files: [{ path, data: '', mode: 0o644 }] })).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
    }
    expect(() => driver.writeVolume({ sandboxId: sandbox.id, name: '../up', files: [] })).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
    expect(driver.volume(sandbox.id, 'other')).toBeUndefined();
    expect(() => driver.writeVolume({ sandboxId: 'nope', name: 'config', files })).toThrow(expect.objectContaining({ code: CrxErrorCodes.notFound }));

    await driver.removePodSandbox(sandbox.id);
    expect(driver.volume(sandbox.id, 'config')).toBeUndefined();
  });
});
