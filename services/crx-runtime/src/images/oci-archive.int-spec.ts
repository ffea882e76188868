import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as tar from 'tar';
import { ImageStore, normaliseImageName } from '../runtime/image-store';
import { importImageArchive } from './oci-archive';

const repoRoot = resolve(__dirname, '../../../..');
const cli = join(repoRoot, 'services/crx-runtime/dist/cli.js');
const isolating = existsSync('/bin/busybox') && process.getuid?.() === 0;
const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const TAR_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const CONFIG = {
  Entrypoint: ['/bin/sh', '-c'],
  Cmd: ['echo hello'],
  Env: ['PATH=/bin:/usr/bin', 'GREETING=hi'],
  WorkingDir: '/data',
};

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

let tmp: string;
let images: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'oci-archive-'));
  images = join(tmp, 'images');
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `files` (path → content, or { link } for a symlink) under a fresh directory and returns it. */
function tree(name: string, files: Record<string, string | { link: string }>): string {
  const root = join(tmp, 'src', name);
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (typeof content === 'string') writeFileSync(join(root, path), content);
    else symlinkSync(content.link, join(root, path));
  }
  return root;
}

function baseLayer(): string {
  const root = tree('base', { 'etc/a': 'a', 'etc/b': 'b', 'data/x/1': '1', 'bin/sh': { link: 'busybox' } });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  return root;
}

function upperLayer(): string {
  return tree('upper', { 'etc/.wh.a': '', 'data/x/.wh..wh..opq': '', 'data/x/2': '2', 'etc/c': 'c' });
}

/** An OCI image layout under construction: blobs are written as they are added. */
class Layout {
  readonly dir: string;

  constructor(name: string) {
    this.dir = join(tmp, 'layouts', name);
    mkdirSync(join(this.dir, 'blobs', 'sha256'), { recursive: true });
  }

  blob(mediaType: string, content: Buffer | string): Descriptor {
    const bytes = Buffer.from(content);
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(this.dir, 'blobs', 'sha256', hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
  }

  json(mediaType: string, value: unknown): Descriptor {
    return this.blob(mediaType, JSON.stringify(value));
  }

  async layer(root: string, gzip: boolean): Promise<Descriptor> {
    const file = join(tmp, `layer-${Math.random().toString(36).slice(2)}.tar`);
    await tar.c({ cwd: root, file, gzip, portable: true }, readdirSync(root));
    return this.blob(gzip ? GZIP_LAYER : TAR_LAYER, readFileSync(file));
  }

  manifest(layers: Descriptor[], config: object = CONFIG): Descriptor {
    const configBlob = this.json('application/vnd.oci.image.config.v1+json', { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] } });
    return this.json(MANIFEST, { schemaVersion: 2, mediaType: MANIFEST, config: configBlob, layers });
  }

  async archive(manifests: Descriptor[], opts: { gzip?: boolean } = {}): Promise<string> {
    writeFileSync(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
    const file = `${this.dir}.tar${opts.gzip ? '.gz' : ''}`;
    await tar.c({ cwd: this.dir, file, gzip: opts.gzip }, readdirSync(this.dir));
    return file;
  }
}

const named = (d: Descriptor, name: string): Descriptor => ({ ...d, annotations: { 'org.opencontainers.image.ref.name': name } });

async function appArchive(): Promise<{ archive: string; manifest: Descriptor; layout: Layout; layers: Descriptor[] }> {
  const layout = new Layout('app');
  const layers = [await layout.layer(baseLayer(), true), await layout.layer(upperLayer(), false)];
  const manifest = layout.manifest(layers);
  return { archive: await layout.archive([named(manifest, 'app:1.0')]), manifest, layout, layers };
}

