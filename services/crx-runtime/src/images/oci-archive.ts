import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { type ImageConfig, type ImageRecord, normaliseImageName, parseImageReference, safeDirName } from '../runtime/image-store';

export interface ImportedImage extends ImageRecord {
  /** `<images root>/<safe name>`, holding image.json and rootfs. */
  directory: string;
  layers: number;
  /** Layer entries node-tar refused (paths escaping the rootfs, device nodes are skipped silently). */
  warnings: string[];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

interface ImageIndex {
  manifests?: Descriptor[];
}

interface ImageManifest {
  config?: Descriptor;
  layers?: Descriptor[];
}

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface ConfigBlob {
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string };
  rootfs?: { diff_ids?: string[] };
}

/** One image to install, every blob already verified. */
interface ImagePlan {
  names: string[];
  digest: string;
  config: ImageConfig;
  layers: string[];
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const MAX_INDEX_DEPTH = 4;
const MAX_WARNINGS = 20;
const DEVICE_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);
const MODE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Imports the images of an OCI image-layout archive (skopeo `oci-archive:`,
 * `docker save` of Docker 25+) or a legacy `docker save` archive into
 * `imagesRoot`: each as `<safe name>/rootfs` (layers applied in order, with
 * whiteouts) and `<safe name>/image.json`.
 */
