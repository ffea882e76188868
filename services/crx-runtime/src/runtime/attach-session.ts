import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { AttachStartRequest, CodedError, crxAttachStartSubject, crxExecStreamSubject, CrxErrorCodes, ExecChannels } from '@openpacific/contracts';
import { HostSessions } from './host-sessions';
import { outputOfLogRecords } from './log-records';
import { terminalSizeOf } from './terminal-size';
import { AttachTarget } from './runtime-driver';

const MAX_SESSIONS = 64;
/** How often a session looks for new output in the log (and whether the container still runs). */
const POLL_MS = 100;
/** At most this much of the log per look, so a container writing fast cannot make one read hold the runtime. */
const READ_MAX = 1 << 20;

/**
 * `kubectl attach` on this host: a session follows the container's log from its end at the moment of attach (new
 * output only, as kubelet's attach gives) and writes the client's stdin to the container's stdin FIFO. It ends when
 * the container exits (after the last of its output) or the client goes; the container runs on either way. A `tty`
 * container's terminal output is all in its log as stdout; the client's resizes set its terminal's window.
 */
export class AttachSessions extends HostSessions<AttachStartRequest> {
  private readonly sessions = new Map<string, () => void>();

  protected startSubject(): string {
    return crxAttachStartSubject(this.prefix, this.host);
  }

  stop(): void {
    this.sub?.unsubscribe();
    for (const end of [...this.sessions.values()]) end();
  }

  protected open(req: AttachStartRequest): Record<string, never> {
    if (!this.driver.attachTarget) throw new CodedError(CrxErrorCodes.invalid, 'this runtime driver cannot attach to containers');
    if (this.sessions.size >= MAX_SESSIONS) throw new CodedError(CrxErrorCodes.conflict, `too many attach sessions on host ${this.host}`);
    const target = this.driver.attachTarget(req.containerId);
    const out = crxExecStreamSubject(this.prefix, this.host, req.sessionId, 'out');
    const send = (channel: number, data: Buffer) => this.nc.publish(out, Buffer.concat([Buffer.from([channel]), data]));
    let offset = sizeOf(target.logPath);
    const follow = () => {
      for (;;) {
        const bytes = readFrom(target.logPath, offset);
        const { chunks, used } = outputOfLogRecords(bytes);
        for (const c of chunks) send(c.stream === 'stdout' ? ExecChannels.stdout : ExecChannels.stderr, c.data);
        offset += used;
        if (bytes.length < READ_MAX || used === 0) return;
      }
    };
    const stdin = req.stdin && target.stdinPath ? new StdinWriter(target) : undefined;
    let ended = false;
    const end = (exit?: { error?: string }) => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      input.unsubscribe();
      this.sessions.delete(req.sessionId);
      stdin?.close();
      if (exit) send(ExecChannels.exit, Buffer.from(JSON.stringify(exit)));
    };
    const timer = setInterval(() => {
      try {
        // Asked first: once the container is seen ended, its monitor has written all its output to the log.
        const running = target.running();
        follow();
        if (!running) end({});
      } catch (err) {
        end({ error: (err as Error).message });
      }
    }, POLL_MS);
    const input = this.nc.subscribe(crxExecStreamSubject(this.prefix, this.host, req.sessionId, 'in'), {
      callback: (err, msg) => {
        if (err || msg.data.length === 0) return;
        const channel = msg.data[0];
        if (channel === ExecChannels.stdin) stdin?.write(Buffer.from(msg.data.subarray(1)));
        else if (channel === ExecChannels.closeStdin) stdin?.close();
        else if (channel === ExecChannels.resize) {
          const size = terminalSizeOf(Buffer.from(msg.data.subarray(1)));
          if (size) target.resize?.(size);
        }
        // The client went: the session ends, the container does not.
        else if (channel === ExecChannels.kill) end();
      },
    });
    this.sessions.set(req.sessionId, () => end({ error: 'the container runtime stopped' }));
    return {};
  }
}

/**
 * One session's writer to the container's stdin FIFO (a non-blocking pipe in libuv: a container that does not read
 * makes it buffer, never blocks the runtime). Closed, it lets the container read the end of its input only when
 * `stdinOnce` (the shim then drops its own writer and the FIFO); otherwise the shim's writer keeps stdin open for the
 * next session, as kubelet keeps it.
 */
class StdinWriter {
  private socket?: Socket;
  private closed = false;

  constructor(private readonly target: AttachTarget) {}

  write(data: Buffer): void {
    if (this.closed) return;
    if (!this.socket) {
      try {
        // O_NONBLOCK: with no reader left (the container ended) the open fails instead of waiting for one.
        const fd = openSync(this.target.stdinPath!, constants.O_WRONLY | constants.O_NONBLOCK);
        this.socket = new Socket({ fd, readable: false, writable: true }).on('error', () => undefined);
      } catch {
        // Its stdin is gone (the container ended, or stdinOnce closed it meanwhile): what the client types goes nowhere.
        this.closed = true;
        return;
      }
    }
    this.socket.write(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const closeStdin = () => (this.target.stdinOnce ? void this.target.closeStdin().catch(() => undefined) : undefined);
    const socket = this.socket;
    if (!socket) return closeStdin();
    socket.end(() => {
      socket.destroy();
      closeStdin();
    });
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readFrom(path: string, offset: number): Buffer {
  const size = sizeOf(path);
  if (size <= offset) return Buffer.alloc(0);
  const buf = Buffer.alloc(Math.min(size - offset, READ_MAX));
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, offset));
  } finally {
    closeSync(fd);
  }
}
