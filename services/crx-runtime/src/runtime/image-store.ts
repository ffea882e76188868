import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileImageRef, importedImageRef } from './image-ref';

export const BUSYBOX_IMAGE = /^(docker\.io\/)?(library\/)?busybox(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;
/** Debian's busybox-static: the built-in busybox image, and the static `ip` a spare pod network takes its address with. */
export const BUSYBOX_BINARY = '/bin/busybox';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The part of an OCI image config the runtime uses (`config.Entrypoint` etc. of the config blob). */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
}

/** `<images root>/<safe name>/image.json`, written by an import. */
export interface ImageRecord {
  name: string;
  digest: string;
  importedAt: string;
  config: ImageConfig;
}

export interface ResolvedImage {
  /** The image's root filesystem; undefined = run on the host's root (no busybox-static here). */
  rootfs?: string;
  /** PATH inside the image. */
  path: string;
  /** Defaults from an imported image's config; absent for the built-in busybox. */
  config?: ImageConfig;
  /** The image's id, which its containers report (image-ref.ts); absent on the host's root, which is no image of the store. */
  ref?: string;
}

export interface ImageReference {
  /** Without docker.io/ and library/: `app`, `registry.local:5000/team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Splits and validates `[docker.io/][library/]name[:tag][@sha256:hex]`; throws on anything else. */
export function parseImageReference(reference: string): ImageReference {
  const [nameAndTag, digest, extra] = reference.trim().split('@');
  if (extra !== undefined || (digest !== undefined && !DIGEST.test(digest))) throw new Error(`invalid image reference "${reference}"`);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > slash;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  const repository = (hasTag ? nameAndTag.slice(0, colon) : nameAndTag).replace(/^(index\.)?docker\.io\//, '').replace(/^library\//, '');
  if (!REPOSITORY.test(repository) || repository.includes('//') || repository.endsWith('/') || (tag !== undefined && !TAG.test(tag))) {
    throw new Error(`invalid image reference "${reference}"`);
  }
  return { repository, tag, digest };
}

/** The name an image is stored under: `docker.io/library/app` → `app:latest`; a digest reference keeps its digest instead of a tag. */
export function normaliseImageName(reference: string): string {
  const ref = parseImageReference(reference);
  if (ref.digest) return `${ref.repository}${ref.tag ? `:${ref.tag}` : ''}@${ref.digest}`;
  return `${ref.repository}:${ref.tag ?? 'latest'}`;
}

/** The directory an image is stored in: `registry.local:5000/app:1.0` → `registry.local_5000_app_1.0`. */
export function safeDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function repositoryOf(name: string): string {
  return name.slice(0, name.lastIndexOf(':'));
}

function pathFromEnv(env: string[] | undefined): string {
  const entry = env?.find((e) => e.startsWith('PATH='));
  return entry ? entry.slice('PATH='.length) : DEFAULT_PATH;
}

function readRecord(file: string): ImageRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as ImageRecord;
    return typeof record?.name === 'string' && typeof record.digest === 'string' ? { ...record, config: record.config ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host's local image store: images imported from OCI / docker-save
 * archives (`<root>/<safe name>/{image.json,rootfs}`, see
 * images/oci-archive.ts), and `busybox`, built on first use from Debian's
 * busybox-static binary (`apt-get install busybox-static`): a root filesystem
 * with the binary and a link per applet. Without that binary, busybox runs on
 * the host's own root and the runtime reports `isolation: none`; imported
 * images then don't resolve at all.
 */
export class ImageStore {
  /** The built-in busybox's id, hashed once per runtime: its root is built once and its binary never changes after. */
  private builtInRef?: string;

  constructor(
    private readonly root: string,
    /** False when the runtime cannot isolate a container at all (its crx-init was not built). */
    private readonly canIsolate = true,
  ) {}

  get isolating(): boolean {
    return this.canIsolate && existsSync(BUSYBOX_BINARY) && process.getuid?.() === 0;
  }

  resolve(image: string): ResolvedImage | undefined {
    const imported = this.resolveImported(image);
    if (imported) return imported;
    if (!BUSYBOX_IMAGE.test(image)) return undefined;
    // On the host's root the container runs the host's own programs (its /bin/sh, not busybox's): no image has an id.
    if (!this.isolating) return { path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
    const rootfs = this.busybox();
    return { rootfs, path: '/bin:/sbin:/usr/bin:/usr/sbin', ref: this.busyboxRef(rootfs) };
  }

  list(): { name: string; digest?: string; importedAt?: string }[] {
    const imported = this.records().map(({ record }) => ({ name: record.name, digest: record.digest, importedAt: record.importedAt }));
    const busybox = (this.isolating || existsSync(BUSYBOX_BINARY)) && !imported.some((i) => i.name === 'busybox:latest') ? [{ name: 'busybox:latest' }] : [];
    return [...busybox, ...imported].sort((a, b) => a.name.localeCompare(b.name));
  }

  private resolveImported(image: string): ResolvedImage | undefined {
    if (!this.isolating) return undefined;
    let ref: ImageReference;
    try {
      ref = parseImageReference(image);
    } catch {
      return undefined;
    }
    const found = ref.digest
      ? this.records().find(({ record }) => record.digest === ref.digest && repositoryOf(record.name) === ref.repository)
      : this.record(`${ref.repository}:${ref.tag ?? 'latest'}`);
    if (!found) return undefined;
    return { rootfs: found.rootfs, path: pathFromEnv(found.record.config.env), config: found.record.config, ref: importedImageRef(repositoryOf(found.record.name), found.record.digest) };
  }

  private record(name: string): { record: ImageRecord; rootfs: string } | undefined {
    const dir = join(this.root, safeDirName(name));
    const record = readRecord(join(dir, 'image.json'));
    const rootfs = join(dir, 'rootfs');
    // Different names can share a safe directory name (a/b:1, a_b:1): the record says whose it is.
    return record?.name === name && existsSync(rootfs) ? { record, rootfs } : undefined;
  }

  private records(): { record: ImageRecord; rootfs: string }[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((d) => !d.startsWith('.'))
      .map((d) => ({ record: readRecord(join(this.root, d, 'image.json')), rootfs: join(this.root, d, 'rootfs') }))
      .filter((r): r is { record: ImageRecord; rootfs: string } => r.record !== undefined && existsSync(r.rootfs));
  }

  /**
   * Builds the built-in busybox image's root now, if containers run isolated and it is not built yet: otherwise a
   * host's first container pays for it (a copy and some 270 links, ~100 ms on a busy machine; in a failover, a
   * survivor that had run nothing paid it for the first of the pods it took over). Its id too: hashing the 2 MB
   * binary would cost that container some milliseconds more.
   */
  prepareBuiltIn(): void {
    if (this.isolating) this.busyboxRef(this.busybox());
  }

  /** The id of the binary the built-in image runs: the copy in its root, which may be older than the host's. */
  private busyboxRef(rootfs: string): string {
    this.builtInRef ??= fileImageRef(join(rootfs, 'bin', 'busybox'));
    return this.builtInRef;
  }

  private busybox(): string {
    const rootfs = join(this.root, 'busybox', 'rootfs');
    if (existsSync(join(rootfs, '.complete'))) return rootfs;
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'tmp', 'proc', 'dev', 'etc', 'root', 'var', 'home']) mkdirSync(join(rootfs, d), { recursive: true });
    copyFileSync(BUSYBOX_BINARY, join(rootfs, 'bin', 'busybox'));
    const applets = execFileSync(BUSYBOX_BINARY, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) {
      const target = join(rootfs, applet);
      if (applet === 'bin/busybox' || existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync('/bin/busybox', target);
    }
    writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
    writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
    writeFileSync(join(rootfs, '.complete'), new Date().toISOString());
    return rootfs;
  }
}

/** Is `name` executable in the image (inside its rootfs, or on the host's PATH)? */
export function existsInImage(name: string, image: ResolvedImage, accessOk: (p: string) => boolean): boolean {
  const dirs = name.includes('/') ? [''] : image.path.split(':');
  return dirs.some((d) => {
    const inside = name.includes('/') ? name : `${d}/${name}`;
    return accessOk(image.rootfs ? join(image.rootfs, inside) : inside);
  });
}
