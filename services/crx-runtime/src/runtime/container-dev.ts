import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ContainerConfig, PodSandbox } from '@openpacific/contracts';
import type { ShimSpec } from '../shim/container-process';
import { readLogFile } from './log-reader';

/** kubelet's limits on a termination message: from the file, and from the log's tail (lines, then bytes). */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;

/** What an isolated container's /dev and termination message need of its record. */
export interface DevAndMessage {
  /** The host's whole /dev (a privileged container). */
  hostDev?: boolean;
  /** Its terminationMessagePath and the host file bound there. */
  terminationLog?: { source: string; path: string };
  fallbackToLogs?: boolean;
  logPath: string;
}

/**
 * What a new container's record keeps of its /dev and termination message: a privileged isolated container has the
 * host's /dev; an isolated one with an absolute `terminationMessagePath` has `source` bound there (the path
 * normalized, so `..` cannot lead the bind out of its root; none under a privileged one's /dev, the host's own, where
 * nothing is made); `FallbackToLogsOnError` holds wherever it runs.
 */
export function devAndMessage(config: ContainerConfig, source: string, isolated: boolean): Omit<DevAndMessage, 'logPath'> {
  const privileged = isolated && !!config.security?.privileged;
  const path = config.terminationMessagePath?.startsWith('/') ? posix.normalize(config.terminationMessagePath) : undefined;
  return {
    ...(privileged ? { hostDev: true } : {}),
    ...(isolated && path && !(privileged && path.startsWith('/dev/')) ? { terminationLog: { source, path } } : {}),
    ...(config.terminationMessagePolicy === 'FallbackToLogsOnError' ? { fallbackToLogs: true } : {}),
  };
}

/**
 * The isolation settings for an isolated container's /dev: its own (a privileged one: the host's), with its pod's
 * `/dev/shm` (a directory of the sandbox, made once and shared by the pod's containers, as a pod's containers share
 * their pause's; `hostIPC`: the host's), and its termination message file, made empty and writable by any user (the
 * container's may not be root) before it starts.
 */
export function containerDev(sandbox: PodSandbox, c: DevAndMessage): Pick<NonNullable<ShimSpec['isolation']>, 'dev' | 'shm' | 'terminationLog'> {
  if (c.terminationLog) {
    writeFileSync(c.terminationLog.source, '');
    chmodSync(c.terminationLog.source, 0o666);
  }
  const log = c.terminationLog ? { terminationLog: c.terminationLog } : {};
  if (c.hostDev) return { dev: 'host', ...log };
  let shm = '/dev/shm';
  if (!sandbox.config.hostIPC) {
    shm = join(sandbox.directory, 'shm');
    if (!existsSync(shm)) {
      mkdirSync(shm, { recursive: true });
      chmodSync(shm, 0o1777);
    }
  }
  return { dev: 'own', shm, ...log };
}

/**
 * An exited container's `message`, as kubelet reads it: what it wrote to its termination message file (the first
 * 4096 bytes); nothing there, a failure (exit code not 0) and `FallbackToLogsOnError`: the last 80 lines of its log,
 * at most their last 2048 bytes. Undefined: nothing to say.
 */
export function terminationMessage(c: DevAndMessage, exitCode: number | undefined): string | undefined {
  const written = c.terminationLog ? readHead(c.terminationLog.source, MAX_TERMINATION_MESSAGE_BYTES) : '';
  if (written) return written;
  if (!c.fallbackToLogs || exitCode === 0) return undefined;
  const tail = readLogFile(c.logPath, { containerId: '', tailLines: FALLBACK_LOG_LINES }).content;
  const bytes = Buffer.from(tail);
  const kept = bytes.length > FALLBACK_LOG_BYTES ? bytes.subarray(bytes.length - FALLBACK_LOG_BYTES).toString('utf8') : tail;
  return kept || undefined;
}

function readHead(path: string, max: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
