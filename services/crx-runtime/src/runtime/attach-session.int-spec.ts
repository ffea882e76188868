import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AttachStartRequest, crxAttachStartSubject, crxExecStreamSubject, ExecChannels } from '@openpacific/contracts';
import { connectNats, requestJson } from '@openpacific/messaging';
import { eventually, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { AttachSessions } from './attach-session';
import { ProcessDriver } from './process-driver';

// The host's shim runs as its own Node process, so it is the built one (npm test builds first).
const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');

describe('attach sessions', () => {
  const prefix = uniqueNatsPrefix('crxattach');
  const host = 'host-1';
  const root = mkdtempSync(join(tmpdir(), 'crx-attach-'));
  let nc: NatsConnection;
  let driver: ProcessDriver;
  let sessions: AttachSessions;

  beforeAll(async () => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    nc = await connectNats({ url: testNatsUrl, name: 'attach-session-test' });
    driver = new ProcessDriver(root, 9, shim);
    sessions = new AttachSessions(nc, prefix, host, driver);
    sessions.start();
    await nc.flush();
  });
  afterAll(async () => {
    sessions?.stop();
    for (const s of driver.listPodSandboxes()) await driver.removePodSandbox(s.id);
    await nc?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** A session as the gateway holds one: what came on each channel, and a way to send. */
  const attach = async (containerId: string, stdin: boolean) => {
    const sessionId = randomUUID();
    const got = { stdout: '', stderr: '', exit: undefined as unknown };
    const sub = nc.subscribe(crxExecStreamSubject(prefix, host, sessionId, 'out'), {
      callback: (_err, msg) => {
        const data = Buffer.from(msg.data.subarray(1)).toString();
        if (msg.data[0] === ExecChannels.stdout) got.stdout += data;
        else if (msg.data[0] === ExecChannels.stderr) got.stderr += data;
        else if (msg.data[0] === ExecChannels.exit) got.exit = JSON.parse(data);
      },
    });
    await nc.flush();
    const reply = await requestJson<AttachStartRequest, { error?: { message: string } }>(nc, crxAttachStartSubject(prefix, host), { sessionId, containerId, stdin }, 5000);
    const send = (channel: number, data = '') => nc.publish(crxExecStreamSubject(prefix, host, sessionId, 'in'), Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    return { reply, got, send, close: () => sub.unsubscribe() };
  };

  const started = async (name: string, command: string[], config: { stdin?: boolean; stdinOnce?: boolean; tty?: boolean } = {}) => {
    const sandbox = driver.runPodSandbox({ podUid: `uid-${name}`, podName: name, podNamespace: 'default' });
    const c = driver.createContainer(sandbox.id, { name: 'c', image: 'busybox', command, ...config }, 0);
    await driver.startContainer(c.id);
    return c.id;
  };

  it('streams new output only, stdout and stderr apart, and keeps stdin open across sessions without stdinOnce', async () => {
    const id = await started('echo', ['sh', '-c', 'echo early; while read line; do echo "out $line"; echo "err $line" >&2; done; echo closed'], { stdin: true });
    await eventually(() => expect(driver.readLogs({ containerId: id }).content).toBe('early\n'));
    const first = await attach(id, true);
    expect(first.reply).toEqual({});
    first.send(ExecChannels.stdin, 'one\n');
    await eventually(() => expect(first.got).toMatchObject({ stdout: 'out one\n', stderr: 'err one\n' }));
    first.send(ExecChannels.closeStdin);
    first.send(ExecChannels.kill);
    first.close();

    // Its stdin is still open: a second session writes to the same shell, which never read an end.
    const second = await attach(id, true);
    second.send(ExecChannels.stdin, 'two\n');
    await eventually(() => expect(second.got.stdout).toBe('out two\n'));
    expect(driver.containerStatus(id).state).toBe('CONTAINER_RUNNING');
    expect(driver.readLogs({ containerId: id }).content).not.toContain('closed');
    second.send(ExecChannels.kill);
    second.close();
  }, 30_000);

  it('ends stdin for good when the first session of a stdinOnce container closes it, then ends with the container', async () => {
    const id = await started('once', ['sh', '-c', 'read x; echo "got $x"; cat; echo "end of input"'], { stdin: true, stdinOnce: true });
    const session = await attach(id, true);
    session.send(ExecChannels.stdin, 'hello\nmore\n');
    session.send(ExecChannels.closeStdin);
    await eventually(() => expect(session.got).toMatchObject({ stdout: 'got hello\nmore\nend of input\n', exit: {} }), { timeoutMs: 10_000 });
    session.close();
    expect(driver.containerStatus(id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 0 });
  }, 30_000);

  it('gives a tty container a terminal: its input echoed, stdout and stderr as one output, resizes set its window', async () => {
    const id = await started('terminal', ['sh'], { stdin: true, stdinOnce: true, tty: true });
    const session = await attach(id, true);
    expect(session.reply).toEqual({});
    session.send(ExecChannels.stdin, 'tty\n');
    await eventually(() => expect(session.got.stdout).toMatch(/^\/dev\/pts\/\d+\r$/m));
    // The terminal echoes the line as typed; the shell's stderr is the terminal too, so its answer comes as stdout.
    session.send(ExecChannels.stdin, 'echo hi-$((40+2)) >&2\n');
    await eventually(() => expect(session.got.stdout).toMatch(/echo hi-\$\(\(40\+2\)\) >&2\r\n(.*\r\n)*hi-42\r\n/));
    // Written to the control FIFO before this input reaches the stdin FIFO, so the window is set before stty runs.
    session.send(ExecChannels.resize, JSON.stringify({ Width: 123, Height: 45 }));
    session.send(ExecChannels.stdin, 'stty size\n');
    await eventually(() => expect(session.got.stdout).toMatch(/^45 123\r$/m));
    expect(session.got.stderr).toBe('');
    // Its log has the terminal's lines as they were shown, carriage returns and all, as kubelet logs a tty container.
    expect(driver.readLogs({ containerId: id }).content).toMatch(/^hi-42\r\n/m);
    session.send(ExecChannels.stdin, 'exit 3\n');
    await eventually(() => expect(session.got.exit).toEqual({}), { timeoutMs: 10_000 });
    session.close();
    expect(driver.containerStatus(id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 3 });
  }, 30_000);

  it('ends the input of a tty container when its stdinOnce session closes stdin: the shell reads end-of-file', async () => {
    const id = await started('terminal-once', ['sh'], { stdin: true, stdinOnce: true, tty: true });
    const session = await attach(id, true);
    session.send(ExecChannels.stdin, 'echo before-$((1+1))\n');
    await eventually(() => expect(session.got.stdout).toMatch(/^before-2\r$/m));
    session.send(ExecChannels.closeStdin);
    await eventually(() => expect(session.got.exit).toEqual({}), { timeoutMs: 10_000 });
    session.close();
    expect(driver.containerStatus(id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 0 });
  }, 30_000);

  it('refuses a container that is not running, and one that has no stdin gets none', async () => {
    const id = await started('quiet', ['sh', '-c', 'cat; echo "cat ended"; sleep 3600']);
    // Without a FIFO its stdin is /dev/null: cat ended at once, and what a client types goes nowhere.
    await eventually(() => expect(driver.readLogs({ containerId: id }).content).toBe('cat ended\n'));
    const session = await attach(id, true);
    expect(session.reply).toEqual({});
    session.send(ExecChannels.stdin, 'ignored\n');
    session.send(ExecChannels.kill);
    session.close();
    await driver.stopContainer(id, 0);
    const refused = await attach(id, false);
    expect(refused.reply.error?.message).toMatch(/is not running/);
    refused.close();
  }, 30_000);
});