export async function importImageArchive(archivePath: string, imagesRoot: string, opts: { name?: string } = {}): Promise<ImportedImage[]> {
  const name = opts.name === undefined ? undefined : importName(opts.name);
  if (!existsSync(archivePath)) throw new Error(`archive not found: ${archivePath}`);
  await mkdir(imagesRoot, { recursive: true });
  // Beside the images rather than in os.tmpdir(): same file system for the renames, and /tmp may be a small tmpfs.
  const work = await mkdtemp(join(imagesRoot, '.import-'));
  try {
    await extract(archivePath, work, []).catch((e: Error) => {
      throw new Error(`can't read ${archivePath} as a tar archive: ${e.message}`);
    });
    const plans = await planImages(work, name);
    const imported: ImportedImage[] = [];
    for (const plan of plans) {
      for (const imageName of plan.names) imported.push(await install(plan, imageName, imagesRoot));
    }
    return imported;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function importName(reference: string): string {
  let name: string;
  try {
    name = normaliseImageName(reference);
  } catch {
    throw new Error(`invalid image name "${reference}": expected name[:tag], e.g. registry.local:5000/app:1.0`);
  }
  if (name.includes('@')) throw new Error(`invalid image name "${reference}": a digest can't be a name; use name[:tag]`);
  return name;
}

// ---- reading the archive ----

async function planImages(work: string, name: string | undefined): Promise<ImagePlan[]> {
  const index = readJsonIfExists<ImageIndex>(work, 'index.json');
  const dockerSave = readJsonIfExists<DockerSaveEntry[]>(work, 'manifest.json');
  if (!index && !dockerSave) throw new Error('not an OCI image layout or docker save archive: it has neither index.json nor manifest.json');
  const verified = new Set<string>();
  const plans = index ? await planOciImages(work, index, dockerSave ?? [], verified) : await planDockerSaveImages(work, dockerSave ?? []);
  if (plans.length === 0) throw new Error('the archive holds no image');
  if (name !== undefined) {
    if (plans.length > 1) throw new Error(`the archive holds ${plans.length} images; --name can only name an archive of one image`);
    return [{ ...plans[0], names: [name] }];
  }
  const unnamed = plans.find((p) => p.names.length === 0);
  if (unnamed) throw new Error(`the archive does not say what image ${unnamed.digest} is called; pass --name <name[:tag]>`);
  return dedupeNames(plans);
}

async function planOciImages(work: string, index: ImageIndex, dockerSave: DockerSaveEntry[], verified: Set<string>): Promise<ImagePlan[]> {
  const groups = new Map<string, Descriptor[]>();
  for (const d of index.manifests ?? []) {
    const key = entryName(d.annotations) ?? '';
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const plans: ImagePlan[] = [];
  for (const [entry, descriptors] of groups) {
    // Entries of one name that carry platforms are the variants of one image; without platforms, each is its own image.
    const chosen = descriptors.some((d) => d.platform) ? [pickPlatform(descriptors)] : descriptors;
    for (const descriptor of chosen) {
      const { digest, manifest } = await resolveManifest(work, descriptor, verified, 0);
      if (!manifest.config) throw new Error(`manifest ${digest} has no config`);
      const configBlob = await readJsonBlob<ConfigBlob>(work, manifest.config, verified);
      const layers: string[] = [];
      for (const layer of manifest.layers ?? []) layers.push(await verifiedBlob(work, layer, verified));
      const names = entry ? [entry] : repoTagsFor(dockerSave, manifest.config.digest);
      plans.push({ names: names.map(importName), digest, config: imageConfig(configBlob), layers });
    }
  }
  return plans;
}

async function planDockerSaveImages(work: string, entries: DockerSaveEntry[]): Promise<ImagePlan[]> {
  const plans: ImagePlan[] = [];
  for (const entry of entries) {
    const configPath = insideFile(work, entry.Config);
    const configBytes = await readFile(configPath);
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    const named = digestNamedBy(entry.Config);
    if (named && named !== configDigest) throw new Error(`digest mismatch for ${named}: the blob's content hashes to ${configDigest}`);
    const configBlob = JSON.parse(configBytes.toString('utf8')) as ConfigBlob;
    const diffIds = configBlob.rootfs?.diff_ids ?? [];
    const layers: string[] = [];
    for (const [i, layer] of entry.Layers.entries()) {
      const path = insideFile(work, layer);
      // Legacy layers are plain tars, so they hash to the config's diff_ids; gzip ones only to a digest in their path.
      const expected = digestNamedBy(layer) ?? (isGzip(path) ? undefined : diffIds[i]);
      if (expected) await verifyFile(path, expected);
      layers.push(path);
    }
    // The image ID (config digest) is what `docker images` shows for a legacy image, which has no manifest blob.
    plans.push({ names: (entry.RepoTags ?? []).map(importName), digest: configDigest, config: imageConfig(configBlob), layers });
  }
  return plans;
}

/** `org.opencontainers.image.ref.name`, completed from containerd's full name when it is only a tag (Docker 25+). */
function entryName(annotations: Record<string, string> | undefined): string | undefined {
  const ref = annotations?.[REF_NAME];
  const full = annotations?.[CONTAINERD_NAME];
  if (!ref) return full;
  if (!full || ref.includes('/') || ref.includes(':')) return ref;
  return parseImageReference(full).tag === ref ? full : `${full.replace(/:[^/]*$/, '')}:${ref}`;
}

function repoTagsFor(dockerSave: DockerSaveEntry[], configDigest: string): string[] {
  return dockerSave.find((e) => digestNamedBy(e.Config) === configDigest)?.RepoTags ?? [];
}

function dedupeNames(plans: ImagePlan[]): ImagePlan[] {
  const seen = new Set<string>();
  return plans
    .map((p) => ({ ...p, names: [...new Set(p.names)].filter((n) => !seen.has(n) && seen.add(n)) }))
    .filter((p) => p.names.length > 0);
}

function pickPlatform(descriptors: Descriptor[]): Descriptor {
  // BuildKit stores attestations as manifests for platform unknown/unknown.
  const images = descriptors.filter((d) => d.platform?.os !== 'unknown' && !d.annotations?.['vnd.docker.reference.type']);
  const amd64 = images.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64');
  if (amd64) return amd64;
  if (images.length === 1) return images[0];
  const platforms = images.map((d) => [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/')).join(', ');
  throw new Error(`the archive has no linux/amd64 image (it has: ${platforms || 'none'})`);
}

async function resolveManifest(work: string, descriptor: Descriptor, verified: Set<string>, depth: number): Promise<{ digest: string; manifest: ImageManifest }> {
  if (depth > MAX_INDEX_DEPTH) throw new Error(`image indexes nested more than ${MAX_INDEX_DEPTH} deep at ${descriptor.digest}`);
  const blob = await readJsonBlob<ImageIndex & ImageManifest>(work, descriptor, verified);
  if (Array.isArray(blob.manifests)) return resolveManifest(work, pickPlatform(blob.manifests), verified, depth + 1);
  if (!Array.isArray(blob.layers)) throw new Error(`${descriptor.digest} is neither an image manifest nor an image index`);
  return { digest: descriptor.digest, manifest: blob };
}

function imageConfig(blob: ConfigBlob): ImageConfig {
  const c = blob.config ?? {};
  const config: ImageConfig = {};
  if (c.Entrypoint?.length) config.entrypoint = c.Entrypoint;
  if (c.Cmd?.length) config.cmd = c.Cmd;
  if (c.Env?.length) config.env = c.Env;
  if (c.WorkingDir) config.workingDir = c.WorkingDir;
  if (c.User) config.user = c.User;
  return config;
}

// ---- blobs ----

function blobPath(work: string, digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match) throw new Error(`unsupported digest "${digest}" (only sha256 is supported)`);
  return insideFile(work, `blobs/sha256/${match[1]}`);
}

/** `blobs/sha256/<hex>` or `<hex>.json` (a legacy config) → `sha256:<hex>`. */
function digestNamedBy(path: string): string | undefined {
  const match = /(?:^|\/)(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.json)?$/.exec(path);
  return match ? `sha256:${match[1]}` : undefined;
}

async function verifiedBlob(work: string, descriptor: Descriptor, verified: Set<string>): Promise<string> {
  const path = blobPath(work, descriptor.digest);
  if (!verified.has(descriptor.digest)) {
    await verifyFile(path, descriptor.digest);
    verified.add(descriptor.digest);
  }
  return path;
}

async function readJsonBlob<T>(work: string, descriptor: Descriptor, verified: Set<string>): Promise<T> {
  const path = await verifiedBlob(work, descriptor, verified);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    throw new Error(`blob ${descriptor.digest} is not valid JSON`);
  }
}

async function verifyFile(path: string, digest: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) throw new Error(`digest mismatch for ${digest}: the blob's content hashes to ${actual}`);
}

function readJsonIfExists<T>(work: string, name: string): T | undefined {
  const path = join(work, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(insideFile(work, name), 'utf8')) as T;
  } catch (e) {
    throw new Error(`${name} in the archive is not valid JSON: ${(e as Error).message}`);
  }
}

/** A file of the extracted archive; a symlink in it (legacy docker save links repeated layers) must not lead out. */
function insideFile(work: string, path: string): string {
  const full = resolve(work, path);
  if (!existsSync(full)) throw new Error(`the archive lacks ${path}`);
  const real = realpathSync(full);
  if (!isInside(realpathSync(work), real)) throw new Error(`${path} in the archive points outside it`);
  return real;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

// ---- tar streams ----

function isGzip(path: string): boolean {
  return magic(path).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]));
}

