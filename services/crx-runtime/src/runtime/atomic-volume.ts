import { chmodSync, Dirent, lstatSync, Stats, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VolumeFile } from '@openpacific/contracts';
import { setVolumeOwnership } from './volume-ownership';

/** The symlink to the volume's current content, and the one that replaces it (renamed over it). */
export const DATA_LINK = '..data';
const DATA_TMP = '..data_tmp';
/** `..2026_12_03_13_01_51.123456789`: a directory of content, as kubelet names them. */
const CONTENT_DIR = /^\.\.\d{4}(_\d\d){5}\.\d+$/;

/**
 * Makes the directory `dir` hold exactly `files` (their paths already checked: relative, no `..`), in the layout of
 * kubelet's atomic writer, so that a container reading the volume sees either the old content or the new, never a
 * mixture:
 *
 *     dir/..2026_12_03_13_01_51.123456789/   the content (files with their modes, subdirectories)
 *     dir/..data -> ..2026_12_03_13_01_51.123456789
 *     dir/<entry> -> ..data/<entry>           one for each top-level entry of the content
 *
 * A new content directory is written in full, then a new `..data` symlink is renamed over the old one (the one
 * atomic step); the entries' symlinks are made, those of entries gone removed, and the old directory with them.
 * When the current directory holds the same files already nothing is written. Returns how many files were written.
 * With the pod's `fsGroup`, the new content is the fsGroup's (volume-ownership.ts) before it is swapped in, so that a
 * container running as another user never sees files it cannot read; the rest of the volume after.
 */
export function writeVolumeAtomically(dir: string, files: VolumeFile[], fsGroup?: number): number {
  mkdirSync(dir, { recursive: true });
  const payload = files.map((f) => ({ path: f.path, data: Buffer.from(f.data, 'base64'), mode: f.mode & 0o7777 }));
  const previous = currentContent(dir);
  let current = previous;
  if (previous === undefined || !holds(join(dir, previous), payload)) {
    current = newContentDirectory(dir);
    try {
      for (const f of payload) {
        const file = join(dir, current, f.path);
        mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
        writeFileSync(file, f.data);
        // writeFileSync's mode is filtered by the umask: the file gets exactly the one asked for.
        chmodSync(file, f.mode);
      }
      if (fsGroup !== undefined) setVolumeOwnership(join(dir, current), fsGroup, { readOnly: true });
      const tmp = join(dir, DATA_TMP);
      rmSync(tmp, { force: true });
      symlinkSync(current, tmp);
      const data = join(dir, DATA_LINK);
      if (existsAsDirectory(data)) rmSync(data, { recursive: true, force: true });
      renameSync(tmp, data);
    } catch (err) {
      rmSync(join(dir, current), { recursive: true, force: true });
      throw err;
    }
  }
  const entries = new Set(payload.map((f) => f.path.split('/')[0]));
  linkEntries(dir, entries);
  sweep(dir, entries, current!);
  if (fsGroup !== undefined) setVolumeOwnership(dir, fsGroup, { readOnly: true });
  return current === previous ? 0 : payload.length;
}

/** The content directory `..data` points at, when it is one. */
function currentContent(dir: string): string | undefined {
  try {
    const target = readlinkSync(join(dir, DATA_LINK));
    return CONTENT_DIR.test(target) && statSync(join(dir, target)).isDirectory() ? target : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `content` holds exactly these files (same bytes, same modes) and nothing else. */
function holds(content: string, payload: { path: string; data: Buffer; mode: number }[]): boolean {
  const expected = new Set<string>();
  for (const f of payload) {
    const parts = f.path.split('/');
    for (let i = 1; i <= parts.length; i++) expected.add(parts.slice(0, i).join('/'));
  }
  let found = 0;
  const walk = (relative: string): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(content, relative), { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      const path = relative ? `${relative}/${e.name}` : e.name;
      if (!expected.has(path) || !(e.isFile() || e.isDirectory())) return false;
      found++;
      if (e.isDirectory() && !walk(path)) return false;
    }
    return true;
  };
  if (!walk('') || found !== expected.size) return false;
  return payload.every((f) => {
    try {
      const file = join(content, f.path);
      const stat = statSync(file);
      return stat.isFile() && (stat.mode & 0o7777) === f.mode && stat.size === f.data.length && readFileSync(file).equals(f.data);
    } catch {
      return false;
    }
  });
}

let lastName = '';
let sameName = 0;

/** A new, empty content directory `..<UTC time to the second>.<nanoseconds>`, mode 0755; returns its name. */
function newContentDirectory(dir: string): string {
  for (;;) {
    const now = new Date();
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const seconds = `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
    // The clock has milliseconds; the rest of the nanoseconds tell apart writes within one millisecond.
    const millis = `..${seconds}.${pad(now.getUTCMilliseconds(), 3)}`;
    sameName = millis === lastName ? sameName + 1 : 0;
    lastName = millis;
    const name = `${millis}${pad(sameName % 1_000_000, 6)}`;
    try {
      mkdirSync(join(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    chmodSync(join(dir, name), 0o755);
    return name;
  }
}

/** Each top-level entry of the content as `<entry> -> ..data/<entry>` (whatever was there under that name before goes). */
function linkEntries(dir: string, entries: Set<string>): void {
  for (const entry of entries) {
    const link = join(dir, entry);
    const target = `${DATA_LINK}/${entry}`;
    let existing: Stats | undefined;
    try {
      existing = lstatSync(link);
    } catch {
      existing = undefined;
    }
    if (existing?.isSymbolicLink() && readlinkSync(link) === target) continue;
    if (existing) rmSync(link, { recursive: true, force: true });
    symlinkSync(target, link);
  }
}

/**
 * Removes what is no longer the volume's: the symlinks of entries gone (only those into `..data`: anything else
 * in the directory is not this writer's), content directories other than the current one (the previous, or one
 * of a write cut short) and a stale `..data_tmp`.
 */
function sweep(dir: string, entries: Set<string>, current: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.startsWith('..')) {
      if (name === DATA_TMP || (CONTENT_DIR.test(name) && name !== current)) rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (entries.has(name)) continue;
    try {
      if (lstatSync(path).isSymbolicLink() && readlinkSync(path).startsWith(`${DATA_LINK}/`)) rmSync(path, { force: true });
    } catch {
      // Gone meanwhile.
    }
  }
}

function existsAsDirectory(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory();
  } catch {
    return false;
  }
}
