import { spawn, ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** A new process group, so the whole group can be signalled (a host is killed as a unit). */
  detached?: boolean;
  /** An IPC channel lets a supervised child notice that its parent died, even by SIGKILL. */
  ipc?: boolean;
}

/** One child whose stdout and stderr go to a log file, with a stop that escalates to SIGKILL. */
export class ManagedProcess {
  readonly exited: Promise<ProcessExit>;
  private exit?: ProcessExit;

  private constructor(
    readonly spec: ProcessSpec,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      // A spawn failure (missing binary) emits 'error' without 'exit'.
      child.once('error', () => {
        if (this.exit) return;
        this.exit = { code: 127, signal: null };
        resolve(this.exit);
      });
    });
  }

  static start(spec: ProcessSpec): ManagedProcess {
    const log = openSync(spec.logFile, 'a');
    try {
      const stdio: StdioOptions = spec.ipc ? ['ignore', log, log, 'ipc'] : ['ignore', log, log];
      const child = spawn(spec.command, spec.args, { env: spec.env, stdio, detached: spec.detached ?? false });
      return new ManagedProcess(spec, child);
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get exitInfo(): ProcessExit | undefined {
    return this.exit;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      if (this.spec.detached) process.kill(-this.child.pid, signal);
      else this.child.kill(signal);
    } catch {
      // Already gone between the check and the kill.
    }
  }

  /** SIGTERM, then SIGKILL if it is still alive after the grace period. */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (!this.running) return this.exit as ProcessExit;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // A detached group may outlive its leader; make sure nothing of it stays behind.
      if (this.spec.detached && this.child.pid !== undefined) killGroupQuietly(this.child.pid);
    }
  }
}

function killGroupQuietly(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // No process left in the group: the normal case.
  }
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
