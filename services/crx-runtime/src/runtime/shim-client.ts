import { spawn } from 'node:child_process';
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

/** The connection to the shim ended before it answered: it died, and whether it started the container is unknown. */
export class ShimGoneError extends Error {}

/**
 * The runtime's side of the host's shim (crx-shim.ts): one connection, kept open, over which each container
 * start is a request. It starts the shim when none answers, and again after one died.
 */
export class ShimClient {
  private socket?: Promise<Socket>;
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
    let spawned = false;
    for (;;) {
      try {
        const socket = await attempt(this.socketName);
        this.serve(socket);
        return socket;
      } catch (err) {
        if (Date.now() > deadline) {
          this.socket = undefined;
          throw new Error(`cannot reach the container shim: ${(err as Error).message}`);
        }
        if (!spawned) {
          spawned = true;
          this.spawnShim();
        }
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
    shim.on('error', () => undefined);
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

function attempt(name: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(abstractSocket(name));
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