function magic(path: string): Buffer {
  const buffer = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

function tarStream(path: string): Readable {
  const head = magic(path);
  if (head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) throw new Error(`${path}: zstd-compressed layers are not supported; re-export with gzip`);
  const file = createReadStream(path);
  if (!isGzip(path)) return file;
  const gunzip = createGunzip();
  file.on('error', (e) => gunzip.destroy(e));
  return file.pipe(gunzip);
}

/** Pipes a tar into a node-tar parser (t or x) and waits until it has handled every entry. */
function feed(path: string, sink: tar.Parser | tar.Unpack): Promise<void> {
  return new Promise((done, fail) => {
    const source = tarStream(path);
    source.on('error', (e) => fail(new Error(`reading ${path}: ${e.message}`)));
    sink.on('error', fail);
    sink.on('close', () => done());
    source.pipe(sink as unknown as NodeJS.WritableStream);
  });
}

function extract(path: string, cwd: string, warnings: string[], filter?: (path: string, entry: tar.ReadEntry | Stats) => boolean): Promise<void> {
  const onwarn = (_code: string, message: string, data: Record<string, unknown>) => {
    const entry = data.entry as tar.ReadEntry | undefined;
    if (warnings.length < MAX_WARNINGS) warnings.push(entry?.path ? `${entry.path}: ${message}` : message);
  };
  return feed(path, new tar.Unpack({ cwd, filter, onwarn }));
}

async function listEntries(path: string): Promise<{ parts: string[] | undefined; type: string; mode?: number }[]> {
  const entries: { parts: string[] | undefined; type: string; mode?: number }[] = [];
  const parser = new tar.Parser({
    onReadEntry: (entry) => {
      entries.push({ parts: pathParts(entry.path), type: entry.type, mode: entry.mode });
      entry.resume();
    },
  });
  await feed(path, parser);
  return entries;
}

/** `./usr//bin/` → ['usr', 'bin']; undefined for a path with `..` (never applied). */
function pathParts(path: string): string[] | undefined {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.includes('..') || parts.length === 0 ? undefined : parts;
}

// ---- building the rootfs ----

async function install(plan: ImagePlan, name: string, imagesRoot: string): Promise<ImportedImage> {
  const directory = join(imagesRoot, safeDirName(name));
  await mkdir(directory, { recursive: true });
  const suffix = randomBytes(6).toString('hex');
  const staging = join(directory, `rootfs.tmp-${suffix}`);
  const warnings: string[] = [];
  try {
    await mkdir(staging);
    // Not left to the umask: processes of the image running as non-root users must be able to enter its root.
    await chmod(staging, 0o755);
    for (const layer of plan.layers) await applyLayer(staging, layer, warnings);
    await ensureRuntimeDirs(staging);
    const record: ImageRecord = { name, digest: plan.digest, importedAt: new Date().toISOString(), config: plan.config };
    await writeFile(join(directory, `image.json.tmp-${suffix}`), `${JSON.stringify(record, null, 2)}\n`);
    await swapIn(directory, staging, suffix);
    return { ...record, directory, layers: plan.layers.length, warnings };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    await rm(join(directory, `image.json.tmp-${suffix}`), { force: true });
    throw e;
  }
}

/** Old rootfs away, new one in, then its record, then the old one deleted: a reader never sees a half-built rootfs. */
async function swapIn(directory: string, staging: string, suffix: string): Promise<void> {
  const rootfs = join(directory, 'rootfs');
  const old = join(directory, `rootfs.old-${suffix}`);
  const hadOld = existsSync(rootfs);
  if (hadOld) await rename(rootfs, old);
  await rename(staging, rootfs);
  await rename(join(directory, `image.json.tmp-${suffix}`), join(directory, 'image.json'));
  if (hadOld) await rm(old, { recursive: true, force: true });
}

async function applyLayer(rootfs: string, layer: string, warnings: string[]): Promise<void> {
  const entries = await listEntries(layer);
  // A layer's whiteouts hide what the layers below it hold, never its own entries: apply them before extracting it.
  for (const { parts } of entries) if (parts && isWhiteout(parts)) await applyWhiteout(rootfs, parts);
  await extract(layer, rootfs, warnings, (path, entry) => {
    const parts = pathParts(path);
    const type = 'type' in entry ? entry.type : '';
    return !(parts && isWhiteout(parts)) && !DEVICE_TYPES.has(type);
  });
  await restoreModes(rootfs, entries);
}

function isWhiteout(parts: string[]): boolean {
  return parts[parts.length - 1].startsWith('.wh.');
}

async function applyWhiteout(rootfs: string, parts: string[]): Promise<void> {
  const base = parts[parts.length - 1];
  const dir = parts.slice(0, -1);
  if (base === '.wh..wh..opq') {
    const target = existingInside(rootfs, dir);
    if (target === undefined || !lstatSync(target).isDirectory()) return;
    for (const child of readdirSync(target)) await rm(join(target, child), { recursive: true, force: true });
    return;
  }
  const target = existingInside(rootfs, [...dir, base.slice('.wh.'.length)]);
  if (target !== undefined && target !== rootfs) await rm(target, { recursive: true, force: true });
}

/**
 * The path of `parts` under rootfs if it exists and every directory on the way is a real directory:
 * a symlink on the way could point anywhere on the host.
 */
function existingInside(rootfs: string, parts: string[]): string | undefined {
  let current = rootfs;
  for (const [i, part] of parts.entries()) {
    if (part === '..' || part.includes(sep)) return undefined;
    current = join(current, part);
    let st: Stats;
    try {
      st = lstatSync(current);
    } catch {
      return undefined;
    }
    if (i < parts.length - 1 && !st.isDirectory()) return undefined;
  }
  return current === rootfs || isInside(rootfs, current) ? current : undefined;
}

/** Entry modes exactly as the layer has them: node-tar creates files through the process umask, and a chown clears setuid. */
async function restoreModes(rootfs: string, entries: { parts: string[] | undefined; type: string; mode?: number }[]): Promise<void> {
  for (const { parts, type, mode } of entries) {
    if (!parts || isWhiteout(parts) || mode === undefined || !MODE_TYPES.has(type)) continue;
    const target = existingInside(rootfs, parts);
    if (target === undefined) continue;
    const st = await lstat(target);
    if (!st.isSymbolicLink() && (st.mode & 0o7777) !== (mode & 0o7777)) await chmod(target, mode & 0o7777);
  }
}

async function ensureRuntimeDirs(rootfs: string): Promise<void> {
  for (const [dir, mode] of [['proc', 0o555], ['dev', 0o755], ['tmp', 0o1777]] as const) {
    const path = join(rootfs, dir);
    if (existsSync(path) || isSymlink(path)) continue;
    await mkdir(path);
    await chmod(path, mode);
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
