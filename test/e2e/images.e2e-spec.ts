import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, startCluster, TestCluster, writeOciArchive } from '@openpacific/testing';

const repoRoot = resolve(__dirname, '..', '..');
const isolating = existsSync('/bin/busybox') && process.getuid?.() === 0;

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(repoRoot, 'services/crx-runtime/dist/cli.js'), ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      res({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Images imported from OCI archives into every host's store, and pods that run them with the image's own settings. */
// Running a container in an imported image needs isolation: root and Debian's busybox-static.
(isolating ? describe : describe.skip)('images imported from an OCI archive', () => {
  let cluster: TestCluster;
  const work = mkdtempSync(join(tmpdir(), 'images-e2e-'));

  beforeAll(async () => {
    cluster = await startCluster({ label: 'images' });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('imports an image into every host, and a pod runs its entrypoint with its env and working directory', async () => {
    const base = join(work, 'base');
    mkdirSync(join(base, 'bin'), { recursive: true });
    mkdirSync(join(base, 'app'), { recursive: true });
    copyFileSync('/bin/busybox', join(base, 'bin', 'busybox'));
    for (const applet of ['sh', 'cat', 'pwd', 'sleep', 'test', 'echo']) symlinkSync('busybox', join(base, 'bin', applet));
    writeFileSync(join(base, 'app', 'greeting'), 'hello from an imported image\n');
    writeFileSync(join(base, 'app', 'removed'), 'the next layer removes me\n');
    const top = join(work, 'top');
    mkdirSync(join(top, 'app'), { recursive: true });
    writeFileSync(join(top, 'app', '.wh.removed'), '');
    const archive = await writeOciArchive(join(work, 'hello.tar'), {
      name: 'registry.local/hello:1.0',
      layers: [{ dir: base, gzip: true }, { dir: top }],
      config: {
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: ['cat greeting; echo "GREETING=$GREETING in $(pwd)"; test -e removed || echo whiteout honoured; sleep 3600'],
        Env: ['PATH=/bin', 'GREETING=hi'],
        WorkingDir: '/app',
      },
    });

    const imported = await run(['images', 'import', archive], { DATA_DIR: cluster.dataDir });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    for (const host of ['host-1', 'host-2', 'host-3']) expect(imported.stdout).toMatch(new RegExp(`imported registry.local/hello:1.0 \\(sha256:[0-9a-f]+.*2 layers\\) into ${host}`));
    expect((await run(['images', 'list'], { DATA_DIR: cluster.dataDir })).stdout).toContain('registry.local/hello:1.0');

    expect((await cluster.kubectl(['run', 'imported', '--image=registry.local/hello:1.0', '--restart=Never'])).code).toBe(0);
    await eventually(async () => {
      const logs = await cluster.kubectl(['logs', 'imported']);
      expect(logs.stdout).toBe('hello from an imported image\nGREETING=hi in /app\nwhiteout honoured\n');
    }, { timeoutMs: 30_000 });
    // The pod's own command and env override the image's.
    expect((await cluster.kubectl(['run', 'overridden', '--image=registry.local/hello:1.0', '--restart=Never', '--env=GREETING=ho', '--command', '--', 'sh', '-c', 'echo $GREETING; sleep 3600'])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['logs', 'overridden'])).stdout).toBe('ho\n'), { timeoutMs: 30_000 });
  });

  it('reports the image a container was created from as its imageID: the repository in full with its digest, busybox by its binary\'s', async () => {
    // Every host imported the same archive in the test before: the digest its store recorded is the same everywhere.
    const record = JSON.parse(readFileSync(join(cluster.dataDir, 'hosts', 'host-1', 'crx', 'images', 'registry.local_hello_1.0', 'image.json'), 'utf8'));
    expect(record.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const imageID = async (pod: string) => (await cluster.kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].imageID}'])).stdout;
    await eventually(async () => expect(await imageID('imported')).toBe(`registry.local/hello@${record.digest}`), { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['describe', 'pod', 'imported'])).stdout).toMatch(new RegExp(`Image ID:\\s+registry\\.local/hello@${record.digest}\n`));

    // The built-in busybox is no registry's image: its id is the digest of the busybox-static binary its root was built from.
    const busybox = `sha256:${createHash('sha256').update(readFileSync('/bin/busybox')).digest('hex')}`;
    expect((await cluster.kubectl(['run', 'builtin', '--image=busybox', '--restart=Never', '--', 'sleep', '3600'])).code).toBe(0);
    await eventually(async () => expect(await imageID('builtin')).toBe(busybox), { timeoutMs: 30_000 });
  });

  it('ends a pod whose image no host has in ErrImagePull, naming the images there are', async () => {
    await cluster.kubectl(['run', 'missing', '--image=registry.local/nope:2.0', '--restart=Never']);
    await eventually(async () => {
      const waiting = JSON.parse((await cluster.kubectl(['get', 'pod', 'missing', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting}'])).stdout || '{}');
      expect(waiting.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
      expect(waiting.message).toBe('image "registry.local/nope:2.0" is not in the local image store of this host (available: busybox:latest, registry.local/hello:1.0)');
    }, { timeoutMs: 30_000 });
  });

  it('refuses a bad archive with a clear error and exit code 1', async () => {
    writeFileSync(join(work, 'junk.tar'), 'not a tar archive');
    const bad = await run(['images', 'import', join(work, 'junk.tar')], { DATA_DIR: cluster.dataDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: /);
    const usage = await run(['images', 'frobnicate'], { DATA_DIR: cluster.dataDir });
    expect(usage.code).toBe(2);
  });
});
