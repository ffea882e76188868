import { describeExit, ManagedProcess } from './managed-process';
import { HostPids, hostPlanVariable, parseHostPlan } from './host-plan';
import { writeJsonAtomic } from './json-file';

/**
 * Host supervisor: one process group per host (spawned detached by the
 * launcher) holding spherelet-agent and crx-runtime, so `kill -9 -<pgid>`
 * takes the whole host down like a power cut.
 */
const plan = parseHostPlan(process.env[hostPlanVariable]);
const childEnv = { ...process.env };
delete childEnv[hostPlanVariable];

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, host: plan.host, ...fields })}\n`);

const startService = (service: (typeof plan.services)[number]) =>
  ManagedProcess.start({
    name: `${plan.host}/${service.name}`,
    command: process.execPath,
    args: [service.entry],
    env: { ...childEnv, ...service.env, HEALTH_PORT: String(service.healthPort) },
    logFile: service.logFile,
  });
const children = plan.services.map(startService);
log('host started', { pid: process.pid, children: children.map((c) => ({ name: c.name, pid: c.pid })) });
recordPids();

/** The chaos tool finds a host's spherelet-agent here; it changes on every restart. */
function recordPids(): void {
  if (!plan.pidsFile) return;
  const pids: HostPids = { supervisor: process.pid, services: {} };
  plan.services.forEach((service, i) => (pids.services[service.name] = children[i].pid));
  try {
    writeJsonAtomic(plan.pidsFile, pids);
  } catch (err) {
    log('cannot record pids', { error: (err as Error).message });
  }
}

let stopping: Promise<void> | undefined;
function stopHost(reason: string, exitCode: number): Promise<void> {
  stopping ??= (async () => {
    log('host stopping', { reason });
    await Promise.all(children.map((c) => c.stop(8000)));
    // The container shims share the host's process group, and each container dies with its shim: power them off too.
    killRestOfGroup();
    log('host stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

process.on('SIGTERM', () => void stopHost('SIGTERM', 0));
process.on('SIGINT', () => void stopHost('SIGINT', 0));
// The IPC channel closes when the launcher dies, even by SIGKILL: no orphaned hosts.
process.on('disconnect', () => void stopHost('launcher gone', 0));

// Like systemd under a kubelet: a host service that dies is started again (its workloads keep running and
// are adopted); only the whole host going down (kill -9 -<pgid>) takes the workloads with it.
const restarts = plan.services.map(() => 0);
function supervise(index: number): void {
  const child = children[index];
  void child.exited.then((exit) => {
    if (stopping) return;
    restarts[index]++;
    log('host service exited; restarting it', { service: child.name, exit: describeExit(exit), restarts: restarts[index] });
    if (restarts[index] > 20) {
      void stopHost(`${child.name} keeps failing`, 1);
      return;
    }
    setTimeout(() => {
      if (stopping) return;
      children[index] = startService(plan.services[index]);
      recordPids();
      supervise(index);
    }, Math.min(200 * 2 ** Math.min(restarts[index] - 1, 5), 5000));
  });
}
children.forEach((_, i) => supervise(i));

function killRestOfGroup(): void {
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === process.pid) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
