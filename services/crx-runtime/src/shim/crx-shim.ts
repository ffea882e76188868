/**
 * One shim per container, as containerd has: it starts the container's
 * process, writes its output to the log file a line at a time with a
 * timestamp (the CRI log format), and records its exit in the status file.
 * It outlives crx-runtime, so a restarted runtime finds its containers
 * running and their logs intact. Usage: node crx-shim.js <spec.json>
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

interface ShimSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  statusPath: string;
  /** cgroup.procs files the container joins before it execs (memory/cpu limits). */
  cgroupProcs: string[];
}

const spec: ShimSpec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const log = createWriteStream(spec.logPath, { flags: 'a' });
const now = () => new Date().toISOString().replace(/Z$/, '000000Z');
const writeStatus = (status: object) => {
  writeFileSync(`${spec.statusPath}.tmp`, JSON.stringify(status));
  renameSync(`${spec.statusPath}.tmp`, spec.statusPath);
};

// The container joins its cgroups itself, before exec, so nothing it allocates escapes the limits.
const join = 'for f in $OP_CGROUP_PROCS; do echo $$ > "$f"; done; unset OP_CGROUP_PROCS; exec "$@"';
const child = spawn('/bin/sh', ['-c', join, 'sh', ...spec.command], {
  cwd: spec.cwd,
  env: { ...spec.env, OP_CGROUP_PROCS: spec.cgroupProcs.join(' ') },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const startedAt = new Date().toISOString();
writeStatus({ state: 'running', pid: child.pid, shimPid: process.pid, startedAt });

let open = 2;
const closed = new Promise<void>((resolve) => {
  for (const [stream, name] of [[child.stdout!, 'stdout'], [child.stderr!, 'stderr']] as const) {
    createInterface({ input: stream, crlfDelay: Infinity })
      .on('line', (line) => log.write(`${now()} ${name} F ${line}\n`))
      .on('close', () => --open === 0 && resolve());
  }
});
// The runtime stops containers by signalling them; the shim itself waits for the exit.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => undefined);

child.on('exit', async (code, signal) => {
  await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
  const signals: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGSEGV: 11, SIGABRT: 6 };
  const exitCode = code ?? 128 + (signal ? (signals[signal] ?? 0) : 0);
  writeStatus({ state: 'exited', pid: child.pid, shimPid: process.pid, startedAt, finishedAt: new Date().toISOString(), exitCode, signal });
  log.end(() => process.exit(0));
});
