import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;
/** atomic-volume.ts's link to a content volume's current files (not imported: that writer uses this module). */
const DATA_LINK = '..data';

/**
 * A pod's volume directory in its sandbox (an emptyDir, or what a configMap, secret, downwardAPI or projected volume
 * is written in), made 0777 as kubelet makes an emptyDir (and the volumes it wraps one in), whatever the umask, so
 * that a container running as any user can write it. One that exists is left as it is.
 */
export function makeVolumeDirectory(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
}

/**
 * kubelet's SetVolumeOwnership for a pod with `fsGroup`: everything in the volume (symlinks themselves, never what
 * they point at) becomes group-owned by it, files gain group read (and write, but in a volume whose content the
 * agent writes, which containers only read: `..data` tells one), directories that too plus group search and the
 * setgid bit, so what is made in them later is the fsGroup's too. `OnRootMismatch` skips a volume whose top already
 * has that group, those permissions and the setgid bit. Returns whether it walked the volume.
 */
export function setVolumeOwnership(dir: string, fsGroup: number, options: { policy?: 'Always' | 'OnRootMismatch'; readOnly?: boolean } = {}): boolean {
  const { policy = 'Always', readOnly = isContentVolume(dir) } = options;
  if (policy === 'OnRootMismatch' && !needsChange(dir, fsGroup, readOnly)) return false;
  const walk = (path: string) => {
    const stat = lstatSync(path);
    lchownSync(path, -1, fsGroup);
    if (stat.isSymbolicLink()) return;
    const mask = (readOnly ? RO : RW) | (stat.isDirectory() ? SETGID | EXEC : 0);
    chmodSync(path, (stat.mode & 0o7777) | mask);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return true;
}

function isContentVolume(dir: string): boolean {
  try {
    return lstatSync(join(dir, DATA_LINK)).isSymbolicLink();
  } catch {
    return false;
  }
}

function needsChange(dir: string, fsGroup: number, readOnly: boolean): boolean {
  const stat = statSync(dir);
  if (stat.gid !== fsGroup || !stat.isDirectory()) return true;
  const wanted = (readOnly ? RO : RW) | EXEC;
  return (stat.mode & wanted) !== wanted || (stat.mode & SETGID) === 0;
}
