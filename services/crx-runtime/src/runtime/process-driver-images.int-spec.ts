import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, writeOciArchive } from '@openpacific/testing';
import { importImageArchive } from '../images/oci-archive';
import { ProcessDriver } from './process-driver';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');
const BUSYBOX_ID = existsSync('/bin/busybox') ? `sha256:${createHash('sha256').update(readFileSync('/bin/busybox')).digest('hex')}` : '';

describe('the image id a process driver\'s containers report', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-image-id-'));
  let driver: ProcessDriver;
  let pods = 0;
  const sandbox = (d: ProcessDriver = driver) => d.runPodSandbox({ podUid: `uid-${++pods}`, podName: `img-${pods}`, podNamespace: 'default' });

  beforeAll(() => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    driver = new ProcessDriver(join(root, 'runtime'), 12, shim);
  });
  afterAll(async () => {
    for (const s of driver.listPodSandboxes()) await driver.removePodSandbox(s.id);
    rmSync(root, { recursive: true, force: true });
  });

  const isolating = new ProcessDriver(mkdtempSync(join(tmpdir(), 'crx-probe-')), 0, shim).images.isolating;

  /**
   * Imports an image named `name` whose one layer holds busybox as /bin/sh and /bin/sleep, and returns its digest. The
   * name is in its config's env too, so that each image has a digest of its own.
   */
  async function importApp(name: string): Promise<string> {
    const layer = join(root, 'layers', name.replace(/\W/g, '_'));
    mkdirSync(join(layer, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(layer, 'bin', 'busybox'));
    for (const applet of ['sh', 'sleep']) symlinkSync('busybox', join(layer, 'bin', applet));
    const archive = await writeOciArchive(`${layer}.tar`, { name, layers: [{ dir: layer }], config: { Cmd: ['sleep', '3600'], Env: ['PATH=/bin', `IMAGE=${name}`] } });
    const [image] = await importImageArchive(archive, join(root, 'runtime', 'images'));
    return image.digest;
  }

  // The built-in busybox is an image only where containers run isolated in its root (root, busybox-static, crx-init).
  (isolating ? it : it.skip)('is sha256: and the digest of busybox-static for the built-in busybox, the same for every container', async () => {
    const s = sandbox();
    const a = driver.createContainer(s.id, { name: 'a', image: 'busybox', command: ['sleep', '3600'] }, 0);
    const b = driver.createContainer(s.id, { name: 'b', image: 'docker.io/library/busybox:1.36', command: ['true'] }, 0);
    expect(BUSYBOX_ID).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.imageRef).toBe(BUSYBOX_ID);
    expect(b.imageRef).toBe(BUSYBOX_ID);
    const running = await driver.startContainer(a.id);
    expect(running).toMatchObject({ state: 'CONTAINER_RUNNING', imageRef: BUSYBOX_ID });
    expect(driver.listContainers(s.id).map((c) => c.imageRef)).toEqual([BUSYBOX_ID, BUSYBOX_ID]);
    await driver.stopContainer(a.id, 1);
  });

  (isolating ? it : it.skip)('is the repository in full with its digest for an imported image, Docker Hub\'s or a registry\'s', async () => {
    const hubDigest = await importApp('app:1.0');
    const registryDigest = await importApp('registry.local:5000/team/app:2.0');
    expect(hubDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(registryDigest).not.toBe(hubDigest);
    const s = sandbox();
    const hub = driver.createContainer(s.id, { name: 'hub', image: 'app:1.0' }, 0);
    const registry = driver.createContainer(s.id, { name: 'registry', image: 'registry.local:5000/team/app:2.0' }, 0);
    // Named by its digest, the image is the same one, and so is its id.
    const byDigest = driver.createContainer(s.id, { name: 'pinned', image: `docker.io/library/app@${hubDigest}` }, 0);
    expect(hub.imageRef).toBe(`docker.io/library/app@${hubDigest}`);
    expect(registry.imageRef).toBe(`registry.local:5000/team/app@${registryDigest}`);
    expect(byDigest.imageRef).toBe(hub.imageRef);
    await driver.startContainer(hub.id);
    await eventually(() => expect(driver.containerStatus(hub.id)).toMatchObject({ state: 'CONTAINER_RUNNING', imageRef: `docker.io/library/app@${hubDigest}` }));
    await driver.stopContainer(hub.id, 1);
  });

  (isolating ? it : it.skip)('is kept across a restart of the runtime, and absent for a container saved by a runtime that did not record it', async () => {
    const s = sandbox();
    const kept = driver.createContainer(s.id, { name: 'kept', image: 'busybox', command: ['true'] }, 0);
    const older = driver.createContainer(s.id, { name: 'older', image: 'busybox', command: ['true'] }, 0);
    await driver.persisted();
    // The state file as a runtime from before image ids wrote it: its container records have no imageRef.
    const statePath = join(root, 'runtime', 'state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(state.containers[older.id].imageRef).toBe(BUSYBOX_ID);
    delete state.containers[older.id].imageRef;
    writeFileSync(statePath, JSON.stringify(state));
    const restarted = new ProcessDriver(join(root, 'runtime'), 12, shim);
    expect(restarted.containerStatus(kept.id)).toMatchObject({ state: 'CONTAINER_CREATED', imageRef: BUSYBOX_ID });
    expect(restarted.containerStatus(older.id)).toMatchObject({ state: 'CONTAINER_CREATED', name: 'older' });
    expect(restarted.containerStatus(older.id)).not.toHaveProperty('imageRef');
    driver = restarted;
  });

  it('is absent for a container on the host\'s root, which runs the host\'s programs and no image', () => {
    // No crx-init beside this shim path: the runtime cannot isolate, and busybox means the host's own root.
    const dir = mkdtempSync(join(tmpdir(), 'crx-host-root-'));
    try {
      const onHost = new ProcessDriver(join(dir, 'runtime'), 13, join(dir, 'no-shim', 'crx-shim.js'));
      expect(onHost.images.isolating).toBe(false);
      const c = onHost.createContainer(sandbox(onHost).id, { name: 'c', image: 'busybox', command: ['sh', '-c', 'true'] }, 0);
      expect(c).toMatchObject({ state: 'CONTAINER_CREATED', image: 'busybox' });
      expect(c).not.toHaveProperty('imageRef');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
