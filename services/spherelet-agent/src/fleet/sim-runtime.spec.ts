import { CrxErrorCodes } from '@openpacific/contracts';
import { SimRuntime } from './sim-runtime';

const sandboxConfig = (podUid: string, podName = podUid) => ({ podUid, podName, podNamespace: 'default', epoch: 1 });

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

  it('answers for the pods a filter names only: each of their sandboxes whatever its uid or state, and their containers', async () => {
    const rt = new SimRuntime(1);
    const stopped = await rt.runPodSandbox(sandboxConfig('a-old', 'a'));
    await rt.stopPodSandbox(stopped.id);
    const a = await rt.runPodSandbox(sandboxConfig('a-new', 'a'));
    const b = await rt.runPodSandbox(sandboxConfig('b'));
    const c = await rt.runPodSandbox(sandboxConfig('c'));
    const inA = await rt.createContainer(a.id, { name: 'x', image: 'busybox' }, 0);
    const inB = await rt.createContainer(b.id, { name: 'x', image: 'busybox' }, 0);
    await rt.createContainer(c.id, { name: 'x', image: 'busybox' }, 0);
    const ids = (sandboxes: { id: string }[]) => sandboxes.map((s) => s.id);

    expect(ids(await rt.listPodSandboxes({ pods: ['default/a', 'default/b', 'default/gone', 'other/c'] }))).toEqual([stopped.id, a.id, b.id]);
    expect(await rt.listPodSandboxes({ pods: [] })).toEqual([]);
    expect(ids(await rt.listContainers([a.id, b.id]))).toEqual([inA.id, inB.id]);
    expect(await rt.listContainers([stopped.id])).toEqual([]);
    expect(await rt.listContainers([])).toEqual([]);
    // Without a filter: everything, as before there was one.
    expect(ids(await rt.listPodSandboxes())).toEqual([stopped.id, a.id, b.id, c.id]);
    expect(await rt.listContainers()).toHaveLength(3);
  });

  it('leaves a removed sandbox out of the answers for its pod, and adds the pod\'s next one', async () => {
    const rt = new SimRuntime(1);
    const first = await rt.runPodSandbox(sandboxConfig('a'));
    await rt.createContainer(first.id, { name: 'x', image: 'busybox' }, 0);
    await rt.removePodSandbox(first.id);
    expect(await rt.listPodSandboxes({ pods: ['default/a'] })).toEqual([]);
    expect(await rt.listContainers([first.id])).toEqual([]);
    const next = await rt.runPodSandbox(sandboxConfig('a'));
    expect(await rt.listPodSandboxes({ pods: ['default/a'] })).toEqual([next]);
  });

  it('gives every sandbox and container of the process an id of its own, in hex digits', async () => {
    const hosts = [new SimRuntime(1), new SimRuntime(2)];
    const ids: string[] = [];
    for (const rt of hosts) {
      for (let i = 0; i < 50; i++) {
        const s = await rt.runPodSandbox(sandboxConfig(`p${i}`));
        const c = await rt.createContainer(s.id, { name: 'x', image: 'busybox' }, 0);
        expect(s.id).toMatch(/^[0-9a-f]{12}$/);
        expect(c.id).toMatch(/^[0-9a-f]{16}$/);
        ids.push(s.id, c.id);
      }
    }
    expect(new Set(ids).size).toBe(200);
  });
});
