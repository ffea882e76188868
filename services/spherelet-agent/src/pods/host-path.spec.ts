import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUpHostPath } from './host-path';

describe('setUpHostPath (kubelet\'s hostPath type checks)', () => {
  let dir: string;
  let socket: Server;
  const at = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'host-path-'));
    mkdirSync(at('dir'));
    writeFileSync(at('file'), 'x');
    socket = createServer();
    await new Promise<void>((resolve) => socket.listen(at('sock'), resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => socket.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks nothing without a type, and makes a missing path a directory as the runtime would', () => {
    expect(setUpHostPath(at('file'), '')).toBeUndefined();
    expect(setUpHostPath(at('unset/deep'), undefined)).toBeUndefined();
    expect(statSync(at('unset/deep')).isDirectory()).toBe(true);
  });

  it('takes a Directory only where one is, and says so in kubelet\'s words otherwise', () => {
    expect(setUpHostPath(at('dir'), 'Directory')).toBeUndefined();
    expect(setUpHostPath(at('file'), 'Directory')).toBe(`hostPath type check failed: ${at('file')} is not a directory`);
    expect(setUpHostPath(at('missing'), 'Directory')).toBe(`hostPath type check failed: ${at('missing')} is not a directory`);
  });

  it('makes a DirectoryOrCreate 0755 with its parents, and refuses one that is a file', () => {
    const previous = process.umask(0);
    try {
      expect(setUpHostPath(at('made/a/b'), 'DirectoryOrCreate')).toBeUndefined();
    } finally {
      process.umask(previous);
    }
    expect(statSync(at('made/a/b')).mode & 0o7777).toBe(0o755);
    expect(setUpHostPath(at('file'), 'DirectoryOrCreate')).toBe(`hostPath type check failed: ${at('file')} is not a directory`);
    expect(setUpHostPath(at('file/below'), 'DirectoryOrCreate')).toBe(`mkdir ${at('file/below')}: not a directory`);
  });

  it('makes a FileOrCreate 0644 and empty, but only in a directory that exists', () => {
    const previous = process.umask(0);
    try {
      expect(setUpHostPath(at('dir/new.conf'), 'FileOrCreate')).toBeUndefined();
    } finally {
      process.umask(previous);
    }
    const made = statSync(at('dir/new.conf'));
    expect([made.isFile(), made.size, made.mode & 0o7777]).toEqual([true, 0, 0o644]);
    expect(setUpHostPath(at('nodir/new.conf'), 'FileOrCreate')).toBe(`open ${at('nodir/new.conf')}: no such file or directory`);
    expect(setUpHostPath(at('dir'), 'FileOrCreate')).toBe(`hostPath type check failed: ${at('dir')} is not a file`);
  });

  it('takes a File only where a regular file is', () => {
    expect(setUpHostPath(at('file'), 'File')).toBeUndefined();
    expect(setUpHostPath(at('dir'), 'File')).toBe(`hostPath type check failed: ${at('dir')} is not a file`);
    expect(setUpHostPath(at('sock'), 'File')).toBe(`hostPath type check failed: ${at('sock')} is not a file`);
  });

  it('tells sockets, character devices and block devices apart', () => {
    expect(setUpHostPath(at('sock'), 'Socket')).toBeUndefined();
    expect(setUpHostPath(at('file'), 'Socket')).toBe(`hostPath type check failed: ${at('file')} is not a socket file`);
    expect(setUpHostPath('/dev/null', 'CharDevice')).toBeUndefined();
    expect(setUpHostPath(at('file'), 'CharDevice')).toBe(`hostPath type check failed: ${at('file')} is not a character device`);
    expect(setUpHostPath('/dev/null', 'BlockDevice')).toBe('hostPath type check failed: /dev/null is not a block device');
  });

  it('follows symlinks, as kubelet\'s stat does, and names a type it does not know', () => {
    expect(setUpHostPath('/proc/self/cwd', 'Directory')).toBeUndefined();
    expect(setUpHostPath(at('dir'), 'Dir')).toBe('Dir is an invalid volume type');
  });
});
