import { CrxErrorCodes } from '@openpacific/contracts';
import { SimRuntime } from './sim-runtime';

const sandboxConfig = (podUid: string) => ({ podUid, podName: podUid, podNamespace: 'default', epoch: 1 });

describe('the in-process sim runtime', () => {
  it('runs a container the moment it starts, one sandbox per pod, each with its own address', async () => {
    const rt = new SimRuntime(3);
    const a = await rt.runPodSandbox(sandboxConfig('a'));
    expect(await rt.runPodSandbox(sandboxConfig('a'))).toBe(a);
    const b = await rt.runPodSandbox(sandboxConfig('b'));
    expect(a.ip).not.toBe(b.ip);
    const created = await rt.createContainer(a.id, { name: 'c', image: 'busybox' } as any, 0);
    expect(created.state).toBe('CONTAINER_CREATED');
    expect((await rt.startContainer(created.id)).state).toBe('CONTAINER_RUNNING');
    await expect(rt.startContainer(created.id)).rejects.toMatchObject({ code: CrxErrorCodes.conflict });
    expect((await rt.listContainers(a.id)).map((c) => c.state)).toEqual(['CONTAINER_RUNNING']);
    expect(await rt.listContainers(b.id)).toEqual([]);
  });

  it('stops and removes a sandbox with its containers', async () => {
    const rt = new SimRuntime(1);
    const s = await rt.runPodSandbox(sandboxConfig('a'));
    const c = await rt.createContainer(s.id, { name: 'c', image: 'busybox' } as any, 0);
    await rt.startContainer(c.id);
    await rt.stopPodSandbox(s.id);
    expect((await rt.listContainers(s.id))[0].state).toBe('CONTAINER_EXITED');
    await rt.removePodSandbox(s.id);
    expect(await rt.listPodSandboxes()).toEqual([]);
    expect(await rt.listContainers()).toEqual([]);
  });

  it('gives a pod whose sandbox stopped a new one, and the stopped one stays until removed', async () => {
    const rt = new SimRuntime(1);
    const old = await rt.runPodSandbox(sandboxConfig('a'));
    await rt.stopPodSandbox(old.id);
    const fresh = await rt.runPodSandbox(sandboxConfig('a'));
    expect(fresh.id).not.toBe(old.id);
    expect(await rt.runPodSandbox(sandboxConfig('a'))).toBe(fresh);
    await rt.removePodSandbox(old.id);
    expect(await rt.runPodSandbox(sandboxConfig('a'))).toBe(fresh);
    await rt.removePodSandbox(fresh.id);
    expect((await rt.runPodSandbox(sandboxConfig('a'))).id).not.toBe(fresh.id);
  });
});