describe('importImageArchive', () => {
  it('applies the layers in order with their whiteouts and records the image config', async () => {
    const { archive, manifest } = await appArchive();

    const [image, ...more] = await importImageArchive(archive, images);

    expect(more).toEqual([]);
    expect(image).toMatchObject({ name: 'app:1.0', digest: manifest.digest, layers: 2, directory: join(images, 'app_1.0') });
    const rootfs = join(images, 'app_1.0', 'rootfs');
    expect(readFileSync(join(rootfs, 'bin/busybox')).equals(readFileSync('/bin/busybox'))).toBe(true);
    expect(readlinkSync(join(rootfs, 'bin/sh'))).toBe('busybox');
    expect(existsSync(join(rootfs, 'etc/a'))).toBe(false);
    expect(readdirSync(join(rootfs, 'etc')).sort()).toEqual(['b', 'c']);
    expect(readdirSync(join(rootfs, 'data/x'))).toEqual(['2']);
    for (const d of ['proc', 'dev', 'tmp']) expect(lstatSync(join(rootfs, d)).isDirectory()).toBe(true);
    expect(readdirSync(join(images, 'app_1.0')).sort()).toEqual(['image.json', 'rootfs']);
    const record = JSON.parse(readFileSync(join(images, 'app_1.0', 'image.json'), 'utf8'));
    expect(record).toEqual({
      name: 'app:1.0',
      digest: manifest.digest,
      importedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      config: { entrypoint: ['/bin/sh', '-c'], cmd: ['echo hello'], env: ['PATH=/bin:/usr/bin', 'GREETING=hi'], workingDir: '/data' },
    });
  });

  it('replaces an earlier import of the same name', async () => {
    const { archive } = await appArchive();
    await importImageArchive(archive, images);
    writeFileSync(join(images, 'app_1.0', 'rootfs', 'stale'), 'x');

    await importImageArchive(archive, images);

    expect(existsSync(join(images, 'app_1.0', 'rootfs', 'stale'))).toBe(false);
    expect(readdirSync(join(images, 'app_1.0')).sort()).toEqual(['image.json', 'rootfs']);
    expect(readdirSync(images)).toEqual(['app_1.0']);
  });

  (isolating ? it : it.skip)('is resolved by the image store by name, full docker.io name and digest', async () => {
    const { archive, manifest } = await appArchive();
    await importImageArchive(archive, images);
    const store = new ImageStore(images);
    const rootfs = join(images, 'app_1.0', 'rootfs');

    // Each names the image by its manifest digest, the id its containers report.
    for (const ref of ['app:1.0', 'docker.io/library/app:1.0', `app@${manifest.digest}`]) {
      expect(store.resolve(ref)).toEqual({ rootfs, path: '/bin:/usr/bin', config: expect.objectContaining({ cmd: ['echo hello'] }), ref: `docker.io/library/app@${manifest.digest}` });
    }
    expect(store.resolve('app')).toBeUndefined();
    expect(store.resolve('app:2.0')).toBeUndefined();
    expect(store.resolve(`other@${manifest.digest}`)).toBeUndefined();
    expect(store.list()).toEqual([
      { name: 'app:1.0', digest: manifest.digest, importedAt: expect.any(String) },
      { name: 'busybox:latest' },
    ]);
  });

  it('follows nested indexes to the linux/amd64 manifest and names it from a Docker 25+ index', async () => {
    const layout = new Layout('multi');
    const amd64 = layout.manifest([await layout.layer(tree('amd64', { 'arch': 'amd64' }), true)]);
    const arm64 = layout.manifest([await layout.layer(tree('arm64', { 'arch': 'arm64' }), true)]);
    const index = layout.json(INDEX, {
      schemaVersion: 2,
      manifests: [
        { ...arm64, platform: { os: 'linux', architecture: 'arm64' } },
        { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    const archive = await layout.archive([
      { ...index, annotations: { 'io.containerd.image.name': 'docker.io/library/web:1.0', 'org.opencontainers.image.ref.name': '1.0' } },
    ], { gzip: true });

    const [image] = await importImageArchive(archive, images);

    expect(image).toMatchObject({ name: 'web:1.0', digest: amd64.digest });
    expect(readFileSync(join(images, 'web_1.0', 'rootfs', 'arch'), 'utf8')).toBe('amd64');
  });

  it('rejects a blob whose content does not match its digest, naming the digest', async () => {
    const { layout, layers } = await appArchive();
    const blob = join(layout.dir, 'blobs', 'sha256', layers[1].digest.slice('sha256:'.length));
    writeFileSync(blob, Buffer.concat([readFileSync(blob), Buffer.from('tampered')]));
    const archive = await layout.archive([named(layout.manifest(layers), 'app:1.0')]);

    await expect(importImageArchive(archive, images)).rejects.toThrow(layers[1].digest);
    expect(readdirSync(images)).toEqual([]);
  });

  it('imports a gzip-compressed legacy docker save archive (manifest.json only)', async () => {
    const dir = join(tmp, 'legacy');
    mkdirSync(join(dir, 'l1'), { recursive: true });
    await tar.c({ cwd: baseLayer(), file: join(dir, 'l1', 'layer.tar'), portable: true }, ['bin', 'etc', 'data']);
    const diffId = `sha256:${createHash('sha256').update(readFileSync(join(dir, 'l1', 'layer.tar'))).digest('hex')}`;
    const config = JSON.stringify({ config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [diffId] } });
    const configHex = createHash('sha256').update(config).digest('hex');
    writeFileSync(join(dir, `${configHex}.json`), config);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['docker.io/legacy:2'], Layers: ['l1/layer.tar'] }]));
    const archive = join(tmp, 'legacy.tar.gz');
    await tar.c({ cwd: dir, file: archive, gzip: true }, readdirSync(dir));

    const [image] = await importImageArchive(archive, images);

    expect(image).toMatchObject({ name: 'legacy:2', digest: `sha256:${configHex}`, layers: 1, config: { cmd: ['sh'] } });
    expect(readFileSync(join(images, 'legacy_2', 'rootfs', 'etc/a'), 'utf8')).toBe('a');
    // Without a manifest, the config's digest is the image's: the one its containers report (where imported images run).
    if (isolating) expect(new ImageStore(images).resolve('legacy:2')?.ref).toBe(`docker.io/library/legacy@sha256:${configHex}`);
  });

  it('asks for --name when the archive names no image, and takes the name given', async () => {
    const layout = new Layout('unnamed');
    const manifest = layout.manifest([await layout.layer(tree('one', { 'f': 'f' }), true)]);
    const archive = await layout.archive([manifest]);

    await expect(importImageArchive(archive, images)).rejects.toThrow(/pass --name/);
    const [image] = await importImageArchive(archive, images, { name: 'registry.local:5000/team/tool' });
    expect(image.name).toBe('registry.local:5000/team/tool:latest');
    expect(existsSync(join(images, 'registry.local_5000_team_tool_latest', 'rootfs', 'f'))).toBe(true);
  });

  it('keeps layer entries and whiteouts inside the rootfs', async () => {
    const outside = join(tmp, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim'), 'keep me');
    const layout = new Layout('evil');
    const lower = await layout.layer(tree('lower', { 'escape': { link: outside } }), false);
    const evilDir = tree('evil/sub', { 'ok': 'ok', 'escape/.wh.victim': '' });
    writeFileSync(join(evilDir, '..', 'evil'), 'evil');
    const file = join(tmp, 'evil-layer.tar');
    await tar.c({ cwd: evilDir, file }, ['ok', '../evil', 'escape/.wh.victim']);
    const upper = layout.blob(TAR_LAYER, readFileSync(file));
    const archive = await layout.archive([named(layout.manifest([lower, upper]), 'evil')]);

    const [image] = await importImageArchive(archive, images);

    const rootfs = join(images, 'evil_latest', 'rootfs');
    expect(readFileSync(join(rootfs, 'ok'), 'utf8')).toBe('ok');
    expect(existsSync(join(images, 'evil_latest', 'evil'))).toBe(false);
    expect(existsSync(join(images, 'evil'))).toBe(false);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('keep me');
    expect(readdirSync(outside)).toEqual(['victim']);
    expect(image.warnings.join('\n')).toMatch(/\.\.\/evil/);
  });

  it('normalises names like the image store does', () => {
    expect(normaliseImageName('docker.io/library/app')).toBe('app:latest');
    expect(normaliseImageName('library/app:1.0')).toBe('app:1.0');
    expect(normaliseImageName('registry.local:5000/app')).toBe('registry.local:5000/app:latest');
  });
});

describe('crx-runtime images CLI', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'images', ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: join(tmp, 'no-cluster') } });

  it('imports into the given root and prints a line for it', async () => {
    const { archive } = await appArchive();
    const root = join(tmp, 'crx');

    const result = run('import', archive, '--root', root);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^imported app:1\\.0 \\(sha256:[0-9a-f]{12}…, 2 layers\\) into ${root.replace(/[.]/g, '\\.')}\\n$`));
    expect(existsSync(join(root, 'images', 'app_1.0', 'rootfs', 'etc', 'c'))).toBe(true);
    expect(run('list', '--root', root).stdout).toContain('app:1.0');
  });

  it('reports a missing archive on stderr and exits 1', () => {
    const result = run('import', join(tmp, 'missing.tar'), '--root', join(tmp, 'crx'));

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: archive not found: /);
  });

  it('tells the user to start the cluster when there is no host and no --root', async () => {
    const { archive } = await appArchive();
    const result = run('import', archive);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: .*npm start.*--root/);
  });

  it('prints usage and exits 2 on bad usage', () => {
    const result = run('import');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage:');
  });
});
