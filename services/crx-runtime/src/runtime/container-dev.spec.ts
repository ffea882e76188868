import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerDev, devAndMessage, FALLBACK_LOG_BYTES, MAX_TERMINATION_MESSAGE_BYTES, terminationMessage } from './container-dev';

describe("an isolated container's /dev and termination message", () => {
  const dir = mkdtempSync(join(tmpdir(), 'crx-dev-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sandbox = (hostIPC = false) => ({ id: 's', ip: '127.1.0.2', directory: dir, createdAt: '', state: 'SANDBOX_READY' as const, config: { podUid: 'u', podName: 'p', podNamespace: 'd', ...(hostIPC ? { hostIPC } : {}) } });
  /** A CRI log of `lines`, one record each. */
  const log = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.map((l) => `2026-12-05T10:00:00.000000000Z stdout F ${l}\n`).join(''));
    return path;
  };

  it("gives its own /dev the pod's shm directory (the host's for hostIPC), the host's for a privileged one, and makes the message file writable by anyone", () => {
    const source = join(dir, 'c.0.termination-log');
    const own = containerDev(sandbox(), { logPath: '', terminationLog: { source, path: '/dev/termination-log' } });
    expect(own).toEqual({ dev: 'own', shm: join(dir, 'shm'), terminationLog: { source, path: '/dev/termination-log' } });
    expect(statSync(join(dir, 'shm')).mode & 0o7777).toBe(0o1777);
    expect(statSync(source).mode & 0o777).toBe(0o666);
    expect(readFileSync(source, 'utf8')).toBe('');
    expect(containerDev(sandbox(true), { logPath: '' })).toEqual({ dev: 'own', shm: '/dev/shm' });
    expect(containerDev(sandbox(), { logPath: '', hostDev: true })).toEqual({ dev: 'host' });
  });

  it('reads the first 4096 bytes of the file, else on a failure with FallbackToLogsOnError the last 80 lines of the log, at most 2048 bytes', () => {
    const source = join(dir, 'big');
    writeFileSync(source, 'x'.repeat(5000));
    expect(terminationMessage({ logPath: '', terminationLog: { source, path: '/t' } }, 1)).toBe('x'.repeat(MAX_TERMINATION_MESSAGE_BYTES));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
    const logPath = log('short.log', lines);
    expect(terminationMessage({ logPath, terminationLog: { source: empty, path: '/t' }, fallbackToLogs: true }, 1)).toBe(lines.slice(20).join('\n') + '\n');
    // Not without the policy, nor on success.
    expect(terminationMessage({ logPath, terminationLog: { source: empty, path: '/t' } }, 1)).toBeUndefined();
    expect(terminationMessage({ logPath, fallbackToLogs: true }, 0)).toBeUndefined();
    const long = log('long.log', Array.from({ length: 80 }, (_, i) => `${i}`.padStart(100, '-')));
    const tail = terminationMessage({ logPath: long, fallbackToLogs: true }, 137)!;
    expect(Buffer.byteLength(tail)).toBe(FALLBACK_LOG_BYTES);
    expect(tail.endsWith(`${'79'.padStart(100, '-')}\n`)).toBe(true);
    // No log at all: nothing to say.
    expect(terminationMessage({ logPath: join(dir, 'none.log'), fallbackToLogs: true }, 1)).toBeUndefined();
  });

  it("keeps of a new container the host's /dev for a privileged one, the normalized message path, and the fallback policy", () => {
    const c = (extra: any) => ({ name: 'c', image: 'busybox', ...extra });
    expect(devAndMessage(c({ terminationMessagePath: '/../dev/termination-log' }), '/s', true)).toEqual({ terminationLog: { source: '/s', path: '/dev/termination-log' } });
    expect(devAndMessage(c({ terminationMessagePath: '/dev/termination-log', security: { privileged: true } }), '/s', true)).toEqual({ hostDev: true });
    expect(devAndMessage(c({ terminationMessagePath: '/var/why', security: { privileged: true } }), '/s', true)).toEqual({ hostDev: true, terminationLog: { source: '/s', path: '/var/why' } });
    // On the host's root: no file, no /dev of its own; the fallback still holds. A relative path is none.
    expect(devAndMessage(c({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError', security: { privileged: true } }), '/s', false)).toEqual({ fallbackToLogs: true });
    expect(devAndMessage(c({ terminationMessagePath: 'why' }), '/s', true)).toEqual({});
  });
});
