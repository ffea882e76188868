import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { CodedError, CrxErrorCodes } from '@openpacific/contracts';
import { alive } from './process-tree';

/** What holds the PID namespace of a pod that shares one: its PID 1 (crx-pidns), and that namespace's identity (pids get reused). */
export interface PodPidNamespace {
  pid: number;
  /** `readlink /proc/<pid>/ns/pid`, e.g. `pid:[4026532301]`. */
  pidns: string;
}

/**
 * The PID namespace of a sandbox with `shareProcessNamespace`, made by `helper` (crx-pidns, native/crx-pidns.c): one
 * program start per such sandbox, none per container (each joins it through crx-init's OP_PIDNS).
 */
export function makePodPidNamespace(helper: string, sandboxId: string): PodPidNamespace {
  try {
    const pid = Number(execFileSync(helper, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
    const pidns = pidNamespaceOf(pid);
    if (!pidns) throw new Error(`its PID 1 ${pid} is gone`);
    return { pid, pidns };
  } catch (err) {
    const said = (err as { stderr?: string }).stderr?.trim();
    throw new CodedError(CrxErrorCodes.startFailed, `cannot make the process namespace of pod sandbox ${sandboxId}: ${said || (err as Error).message}`);
  }
}

/** Is its PID 1 still the one holding the namespace (a host killed as a whole takes it down)? */
export function podPidNamespaceAlive(h: PodPidNamespace): boolean {
  return alive(h.pid) && pidNamespaceOf(h.pid) === h.pidns;
}

/** Ends the namespace: the kernel ends every process still in it with its PID 1. */
export function endPodPidNamespace(h: PodPidNamespace): void {
  if (!podPidNamespaceAlive(h)) return;
  try {
    process.kill(h.pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

export function podPidNamespacePath(h: PodPidNamespace): string {
  return `/proc/${h.pid}/ns/pid`;
}

function pidNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}
