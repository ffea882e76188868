import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '@openpacific/testing';
import type { ShimSpec } from '../shim/container-process';
import { alive } from './process-tree';
import { abstractSocket, ShimClient, shimSocketName } from './shim-client';

// The shim runs as its own Node process: the built one, as the process driver's tests use it.
const shimPath = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');

/** Connections to the abstract socket `name` that its listener has not accepted yet (its backlog), from /proc/net/unix. */
function queuedConnections(name: string): number {
  return readFileSync('/proc/net/unix', 'utf8').split('\n').filter((line) => {
    const fields = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path: St 02 is a connection in the backlog; the listener is 01. Node.js
    // binds the whole sun_path, so the name is padded with NULs (shown as @).
    return /^@+$/.test(fields[7]?.slice(name.length + 1) || '@') && fields[7]?.startsWith(`@${name}`) && fields[5] === '02';
  }).length;
}

describe('the runtime side of the container shim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crx-shim-client-'));
  const name = shimSocketName(dir);
  const shims: number[] = [];

  beforeAll(() => {
    if (!existsSync(shimPath)) throw new Error(`${shimPath} missing: run npm run build first`);
  });
  afterAll(() => {
    for (const pid of shims) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a start only to a shim that took the connection, not to one that is exiting, whose kernel still queues connections', async () => {
    // A shim that listens, then stops taking connections as one does between its exit and its end (idle, or killed
    // under load): the kernel still completes a connect to it.
    const dying: ChildProcess = spawn(process.execPath, [shimPath, name], { stdio: 'ignore' });
    shims.push(dying.pid!);
    await eventually(() => new Promise<void>((done, fail) => {
      const probe = connect(abstractSocket(name));
      probe.once('connect', () => (probe.destroy(), done())).once('error', fail);
    }));
    process.kill(dying.pid!, 'SIGSTOP');
    // The probe's own connection may still be queued: the client's is the one after it.
    const before = queuedConnections(name);

    const client = new ShimClient(name, shimPath);
    const spec: ShimSpec = {
      command: ['true'], env: { PATH: '/usr/bin:/bin' }, cwd: dir, logPath: join(dir, 'c.log'), statusPath: join(dir, 'c.status.json'), cgroupProcs: [],
    };
    const started = client.start(spec);
    started.catch(() => undefined);
    await eventually(() => expect(queuedConnections(name)).toBeGreaterThan(before));
    // The connect is complete in the kernel: a few turns of this process's loop hand it to the client, as any connect.
    for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
    // The shim ends without ever accepting it.
    process.kill(dying.pid!, 'SIGKILL');

    const answer = await started;
    shims.push(answer.shimPid);
    expect(answer).toMatchObject({ state: 'running', pid: expect.any(Number) });
    expect(answer.shimPid).not.toBe(dying.pid);
    await eventually(() => expect(JSON.parse(readFileSync(spec.statusPath, 'utf8'))).toMatchObject({ state: 'exited', exitCode: 0, shimPid: answer.shimPid }));
  });

  it('still talks to a shim of an earlier build, which takes connections without greeting them', async () => {
    // That shim's protocol, less the greeting: a line per request, answered with its id.
    const legacyName = shimSocketName(join(dir, 'legacy'));
    const requests: any[] = [];
    const sockets: Socket[] = [];
    const legacy = createServer((socket) => {
      sockets.push(socket);
      createInterface({ input: socket }).on('line', (line) => {
        const request = JSON.parse(line);
        requests.push(request);
        socket.write(JSON.stringify({ id: request.id, closed: true }) + '\n');
      });
    });
    await new Promise<void>((done) => legacy.listen(abstractSocket(legacyName), done));
    try {
      const client = new ShimClient(legacyName, shimPath);
      await client.closeStdin(join(dir, 'stdin.fifo'));
      expect(requests).toEqual([{ id: 1, closeStdin: join(dir, 'stdin.fifo') }]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => legacy.close(done));
    }
  });
});
