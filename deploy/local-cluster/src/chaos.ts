import { join, resolve } from 'node:path';
import {
  ClusterState,
  clusterStateFile,
  HostState,
  postmasterPid,
  processAlive,
  readClusterState,
  readHostPids,
} from './cluster-state';

/**
 * `node deploy/local-cluster/dist/chaos.js <action> [args]`: faults injected into the running
 * local cluster, found through ${DATA_DIR}/cluster.json. Each action prints when it acted, so a
 * test or a person can line its effects up with the logs.
 */

export const chaosUsage = [
  'usage: node deploy/local-cluster/dist/chaos.js <action> [args] [--data-dir DIR]',
  '  kill-host <host>                 SIGKILL the host\'s process group (its workloads die too); the launcher reboots it',
  '  kill-agent <host>                SIGKILL only the host\'s spherelet-agent; its supervisor restarts it',
  '  pause-host <host> [--seconds N]  SIGSTOP the host\'s process group for N s (default 5), then SIGCONT',
  '  kill-service <name>              SIGKILL a control-plane instance (scheduler, scheduler-2, api-gateway-1…)',
  '  restart-nats                     SIGKILL the nats-server the launcher runs; it starts it again',
  '  restart-postgres                 fast shutdown (SIGINT) of the launcher\'s Postgres; it starts it again',
  '  status                           hosts, services and pids from cluster.json',
  'The cluster is found through ${DATA_DIR:-.data}/cluster.json (DATA_DIR relative to the repository root).',
].join('\n');

export const chaosActions = ['kill-host', 'kill-agent', 'pause-host', 'kill-service', 'restart-nats', 'restart-postgres', 'status'] as const;
export type ChaosAction = (typeof chaosActions)[number];
const actionsWithTarget: readonly ChaosAction[] = ['kill-host', 'kill-agent', 'pause-host', 'kill-service'];

export interface ChaosCommand {
  action: ChaosAction;
  target?: string;
  seconds: number;
  dataDir: string;
}

/** Bad arguments: the CLI prints the usage and exits 2. */
export class ChaosUsageError extends Error {}
/** The action could not be carried out: `error: …`, exit 1. */
export class ChaosError extends Error {}

/** What an action did and when (taken right after the signal was sent). */
export interface ChaosEvent {
  time: Date;
  message: string;
}

export function formatEvent(event: ChaosEvent): string {
  return `${event.time.toISOString()} ${event.message}`;
}

const repoRoot = resolve(__dirname, '..', '..', '..');

export function parseChaosArgs(argv: string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd()): ChaosCommand {
  const positional: string[] = [];
  let seconds = 5;
  let dataDir = resolve(repoRoot, env.DATA_DIR || '.data');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seconds' || arg === '--data-dir') {
      const value = argv[++i];
      if (value === undefined) throw new ChaosUsageError(`${arg} needs a value`);
      if (arg === '--data-dir') dataDir = resolve(cwd, value);
      else seconds = positiveSeconds(value);
    } else if (arg.startsWith('--')) {
      throw new ChaosUsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [action, target, ...extra] = positional;
  if (!action) throw new ChaosUsageError('no action given');
  if (!isAction(action)) throw new ChaosUsageError(`unknown action ${action}`);
  const needsTarget = actionsWithTarget.includes(action);
  if (needsTarget && !target) throw new ChaosUsageError(`${action} needs a name`);
  if (extra.length > 0 || (!needsTarget && target)) throw new ChaosUsageError(`too many arguments for ${action}`);
  return { action, target, seconds, dataDir };
}

function isAction(value: string): value is ChaosAction {
  return (chaosActions as readonly string[]).includes(value);
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ChaosUsageError(`--seconds must be a positive number, got "${value}"`);
  return n;
}

/** cluster.json, refused when its launcher is gone (the pids in it may belong to anyone now). */
export function loadClusterState(dataDir: string): ClusterState {
  const state = readClusterState(dataDir);
  if (!state) throw new ChaosError(`no cluster found: ${clusterStateFile(dataDir)} is missing (is npm start running with this DATA_DIR?)`);
  if (!processAlive(state.launcherPid)) {
    throw new ChaosError(`the launcher (pid ${state.launcherPid}) is not running: ${clusterStateFile(dataDir)} is stale`);
  }
  return state;
}

function findHost(state: ClusterState, name: string): HostState {
  const host = state.hosts.find((h) => h.name === name);
  if (!host) throw new ChaosError(`no host named ${name} (hosts: ${state.hosts.map((h) => h.name).join(', ')})`);
  if (host.up === false) throw new ChaosError(`${name} is down (waiting to be powered on again)`);
  return host;
}

