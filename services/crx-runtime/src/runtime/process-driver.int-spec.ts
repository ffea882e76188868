import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '@openpacific/testing';
import { ProcessDriver } from './process-driver';
import { alive, processTree } from './process-tree';

// The host's shim runs as its own Node process, so it is the built one (npm test builds first).
const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');

describe('the process driver', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-test-'));
  let driver: ProcessDriver;
  const sandboxConfig = (name: string) => ({ podUid: `uid-${name}`, podName: name, podNamespace: 'default' });

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    driver = new ProcessDriver(root, 7, shim);
  });
  afterAll(async () => {
    for (const s of driver.listPodSandboxes()) await driver.removePodSandbox(s.id);
    rmSync(root, { recursive: true, force: true });
  });

  const isolating = new ProcessDriver(mkdtempSync(join(tmpdir(), 'crx-probe-')), 0, shim).images.isolating;

  it('runs a container as a real process with its own pod IP, logs its output, and stops the whole tree', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('hello'));
    expect(sandbox.ip).toMatch(/^127\.107\.\d+\.\d+$/);
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello $POD_IP; sleep 3600 & sleep 3600'] }, 0);
    const started = await driver.startContainer(c.id);
    expect(started.state).toBe('CONTAINER_RUNNING');
    expect(alive(started.pid)).toBe(true);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe(`hello ${sandbox.ip}\n`));
    expect(driver.readLogs({ containerId: c.id, timestamps: true }).content).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z hello/);
    const stopped = await driver.stopContainer(c.id, 2);
    expect(stopped).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 143, reason: 'Error' });
    expect(alive(started.pid)).toBe(false);
    expect(driver.cgroups.available ? driver.cgroups.pids(c.id) : []).toEqual([]);
  });

  it('ends a stop under way sooner when asked to stop again with a shorter grace period (a pod\'s grace period shortened)', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('stubborn'));
    // SIGTERM ignored, by the sleep too: only the SIGKILL at the end of the grace period ends it.
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', "trap '' TERM; echo up; sleep 3600"] }, 0);
    const started = await driver.startContainer(c.id);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe('up\n'));
    const tree = processTree(started.pid!);
    const first = driver.stopPodSandbox(sandbox.id, 300);
    await new Promise((r) => setTimeout(r, 500));
    expect(alive(started.pid)).toBe(true);
    const shortenedAt = Date.now();
    await driver.stopPodSandbox(sandbox.id, 1);
    await first;
    expect(Date.now() - shortenedAt).toBeLessThan(5_000);
    expect(tree.filter(alive)).toEqual([]);
    expect(driver.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 137 });
  });

  it('runs args alone as the command line for an image without an entrypoint, as kubectl run -- sh -c does', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('args'));
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', args: ['sh', '-c', 'echo from args'] }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe('from args\n'));
  });

  // Isolation needs root and Debian's busybox-static (/bin/busybox) for the image's root filesystem.
  (isolating ? it : it.skip)('runs a container in its image, with its own root, PID namespace and emptyDir volumes shared by the pod', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('isolated'));
    const mounts = [{ name: 'shared', mountPath: '/data' }];
    const writer = driver.createContainer(sandbox.id, { name: 'w', image: 'busybox', command: ['sh', '-c', 'echo pid $$; echo host $(hostname); ls /; echo from-w > /data/note; sleep 3600'], mounts }, 0);
    const reader = driver.createContainer(sandbox.id, { name: 'r', image: 'busybox', command: ['sh', '-c', 'sleep 3600'], mounts, workingDir: '/data' }, 0);
    await driver.startContainer(writer.id);
    await driver.startContainer(reader.id);
    // Its own PID namespace: a small PID, after the container's init (PID 1) and its set-up commands.
    await eventually(() => expect(driver.readLogs({ containerId: writer.id }).content).toMatch(/^pid \d{1,2}\n/));
    // `ls` writes after the echo: its lines may reach the log a moment later.
    await eventually(() => expect(driver.readLogs({ containerId: writer.id }).content).toContain('\nbin\n'));
    const listing = driver.readLogs({ containerId: writer.id }).content;
    expect(listing).not.toContain('\nwork\n');
    // Its host name is its pod's (its own UTS namespace).
    expect(listing).toContain('\nhost isolated\n');
    await eventually(async () => expect(await driver.execSync({ containerId: reader.id, command: ['cat', 'note'] })).toMatchObject({ exitCode: 0, stdout: 'from-w\n' }));
    expect((await driver.execSync({ containerId: reader.id, command: ['test', '-f', '/work/main/package.json'] })).exitCode).not.toBe(0);
    // Its /proc shows its own processes only (its init, the command, this exec: never the host's hundreds), and is
    // mounted without set-uid, devices or executables.
    const procs = await driver.execSync({ containerId: reader.id, command: ['sh', '-c', 'ls -d /proc/[0-9]*'] });
    expect(procs.stdout.trim().split('\n').length).toBeLessThan(8);
    expect(procs.stdout).toContain('/proc/1\n');
    const procMount = (await driver.execSync({ containerId: reader.id, command: ['grep', '^proc /proc ', '/proc/mounts'] })).stdout;
    expect(procMount).toMatch(/\bnosuid\b/);
    expect(procMount).toMatch(/\bnoexec\b/);
    await driver.stopContainer(writer.id, 1);
    await driver.stopContainer(reader.id, 1);
  });

  (isolating ? it : it.skip)('joins a target container\'s PID namespace (kubectl debug --target): each sees the other\'s processes', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('targeted'));
    const app = driver.createContainer(sandbox.id, { name: 'app', image: 'busybox', command: ['sh', '-c', 'exec sleep 4242'] }, 0);
    await driver.startContainer(app.id);
    await eventually(async () => expect((await driver.execSync({ containerId: app.id, command: ['true'] })).exitCode).toBe(0));
    const dbg = driver.createContainer(sandbox.id, { name: 'dbg', image: 'busybox', command: ['sh', '-c', 'ps -o pid,args; sleep 3600'], targetContainerId: app.id }, 0);
    await driver.startContainer(dbg.id);
    // The target's command is PID 2 there (after its init): the debug container is in that namespace, not one of its own.
    await eventually(() => expect(driver.readLogs({ containerId: dbg.id }).content).toMatch(/^\s*2 sleep 4242$/m));
    expect((await driver.execSync({ containerId: app.id, command: ['sh', '-c', 'ps -o args'] })).stdout).toContain('sleep 3600');
    // A container of another pod is no target.
    const other = driver.runPodSandbox(sandboxConfig('other'));
    expect(() => driver.createContainer(other.id, { name: 'x', image: 'busybox', command: ['true'], targetContainerId: app.id }, 0)).toThrow(/is not in pod sandbox/);
    await driver.stopContainer(dbg.id, 1);
    await driver.stopContainer(app.id, 1);
  });

  (isolating ? it : it.skip)('keeps a container\'s mounts in its own mount namespace, under a shared mount too (systemd makes / shared)', async () => {
    // The driver's root on a shared mount: a container whose mounts were not private would show them here.
    const shared = mkdtempSync(join(tmpdir(), 'crx-shared-'));
    execFileSync('mount', ['--bind', shared, shared]);
    execFileSync('mount', ['--make-shared', shared]);
    const onShared = new ProcessDriver(join(shared, 'host'), 8, shim);
    try {
      const sandbox = onShared.runPodSandbox(sandboxConfig('mounts'));
      const c = onShared.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'echo up; sleep 3600'] }, 0);
      await onShared.startContainer(c.id);
      await eventually(() => expect(onShared.readLogs({ containerId: c.id }).content).toBe('up\n'));
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(sandbox.directory);
    } finally {
      for (const s of onShared.listPodSandboxes()) await onShared.removePodSandbox(s.id);
      execFileSync('umount', ['--lazy', shared]);
      rmSync(shared, { recursive: true, force: true });
    }
  });

  // Without isolation the container is not the init of a PID namespace: only its first process has the
  // parent-death signal, so what it started in the background would outlive the shim.
  (isolating ? it : it.skip)('gives each container a process group of its own, and ends it when its shim dies (a host killed as a whole)', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('group'));
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600 & sleep 3600'] }, 0);
    const { pid } = await driver.startContainer(c.id);
    const status = JSON.parse(readFileSync(join(sandbox.directory, 'logs', 'c.0.status.json'), 'utf8'));
    const groupOf = (p: number) => Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[2]);
    expect(groupOf(pid!)).toBe(pid);
    expect(groupOf(pid!)).not.toBe(groupOf(status.shimPid));
    expect(groupOf(pid!)).not.toBe(groupOf(process.pid));
    await eventually(() => expect(processTree(pid!).length).toBeGreaterThanOrEqual(3));
    const tree = processTree(pid!);
    process.kill(status.shimPid, 'SIGKILL');
    await eventually(() => expect(tree.filter((p) => alive(p))).toEqual([]));
    expect(driver.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 137 });
    // The next test's start must not go to the dead shim's connection before the driver has seen it close (a start
    // racing a shim's death fails once, with ShimGoneError): wait until it has let go of it.
    await eventually(() => expect((driver as unknown as { shim: { socket?: unknown } }).shim.socket).toBeUndefined());
  });

  // crx-init (native/crx-init.c) is the isolated container's set-up and its PID 1.
  (isolating ? it : it.skip)('passes a signal for the container on to its command and exits as the command did; a set-up that fails says why in its log', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('signals'));
    const script = 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done';
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', script] }, 0);
    const { pid } = await driver.startContainer(c.id);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe('ready\n'));
    // The tree: the process the shim started (on the host), the init (PID 1 inside), the command.
    const [, init, command] = processTree(pid!);
    expect(readFileSync(`/proc/${command}/cmdline`, 'utf8').split('\0')[0]).toBe('sh');
    // The init names itself, not the host path it was started from: ps in the container shows `crx-init sh -c …`.
    expect(readFileSync(`/proc/${init}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0')).toEqual(['crx-init', 'sh', '-c', script]);
    expect((await driver.execSync({ containerId: c.id, command: ['cat', '/proc/1/cmdline'] })).stdout).not.toContain('/crx-runtime/');
    // Only the init is signalled: it forwards, as PID 1 of the container's namespace, and the command's status comes back.
    process.kill(init, 'SIGTERM');
    await eventually(() => expect(driver.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 7 }));
    expect(driver.readLogs({ containerId: c.id }).content).toBe('ready\ngot TERM\n');

    // A working directory that cannot be made inside the image (under a file): the start ends with 1, and the log says why.
    const bad = driver.createContainer(sandbox.id, { name: 'bad', image: 'busybox', command: ['true'], workingDir: '/bin/busybox/wd' }, 0);
    await driver.startContainer(bad.id);
    await eventually(() => expect(driver.containerStatus(bad.id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 1, reason: 'Error' }));
    expect(driver.readLogs({ containerId: bad.id }).content).toBe('crx-init: mkdir /bin/busybox/wd in the root: Not a directory\n');
  });

  it('starts the containers of a host through one shim, which a restarted runtime reuses, and a new one after it died', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('shared-shim'));
    const shimOf = (name: string) => JSON.parse(readFileSync(join(sandbox.directory, 'logs', `${name}.0.status.json`), 'utf8')).shimPid as number;
    const start = async (d: ProcessDriver, name: string) => (await d.startContainer(d.createContainer(sandbox.id, { name, image: 'busybox', command: ['sleep', '3600'] }, 0).id)).pid!;
    const first = await start(driver, 'a');
    await start(driver, 'b');
    expect(shimOf('b')).toBe(shimOf('a'));
    // A restarted runtime (same root) talks to the same shim: its containers keep their parent.
    const restarted = new ProcessDriver(root, 7, shim);
    await start(restarted, 'c');
    expect(shimOf('c')).toBe(shimOf('a'));
    process.kill(shimOf('a'), 'SIGKILL');
    await eventually(() => expect(alive(first)).toBe(false));
    const after = await start(restarted, 'd');
    expect(alive(after)).toBe(true);
    expect(shimOf('d')).not.toBe(shimOf('a'));
    await restarted.stopContainer(restarted.listContainers(sandbox.id).find((c) => c.name === 'd')!.id, 1);
  });

  it('writes the state once for changes made together, holds them all when persisted() resolves, and reports a write that failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crx-state-'));
    const statePath = join(dir, 'state.json');
    const onDisk = () => Object.keys(JSON.parse(readFileSync(statePath, 'utf8')).sandboxes).sort();
    try {
      const burst = new ProcessDriver(dir, 6, shim);
      const ids = Array.from({ length: 20 }, (_, i) => burst.runPodSandbox(sandboxConfig(`burst-${i}`)).id);
      // Nothing written while they are made; one write after them holds all twenty.
      expect(existsSync(statePath)).toBe(false);
      await burst.persisted();
      expect(onDisk()).toEqual([...ids].sort());
      // A restarted runtime finds them.
      expect(new ProcessDriver(dir, 6, shim).listPodSandboxes().map((s) => s.id).sort()).toEqual([...ids].sort());
      // A write that fails is reported to whoever waits for it (the server then answers with the error), and the
      // change is written at the next wait.
      mkdirSync(`${statePath}.tmp`);
      const late = burst.runPodSandbox(sandboxConfig('late'));
      await expect(burst.persisted()).rejects.toThrow(/EISDIR|directory/);
      expect(onDisk()).not.toContain(late.id);
      rmSync(`${statePath}.tmp`, { recursive: true });
      await burst.persisted();
      expect(onDisk()).toContain(late.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Skipped where containers cannot run isolated (not root, or no busybox-static): there is no root to build.
  (isolating ? it : it.skip)('builds the built-in busybox root when it starts, before any container asks for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crx-warm-'));
    try {
      new ProcessDriver(dir, 5, shim);
      const complete = join(dir, 'images', 'busybox', 'rootfs', '.complete');
      expect(existsSync(complete)).toBe(false); // not while the driver is made
      await eventually(() => expect(existsSync(complete)).toBe(true));
      expect(existsSync(join(dir, 'images', 'busybox', 'rootfs', 'bin', 'sh'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the sandboxes of the pods a filter names and the containers of the sandboxes named', () => {
    const a = driver.runPodSandbox(sandboxConfig('listed-a'));
    const b = driver.runPodSandbox(sandboxConfig('listed-b'));
    const inA = driver.createContainer(a.id, { name: 'c', image: 'busybox', command: ['true'] }, 0);
    const inB = driver.createContainer(b.id, { name: 'c', image: 'busybox', command: ['true'] }, 0);
    const ids = (items: { id: string }[]) => items.map((i) => i.id);
    expect(ids(driver.listPodSandboxes({ pods: ['default/listed-a', 'other/listed-b'] }))).toEqual([a.id]);
    expect(ids(driver.listContainers([a.id]))).toEqual([inA.id]);
    expect(driver.listContainers([])).toEqual([]);
    expect(ids(driver.listPodSandboxes())).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(ids(driver.listContainers())).toEqual(expect.arrayContaining([inA.id, inB.id]));
  });

  it('reports exit codes and commands that cannot run', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('fails'));
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 3'] }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 3, reason: 'Error' }));
    expect(() => driver.createContainer(sandbox.id, { name: 'd', image: 'busybox', command: ['no-such-command'] }, 0)).toThrow('exec: "no-such-command": executable file not found in $PATH');
    expect(() => driver.createContainer(sandbox.id, { name: 'e', image: 'nginx:1.27' }, 0)).toThrow(/not in the local image store/);
  });

  it('adopts running containers after a restart instead of starting them again', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('kept'));
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sleep', '3600'] }, 0);
    const { pid } = await driver.startContainer(c.id);
    const restarted = new ProcessDriver(root, 7, shim);
    expect(restarted.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_RUNNING', pid });
    expect(restarted.runPodSandbox(sandboxConfig('kept')).id).toBe(sandbox.id);
    await restarted.stopContainer(c.id, 1);
    driver = restarted;
  });

  const withCgroups = new ProcessDriver(mkdtempSync(join(tmpdir(), 'crx-probe-')), 0, shim).cgroups.available;
  // Without writable cgroups (not root, or a read-only cgroupfs) memory limits cannot be enforced here.
  (withCgroups ? it : it.skip)('ends a container that allocates past its memory limit as OOMKilled', async () => {
    const sandbox = driver.runPodSandbox(sandboxConfig('oom'));
    const hog = `awk 'BEGIN { s = "x"; while (1) s = s s }'`;
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', hog], limits: { memoryBytes: 64 * 1024 * 1024 } }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_EXITED', reason: 'OOMKilled', exitCode: 137 }), { timeoutMs: 20_000 });
  }, 30_000);
});
