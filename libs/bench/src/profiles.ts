import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestCluster } from '@openpacific/testing';
import { CpuProfile, flameGraphSvg, flameTree, topSelf } from './flame-graph';
import { clusterPids } from './process-rss';

/**
 * BENCH_PROFILE=<dir>: a scenario that supports it (`burst`, `api` per cell, `vms` per run) profiles every
 * process of its cluster over each measured window only and leaves in <dir>, per process and window, the V8
 * profile (`<scenario>-<window>-<process>.cpuprofile`, for Chrome's DevTools or speedscope) and its flame graph
 * (`<scenario>-<window>-flame-<process>.svg`). Profiling costs each process some of its CPU: the run's figures
 * are not comparable with an unprofiled run's.
 */
export function profileDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.BENCH_PROFILE?.trim();
  if (!dir) return undefined;
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  return abs;
}

/** The environment that loads the profiler (profile-preload.js) into every Node.js process of a cluster. */
export function profilingEnv(dir: string, nodeOptions?: string): Record<string, string> {
  // Quoted: NODE_OPTIONS splits on spaces, and a checkout's path may hold one.
  return { NODE_OPTIONS: [nodeOptions, `--require "${join(__dirname, 'profile-preload.js')}"`].filter(Boolean).join(' '), OPENPACIFIC_PROFILE_DIR: dir };
}

/** The cluster's processes that run our Node.js code (not Postgres nor NATS when it runs them), by name. */
function profiledPids(cluster: TestCluster): Record<string, number> {
  const pids = clusterPids(cluster.state());
  delete pids.postgres;
  delete pids['nats-server'];
  return pids;
}

/** Starts, or stops and writes, every profiler of the cluster (SIGUSR2; see profile-preload.ts); returns who was signalled. */
export function toggleProfilers(cluster: TestCluster): Record<string, number> {
  const pids = profiledPids(cluster);
  for (const pid of Object.values(pids)) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      // Gone since cluster.json was written: it leaves no profile, and `collectProfiles` says so.
    }
  }
  return pids;
}

/**
 * The profile without the samples taken inside the preload's own handler: stopping the profiler builds the
 * whole profile inside its last sample (a fifth of a second in a busy gateway), time the process spent on being
 * measured, not on its work. The file on disk keeps them.
 */
export function withoutProfiler(profile: CpuProfile): CpuProfile {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const measuring = new Set<number>();
  const mark = (id: number) => {
    if (measuring.has(id)) return;
    measuring.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const n of profile.nodes) if (n.callFrame.url.endsWith('profile-preload.js')) mark(n.id);
  if (!profile.samples || !profile.timeDeltas || measuring.size === 0) return profile;
  const keep = profile.samples.map((id) => !measuring.has(id));
  return { ...profile, samples: profile.samples.filter((_, i) => keep[i]), timeDeltas: profile.timeDeltas.filter((_, i) => keep[i]) };
}

/**
 * After the second `toggleProfilers`: waits (up to `timeoutMs`) for each process's profile, names it after the
 * process, draws its flame graph, and returns one row per process: its busy time in the window and the
 * functions with the most self time.
 */
export async function collectProfiles(dir: string, scenario: string, pids: Record<string, number>, timeoutMs = 15_000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  const rows: Record<string, unknown>[] = [];
  for (const [name, pid] of Object.entries(pids)) {
    const written = join(dir, `pid-${pid}.cpuprofile`);
    while (!existsSync(written) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(written)) {
      rows.push({ process: name, profile: 'none written' });
      continue;
    }
    // A host's processes are named `<host>/<service>`: one file name each.
    const safeName = name.replace(/[^a-z0-9.-]+/gi, '-');
    const kept = join(dir, `${scenario}-${safeName}.cpuprofile`);
    renameSync(written, kept);
    const profile = withoutProfiler(JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile);
    const { busyUs, idleUs } = flameTree(profile);
    writeFileSync(join(dir, `${scenario}-flame-${safeName}.svg`), flameGraphSvg(profile, { title: `${scenario}: ${name}` }));
    const top = topSelf(profile, 5).map((f) => `${f.function} ${f['self %']} %`).join(', ');
    rows.push({ process: name, 'busy (ms)': Math.round(busyUs / 1000), 'idle (ms)': Math.round(idleUs / 1000), 'most self time': top });
  }
  return rows;
}

/** BENCH_NODE_OPTIONS as a cluster's NODE_OPTIONS, for a scenario that does not profile. */
export function benchNodeOptions(): Record<string, string> {
  const nodeOptions = process.env.BENCH_NODE_OPTIONS;
  return nodeOptions ? { NODE_OPTIONS: nodeOptions } : {};
}

/**
 * One scenario's profiling: `clusterEnv` for the cluster it starts, then `start` and `finish` around each measured
 * window (a profile per process and window, named `<scenario>-<window>-<process>`). With BENCH_PROFILE unset it
 * only passes BENCH_NODE_OPTIONS on, and start and finish do nothing.
 */
export class Profiling {
  private readonly dir = profileDir();

  constructor(private readonly scenario: string) {}

  /** NODE_OPTIONS for every process of the cluster: BENCH_NODE_OPTIONS, and the profiler when asked for. */
  clusterEnv(): Record<string, string> {
    return this.dir ? profilingEnv(this.dir, process.env.BENCH_NODE_OPTIONS) : benchNodeOptions();
  }

  start(cluster: TestCluster): void {
    if (this.dir) toggleProfilers(cluster);
  }

  /** Stops the window's profilers, and prints where their profiles and flame graphs are and what each process did most. */
  async finish(cluster: TestCluster, window: string): Promise<void> {
    if (!this.dir) return;
    const name = `${this.scenario}-${window}`;
    const rows = await collectProfiles(this.dir, name, toggleProfilers(cluster));
    console.error(`${name}: profiles and flame graphs in ${this.dir}`);
    console.table(rows);
  }
}
