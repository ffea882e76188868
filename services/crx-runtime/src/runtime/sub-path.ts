import { chmodSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { CodedError, CrxErrorCodes } from '@openpacific/contracts';

/** A volume mount's subPath ready to bind: its real path, and the volume's, which it is beneath. */
export interface SubPathSource {
  source: string;
  volume: string;
}

/**
 * Why a subPath cannot be mounted: `invalid` (absolute, or a `..` element), `create` (its missing directory could
 * not be made inside the volume), `prepare` (it cannot be resolved, or its real path leaves the volume).
 */
export class SubPathError extends Error {
  constructor(readonly step: 'invalid' | 'create' | 'prepare', message: string) {
    super(message);
    this.name = 'SubPathError';
  }
}

/**
 * The subPath `subPath` of the volume directory `volumeDir` as kubelet's makeMounts and subpath package prepare it:
 * a path that does not exist is made a directory, each level with the volume's own mode (set again after the
 * umask cut it), never through a symlink out of the volume; then every symlink on the way is followed, and a real
 * path outside the volume's real path is refused. A file comes back as a file (it is bound as one).
 *
 * What this returns is checked now; crx-init opens it again beneath the volume without following a symlink before
 * it binds it, so that a container sharing the volume cannot swap a directory for a symlink in between.
 */
export function prepareSubPath(volumeDir: string, subPath: string): SubPathSource {
  if (subPath.startsWith('/')) throw new SubPathError('invalid', `subPath ${JSON.stringify(subPath)} must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new SubPathError('invalid', `subPath ${JSON.stringify(subPath)} must not contain '..'`);
  const volume = resolve(volumeDir, 'prepare');
  const path = join(volume, subPath);
  if (!exists(path)) makeDirectories(volume, subPath);
  const source = resolve(path, 'prepare');
  if (!within(source, volume)) throw new SubPathError('prepare', `subpath ${source} not within volume path ${volume}`);
  return { source, volume };
}

/**
 * prepareSubPath for a container's mount, failing as kubelet does: a CreateContainerConfigError (`containerConfig`)
 * that names the mount and the container but not the host's paths (kubelet keeps those for its own log: `log`).
 */
export function mountSubPath(
  volumeDir: string,
  mount: { name: string; subPath: string },
  container: string,
  log?: (message: string, fields: Record<string, unknown>) => void,
): SubPathSource {
  try {
    return prepareSubPath(volumeDir, mount.subPath);
  } catch (err) {
    if (!(err instanceof SubPathError)) throw err;
    if (err.step === 'invalid') throw new CodedError(CrxErrorCodes.invalid, `volume "${mount.name}": ${err.message}`);
    log?.('a subPath was refused', { container, volume: mount.name, subPath: mount.subPath, error: err.message });
    const what = err.step === 'create' ? 'create subPath directory' : 'prepare subPath';
    throw new CodedError(CrxErrorCodes.containerConfig, `failed to ${what} for volumeMount "${mount.name}" of container "${container}"`, { cause: err });
  }
}

/** Makes the missing directories of `subPath` below the deepest existing one, which must be inside `volume` (a real path). */
function makeDirectories(volume: string, subPath: string): void {
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  let existing = volume;
  let i = 0;
  for (; i < parts.length && exists(join(existing, parts[i])); i++) {
    existing = resolve(join(existing, parts[i]), 'create');
    if (!within(existing, volume)) throw new SubPathError('create', `path ${existing} is outside of allowed base ${volume}`);
  }
  const mode = statSync(volume).mode & 0o7777;
  for (; i < parts.length; i++) {
    const dir = join(existing, parts[i]);
    try {
      mkdirSync(dir, { mode });
      // Made a moment ago, yet a container sharing the volume may have put a symlink in its place since.
      if (!lstatSync(dir).isDirectory()) throw new Error(`${dir} is no longer a directory`);
      chmodSync(dir, mode);
    } catch (err) {
      throw new SubPathError('create', `cannot create directory ${dir}: ${(err as Error).message}`);
    }
    existing = dir;
  }
}

function resolve(path: string, step: 'create' | 'prepare'): string {
  try {
    return realpathSync(path);
  } catch (err) {
    throw new SubPathError(step, `error resolving symlinks in ${path}: ${(err as Error).message}`);
  }
}

/** Whether the path exists, a symlink counting as what it leads to (a dangling one does not exist). */
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is `base` or below it (both real paths). */
function within(path: string, base: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}
