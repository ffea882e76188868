/**
 * The host's shim: one long-lived process that starts the host's containers, has their output logged and
 * records their exits (container-process.ts). It is its own process, not part of crx-runtime, so it outlives
 * the runtime: a restarted runtime finds its containers running and their logs intact, and talks to the same
 * shim again. One process for all containers rather than a fresh Node.js per container, and the forking and
 * log writing done by its small native monitor (launchers.ts): a start costs a fork of a program of a few
 * hundred kilobytes, not a Node.js start-up or a fork of this one.
 *
 * Usage: node crx-shim.js <socket name>. It answers newline-delimited JSON on that abstract Unix socket:
 * `{"id":1,"spec":{...}}` → `{"id":1,"started":{...}}` or `{"id":1,"error":"..."}`, and `{"id":2,"closeStdin":"<FIFO>"}`
 * → `{"id":2,"closed":true}` (container-process.ts, `closeStdin`). It greets each connection first with
 * `{"serving":<pid>}`: a connection the kernel queued for a shim that is exiting (idle, or killed) is never greeted,
 * so the runtime knows not to send it a request that would be lost (shim-client.ts). It leaves when no
 * runtime is connected and no container runs.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { abstractSocket } from '../runtime/shim-client';
import { closeStdin, ShimSpec, startContainerProcess } from './container-process';
import { hostLauncher } from './launchers';

/** How long the shim stays without a runtime and containers: a runtime that restarts reconnects well within it. */
const IDLE_EXIT_MS = 5000;
/** crx-monitor (native/crx-monitor.c), built beside this file where there is a C compiler, starts the containers. */
const launcher = hostLauncher(join(__dirname, 'crx-monitor'));

let running = 0;
let clients = 0;
let idleTimer: NodeJS.Timeout | undefined;
const checkIdle = () => {
  clearTimeout(idleTimer);
  if (running === 0 && clients === 0) idleTimer = setTimeout(() => running === 0 && clients === 0 && process.exit(0), IDLE_EXIT_MS);
};

const server = createServer((socket) => {
  clients++;
  checkIdle();
  socket.on('error', () => undefined);
  // Counted, so this shim no longer leaves while it is connected: now the runtime may send its requests.
  socket.write(JSON.stringify({ serving: process.pid }) + '\n');
  socket.on('close', () => {
    clients--;
    checkIdle();
  });
  // readline passes the socket's errors on (a runtime killed mid-request): unhandled they would end this shim and every container with it.
  const lines = createInterface({ input: socket, crlfDelay: Infinity }).on('error', () => undefined);
  lines.on('line', (line) => {
    let id: unknown;
    try {
      const request = JSON.parse(line) as { id: unknown; spec: ShimSpec; closeStdin?: string };
      id = request.id;
      if (typeof request.closeStdin === 'string') {
        closeStdin(request.closeStdin);
        socket.write(JSON.stringify({ id, closed: true }) + '\n');
        return;
      }
      running++;
      startContainerProcess(request.spec, launcher, () => {
        running--;
        checkIdle();
      }).then(
        (started) => socket.write(JSON.stringify({ id, started }) + '\n'),
        // Started, but its status could not be written: it was ended, and its exit calls back as any other's.
        (err: Error) => socket.write(JSON.stringify({ id, error: err.message }) + '\n'),
      );
    } catch (err) {
      socket.write(JSON.stringify({ id, error: (err as Error).message }) + '\n');
    }
  });
});
// Another shim already serves this host (two runtimes raced to start one): that one keeps it.
server.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EADDRINUSE' ? 0 : 1));
server.listen(abstractSocket(process.argv[2]));
checkIdle();

// The runtime stops containers by signalling them; the shim itself waits for their exits.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => undefined);