function signal(target: number, sig: NodeJS.Signals, what: string): Date {
  try {
    process.kill(target, sig);
  } catch (err) {
    throw new ChaosError(`cannot send ${sig} to ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return new Date();
}

export function killHost(state: ClusterState, name: string): ChaosEvent {
  const host = findHost(state, name);
  const time = signal(-host.pgid, 'SIGKILL', `${name} (process group ${host.pgid})`);
  return { time, message: `killed ${name} (process group ${host.pgid})` };
}

/** A host service's pid as its supervisor last recorded it; cluster.json's may predate a restart. */
export function hostServicePid(state: ClusterState, host: HostState, service: 'spherelet-agent' | 'crx-runtime'): number | undefined {
  const pids = readHostPids(state.dataDir, host.name);
  if (pids?.supervisor === host.pgid && pids.services[service]) return pids.services[service];
  return service === 'spherelet-agent' ? host.agentPid : host.runtimePid;
}

export function killAgent(state: ClusterState, name: string): ChaosEvent {
  const host = findHost(state, name);
  const pid = hostServicePid(state, host, 'spherelet-agent');
  if (!pid || !processAlive(pid)) throw new ChaosError(`${name}'s spherelet-agent is not running (being restarted?)`);
  const time = signal(pid, 'SIGKILL', `${name}'s spherelet-agent (pid ${pid})`);
  return { time, message: `killed ${name}'s spherelet-agent (pid ${pid})` };
}

/** SIGSTOP the host's group, wait, SIGCONT; `paused` lets a caller look at the frozen host meanwhile. */
export async function pauseHost(
  state: ClusterState,
  name: string,
  ms: number,
  paused: (event: ChaosEvent) => void = () => undefined,
): Promise<ChaosEvent> {
  const host = findHost(state, name);
  const time = signal(-host.pgid, 'SIGSTOP', `${name} (process group ${host.pgid})`);
  paused({ time, message: `paused ${name} (process group ${host.pgid})` });
  try {
    await new Promise((res) => setTimeout(res, ms));
  } finally {
    resumeQuietly(host.pgid);
  }
  const resumed = new Date();
  return { time, message: `paused ${name} (process group ${host.pgid}) for ${ms / 1000} s, resumed at ${resumed.toISOString()}` };
}

export function resumeQuietly(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGCONT');
  } catch {
    // The host was killed while paused.
  }
}

export function killService(state: ClusterState, name: string): ChaosEvent {
  const service = state.services.find((s) => s.name === name);
  if (!service) throw new ChaosError(`no control-plane instance named ${name} (instances: ${state.services.map((s) => s.name).join(', ')})`);
  const time = signal(service.pid, 'SIGKILL', `${name} (pid ${service.pid})`);
  return { time, message: `killed ${name} (pid ${service.pid})` };
}

export function restartNats(state: ClusterState): ChaosEvent {
  if (!state.nats.managed) throw new ChaosError(`the cluster uses an external NATS server at ${state.nats.url}; it was not touched`);
  if (!state.nats.pid) throw new ChaosError('nats-server is not running (being restarted?)');
  const time = signal(state.nats.pid, 'SIGKILL', `nats-server (pid ${state.nats.pid})`);
  return { time, message: `killed nats-server (pid ${state.nats.pid}); the launcher starts it again` };
}

export function restartPostgres(state: ClusterState): ChaosEvent {
  if (!state.postgres.managed) throw new ChaosError(`the cluster uses an external Postgres server at ${redactUrl(state.postgres.url)}; it was not touched`);
  const pid = postmasterPid(join(state.dataDir, 'postgres')) ?? state.postgres.pid;
  if (!pid || !processAlive(pid)) throw new ChaosError('Postgres is not running (being restarted?)');
  const time = signal(pid, 'SIGINT', `the postmaster (pid ${pid})`);
  return { time, message: `fast shutdown of Postgres (postmaster pid ${pid}); the launcher starts it again` };
}

export function statusLines(state: ClusterState): string[] {
  const server = (s: ClusterState['nats']) => (s.managed ? `managed, pid ${s.pid ?? '-'}` : 'external');
  return [
    `${new Date().toISOString()} cluster at ${state.server} (launcher pid ${state.launcherPid}, data ${state.dataDir})`,
    ...state.gateways.map((g) => `gateway  ${g.name} ${g.server}`),
    ...state.hosts.map((h) => {
      const [agent, runtime] = [hostServicePid(state, h, 'spherelet-agent') ?? '-', hostServicePid(state, h, 'crx-runtime') ?? '-'];
      return `host     ${h.name} ${h.up === false ? 'down' : 'up'} pgid ${h.pgid} agent ${agent} runtime ${runtime}`;
    }),
    ...state.services.map((s) => `service  ${s.name} pid ${s.pid}`),
    `nats     ${state.nats.url} (${server(state.nats)})`,
    `postgres ${redactUrl(state.postgres.url)} (${server(state.postgres)})`,
  ];
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Carries out one parsed command, printing through `out` as it goes. */
export async function runChaos(command: ChaosCommand, out: (line: string) => void): Promise<void> {
  const state = loadClusterState(command.dataDir);
  const target = command.target as string;
  switch (command.action) {
    case 'kill-host':
      return out(formatEvent(killHost(state, target)));
    case 'kill-agent':
      return out(formatEvent(killAgent(state, target)));
    case 'pause-host':
      return out(formatEvent(await pauseHost(state, target, command.seconds * 1000, () => resumeOnInterrupt(findHost(state, target).pgid))));
    case 'kill-service':
      return out(formatEvent(killService(state, target)));
    case 'restart-nats':
      return out(formatEvent(restartNats(state)));
    case 'restart-postgres':
      return out(formatEvent(restartPostgres(state)));
    case 'status':
      return statusLines(state).forEach(out);
  }
}

/** Ctrl-C during a pause must not leave the host frozen. */
function resumeOnInterrupt(pgid: number): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      resumeQuietly(pgid);
      process.exit(130);
    });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${chaosUsage}\n`);
    return 0;
  }
  let command: ChaosCommand;
  try {
    command = parseChaosArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${chaosUsage}\n`);
    return 2;
  }
  try {
    await runChaos(command, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
