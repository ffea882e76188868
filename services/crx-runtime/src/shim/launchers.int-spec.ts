import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually } from '@openpacific/testing';
import { readLogFile } from '../runtime/log-reader';
import { alive } from '../runtime/process-tree';
import { Exit, Launch, Launcher, MonitorLauncher, NodeLauncher } from './launchers';

// Built by `npm run build` (native/build.mjs) where there is a C compiler, as on every machine the tests run on.
const monitorPath = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-monitor');
const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');

describe.each([
  ['crx-monitor', () => new MonitorLauncher(monitorPath)],
  ['the shim itself (no C compiler at build time)', () => new NodeLauncher()],
])('containers started by %s', (_name, make: () => Launcher) => {
  const dir = mkdtempSync(join(tmpdir(), 'crx-launch-'));
  const launcher = make();
  let n = 0;
  const run = (script: string, extra: Partial<Launch> = {}) => {
    const logPath = join(dir, `${++n}.log`);
    let resolveExit!: (e: Exit) => void;
    const exit = new Promise<Exit>((r) => (resolveExit = r));
    const pid = launcher.launch({ file: '/bin/sh', args: ['-c', script], env: { PATH: '/usr/bin:/bin', WHO: 'c' }, cwd: dir, logPath, ...extra }, (e) => resolveExit(e));
    return { pid, exit, logPath, log: () => readLogFile(logPath, {} as never).content };
  };

  beforeAll(() => {
    if (!existsSync(monitorPath)) throw new Error(`${monitorPath} missing: run npm run build first (it needs cc)`);
  });
  afterAll(() => {
    launcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs each line with its stream and time, a last line without a newline too, and reports the exit code after the output', async () => {
    const c = run('echo out $WHO; echo err >&2; printf last; exit 3');
    expect(await c.pid).toBeGreaterThan(0);
    expect(await c.exit).toEqual({ code: 3, signal: null });
    const records = readFileSync(c.logPath, 'utf8').split('\n');
    expect(records).toContainEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F out c$/));
    expect(records).toContainEqual(expect.stringMatching(/ stderr F err$/));
    expect(records).toContainEqual(expect.stringMatching(/ stdout F last$/));
  });

  it('gives the container a session of its own, stdin from /dev/null, its working directory and environment only', async () => {
    const c = run('readlink /proc/self/fd/0; pwd; env | sort; sleep 30');
    const pid = await c.pid;
    await eventually(() => expect(c.log()).toContain('WHO=c\n'));
    // Its own process group and session.
    expect(stat(pid)[2]).toBe(String(pid));
    expect(stat(pid)[3]).toBe(String(pid));
    expect(c.log()).toMatch(new RegExp(`^/dev/null\n${dir}\n(?:(?:PATH|PWD|SHLVL|WHO|_)=.*\n)+$`));
    process.kill(-pid, 'SIGKILL');
    expect(await c.exit).toEqual({ code: 137, signal: 'SIGKILL' });
  });

  it('joins a line longer than the log record (16 KiB) back up on reading', async () => {
    const c = run('awk \'BEGIN { for (i = 0; i < 40000; i++) printf "x"; print ""; print "next" }\'');
    await c.exit;
    expect(c.log()).toBe(`${'x'.repeat(40000)}\nnext\n`);
  });

  it('reports an exit without waiting for ever on output pipes that a process left behind holds', async () => {
    const c = run('echo bye; sleep 30 & kill -TERM $$');
    const pid = await c.pid;
    expect(await c.exit).toEqual({ code: 143, signal: 'SIGTERM' });
    expect(c.log()).toBe('bye\n');
    process.kill(-pid, 'SIGKILL');
  });

  it('gives a container with a terminal a pseudo-terminal as its controlling terminal and stdio, logged as stdout', async () => {
    const terminalPath = join(dir, `${n + 1}.tty`);
    execFileSync('mkfifo', [terminalPath]);
    // /dev/tty opens only for a process that has a controlling terminal.
    const c = run('tty; echo err >&2; echo controlling > /dev/tty; exit 5', { terminalPath });
    expect(await c.exit).toEqual({ code: 5, signal: null });
    // The terminal ends its lines with \r\n; the shim's own line reader takes both as the line's end.
    expect(c.log()).toMatch(/^\/dev\/pts\/\d+\r?\nerr\r?\ncontrolling\r?\n$/);
    expect(readFileSync(c.logPath, 'utf8')).not.toContain(' stderr ');
  });

  it('starts nothing and says why for a working directory that does not exist', async () => {
    await expect(run('true', { cwd: join(dir, 'missing') }).pid).rejects.toThrow(/ENOENT|No such file/);
    // Still starting others.
    expect(await run('exit 0').exit).toEqual({ code: 0, signal: null });
  });
});

describe('crx-monitor', () => {
  // Without it, the shim's own fork runs setpriv first, which reports a missing program as a shell does: exit 127.
  it('starts nothing and says why for a program that does not exist', async () => {
    const launcher = new MonitorLauncher(monitorPath);
    try {
      await expect(launcher.launch({ file: '/no/such/program', args: [], env: {}, cwd: '/', logPath: '/dev/null' }, () => undefined)).rejects.toThrow('/no/such/program: No such file or directory');
    } finally {
      launcher.close();
    }
  });

  it('takes its containers with it when it dies: they are reported killed, and the next start gets a new monitor', async () => {
    const launcher = new MonitorLauncher(monitorPath);
    const dir = mkdtempSync(join(tmpdir(), 'crx-monitor-'));
    try {
      let exit: Exit | undefined;
      const launch = (onExit: (e: Exit) => void) => launcher.launch({ file: '/bin/sleep', args: ['30'], env: {}, cwd: dir, logPath: join(dir, 'log') }, onExit);
      const pid = await launch((e) => (exit = e));
      const monitor = Number(stat(pid)[1]);
      expect(monitor).not.toBe(process.pid);
      process.kill(monitor, 'SIGKILL');
      await eventually(() => expect(exit).toEqual({ code: 137, signal: 'SIGKILL' }));
      await eventually(() => expect(alive(pid)).toBe(false));
      const next = await launch(() => undefined);
      expect(Number(stat(next)[1])).not.toBe(monitor);
      process.kill(next, 'SIGKILL');
    } finally {
      launcher.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
