import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CrxErrorCodes } from '@openpacific/contracts';
import { eventually } from '@openpacific/testing';
import { ProcessDriver } from './process-driver';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');

describe('persistent volumes in the process driver', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-pv-'));
  const volume = join(root, 'datastore', 'pvc-1');
  let driver: ProcessDriver;

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    mkdirSync(volume, { recursive: true });
    driver = new ProcessDriver(join(root, 'runtime'), 9, shim);
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
});
