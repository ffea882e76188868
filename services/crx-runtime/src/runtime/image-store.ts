import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const BUSYBOX_IMAGE = /^(docker\.io\/)?(library\/)?busybox(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;
const BUSYBOX_BINARY = '/bin/busybox';

export interface ResolvedImage {
  /** The image's root filesystem; undefined = run on the host's root (no busybox-static here). */
  rootfs?: string;
  /** PATH inside the image. */
  path: string;
}

/**
 * The host's local image store. For now it holds one image, `busybox`, built
 * on first use from Debian's busybox-static binary (`apt-get install
 * busybox-static`): a root filesystem with the binary and a link per applet.
 * Without that binary, busybox runs on the host's own root and the runtime
 * reports `isolation: none`.
 */
export class ImageStore {
  constructor(private readonly root: string) {}

  get isolating(): boolean {
    return existsSync(BUSYBOX_BINARY) && process.getuid?.() === 0;
  }

  resolve(image: string): ResolvedImage | undefined {
    if (!BUSYBOX_IMAGE.test(image)) return undefined;
    if (!this.isolating) return { path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
    return { rootfs: this.busybox(), path: '/bin:/sbin:/usr/bin:/usr/sbin' };
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
