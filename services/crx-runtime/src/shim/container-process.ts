import { appendFileSync, closeSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { normalize } from 'node:path';
import { Exit, Launcher, logRecord } from './launchers';

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
   * overlay over the image's rootfs, chroot; in the pod's network and IPC namespaces `netns`, `ipcns` when it has them.
   */
  isolation?: {
    init: string;
    netns?: string;
    /** The pod's IPC namespace to join (`/proc/<pause>/ns/ipc`); absent: the host's (hostIPC, or a sandbox without a pause). */
    ipcns?: string;
    /** A PID namespace to join instead of a new one (`/proc/<pid>/ns/pid` of the container an ephemeral one targets). */
    pidns?: string;
    /** The host's namespaces it keeps instead of making its own: `pid` (hostPID), `uts` (hostNetwork). */
    hostNamespaces?: ('pid' | 'uts')[];
    lower: string;
    upper: string;
    work: string;
    merged: string;
    workingDir: string;
    /**
     * Bound at `mountPath` under the root; `readOnly` ones read-only (crx-init binds, then remounts them read-only).
     * A subPath's `source` is opened again from `beneath` (the volume), following no symlink, before it is bound.
     */
    volumes: { source: string; mountPath: string; readOnly?: boolean; beneath?: string }[];
    /** Who the command runs as (absent: root with every capability, a container created by an older runtime). */
    credentials?: ContainerCredentials;
    /**
     * `own`: a /dev of its own with the devices every container needs; `host`: the host's whole /dev (a privileged
     * container, and one created by a runtime before this choice existed).
     */
    dev?: 'own' | 'host';
    /** With `dev: own`: the directory bound at /dev/shm (its pod's, shared by the pod's containers); absent: a tmpfs of its own. */
    shm?: string;
    /** The host file bound at `path` (its terminationMessagePath), for the container to say why it ended. */
    terminationLog?: { source: string; path: string };
  };
  /** The container's stdin FIFO (`stdin: true`): the shim holds it open for writing until the container ends or `closeStdin`. */
  stdinPath?: string;
  /** Its terminal's control FIFO (`tty: true`): the container gets a pseudo-terminal (launchers.ts, `Launch`). */
  terminalPath?: string;
  /** The command prefix that enters the pod's network namespace (`nsenter --net=/proc/<pause>/ns/net --`), when it has one (not isolated). */
  enter?: string[];
}

/** A container's user and privileges, as crx-init applies them to its command and to every process exec'd in it. */
export interface ContainerCredentials {
  uid: number;
  gid: number;
  /** Exactly the groups it has (setgroups), the primary one among them. */
  groups: number[];
  /** The capabilities it keeps, a mask in hex (bit n: capability n; see capabilities.ts). */
  capabilities: string;
  noNewPrivileges?: boolean;
  readOnlyRoot?: boolean;
}

/** crx-init's OP_ variables for a container's credentials (none: root with every capability). */
export function credentialsEnv(c: ContainerCredentials | undefined): Record<string, string> {
  if (!c) return {};
  return {
    OP_USER: `${c.uid}:${c.gid}:${c.groups.join(',')}`,
    OP_CAPS: c.capabilities,
    OP_NO_NEW_PRIVS: c.noNewPrivileges ? '1' : '',
    OP_READONLY_ROOT: c.readOnlyRoot ? '1' : '',
  };
}

/** What the status file says of a started container (and the shim's answer to a start). */
export interface StartedContainer {
  state: 'running';
  pid: number;
  shimPid: number;
  startedAt: string;
}

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// The container joins its cgroups itself, before exec, so nothing it allocates escapes the limits.
const JOIN_CGROUPS = 'for f in $OP_CGROUP_PROCS; do echo $$ > "$f"; done; unset OP_CGROUP_PROCS; exec "$@"';

/**
 * A volume as crx-init's OP_VOLUMES has it: `source|mountPath`, `source|mountPath|ro` for a read-only one; a subPath's
 * source as `volume//path below it` (real paths have no `//`, and other sources are normalized to have none).
 */
function volumeLine(v: { source: string; mountPath: string; readOnly?: boolean; beneath?: string }): string {
  const below = v.beneath && v.source.startsWith(`${v.beneath}/`) ? v.source.slice(v.beneath.length + 1) : '';
  return `${below ? `${v.beneath}//${below}` : normalize(v.source)}|${v.mountPath}${v.readOnly ? '|ro' : ''}`;
}

/** The write ends the shim holds of its containers' stdin FIFOs, by path. */
const stdinHolders = new Map<string, number>();

/**
 * Lets go of a container's stdin (`stdinOnce`: its first attach session ended): with the runtime's own writer
 * closed, the container reads the end of its input. `remove` takes the FIFO away too, so no later session can
 * open it again (whoever asks, even a restarted runtime), as kubelet keeps stdin closed until the container restarts.
 */
