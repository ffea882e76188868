import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { ShimSpec, StartedContainer } from '../shim/container-process';

/** The name of the shim's socket for a runtime root (abstract: no file to go stale when a host is killed). */
export function shimSocketName(root: string): string {
  return `openpacific-crx-shim-${createHash('sha256').update(root).digest('hex').slice(0, 24)}`;
}

/** Where Node.js reaches an abstract Unix socket: its name after a NUL byte. */
export function abstractSocket(name: string): string {
  return `\0${name}`;
}

const CONNECT_TIMEOUT_MS = 5000;
/**
 * How long a connection waits for the shim's greeting before it is taken for a connection to a shim of an earlier
 * build, which does not greet (a runtime upgraded while such a shim keeps its containers running reuses it).
 */
const LEGACY_SHIM_GRACE_MS = 2000;

/** The connection to the shim ended before it answered: it died, and whether it started the container is unknown. */
export class ShimGoneError extends Error {}

/**
 * The runtime's side of the host's shim (crx-shim.ts): one connection, kept open, over which each container
 * start is a request. It starts the shim when none answers, and again after one died. A connection is used only once
 * the shim greeted it: the kernel completes a connect to a listening socket before its process accepts it, so a shim
 * that is exiting (idle, or killed and not yet gone) still takes connections, and a request sent on one would be lost.
 */
export class ShimClient {
  private socket?: Promise<Socket>;
  /** The shim this client spawned, while it runs (it may leave at once: another shim got the name first). */
  private spawned?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (answer: any) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly socketName: string,
    private readonly shimPath: string,
  ) {}

  async start(spec: ShimSpec): Promise<StartedContainer> {
    return this.ask<StartedContainer>({ spec });
  }

  /** The shim lets go of a container's stdin FIFO and removes it (`stdinOnce`: its attach session ended). */
  async closeStdin(path: string): Promise<void> {
    await this.ask<true>({ closeStdin: path });
  }

  private async ask<T>(request: Record<string, unknown>): Promise<T> {
    const socket = await (this.socket ??= this.connect());
    const id = this.nextId++;
    // Referenced only while a request is pending: an idle connection must not keep a runtime (or a test) from exiting.
    socket.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.write(JSON.stringify({ id, ...request }) + '\n');
    }).finally(() => this.pending.size === 0 && socket.unref());
  }

  private async connect(): Promise<Socket> {
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    for (;;) {
      try {
        const socket = await attempt(this.socketName, deadline);
        this.serve(socket);
        return socket;
      } catch (err) {
        if (Date.now() > deadline) {
          this.socket = undefined;
          throw new Error(`cannot reach the container shim: ${(err as Error).message}`);
        }
        // A shim of ours that left at once (the name was still taken, by one exiting) is spawned again.
        if (!this.spawned) this.spawnShim();
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /**
   * Not detached: the shim stays in the host's process group, so a host killed as a whole takes it, and with it
   * (parent-death signal) its containers; nothing waits for it, so it outlives a restart of this runtime.
   */
  private spawnShim(): void {
    const shim = spawn(process.execPath, [this.shimPath, this.socketName], { stdio: 'ignore' });
    this.spawned = shim;
    const gone = () => this.spawned === shim && (this.spawned = undefined);
    shim.on('error', gone).on('exit', gone);
    shim.unref();
  }

  private serve(socket: Socket): void {
    socket.unref();
    // readline passes the socket's errors on: the 'close' below handles a lost shim, so they are dropped here.
    const lines = createInterface({ input: socket, crlfDelay: Infinity }).on('error', () => undefined);
    lines.on('line', (line) => {
      const reply = JSON.parse(line) as { id: number; started?: StartedContainer; closed?: true; error?: string };
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.started || reply.closed) waiter?.resolve(reply.started ?? reply.closed);
      else waiter?.reject(new Error(`the container shim could not start the container: ${reply.error}`));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // The shim died (its containers with it): the next start brings up a new one.
      this.socket = undefined;
      for (const waiter of this.pending.values()) waiter.reject(new ShimGoneError('the container shim went away'));
      this.pending.clear();
    });
  }
}

/**
 * A connection the shim greeted (`{"serving":<pid>}`, its first line), paused until it is served. One the shim closed
 * or reset first, or answered with anything else, fails, and is closed; one neither greeted nor closed within
 * LEGACY_SHIM_GRACE_MS is an earlier build's shim's, and served as it is.
 */
function attempt(name: string, deadline: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(abstractSocket(name));
    // Errors come to `fail` until the greeting, and to serve()'s handler after: none may go unhandled in between.
    socket.on('error', () => undefined);
    let first = '';
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    // A shim of an earlier build never greets: one that still holds the connection after the grace is taken to be one
    // (it answers as before). One that is exiting closes the connection long before.
    const timer = setTimeout(() => {
      socket.off('data', greeted).off('error', fail).off('close', closed);
      socket.pause();
      if (first.length > 0) socket.unshift(Buffer.from(first, 'utf8'));
      resolve(socket);
    }, Math.max(0, Math.min(LEGACY_SHIM_GRACE_MS, deadline - Date.now())));
    const greeted = (chunk: Buffer) => {
      first += chunk.toString('utf8');
      const end = first.indexOf('\n');
      if (end < 0) return;
      socket.pause();
      socket.off('data', greeted).off('error', fail).off('close', closed);
      clearTimeout(timer);
      if (!isGreeting(first.slice(0, end))) return fail(new Error(`the container shim answered the connection with ${first.slice(0, Math.min(end, 80))}`));
      resolve(socket);
    };
    const closed = () => fail(new Error('the container shim closed the connection before it greeted it (it was exiting)'));
    socket.on('data', greeted).once('error', fail).once('close', closed);
  });
}

function isGreeting(line: string): boolean {
  try {
    return typeof (JSON.parse(line) as { serving?: unknown }).serving === 'number';
  } catch {
    return false;
  }
}
