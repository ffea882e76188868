import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** What the runtime hands the shim for one container start. */
export interface ShimSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  statusPath: string;
  /** cgroup.procs files the container joins before it execs (memory/cpu limits). */
  cgroupProcs: string[];
  /**
   * Run inside the image, set up by `init` (crx-init, native/crx-init.c): own mount, PID and UTS namespaces, an
   * overlay over the image's rootfs, chroot; in the pod's network namespace `netns` when it has one.
   */
  isolation?: {
    init: string;
    netns?: string;
    lower: string;
    upper: string;
    work: string;
    merged: string;
    workingDir: string;
    volumes: { source: string; mountPath: string }[];
  };
  /** The command prefix that enters the pod's network namespace (`nsenter --net=/proc/<pause>/ns/net --`), when it has one (not isolated). */
  enter?: string[];
}

/** What the status file says of a started container (and the shim's answer to a start). */
export interface StartedContainer {
  state: 'running';
  pid: number;
  shimPid: number;
  startedAt: string;
}

const SETPRIV = '/usr/bin/setpriv';
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// The container joins its cgroups itself, before exec, so nothing it allocates escapes the limits.
const JOIN_CGROUPS = 'for f in $OP_CGROUP_PROCS; do echo $$ > "$f"; done; unset OP_CGROUP_PROCS; exec "$@"';
const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGSEGV: 11, SIGABRT: 6 };
const withParentDeath = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--'] : [];

const now = () => new Date().toISOString().replace(/Z$/, '000000Z');

function writeStatus(statusPath: string, status: object): void {
  writeFileSync(`${statusPath}.tmp`, JSON.stringify(status));
  renameSync(`${statusPath}.tmp`, statusPath);
}

/**
 * Starts one container as a child of the calling (shim) process: it writes the container's output to its log a
 * line at a time with a timestamp (the CRI log format) and records its start and exit in the status file.
 * `onExit` runs once the exit is recorded.
 */
export function startContainerProcess(spec: ShimSpec, onExit: () => void): StartedContainer {
  const iso = spec.isolation;
  // Isolated: crx-init does it all in one program (parent-death signal, the pod's network, namespaces, cgroups,
  // mounts, root, init). Otherwise the command runs in its pod's network namespace (entered by exec: the pid stays
  // the container's) after a shell of its own joined the cgroups; setpriv gives it SIGKILL as parent-death signal.
  // Either way it has its own session and process group (a signal to the host's group does not reach it), yet dies
  // with its shim, so a host killed as a whole (its group, shim included) takes its containers with it, as a power
  // cut does.
  const [file, ...args] = iso
    ? [iso.init, ...spec.command]
    : [...withParentDeath, '/bin/sh', '-c', JOIN_CGROUPS, 'sh', ...(spec.enter ?? []), ...spec.command];
  const isolationEnv = iso
    ? {
        OP_NETNS: iso.netns ?? '', OP_LOWER: iso.lower, OP_UPPER: iso.upper, OP_WORK: iso.work, OP_MERGED: iso.merged,
        OP_WORKDIR: iso.workingDir, OP_VOLUMES: iso.volumes.map((v) => `${v.source}|${v.mountPath}`).join('\n'),
        OP_IMAGE_PATH: spec.env.PATH ?? HOST_PATH, OP_HOSTNAME: spec.env.HOSTNAME ?? '',
      }
    : {};
  const child = spawn(file, args, {
    cwd: spec.cwd,
    env: { ...spec.env, ...isolationEnv, OP_CGROUP_PROCS: spec.cgroupProcs.join(' ') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const startedAt = new Date().toISOString();
  const started: StartedContainer = { state: 'running', pid: child.pid ?? 0, shimPid: process.pid, startedAt };
  // A log that cannot be written (its sandbox removed under it) loses lines, never the shim and its other containers.
  const log = createWriteStream(spec.logPath, { flags: 'a' }).on('error', () => undefined);
  let open = 2;
  const closed = new Promise<void>((resolve) => {
    for (const [stream, name] of [[child.stdout!, 'stdout'], [child.stderr!, 'stderr']] as const) {
      createInterface({ input: stream, crlfDelay: Infinity })
        .on('error', () => undefined)
        .on('line', (line) => log.write(`${now()} ${name} F ${line}\n`))
        .on('close', () => --open === 0 && resolve());
    }
  });
  let finished = false;
  const finish = async (exitCode: number, signal?: string | null, message?: string) => {
    if (finished) return;
    finished = true;
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
    try {
      writeStatus(spec.statusPath, { state: 'exited', pid: started.pid, shimPid: process.pid, startedAt, finishedAt: new Date().toISOString(), exitCode, signal, ...(message ? { message } : {}) });
    } catch {
      // Its sandbox was removed meanwhile: nobody asks for this exit any more.
    }
    if (log.destroyed) onExit();
    else log.end(onExit);
  };
  child.on('exit', (code, signal) => void finish(code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0), signal));
  // The chain's first program could not run at all (no /bin/sh): as a shell reports a command it cannot execute.
  child.on('error', (err) => void finish(127, null, err.message));
  writeStatus(spec.statusPath, started);
  return started;
}
