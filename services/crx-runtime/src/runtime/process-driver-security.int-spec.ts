import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ContainerConfig, ContainerSecurity, CrxErrorCodes } from '@openpacific/contracts';
import { eventually } from '@openpacific/testing';
import { ProcessDriver } from './process-driver';
import { safeDirName } from './image-store';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');
/** containerd's default capabilities as /proc/<pid>/status prints a set. */
const DEFAULT_CAPS = '00000000a80425fb';

describe('securityContext in the process driver (isolated containers)', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-sec-'));
  let driver: ProcessDriver;
  let pods = 0;

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    driver = new ProcessDriver(join(root, 'runtime'), 11, shim);
    if (!driver.images.isolating) throw new Error('these tests need isolation: root, busybox-static and crx-init (npm run build)');
  });
  afterAll(async () => {
    for (const s of driver.listPodSandboxes()) await driver.removePodSandbox(s.id);
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs `script` in a new pod's container and returns its log once it ended, and the sandbox. */
  async function run(script: string, security?: ContainerSecurity, extra: Partial<ContainerConfig> = {}) {
    const sandbox = driver.runPodSandbox({ podUid: `uid-${++pods}`, podName: `sec-${pods}`, podNamespace: 'default' });
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', script], ...(security ? { security } : {}), ...extra }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.containerStatus(c.id).state).toBe('CONTAINER_EXITED'));
    return { log: driver.readLogs({ containerId: c.id }).content, sandbox, exitCode: driver.containerStatus(c.id).exitCode };
  }

  const status = (log: string, field: string) => new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(log)?.[1].trim();

  it('runs the docs example as uid 1000, gid 3000 with groups 2000, 3000 and 4000, and no effective capabilities', async () => {
    const security = { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000, 4000], fsGroup: 2000 };
    const { log } = await run('id; cat /proc/self/status', security);
    expect(log.split('\n')[0]).toBe('uid=1000 gid=3000 groups=2000,3000,4000');
    expect(status(log, 'Uid')).toBe('1000\t1000\t1000\t1000');
    expect(status(log, 'Gid')).toBe('3000\t3000\t3000\t3000');
    // After exec a non-root user keeps no permitted or effective capability, as under runc; the bounding set stays.
    expect(status(log, 'CapEff')).toBe('0000000000000000');
    expect(status(log, 'CapPrm')).toBe('0000000000000000');
    expect(status(log, 'CapInh')).toBe('0000000000000000');
    expect(status(log, 'CapBnd')).toBe(DEFAULT_CAPS);
    expect(status(log, 'NoNewPrivs')).toBe('0');
  });

  it('runs a container without a securityContext as root with containerd\'s default capabilities only', async () => {
    const { log } = await run('id; cat /proc/self/status');
    expect(log.split('\n')[0]).toBe('uid=0(root) gid=0(root) groups=0(root)');
    expect(status(log, 'CapEff')).toBe(DEFAULT_CAPS);
    expect(status(log, 'CapBnd')).toBe(DEFAULT_CAPS);
    expect(status(log, 'CapAmb')).toBe('0000000000000000');
  });

  it('applies capabilities drop ALL, an add, and allowPrivilegeEscalation: false', async () => {
    const { log } = await run('cat /proc/self/status', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, noNewPrivileges: true });
    expect(status(log, 'CapBnd')).toBe('0000000000000400');
    expect(status(log, 'CapEff')).toBe('0000000000000400');
    expect(status(log, 'NoNewPrivs')).toBe('1');
  });

  it('keeps CAP_SYS_ADMIN from a default container and gives it to a privileged one', async () => {
    const plain = await run('mount -t tmpfs none /tmp && echo mounted');
    expect(plain.log).not.toContain('mounted');
    const privileged = await run('mount -t tmpfs none /tmp && echo mounted', { privileged: true });
    expect(privileged.log).toContain('mounted');
  });

  it('mounts the root read-only with readOnlyRootFilesystem, its emptyDir writable for uid 1000 and the fsGroup\'s', async () => {
    const security = { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000], fsGroup: 2000, readOnlyRootFilesystem: true };
    const script = 'touch /made 2>&1; echo made > /data/file && stat -c "%u %g %a" /data /data/file';
    const { log, sandbox } = await run(script, security, { mounts: [{ name: 'data', mountPath: '/data' }] });
    expect(log).toContain('Read-only file system');
    // The setgid directory gives what is made in it the fsGroup, not the process's gid 3000.
    expect(log).toContain('0 2000 2777\n1000 2000 644');
    expect(statSync(join(sandbox.directory, 'volumes', 'data')).mode & 0o7777).toBe(0o2777);
  });

  it('makes an emptyDir 0777 without an fsGroup, so that a non-root user writes it', async () => {
    const { log } = await run('echo x > /data/f && stat -c "%u %g %a" /data /data/f', { runAsUser: 1000 }, { mounts: [{ name: 'scratch', mountPath: '/data' }] });
    expect(log).toBe('0 0 777\n1000 0 644\n');
  });

  it('gives the files of a content volume to the fsGroup, group readable, with setgid directories', async () => {
    const sandbox = driver.runPodSandbox({ podUid: `uid-${++pods}`, podName: `sec-${pods}`, podNamespace: 'default' });
    const files = [{ path: 'key', data: Buffer.from('secret').toString('base64'), mode: 0o440 }];
    driver.writeVolume({ sandboxId: sandbox.id, name: 'creds', files, fsGroup: 2000 });
    const security = { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000], fsGroup: 2000 };
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'cat /creds/key; echo; stat -L -c "%g %a" /creds /creds/key'], security, mounts: [{ name: 'creds', mountPath: '/creds', readOnly: true }] }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe('secret\n2000 2777\n2000 440\n'));
  });

  it('runs exec sessions and probes as the container\'s user, with its capabilities and no_new_privs', async () => {
    const sandbox = driver.runPodSandbox({ podUid: `uid-${++pods}`, podName: `sec-${pods}`, podNamespace: 'default' });
    const security = { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000], noNewPrivileges: true, capabilities: { drop: ['ALL'] } };
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sleep', '60'], workingDir: '/tmp', security }, 0);
    await driver.startContainer(c.id);
    const exec = await eventually(async () => {
      const r = await driver.execSync({ containerId: c.id, command: ['sh', '-c', 'id; pwd; grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status'], timeoutSeconds: 5 });
      expect(r.exitCode).toBe(0);
      return r;
    });
    expect(exec.stdout).toBe('uid=1000 gid=3000 groups=2000,3000\n/tmp\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n');
    await driver.stopContainer(c.id, 0);
  });

  it('refuses runAsNonRoot for an image that runs as root, as kubelet does, and runs it with a non-root runAsUser', async () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-nonroot', podName: 'nonroot', podNamespace: 'team' });
    const create = (security: ContainerSecurity) => () => driver.createContainer(sandbox.id, { name: 'app', image: 'busybox', command: ['true'], security }, 0);
    expect(create({ runAsNonRoot: true })).toThrow(
      expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'container has runAsNonRoot and image will run as root (pod: "nonroot_team(uid-nonroot)", container: app)' }),
    );
    expect(create({ runAsNonRoot: true, runAsUser: 0 })).toThrow(expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'container\'s runAsUser breaks non-root policy (pod: "nonroot_team(uid-nonroot)", container: app)' }));
    expect(create({ runAsNonRoot: true, runAsUser: 65534 })().state).toBe('CONTAINER_CREATED');
  });

  it('gives a container a /dev of its own with only the devices every container needs, and a privileged one the host\'s', async () => {
    const own = await run('ls -A /dev | tr "\\n" " "; echo; echo x > /dev/null && head -c 4 /dev/zero | wc -c; readlink /dev/fd; ls /dev/pts >/dev/null && echo pts');
    const [listing, ...rest] = own.log.split('\n');
    expect(listing.trim().split(' ').sort()).toEqual(['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
    expect(rest.slice(0, 3).map((l) => l.trim())).toEqual(['4', '/proc/self/fd', 'pts']);
    // The host's disks and consoles are not there to open (this machine's /dev has loop devices and tty1).
    const probe = await run('ls /dev/loop0 /dev/tty1 2>&1; echo done');
    expect(probe.log).toContain('No such file or directory');
    const privileged = await run('ls /dev; grep -c termination-log /proc/self/mountinfo', { privileged: true }, { terminationMessagePath: '/dev/termination-log' });
    expect(privileged.log.split('\n')).toEqual(expect.arrayContaining(['tty1']));
    // Its /dev is the host's: no termination message file is bound (nor made) in it.
    expect(privileged.log.trim().split('\n').pop()).toBe('0');
  });

  it('shares /dev/shm between the containers of a pod and no further', async () => {
    const sandbox = driver.runPodSandbox({ podUid: `uid-${++pods}`, podName: `shm-${pods}`, podNamespace: 'default' });
    const writer = driver.createContainer(sandbox.id, { name: 'w', image: 'busybox', command: ['sh', '-c', 'echo shared > /dev/shm/note'] }, 0);
    await driver.startContainer(writer.id);
    await eventually(() => expect(driver.containerStatus(writer.id).state).toBe('CONTAINER_EXITED'));
    const reader = driver.createContainer(sandbox.id, { name: 'r', image: 'busybox', command: ['cat', '/dev/shm/note'] }, 0);
    await driver.startContainer(reader.id);
    await eventually(() => expect(driver.containerStatus(reader.id).state).toBe('CONTAINER_EXITED'));
    expect(driver.readLogs({ containerId: reader.id }).content).toBe('shared\n');
    const other = await run('cat /dev/shm/note 2>&1; true');
    expect(other.log).toContain('No such file or directory');
  });

  it('reports what a container wrote to its terminationMessagePath, and the tail of its log on FallbackToLogsOnError', async () => {
    const file = await run('echo "config missing" > /dev/termination-log; exit 3', undefined, { terminationMessagePath: '/dev/termination-log' });
    expect(file.exitCode).toBe(3);
    const status = (id: string) => driver.listContainers(id).find((c) => c.name === 'c')!;
    expect(status(file.sandbox.id).message).toBe('config missing\n');
    // Another path, written by a user that is not root; `..` stays inside the container's root.
    const elsewhere = await run('echo done > /tmp/why', { runAsUser: 1000 }, { terminationMessagePath: '/../tmp/why' });
    expect(status(elsewhere.sandbox.id).message).toBe('done\n');
    // Nothing written and a failure: the last 80 lines of the log, as kubelet falls back to them.
    const fallback = await run('for i in $(seq 1 100); do echo line $i; done; exit 1', undefined, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError' });
    const message = status(fallback.sandbox.id).message!;
    expect(message.split('\n')[0]).toBe('line 21');
    expect(message.endsWith('line 100\n')).toBe(true);
    // A success says nothing, whatever the policy.
    const ok = await run('echo fine', undefined, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError' });
    expect(status(ok.sandbox.id).message).toBeUndefined();
  });

  it('resolves an image\'s symbolic links inside its root when it makes mount points: nothing is made or bound on the host', async () => {
    // An image whose /data, /logs and /work lead out of its root to directories of the host.
    const host = mkdtempSync(join(tmpdir(), 'crx-escape-'));
    for (const d of ['data', 'logs', 'work']) mkdirSync(join(host, d));
    const name = 'escape:1';
    const dir = join(root, 'runtime', 'images', safeDirName(name));
    cpSync(driver.images.resolve('busybox')!.rootfs!, join(dir, 'rootfs'), { recursive: true, verbatimSymlinks: true });
    for (const d of ['data', 'logs', 'work']) symlinkSync(join(host, d), join(dir, 'rootfs', d));
    // And a file link to nothing, on the host or in the image: a termination message file behind it.
    symlinkSync(join(host, 'logs', 'msg'), join(dir, 'rootfs', 'msg'));
    writeFileSync(join(dir, 'image.json'), JSON.stringify({ name, digest: 'sha256:0', importedAt: new Date().toISOString(), config: {} }));
    try {
      const sandbox = driver.runPodSandbox({ podUid: `uid-${++pods}`, podName: `sec-${pods}`, podNamespace: 'default' });
      const script = 'echo kept > /data/vol/f && pwd && ls /data/vol && echo why > /logs/term';
      const c = driver.createContainer(sandbox.id, {
        name: 'c', image: name, command: ['sh', '-c', script], workingDir: '/work/here',
        mounts: [{ name: 'vol', mountPath: '/data/vol' }], terminationMessagePath: '/logs/term',
      }, 0);
      await driver.startContainer(c.id);
      await eventually(() => expect(driver.containerStatus(c.id).state).toBe('CONTAINER_EXITED'));
      // Inside, each link leads to the same path in the image's own root, where the volume and the message file are.
      expect(driver.readLogs({ containerId: c.id }).content).toBe(`${join(host, 'work', 'here')}\nf\n`);
      expect(driver.containerStatus(c.id).exitCode).toBe(0);
      expect(driver.listContainers(sandbox.id).find((x) => x.name === 'c')!.message).toBe('why\n');
      expect(readdirSync(join(sandbox.directory, 'volumes', 'vol'))).toEqual(['f']);
      // A file mount point that is a link to nothing: its target is made in the image's root, the message read through it.
      const d = driver.createContainer(sandbox.id, { name: 'd', image: name, command: ['sh', '-c', 'echo through > /msg; readlink /msg'], terminationMessagePath: '/msg' }, 0);
      await driver.startContainer(d.id);
      await eventually(() => expect(driver.containerStatus(d.id).state).toBe('CONTAINER_EXITED'));
      expect(driver.readLogs({ containerId: d.id }).content).toBe(`${join(host, 'logs', 'msg')}\n`);
      expect(driver.containerStatus(d.id).exitCode).toBe(0);
      expect(driver.listContainers(sandbox.id).find((x) => x.name === 'd')!.message).toBe('through\n');
      // On the host, the directories the links name are as they were: empty.
      for (const d of ['data', 'logs', 'work']) expect(readdirSync(join(host, d))).toEqual([]);
    } finally {
      rmSync(host, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
