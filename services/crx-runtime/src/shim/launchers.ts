import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';

/** One program to start for a container: its output goes to `logPath`, a line at a time, in the CRI log format. */
export interface Launch {
  /** An absolute path. */
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  /** A FIFO to be its stdin (read end only; its shim holds the write end open), else /dev/null. */
  stdinPath?: string;
  /**
   * With a terminal (`tty: true`): a FIFO of window sizes (terminal-size.ts). The container's stdio is then a
   * pseudo-terminal fed from `stdinPath`, its output logged as stdout.
   */
  terminalPath?: string;
}

/** How a container's first process ended, once its output is in its log. */
export interface Exit {
  /** 128 + the signal's number when a signal ended it. */
  code: number;
  signal: string | null;
  message?: string;
}

/**
 * Starts the shim's containers: each in a session of its own, stdin from /dev/null or its FIFO, output to its log, SIGKILL as
 * its parent-death signal (it dies with the shim). `launch` resolves with the pid, or rejects with why nothing started.
 */
export interface Launcher {
  launch(what: Launch, onExit: (exit: Exit) => void): Promise<number>;
  /** Ends the launcher and the containers it started (a shim ends them by ending itself). */
  close(): void;
}

/**
 * One record of a container's log in the CRI format: RFC 3339 time with nanoseconds (milliseconds are what Node.js
 * has), the stream, F (a whole line), the line. crx-monitor writes the same records itself.
 */
export function logRecord(stream: 'stdout' | 'stderr', line: string): string {
  return `${new Date().toISOString().replace(/Z$/, '000000Z')} ${stream} F ${line}\n`;
}
const signalNames = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));
const SETPRIV = '/usr/bin/setpriv';
const SCRIPT = '/usr/bin/script';
/** How long an exit waits for the output still in its pipes (a process left behind may hold them open for ever). */
const DRAIN_MS = 2000;

/**
 * The host's crx-monitor (native/crx-monitor.c), one per shim, does the forking and the log writing: a start forked
 * from this 50 MB process would cost it a few milliseconds of CPU each, and reading output here a turn per line.
 * A monitor that dies takes its containers with it (their parent-death signal): they are reported killed, and the
 * next start gets a new monitor.
 */
export class MonitorLauncher implements Launcher {
  private monitor?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (pid: number) => void; reject: (e: Error) => void; onExit: (exit: Exit) => void }>();
  private readonly running = new Map<number, (exit: Exit) => void>();

  constructor(private readonly path: string) {}

  launch(what: Launch, onExit: (exit: Exit) => void): Promise<number> {
    const monitor = (this.monitor ??= this.spawn());
    const id = String(this.nextId++);
    const env = Object.entries(what.env).map(([k, v]) => `${k}=${v}`);
    const fields = [id, what.logPath, what.cwd, what.stdinPath ?? '', what.terminalPath ?? '', String(what.args.length + 1), what.file, ...what.args, String(env.length), ...env];
    if (fields.some((f) => f.includes('\0'))) return Promise.reject(new Error('a command line or environment value holds a NUL byte'));
    const payload = Buffer.from(fields.map((f) => `${f}\0`).join(''));
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onExit });
      monitor.stdin!.write(`${payload.length}\n`);
      monitor.stdin!.write(payload);
    });
  }

  close(): void {
    // Its stdin closed, the monitor leaves; its containers die with it. Nothing here waits for that.
    const monitor = this.monitor;
    monitor?.stdin!.end();
    monitor?.unref();
    (monitor?.stdout as unknown as { unref?: () => void } | undefined)?.unref?.();
  }

  private spawn(): ChildProcess {
    const monitor = spawn(this.path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    monitor.stdin!.on('error', () => undefined);
    createInterface({ input: monitor.stdout!, crlfDelay: Infinity }).on('line', (line) => this.answer(line));
    const gone = () => {
      if (this.monitor !== monitor) return;
      this.monitor = undefined;
      for (const p of this.pending.values()) p.reject(new Error('the container monitor ended'));
      this.pending.clear();
      for (const onExit of this.running.values()) onExit({ code: 128 + constants.signals.SIGKILL, signal: 'SIGKILL' });
      this.running.clear();
    };
    monitor.on('exit', gone).on('error', gone);
    return monitor;
  }

  private answer(line: string): void {
    const [what, first, second, third] = line.split(' ');
    if (what === 'exited') {
      const pid = Number(first);
      const onExit = this.running.get(pid);
      this.running.delete(pid);
      const signal = Number(third);
      onExit?.({ code: Number(second), signal: signal ? (signalNames.get(signal) ?? `signal ${signal}`) : null });
      return;
    }
    const request = this.pending.get(first);
    if (!request) return;
    this.pending.delete(first);
    if (what === 'started') {
      this.running.set(Number(second), request.onExit);
      request.resolve(Number(second));
    } else request.reject(new Error(line.slice(`${what} ${first} `.length)));
  }
}

/**
 * Without the monitor (built only where there is a C compiler) the shim forks each container itself and reads its
 * output; setpriv gives it SIGKILL as parent-death signal. A container with a terminal gets one from util-linux
 * `script` (Node.js has no pseudo-terminals), its output then logged a line at a time and its window never resized.
 */
export class NodeLauncher implements Launcher {
  private readonly parentDeath = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--'] : [];
  private readonly children = new Set<ChildProcess>();

  close(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  launch(what: Launch, onExit: (exit: Exit) => void): Promise<number> {
    const command = what.terminalPath ? [SCRIPT, '-qfec', [what.file, ...what.args].map(shellQuote).join(' '), '/dev/null'] : [what.file, ...what.args];
    const [file, ...args] = [...this.parentDeath, ...command];
    // Opened for reading without waiting: the shim holds the FIFO's other end already.
    const input = what.stdinPath ? openSync(what.stdinPath, 'r') : 'ignore';
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: what.cwd, env: what.env, stdio: [input, 'pipe', 'pipe'], detached: true });
    } finally {
      if (typeof input === 'number') closeSync(input);
    }
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    // A log that cannot be written (its sandbox removed under it) loses lines, never the shim and its other containers.
    const log = createWriteStream(what.logPath, { flags: 'a' }).on('error', () => undefined);
    let open = 2;
    const closed = new Promise<void>((resolve) => {
      for (const [stream, name] of [[child.stdout!, 'stdout'], [child.stderr!, 'stderr']] as const) {
        createInterface({ input: stream, crlfDelay: Infinity })
          .on('error', () => undefined)
          .on('line', (line) => log.write(logRecord(name, line)))
          .on('close', () => --open === 0 && resolve());
      }
    });
    let finished = false;
    const finish = async (exit: Exit) => {
      if (finished) return;
      finished = true;
      await Promise.race([closed, new Promise((r) => setTimeout(r, DRAIN_MS))]);
      if (log.destroyed) onExit(exit);
      else log.end(() => onExit(exit));
    };
    child.on('exit', (code, signal) => void finish({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), signal }));
    return new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      // It could not run at all (a working directory or program missing): nothing started, nothing to report.
      child.once('error', (err) => {
        finished = true;
        log.end();
        reject(err);
      });
    });
  }
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The monitor where it was built (beside the shim), else the shim's own forks. */
export function hostLauncher(monitorPath: string): Launcher {
  return existsSync(monitorPath) ? new MonitorLauncher(monitorPath) : new NodeLauncher();
}