export function closeStdin(path: string, remove = true): void {
  const fd = stdinHolders.get(path);
  stdinHolders.delete(path);
  if (fd !== undefined) closeSync(fd);
  if (!remove) return;
  try {
    unlinkSync(path);
  } catch {
    // Gone already (closed before, or its sandbox removed).
  }
}

function writeStatus(statusPath: string, status: object): void {
  writeFileSync(`${statusPath}.tmp`, JSON.stringify(status));
  renameSync(`${statusPath}.tmp`, statusPath);
}

/**
 * Starts one container through the shim's launcher (the host's crx-monitor, which writes the container's output to
 * its log a line at a time with a timestamp, the CRI log format) and records its start and exit in the status file.
 * `onExit` runs once the exit is recorded. A container that cannot start at all (its program or working directory
 * missing) is recorded as exited with 127, as a shell reports a command it cannot execute, and its log says why.
 */
export async function startContainerProcess(spec: ShimSpec, launcher: Launcher, onExit: () => void): Promise<StartedContainer> {
  const iso = spec.isolation;
  // Isolated: crx-init does it all in one program (parent-death signal, the pod's network, namespaces, cgroups,
  // mounts, root, init). Otherwise the command runs in its pod's network namespace (entered by exec: the pid stays
  // the container's) after a shell of its own joined the cgroups. Either way it has its own session and process group
  // (a signal to the host's group does not reach it), yet dies with its shim, so a host killed as a whole (its group,
  // shim included) takes its containers with it, as a power cut does.
  const [file, ...args] = iso ? [iso.init, ...spec.command] : ['/bin/sh', '-c', JOIN_CGROUPS, 'sh', ...(spec.enter ?? []), ...spec.command];
  const isolationEnv: Record<string, string> = iso
    ? {
        OP_NETNS: iso.netns ?? '', OP_IPCNS: iso.ipcns ?? '', OP_PIDNS: iso.pidns ?? '', OP_LOWER: iso.lower, OP_UPPER: iso.upper, OP_WORK: iso.work, OP_MERGED: iso.merged,
        OP_WORKDIR: iso.workingDir, OP_VOLUMES: iso.volumes.map(volumeLine).join('\n'),
        OP_IMAGE_PATH: spec.env.PATH ?? HOST_PATH, OP_HOSTNAME: spec.env.HOSTNAME ?? '',
        OP_HOST_NAMESPACES: (iso.hostNamespaces ?? []).join(' '), ...credentialsEnv(iso.credentials),
        OP_DEV: iso.dev ?? 'host', OP_SHM: iso.shm ?? '', OP_TERMINATION_LOG: iso.terminationLog ? `${iso.terminationLog.source}|${iso.terminationLog.path}` : '',
      }
    : {};
  const startedAt = new Date().toISOString();
  const exited = (pid: number, exit: Exit) => {
    if (spec.stdinPath) closeStdin(spec.stdinPath, false);
    try {
      writeStatus(spec.statusPath, { state: 'exited', pid, shimPid: process.pid, startedAt, finishedAt: new Date().toISOString(), exitCode: exit.code, signal: exit.signal, ...(exit.message ? { message: exit.message } : {}) });
    } catch {
      // Its sandbox was removed meanwhile: nobody asks for this exit any more.
    }
    onExit();
  };
  // The exit of a container that ended at once can come before its start is recorded: it is recorded after it.
  const recorded: { started?: StartedContainer; early?: Exit } = {};
  let pid: number;
  try {
    // Held open for writing (O_RDWR: the open waits for no reader) so the container reads no end of its stdin between
    // attach sessions, nor while its runtime restarts.
    if (spec.stdinPath) stdinHolders.set(spec.stdinPath, openSync(spec.stdinPath, 'r+'));
    pid = await launcher.launch(
      { file, args, cwd: spec.cwd, logPath: spec.logPath, stdinPath: spec.stdinPath, terminalPath: spec.terminalPath, env: { ...spec.env, ...isolationEnv, OP_CGROUP_PROCS: spec.cgroupProcs.join(' ') } },
      (exit) => (recorded.started ? exited(recorded.started.pid, exit) : (recorded.early = exit)),
    );
  } catch (err) {
    const message = (err as Error).message;
    try {
      appendFileSync(spec.logPath, logRecord('stderr', `crx-shim: cannot start ${file}: ${message}`));
    } catch {
      // No log to say it in: the status does.
    }
    exited(0, { code: 127, signal: null, message });
    return { state: 'running', pid: 0, shimPid: process.pid, startedAt };
  }
  const started: StartedContainer = { state: 'running', pid, shimPid: process.pid, startedAt };
  try {
    writeStatus(spec.statusPath, started);
  } catch (err) {
    // Its sandbox was removed meanwhile: a container nobody can know of is ended (its exit still comes, to onExit).
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // It ended already.
    }
    throw err;
  }
  recorded.started = started;
  if (recorded.early) exited(pid, recorded.early);
  return started;
}
