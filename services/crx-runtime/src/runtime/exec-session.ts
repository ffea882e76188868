import { ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { CodedError, crxExecStartSubject, crxExecStreamSubject, CrxErrorCodes, ExecChannels, ExecStartRequest } from '@openpacific/contracts';
import type { Subscription } from 'nats';
import { HostSessions } from './host-sessions';

const MAX_SESSIONS = 64;

/**
 * `kubectl exec` on this host: each session is a process started in the container's namespaces (the driver's
 * `execTarget`, as exec probes), its stdio streamed over NATS to the gateway that holds the client's WebSocket.
 * With `tty`, util-linux `script` gives the process a pseudo-terminal (node has none of its own).
 */
export class ExecSessions extends HostSessions<ExecStartRequest> {
  private readonly sessions = new Map<string, { child: ChildProcess; input: Subscription }>();

  protected startSubject(): string {
    return crxExecStartSubject(this.prefix, this.host);
  }

  stop(): void {
    this.sub?.unsubscribe();
    for (const s of this.sessions.values()) {
      s.input.unsubscribe();
      s.child.kill('SIGKILL');
    }
    this.sessions.clear();
  }

  protected async open(req: ExecStartRequest): Promise<Record<string, never>> {
    if (!this.driver.execTarget) throw new CodedError(CrxErrorCodes.invalid, 'this runtime driver cannot exec into containers');
    if (!Array.isArray(req.command) || req.command.length === 0) throw new CodedError(CrxErrorCodes.invalid, 'a command is required');
    if (this.sessions.size >= MAX_SESSIONS) throw new CodedError(CrxErrorCodes.conflict, `too many exec sessions on host ${this.host}`);
    // A container that has just started may still be entering its image: the session waits for it (up to 10 s), as
    // an exec after containerd's start would not fail.
    const target = this.driver.execTargetInImage ? await this.driver.execTargetInImage(req.containerId, req.command, 10_000) : this.driver.execTarget(req.containerId, req.command);
    const out = crxExecStreamSubject(this.prefix, this.host, req.sessionId, 'out');
    const send = (channel: number, data: Buffer | string) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      this.nc.publish(out, Buffer.concat([Buffer.from([channel]), bytes]));
    };
    const [file, args] = req.tty
      ? ['script', ['-qfec', [target.file, ...target.args].map(shellQuote).join(' '), '/dev/null']]
      : [target.file, target.args];
    const child = spawn(file, args, { cwd: target.cwd, env: { TERM: 'xterm', ...target.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => undefined);
    if (!req.stdin) child.stdin!.end();
    child.stdout!.on('data', (d: Buffer) => send(ExecChannels.stdout, d));
    child.stderr!.on('data', (d: Buffer) => send(req.tty ? ExecChannels.stdout : ExecChannels.stderr, d));
    let finished = false;
    const finish = (result: { exitCode?: number; error?: string }) => {
      if (finished) return;
      finished = true;
      const s = this.sessions.get(req.sessionId);
      this.sessions.delete(req.sessionId);
      s?.input.unsubscribe();
      send(ExecChannels.exit, JSON.stringify(result));
    };
    child.on('error', (err) => finish({ error: err.message }));
    // 'close' comes after the output pipes drained: the exit message is the last one.
    child.on('close', (code, signal) => finish({ exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1) }));
    const input = this.nc.subscribe(crxExecStreamSubject(this.prefix, this.host, req.sessionId, 'in'), {
      callback: (err, msg) => {
        if (err || msg.data.length === 0) return;
        const channel = msg.data[0];
        const data = Buffer.from(msg.data.subarray(1));
        if (channel === ExecChannels.stdin && req.stdin) child.stdin!.write(data);
        else if (channel === ExecChannels.closeStdin) child.stdin!.end();
        else if (channel === ExecChannels.kill) child.kill('SIGKILL');
        else if (channel === ExecChannels.resize && req.tty) resize(child, data);
      },
    });
    this.sessions.set(req.sessionId, { child, input });
    return {};
  }
}

/**
 * A resize (`{"Width":w,"Height":h}`) applied to the terminal `script` made: the pty its child reads from, found in
 * /proc, set with `stty -F` (the kernel then sends SIGWINCH to the foreground process group). The first one may
 * come before `script` has started its child: it is retried a few times.
 */
function resize(child: ChildProcess, data: Buffer, attempt = 0): void {
  let size: { Width?: unknown; Height?: unknown };
  try {
    size = JSON.parse(data.toString());
  } catch {
    return;
  }
  const [cols, rows] = [Number(size.Width), Number(size.Height)];
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0 || cols > 10000 || rows > 10000) return;
  const pty = terminalOf(child.pid);
  if (!pty) {
    if (attempt < 20 && child.exitCode === null) setTimeout(() => resize(child, data, attempt + 1), 50);
    return;
  }
  execFile('stty', ['-F', pty, 'rows', String(rows), 'cols', String(cols)], () => undefined);
}

function terminalOf(scriptPid: number | undefined): string | undefined {
  if (!scriptPid) return undefined;
  try {
    const children = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const pid of children) {
      const fd0 = readlinkSync(`/proc/${pid}/fd/0`);
      if (fd0.startsWith('/dev/pts/')) return fd0;
    }
  } catch {
    // gone already, or not started yet
  }
  return undefined;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function signalNumber(signal: NodeJS.Signals): number {
  return (require('node:os').constants.signals as Record<string, number>)[signal] ?? 0;
}
