import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectProfiles, profilingEnv, withoutProfiler } from './profiles';

/** The built preload, as a cluster's processes load it (`npm test` builds first). */
const PRELOAD = join(__dirname, '..', 'dist', 'profile-preload.js');
/** A process that spends its time in a function with a name to find in its profile. */
const BUSY = `function spinForTheProfile() { const end = Date.now() + 20; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x; }
setInterval(spinForTheProfile, 25); process.stdout.write('ready\\n');`;

/**
 * A busy process with the preload: through NODE_OPTIONS as a cluster gets it, or on its command line. Without
 * inlining, so that spinForTheProfile keeps a frame of its own: once hot, TurboFan may inline it into the timer's
 * `listOnTimeout`, whose name the samples then carry (seen once in CI on a fast machine).
 */
function start(env: Record<string, string>, args: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--no-turbo-inlining', ...args, '-e', BUSY], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before it was ready`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode ?? child.exitCode);
    else child.once('exit', (code, signal) => resolve(signal ?? code));
  });

describe('profiling the processes of a benchmark cluster (BENCH_PROFILE)', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'op-profiles-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('profiles from one SIGUSR2 to the next, then leaves the profile and its flame graph named after the process', async () => {
    // profilingEnv names the built preload, beside the built profiles.js; from the sources, the same file by path.
    const env = profilingEnv(dir);
    expect(env.NODE_OPTIONS).toMatch(/^--require ".*profile-preload\.js"$/);
    const child = await start({ ...env, NODE_OPTIONS: `--require "${PRELOAD}"` });
    children.push(child);
    await new Promise((r) => setTimeout(r, 300));
    // Nothing is written while nobody asked.
    expect(existsSync(join(dir, `pid-${child.pid}.cpuprofile`))).toBe(false);
    child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 600));
    child.kill('SIGUSR2');

    const rows = await collectProfiles(dir, 'test', { 'busy-worker': child.pid! }, 10_000);

    expect(rows).toEqual([expect.objectContaining({ process: 'busy-worker' })]);
    const row = rows[0] as { 'busy (ms)': number; 'idle (ms)': number; 'most self time': string };
    // The window was about 600 ms and the process spun 20 ms of every 25.
    expect(row['busy (ms)']).toBeGreaterThan(100);
    expect(row['busy (ms)'] + row['idle (ms)']).toBeLessThan(5_000);
    expect(row['most self time']).toContain('spinForTheProfile');
    const profile = JSON.parse(readFileSync(join(dir, 'test-busy-worker.cpuprofile'), 'utf8'));
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBeGreaterThan(100);
    expect(existsSync(join(dir, `pid-${child.pid}.cpuprofile`))).toBe(false);
    const svg = readFileSync(join(dir, 'test-flame-busy-worker.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*>/);
    expect(svg).toContain('spinForTheProfile');
    // Stopping the profiler is the measurement's cost, not the process's: it is not drawn.
    expect(svg).not.toContain('profile-preload.js');
    // The signals did not end it.
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it("takes the samples inside the profiler's own handler out of a profile, and nothing else", () => {
    const frame = (functionName: string, url = 'main.js') => ({ functionName, url, lineNumber: 1 });
    const profile = {
      startTime: 0,
      endTime: 100,
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('work'), children: [] },
        { id: 3, callFrame: frame('onSignal', '/x/profile-preload.js'), children: [4] },
        { id: 4, callFrame: frame('post', 'node:inspector'), children: [] },
      ],
      samples: [2, 4, 2, 3],
      timeDeltas: [10, 200, 20, 5],
    };
    expect(withoutProfiler(profile)).toEqual({ ...profile, samples: [2, 2], timeDeltas: [10, 20] });
    const plain = { ...profile, nodes: profile.nodes.slice(0, 2), samples: [2], timeDeltas: [10] };
    expect(withoutProfiler(plain)).toBe(plain);
  });

  it('reports a process that wrote no profile', async () => {
    const rows = await collectProfiles(dir, 'test', { gone: 2 ** 22 + 7 }, 300);
    expect(rows).toEqual([{ process: 'gone', profile: 'none written' }]);
  });

  it('leaves SIGUSR2 alone in a process started without a profile directory', async () => {
    const child = await start({ OPENPACIFIC_PROFILE_DIR: '' }, ['--require', PRELOAD]);
    children.push(child);
    child.kill('SIGUSR2');
    expect(await exited(child)).toBe('SIGUSR2');
  });
});
