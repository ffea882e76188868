import { closeSync, mkdirSync, openSync, statSync, Stats } from 'node:fs';

/**
 * kubelet's hostPath volume plugin (SetUp): the volume's `type` checked against what is at the path on this machine,
 * made first where the type says `OrCreate`. Returns why the volume cannot be mounted (kubelet's words), or nothing.
 */
export function setUpHostPath(path: string, type: string | undefined): string | undefined {
  const found = stat(path);
  switch (type ?? '') {
    case '':
      // No check: the container runtime makes a missing path a directory when it binds it, as containerd does.
      if (!found) makeDirectory(path);
      return undefined;
    case 'DirectoryOrCreate':
      if (!found) return makeDirectory(path);
      return found.isDirectory() ? undefined : `hostPath type check failed: ${path} is not a directory`;
    case 'Directory':
      return found?.isDirectory() ? undefined : `hostPath type check failed: ${path} is not a directory`;
    case 'FileOrCreate':
      if (!found) return makeFile(path);
      return found.isFile() ? undefined : `hostPath type check failed: ${path} is not a file`;
    case 'File':
      return found?.isFile() ? undefined : `hostPath type check failed: ${path} is not a file`;
    case 'Socket':
      return found?.isSocket() ? undefined : `hostPath type check failed: ${path} is not a socket file`;
    case 'CharDevice':
      return found?.isCharacterDevice() ? undefined : `hostPath type check failed: ${path} is not a character device`;
    case 'BlockDevice':
      return found?.isBlockDevice() ? undefined : `hostPath type check failed: ${path} is not a block device`;
    default:
      return `${type} is an invalid volume type`;
  }
}

/** What is at `path`, its symlinks followed (Go's os.Stat): nothing when it does not exist or cannot be reached. */
function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** os.MkdirAll(path, 0755): its parents too. */
function makeDirectory(path: string): string | undefined {
  try {
    mkdirSync(path, { recursive: true, mode: 0o755 });
    return undefined;
  } catch (err) {
    return goPathError(err);
  }
}

/** os.OpenFile(path, O_CREATE, 0644): an empty file, in a directory that must exist already (none is made). */
function makeFile(path: string): string | undefined {
  try {
    closeSync(openSync(path, 'a', 0o644));
    return undefined;
  } catch (err) {
    return goPathError(err);
  }
}

/** A Node file system error as Go's *PathError prints it: `open /a/b: no such file or directory`. */
function goPathError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reason = (e.message ?? '').replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*'$/s, '');
  const op = e.syscall === 'mkdir' ? 'mkdir' : 'open';
  return e.path ? `${op} ${e.path}: ${reason}` : reason || String(err);
}
