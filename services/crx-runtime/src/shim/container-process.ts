import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BUSYBOX_BINARY } from '../runtime/image-store';

/** What the runtime hands the shim for one container start. */
export interface ShimSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  statusPath: string;
  /** cgroup.procs files the container joins before it execs (memory/cpu limits). */
  cgroupProcs: string[];
  /** Run inside the image: own mount and PID namespaces, an overlay over the image's rootfs, chroot. */
  isolation?: { lower: string; upper: string; work: string; merged: string; workingDir: string; volumes: { source: string; mountPath: string }[] };
  /** The command prefix that enters the pod's network namespace (`nsenter --net=/proc/<pause>/ns/net --`), when it has one. */
  enter?: string[];
}

/** What the status file says of a started container (and the shim's answer to a start). */
export interface StartedContainer {
  state: 'running';
  pid: number;
  shimPid: number;
  startedAt: string;
}

/**
 * Inside new mount, PID and UTS namespaces: the shell joins the container's cgroups, the container's root is an
 * overlay of the image (writes go to the container's own layer), emptyDir volumes are bound at their mount paths;
 * then it enters the root (root, working directory and a /proc that shows only the container's processes, all set
 * by unshare) and runs the command under a minimal init that forwards SIGTERM.
 */
const ISOLATE = [
  'set -e',
  'lower=$OP_LOWER; upper=$OP_UPPER; work=$OP_WORK; root=$OP_MERGED; wd=$OP_WORKDIR; volumes=$OP_VOLUMES; imagepath=$OP_IMAGE_PATH',
  'podname=$OP_HOSTNAME; enter=$OP_UNSHARE; busybox=$OP_BUSYBOX',
  // Its cgroups first (this shell is PID 1 of the new namespace, `$$` names it there), so everything the
  // container's processes allocate counts against its limits. Joined here rather than before unshare: one shell less.
  'for f in $OP_CGROUP_PROCS; do echo $$ > "$f"; done',
  'unset OP_LOWER OP_UPPER OP_WORK OP_MERGED OP_WORKDIR OP_VOLUMES OP_IMAGE_PATH OP_HOSTNAME OP_UNSHARE OP_BUSYBOX OP_CGROUP_PROCS',
  // Its own UTS namespace: the container's host name is its pod's name, as in Kubernetes (written, not `hostname`:
  // a process start less).
  '[ -z "$podname" ] || echo "$podname" 2>/dev/null > /proc/sys/kernel/hostname || true',
  // Set-up runs the host's tools (PATH is the host's here); the command gets the image's PATH.
  // Every fork here is paid on each start (a host taking over a failed one starts dozens at once): none that a builtin spares.
  // No `mount --make-rprivate /`: unshare --mount already made every mount here private (util-linux 2.27 and later).
  // Mounts by busybox's mount (isolation needs busybox, image-store.ts): a static program of its own, about 2.6 ms
  // of machine CPU less per container than util-linux's mount with its libraries.
  '"$busybox" mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$root"',
  '[ -z "$volumes" ] || printf "%s\\n" "$volumes" | while IFS="|" read -r src dst; do [ -n "$src" ] || continue; mkdir -p "$root$dst"; "$busybox" mount --bind "$src" "$root$dst"; done',
  '"$busybox" mount --rbind /dev "$root/dev"',
  '[ -d "$root$wd" ] || mkdir -p "$root$wd"',
  // This shell stays PID 1 and forwards SIGTERM, as an init does: a command that is PID 1 itself would ignore it.
  // Root, working directory and /proc (nosuid, noexec, nodev; in a mount namespace of the command's own, inside
  // this one) set by unshare itself: an image needs no shell of its own, and set-up runs one mount less.
  'PATH="$imagepath" "$enter" --mount-proc=/proc --root="$root" --wd="$wd" -- "$@" &',
  'child=$!',
  // `|| true`: under set -e a child that is already gone must not turn the exit status into kill's.
  'trap \'kill -TERM "$child" 2>/dev/null || true\' TERM',
  'trap \'kill -HUP "$child" 2>/dev/null || true\' HUP',
  'while :; do wait "$child"; status=$?; kill -0 "$child" 2>/dev/null || exit "$status"; done',
].join('\n');

const SETPRIV = '/usr/bin/setpriv';
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// The container joins its cgroups itself, before exec, so nothing it allocates escapes the limits.
const JOIN_CGROUPS = 'for f in $OP_CGROUP_PROCS; do echo $$ > "$f"; done; unset OP_CGROUP_PROCS; exec "$@"';
const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGSEGV: 11, SIGABRT: 6 };
const withParentDeath = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--'] : [];
const UNSHARE = HOST_PATH.split(':').map((d) => join(d, 'unshare')).find((p) => existsSync(p)) ?? 'unshare';

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
  // In its pod's network namespace (entered by exec: the pid stays the container's; after joining the cgroups, or
  // before for an isolated one, whose set-up joins them: entering allocates nothing).
  const command = [
    ...(spec.enter ?? []),
    ...(iso ? ['unshare', '--mount', '--pid', '--uts', '--fork', '--kill-child', '/bin/sh', '-c', ISOLATE, 'sh', ...spec.command] : spec.command),
  ];
  const isolationEnv = iso
    ? {
        OP_LOWER: iso.lower, OP_UPPER: iso.upper, OP_WORK: iso.work, OP_MERGED: iso.merged, OP_WORKDIR: iso.workingDir,
        OP_VOLUMES: iso.volumes.map((v) => `${v.source}|${v.mountPath}`).join('\n'),
        OP_IMAGE_PATH: spec.env.PATH ?? HOST_PATH,
        OP_HOSTNAME: spec.env.HOSTNAME ?? '',
        OP_UNSHARE: UNSHARE,
        OP_BUSYBOX: BUSYBOX_BINARY,
        PATH: HOST_PATH,
      }
    : {};
  // Its own session and process group (a signal to the host's group does not reach it), yet it dies with
  // its shim: setpriv gives it SIGKILL as parent-death signal, and unshare --kill-child passes that on to the
  // container's init, whose death ends its PID namespace. So a host killed as a whole (its group, shim
  // included) takes its containers with it, as a power cut does.
  // An isolated container's set-up shell joins the cgroups itself (ISOLATE); any other joins them in a shell of
  // its own that then execs the command.
  const [file, ...args] = [...withParentDeath, ...(iso ? command : ['/bin/sh', '-c', JOIN_CGROUPS, 'sh', ...command])];
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
