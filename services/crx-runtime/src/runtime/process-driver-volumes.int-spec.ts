import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CrxErrorCodes, VolumeFile } from '@openpacific/contracts';
import { eventually } from '@openpacific/testing';
import { ProcessDriver } from './process-driver';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');

describe('persistent volumes in the process driver', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-pv-'));
  const volume = join(root, 'datastore', 'pvc-1');
  let driver: ProcessDriver;
  /** What the runtime's log was told (subPaths refused). */
  const logged: Record<string, unknown>[] = [];

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    mkdirSync(volume, { recursive: true });
    driver = new ProcessDriver(join(root, 'runtime'), 9, shim, undefined, (_, fields) => logged.push(fields));
  });
  afterAll(async () => {
    for (const s of driver.listPodSandboxes()) await driver.removePodSandbox(s.id);
    rmSync(root, { recursive: true, force: true });
  });

  it('mounts a hostPath volume from its directory, which outlives the pod', async () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-pv', podName: 'pv', podNamespace: 'default' });
    // Isolated, the volume is bound at /data; without isolation its directory comes as VOLUME_DATA.
    const command = ['sh', '-c', 'echo kept > "${VOLUME_DATA:-/data}/note"; echo done'];
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command, mounts: [{ name: 'data', mountPath: '/data', hostPath: volume }] }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe('done\n'));
    await driver.removePodSandbox(sandbox.id);
    expect(readFileSync(join(volume, 'note'), 'utf8')).toBe('kept\n');
  });

  it('refuses a container whose volume directory is missing instead of mounting an empty one', () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-gone', podName: 'gone', podNamespace: 'default' });
    const create = () => driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['true'], mounts: [{ name: 'data', mountPath: '/data', hostPath: join(root, 'nope') }] }, 0);
    expect(create).toThrow(expect.objectContaining({ code: CrxErrorCodes.startFailed }));
  });

  const file = (path: string, text: string, mode = 0o644): VolumeFile => ({ path, data: Buffer.from(text).toString('base64'), mode });
  const CONTENT_DIR = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/;
  const contentDirs = (dir: string) => readdirSync(dir).filter((n) => CONTENT_DIR.test(n));

  it('writes a volume as kubelet\'s atomic writer does: a timestamped directory, ..data to it, a symlink for each top-level entry', () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-cm', podName: 'cm', podNamespace: 'default' });
    const dir = join(sandbox.directory, 'volumes', 'config');
    const files = [file('app.conf', 'a=1\n'), file('token', 's3cret', 0o600), file('nested/deeper/key', 'deep', 0o640)];
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files })).toEqual({ written: 3 });

    const data = readlinkSync(join(dir, '..data'));
    expect(data).toMatch(CONTENT_DIR);
    expect(statSync(join(dir, data)).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir).sort()).toEqual(['..data', data, 'app.conf', 'nested', 'token'].sort());
    for (const entry of ['app.conf', 'token', 'nested']) {
      expect(lstatSync(join(dir, entry)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(dir, entry))).toBe(`..data/${entry}`);
    }
    expect(readFileSync(join(dir, 'app.conf'), 'utf8')).toBe('a=1\n');
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('s3cret');
    expect(readFileSync(join(dir, 'nested', 'deeper', 'key'), 'utf8')).toBe('deep');
    expect(statSync(join(dir, 'app.conf')).mode & 0o7777).toBe(0o644);
    expect(statSync(join(dir, 'token')).mode & 0o7777).toBe(0o600);
    expect(statSync(join(dir, 'nested', 'deeper', 'key')).mode & 0o7777).toBe(0o640);

    // The same content again: nothing is written, nothing moves.
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: files.map((f) => ({ ...f })) })).toEqual({ written: 0 });
    expect(readlinkSync(join(dir, '..data'))).toBe(data);
    expect(contentDirs(dir)).toEqual([data]);

    // A mode alone changed is a change.
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [files[0], { ...files[1], mode: 0o400 }, files[2]] })).toEqual({ written: 3 });
    const second = readlinkSync(join(dir, '..data'));
    expect(second).not.toBe(data);
    expect(statSync(join(dir, 'token')).mode & 0o7777).toBe(0o400);
    expect(contentDirs(dir)).toEqual([second]);

    // Changed content: ..data swapped, the keys gone lose their symlinks, the old directory goes, a new key comes.
    const changed = [file('app.conf', 'a=2\n'), file('extra/one', '1', 0o444)];
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: changed })).toEqual({ written: 2 });
    const third = readlinkSync(join(dir, '..data'));
    expect(third).toMatch(CONTENT_DIR);
    expect(third).not.toBe(second);
    expect(readdirSync(dir).sort()).toEqual(['..data', third, 'app.conf', 'extra'].sort());
    expect(existsSync(join(dir, second))).toBe(false);
    expect(readFileSync(join(dir, 'app.conf'), 'utf8')).toBe('a=2\n');
    expect(readFileSync(join(dir, 'extra', 'one'), 'utf8')).toBe('1');
    expect(statSync(join(dir, 'extra', 'one')).mode & 0o7777).toBe(0o444);

    // An empty payload empties the volume; something not of the writer's there (not a symlink into ..data) is left alone.
    writeFileSync(join(dir, 'foreign'), 'kept');
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [] })).toEqual({ written: 0 });
    const empty = readlinkSync(join(dir, '..data'));
    expect(empty).not.toBe(third);
    expect(readdirSync(dir).sort()).toEqual(['..data', empty, 'foreign'].sort());
    expect(readdirSync(join(dir, empty))).toEqual([]);
  });

  it('refuses a path that could leave the volume, and a sandbox it does not know', () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-bad', podName: 'bad', podNamespace: 'default' });
    const write = (name: string, path: string) => () => driver.writeVolume({ sandboxId: sandbox.id, name, files: [file(path, 'x')] });
    for (const path of ['/etc/passwd', '../escape', 'a/../../escape', 'a/..', '..data', '..2026_01_01_00_00_00.000000000/x', '..hidden', '', 'a//b', 'a/./b', 'trailing/']) {
      expect(write('config', path)).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid, message: expect.stringContaining('invalid file path') }));
    }
    expect(write('config', '/etc/passwd')).toThrow(/it is absolute/);
    expect(write('config', 'a/../b')).toThrow(/'\.\.' element/);
    expect(write('config', '..data')).toThrow(/starts with '\.\.'/);
    for (const name of ['..', '.', 'a/b', '']) expect(write(name, 'key')).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid, message: expect.stringContaining('invalid volume name') }));
    const twice = () => driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [file('k', '1'), file('k', '2')] });
    expect(twice).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
    const fileAndDir = () => driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [file('k', '1'), file('k/v', '2')] });
    expect(fileAndDir).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
    const notBase64 = () => driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [{ path: 'k', data: 'not base64!', mode: 0o644 }] });
    expect(notBase64).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
    // Nothing was written for any of them.
    expect(existsSync(join(sandbox.directory, 'volumes', 'config'))).toBe(false);
    expect(() => driver.writeVolume({ sandboxId: 'nope', name: 'config', files: [] })).toThrow(expect.objectContaining({ code: CrxErrorCodes.notFound }));
  });

  // A container sees the volume at its mountPath only when isolated (root, Debian's busybox-static and crx-init, built by
  // npm run build); on the host's root it gets the directory as VOLUME_<NAME> and a read-only mount is not enforced.
  (isolating() ? it : it.skip)('shows an isolated container the written files at its mountPath, updated in place, and refuses its writes to a read-only mount', async () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-ro', podName: 'ro', podNamespace: 'default' });
    driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [file('key', 'one\n'), file('sub/inner', 'in\n', 0o600)] });
    const mounts = [
      { name: 'config', mountPath: '/etc/config', readOnly: true },
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'pv', mountPath: '/pv', hostPath: volume, readOnly: true },
    ];
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'echo up; sleep 3600'], mounts }, 0);
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.readLogs({ containerId: c.id }).content).toBe('up\n'));
    const exec = (script: string) => driver.execSync({ containerId: c.id, command: ['sh', '-c', script], timeoutSeconds: 5 });

    expect(await exec('cat /etc/config/key /etc/config/sub/inner; stat -c %a /etc/config/..data/sub/inner')).toMatchObject({ exitCode: 0, stdout: 'one\nin\n600\n' });
    const refused = await exec('echo x > /etc/config/new');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('Read-only file system');
    expect((await exec('rm /etc/config/key')).stderr).toContain('Read-only file system');
    expect((await exec('echo x > /pv/note')).stderr).toContain('Read-only file system');
    expect(await exec('echo y > /scratch/f && cat /scratch/f')).toMatchObject({ exitCode: 0, stdout: 'y\n' });
    expect(readFileSync(join(sandbox.directory, 'volumes', 'scratch', 'f'), 'utf8')).toBe('y\n');
    const mountLine = (await exec("grep ' /etc/config ' /proc/mounts")).stdout;
    expect(mountLine).toMatch(/\sro[\s,]/);
    expect((await exec("grep ' /scratch ' /proc/mounts")).stdout).toMatch(/\srw[\s,]/);

    // A new write swaps the content under the running container: it sees the new files at the same path, the removed one gone.
    expect(driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [file('key', 'two\n'), file('added', '+\n')] })).toEqual({ written: 2 });
    expect(await exec('cat /etc/config/key /etc/config/added; ls /etc/config')).toMatchObject({ exitCode: 0, stdout: 'two\n+\nadded\nkey\n' });
    await driver.stopContainer(c.id, 1);
  });

  const logOf = async (id: string, text: string) => {
    await eventually(() => expect(driver.readLogs({ containerId: id }).content).toContain(text));
    return driver.readLogs({ containerId: id }).content;
  };

  it('mounts only a subPath of an emptyDir, made a directory with the volume\'s mode when missing', async () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-sub', podName: 'sub', podNamespace: 'default' });
    const scratch = join(sandbox.directory, 'volumes', 'scratch');
    mkdirSync(scratch, { recursive: true });
    chmodSync(scratch, 0o777);
    writeFileSync(join(scratch, 'beside'), 'not for this mount');
    // Isolated, the subPath is bound at /work; without isolation its own directory comes as VOLUME_SCRATCH.
    const command = ['sh', '-c', 'cd "${VOLUME_SCRATCH:-/work}" && echo mine > note && ls; echo done'];
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command, mounts: [{ name: 'scratch', mountPath: '/work', subPath: 'logs/sub' }] }, 0);
    for (const dir of ['logs', 'logs/sub']) expect(statSync(join(scratch, dir)).mode & 0o7777).toBe(0o777);
    await driver.startContainer(c.id);
    expect(await logOf(c.id, 'done')).toBe('note\ndone\n');
    expect(readFileSync(join(scratch, 'logs', 'sub', 'note'), 'utf8')).toBe('mine\n');
  });

  it('refuses a subPath whose symlinks lead out of the volume, as kubelet\'s CreateContainerConfigError, making no container', () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-esc', podName: 'esc', podNamespace: 'default' });
    const shared = join(sandbox.directory, 'volumes', 'shared');
    mkdirSync(shared, { recursive: true });
    symlinkSync('/', join(shared, 'escape'));
    symlinkSync('../../..', join(shared, 'up'));
    const create = (subPath: string) => () => driver.createContainer(sandbox.id, { name: 'app', image: 'busybox', command: ['true'], mounts: [{ name: 'shared', mountPath: '/s', subPath }] }, 0);
    expect(create('escape')).toThrow(expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'failed to prepare subPath for volumeMount "shared" of container "app"' }));
    expect(create('escape/etc')).toThrow(expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'failed to prepare subPath for volumeMount "shared" of container "app"' }));
    expect(create('up/made-here')).toThrow(expect.objectContaining({ code: CrxErrorCodes.containerConfig, message: 'failed to create subPath directory for volumeMount "shared" of container "app"' }));
    expect(existsSync(join(shared, '..', '..', '..', 'made-here'))).toBe(false);
    expect(create('/etc')).toThrow(expect.objectContaining({ code: CrxErrorCodes.invalid }));
    expect(driver.listContainers(sandbox.id)).toEqual([]);
    // The runtime's log has what the answer leaves out.
    expect(logged).toContainEqual(expect.objectContaining({ container: 'app', volume: 'shared', subPath: 'escape', error: expect.stringContaining('not within volume path') }));
  });

  (isolating() ? it : it.skip)('binds a file subPath on a file, and a configMap key\'s file read-only as it was when the container was made', async () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-key', podName: 'key', podNamespace: 'default' });
    driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [file('app.conf', 'level=info\n'), file('other', 'x')] });
    mkdirSync(join(sandbox.directory, 'volumes', 'data', 'conf'), { recursive: true });
    writeFileSync(join(sandbox.directory, 'volumes', 'data', 'conf', 'motd'), 'hello\n');
    writeFileSync(join(volume, 'claimed'), 'pv\n');
    symlinkSync(volume, join(root, 'datastore', 'pvc-link'));
    const mounts = [
      { name: 'config', mountPath: '/etc/app/app.conf', subPath: 'app.conf', readOnly: true },
      { name: 'config', mountPath: '/etc/config', readOnly: true },
      { name: 'data', mountPath: '/etc/motd', subPath: 'conf/motd' },
      // A `//` in a claim's path is no subPath's mark to crx-init (which would refuse this symlink in one).
      { name: 'pv', mountPath: '/pv', hostPath: join(root, 'datastore') + '//pvc-link' },
    ];
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'echo up; sleep 3600'], mounts }, 0);
    await driver.startContainer(c.id);
    await logOf(c.id, 'up');
    const exec = (script: string) => driver.execSync({ containerId: c.id, command: ['sh', '-c', script], timeoutSeconds: 5 });

    expect(await exec('test -f /etc/app/app.conf && test ! -L /etc/app/app.conf && cat /etc/app/app.conf && ls -A /etc/app')).toMatchObject({ exitCode: 0, stdout: 'level=info\napp.conf\n' });
    expect((await exec('echo level=debug > /etc/app/app.conf')).stderr).toContain('Read-only file system');
    expect(await exec('test -f /etc/motd && cat /etc/motd && echo bye >> /etc/motd')).toMatchObject({ exitCode: 0, stdout: 'hello\n' });
    expect(readFileSync(join(sandbox.directory, 'volumes', 'data', 'conf', 'motd'), 'utf8')).toBe('hello\nbye\n');
    expect(await exec('cat /pv/claimed')).toMatchObject({ exitCode: 0, stdout: 'pv\n' });

    // A new write reaches the whole volume's mount, not the key's: that file was bound as it was (Kubernetes' subPath caveat).
    driver.writeVolume({ sandboxId: sandbox.id, name: 'config', files: [file('app.conf', 'level=warn\n')] });
    expect(await exec('cat /etc/config/app.conf /etc/app/app.conf')).toMatchObject({ exitCode: 0, stdout: 'level=warn\nlevel=info\n' });
    await driver.stopContainer(c.id, 1);
  });

  (isolating() ? it : it.skip)('does not follow a symlink swapped into a subPath between its check and its mount: the start fails instead', async () => {
    const sandbox = driver.runPodSandbox({ podUid: 'uid-swap', podName: 'swap', podNamespace: 'default' });
    const shared = join(sandbox.directory, 'volumes', 'shared');
    mkdirSync(join(shared, 'dir'), { recursive: true });
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command: ['ls', '/s'], mounts: [{ name: 'shared', mountPath: '/s', subPath: 'dir' }] }, 0);
    // What another container of the pod could do to the shared volume, after the check and before the bind.
    renameSync(join(shared, 'dir'), join(shared, 'was-dir'));
    symlinkSync('/', join(shared, 'dir'));
    await driver.startContainer(c.id);
    await eventually(() => expect(driver.containerStatus(c.id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 1 }));
    expect(driver.readLogs({ containerId: c.id }).content).toMatch(/crx-init: subPath dir of volume .*: dir became a symbolic link: Too many levels of symbolic links\n$/);
  });

  function isolating(): boolean {
    // As the driver decides it (a probe under this spec's root, removed with it).
    return existsSync(shim) && new ProcessDriver(join(root, 'probe'), 0, shim).images.isolating;
  }
});
