/**
 * The CRI-like request/reply API of crx-runtime, one per host, over NATS
 * (JSON bodies, `requestJson`/`serveJson` from @openpacific/messaging).
 * Subjects: `<prefix>.crx.<host>.<operation>`; see `crxSubject`.
 * Every reply is either the operation's result or `{ error: { code, message } }`
 * with codes from `CrxErrorCodes`.
 */
export const CrxOperations = [
  'version',
  'runPodSandbox',
  'stopPodSandbox',
  'removePodSandbox',
  'podSandboxStatus',
  'listPodSandboxes',
  'createContainer',
  'startContainer',
  'stopContainer',
  'removeContainer',
  'containerStatus',
  'listContainers',
  'readLogs',
  'execSync',
  'writeVolume',
  'renewLease',
  'fences',
  'containerStats',
] as const;
export type CrxOperation = (typeof CrxOperations)[number];

export function crxSubject(prefix: string, host: string, op: CrxOperation): string {
  return `${prefix}.crx.${host}.${op}`;
}

export const CrxErrorCodes = {
  notFound: 'CRX.NOT_FOUND',
  invalid: 'CRX.INVALID',
  imageNotFound: 'CRX.IMAGE_NOT_FOUND',
  startFailed: 'CRX.START_FAILED',
  conflict: 'CRX.CONFLICT',
  /**
   * What the container asks cannot be made on this host as it stands (a volume's subPath that leads out of the
   * volume): kubelet's CreateContainerConfigError, which the agent reports until the volume allows it.
   */
  containerConfig: 'CRX.CONTAINER_CONFIG',
  /** The lease of this epoch ran out and its containers were stopped: the agent must register a new epoch. */
  fenced: 'CRX.FENCED',
} as const;

export interface PodSandboxConfig {
  /** Identity of the pod: the sandbox id is derived by the runtime; these label it. */
  podUid: string;
  podName: string;
  podNamespace: string;
  /** Host epoch the sandbox belongs to (fencing: older epochs are refused). */
  epoch?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /**
   * Its address when the runtime gives pods their own network namespace (chosen by the scheduler from the pod's
   * namespace subnet); a runtime in loopback mode ignores it and picks a 127.x.y.z address of its own.
   */
  ip?: string;
  /**
   * The resolver a pod's containers see in /etc/resolv.conf (the cluster DNS and the pod's search path, or the host's
   * own for dnsPolicy Default); `options` absent means `ndots:5`, the cluster's.
   */
  dns?: { nameservers: string[]; searches: string[]; options?: string[] };
  /** `spec.hostAliases`: entries kubelet adds to the pod's /etc/hosts, an address and its names each. */
  hostAliases?: Array<{ ip: string; hostnames: string[] }>;
  /**
   * The host's namespaces the pod's containers share instead of their own (`spec.hostNetwork`, `hostPID`,
   * `hostIPC`; CRI's NamespaceMode NODE). With `hostNetwork` the sandbox gets no network namespace nor address of its
   * own: its `ip` is the host's, and its containers keep the host's name (its UTS namespace), as containerd does.
   */
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  /**
   * The pod's containers share one PID namespace (`spec.shareProcessNamespace`; CRI's NamespaceMode POD): each sees the
   * others' processes, and PID 1 is the sandbox's, as a pause container's. Never with `hostPID` (the API refuses both).
   */
  shareProcessNamespace?: boolean;
  /** The containers' host name: the pod's `spec.hostname`, else (absent) its name. */
  hostname?: string;
  /** The pod's name in cluster DNS when it has one (`spec.subdomain`: `<hostname>.<subdomain>.<ns>.svc.cluster.local`), listed in /etc/hosts. */
  fqdn?: string;
}

/**
 * The request body of `listPodSandboxes`: it answers with the sandboxes of these pods (`namespace/name`, the
 * `podNamespace` and `podName` of their configs) whatever their uid or state; with every sandbox without `pods`.
 * `listContainers` takes `{ sandboxId }` for one sandbox's containers or `{ sandboxIds }` for several; every
 * container without either. An agent's pass over a few pods asks for theirs only: a host with many pods
 * answering for all of them on every pass grew as the square of its pods.
 */
export interface PodSandboxFilter {
  pods?: string[];
}

/** The pod a sandbox is of, as `PodSandboxFilter` names it. */
export function sandboxPodKey(config: PodSandboxConfig): string {
  return `${config.podNamespace}/${config.podName}`;
}

export interface PodSandbox {
  id: string;
  config: PodSandboxConfig;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  /** The pod's own address (on Linux a distinct 127.x.y.z). */
  ip: string;
  /** The pod's directory on the host (emptyDir volumes, logs live under it). */
  directory: string;
  createdAt: string;
}

export interface ContainerConfig {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  workingDir?: string;
  ports?: { containerPort: number; protocol?: string; name?: string }[];
  /** Limits in bytes / millicores; enforced through cgroups where the host has them. */
  limits?: { memoryBytes?: number; cpuMillis?: number };
  /**
   * Volumes: name -> mount path inside the container. The source is the sandbox's emptyDir of that name,
   * or `hostPath` when given (a persistent volume's directory on the host, or a hostPath volume's path: a
   * directory or a file, which the agent checked against the volume's type). `readOnly`: an isolated container
   * gets it mounted read-only (its writes fail with EROFS); a container on the host's root gets the directory as
   * before (VOLUME_<NAME>), unprotected.
   *
   * `subPath` (relative, no `..`: the agent expanded any subPathExpr) mounts only that path of the volume, as
   * kubelet does: a missing one is made a directory with the volume's mode, an existing file is mounted as a
   * file, and one whose real path (its symlinks followed) leaves the volume is refused with `containerConfig`.
   * It is resolved when the container is created: a configMap key's file is the content of that moment, and
   * later writes of the volume do not reach it.
   */
  mounts?: { name: string; mountPath: string; hostPath?: string; readOnly?: boolean; subPath?: string }[];
  /**
   * The container's stdin is a pipe the runtime keeps open for attach sessions to write to (else /dev/null). The
   * process sees its end only when `stdinOnce`'s first attach session with stdin has ended, as kubelet's runtime does.
   */
  stdin?: boolean;
  stdinOnce?: boolean;
  /**
   * The container's stdin, stdout and stderr are a pseudo-terminal, its controlling one (in a session of its own):
   * its output is logged as stdout, its input is what attach sessions write (with `stdin`), and their resizes set its
   * window, as kubelet's runtime gives a `tty: true` container.
   */
  tty?: boolean;
  /**
   * The id of a running container of the same sandbox whose process namespace this one joins (an ephemeral
   * container's `targetContainerName`, as kubelet's process-namespace targeting): it sees and may signal that
   * container's processes. Where containers are not isolated (no crx-init) every container sees the host's.
   */
  targetContainerId?: string;
  /**
   * The container's effective securityContext, as kubelet computes it from the pod's and the container's (see
   * `ContainerSecurity`). Absent: none was set, and the container runs as its image's user with the default
   * capabilities.
   */
  security?: ContainerSecurity;
  /**
   * Where an isolated container may write why it ended (its `terminationMessagePath`, `/dev/termination-log` by
   * default): a file of the runtime's is bound there, and what the container left in it (its first 4096 bytes) is
   * its exited status's `message`. `terminationMessagePolicy: FallbackToLogsOnError`: a container that failed (exit
   * code not 0) and left nothing there has the last 80 lines of its log instead (at most their last 2048 bytes), as
   * kubelet reports it; that one holds on the host's root too.
   */
  terminationMessagePath?: string;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
}

/**
 * What kubelet hands its runtime of a container's securityContext (the container's fields over the pod's where both
 * may set them). An isolated runtime applies it all; one running containers on its host's root applies none of it
 * (docs/runtime.md, "Security context").
 */
export interface ContainerSecurity {
  /** Overrides the image's user; `runAsGroup` its group (the user's own group from the image's /etc/passwd otherwise). */
  runAsUser?: number;
  runAsGroup?: number;
  /** The container is not created (CreateContainerConfigError) when it would run as uid 0 or as a user it cannot tell. */
  runAsNonRoot?: boolean;
  /** The pod's fsGroup then its supplementalGroups, as kubelet passes them: added to the process's groups. */
  supplementalGroups?: number[];
  /** Every capability the kernel has (on top of that, nothing else of `privileged` is applied). */
  privileged?: boolean;
  /** `allowPrivilegeEscalation: false`: the process starts with no_new_privs. */
  noNewPrivileges?: boolean;
  /** Added to and dropped from the default set (`ALL` allowed), names without `CAP_` as Kubernetes writes them. */
  capabilities?: { add?: string[]; drop?: string[] };
  readOnlyRootFilesystem?: boolean;
  /** The pod's fsGroup: its volumes (not persistent ones on a host path) are made group-owned by it. */
  fsGroup?: number;
  fsGroupChangePolicy?: 'Always' | 'OnRootMismatch';
}

/** One file of a volume whose content the agent computes (configMap, secret, downwardAPI, projected volumes). */
export interface VolumeFile {
  /** Relative to the volume (`key`, `dir/key`): never absolute, no `..` element, not starting with `..`. */
  path: string;
  /** The content, base64. */
  data: string;
  /** Its permission bits (`defaultMode`/`mode`, e.g. 0o644). */
  mode: number;
}

/**
 * `writeVolume`: the whole content of the sandbox's volume `<sandbox dir>/volumes/<name>` becomes `files`, all at
 * once for a container that reads it, as kubelet's atomic writer does it: the files go into a new directory
 * `..<YYYY_MM_DD_HH_MM_SS.nnnnnnnnn>`, a symlink `..data` to it replaces the previous one by a rename, and each
 * top-level entry `<e>` of the payload is a symlink to `..data/<e>` (those of entries gone are removed, and the
 * previous directory). The same content again changes nothing. A bad path is CRX.INVALID, an unknown sandbox
 * CRX.NOT_FOUND.
 */
export interface WriteVolumeRequest {
  sandboxId: string;
  /** The volume's name (a directory of the sandbox's `volumes/`). */
  name: string;
  files: VolumeFile[];
  /** The pod's fsGroup: what is written is group-owned by it, directories setgid, as kubelet's SetVolumeOwnership leaves them. */
  fsGroup?: number;
}

export interface WriteVolumeResponse {
  /** Files written: the payload's count, 0 when the volume held that content already (nothing was done). */
  written: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Why a `writeVolume` request cannot be done as asked (a volume name or file path that could leave the volume, a file twice...), or undefined. */
export function writeVolumeProblem(req: Pick<WriteVolumeRequest, 'name' | 'files'>): string | undefined {
  const { name, files } = req;
  if (typeof name !== 'string' || !name || name === '.' || name === '..' || /[/\\\0]/.test(name)) return `invalid volume name ${JSON.stringify(name)}`;
  if (!Array.isArray(files)) return `volume "${name}": files must be a list`;
  const seen = new Set<string>();
  const dirs = new Set<string>();
  for (const file of files) {
    const path = file?.path;
    const problem = volumePathProblem(path);
    if (problem) return `volume "${name}": invalid file path ${JSON.stringify(path)}: ${problem}`;
    if (typeof file.data !== 'string' || file.data.length % 4 !== 0 || !BASE64.test(file.data)) return `volume "${name}": the data of file "${path}" is not base64`;
    if (!Number.isInteger(file.mode) || file.mode < 0 || file.mode > 0o7777) return `volume "${name}": file "${path}" has an invalid mode ${JSON.stringify(file.mode)}`;
    if (seen.has(path) || dirs.has(path)) return `volume "${name}": the path "${path}" is given twice (or is also a directory of another)`;
    seen.add(path);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (seen.has(dir)) return `volume "${name}": the path "${dir}" is both a file and a directory`;
      dirs.add(dir);
    }
  }
  return undefined;
}

/** Whether two payloads are the same files in the same order (what a sim runtime compares a repeated write with). */
export function sameVolumeFiles(a: readonly VolumeFile[] | undefined, b: readonly VolumeFile[]): boolean {
  return !!a && a.length === b.length && a.every((f, i) => f.path === b[i].path && f.mode === b[i].mode && f.data === b[i].data);
}

function volumePathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'it is empty';
  if (path.startsWith('/')) return 'it is absolute';
  if (path.startsWith('..')) return "it starts with '..'";
  const parts = path.split('/');
  if (parts.includes('..')) return "it contains a '..' element";
  if (parts.some((p) => p === '' || p === '.')) return "it has an empty or '.' element";
  if (path.includes('\0')) return 'it holds a NUL byte';
  return undefined;
}

export type ContainerStateName = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  /** Which start of this container (0 for the first): restarts are new containers with a higher attempt. */
  attempt: number;
  image: string;
  /**
   * The id of the image the runtime resolved `image` to when it created the container (CRI's `imageRef`, which
   * kubelet reports as the pod's `imageID`): an imported image's repository with its digest
   * (`docker.io/library/app@sha256:…`), the built-in busybox's `sha256:` of its binary. Absent where the container
   * runs no image of the store (on the host's root, or in the sim driver) and for containers created before runtimes
   * recorded it.
   */
  imageRef?: string;
  state: ContainerStateName;
  pid?: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** `Completed`, `Error`, `OOMKilled`, `ContainerCannotRun`... as Kubernetes words container termination. */
  reason?: string;
  message?: string;
  logPath: string;
}

export interface ReadLogsRequest {
  containerId: string;
  /** Only the last N lines. */
  tailLines?: number;
  /** Only lines at or after this time (RFC 3339). */
  sinceTime?: string;
  timestamps?: boolean;
  limitBytes?: number;
  /** Follow mode: continue from this byte of the log file (the previous answer's `nextByte`). */
  fromByte?: number;
}

export interface ReadLogsResponse {
  /** Log text (UTF-8), lines ending in '\n'; each line prefixed with its RFC 3339 time when timestamps is set. */
  content: string;
  /** Where the next follow read starts. */
  nextByte: number;
  /** The container has exited: nothing more will come. */
  finished: boolean;
}

/** Run a command inside a running container and wait for it (exec probes). */
export interface ExecSyncRequest {
  containerId: string;
  command: string[];
  timeoutSeconds?: number;
}

export interface ExecSyncResponse {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The host lease as the agent holds it, handed to its runtime: if `expiresAt` (ms since the epoch, the host's
 * own clock) passes without a renewal, the runtime stops every container of that epoch or older by itself —
 * the isolation response, which works even when the agent is cut off or frozen.
 */
export interface RenewLeaseRequest {
  epoch: number;
  expiresAt: number;
}

/**
 * Streaming exec sessions (`kubectl exec`), beside the request/reply operations: the gateway subscribes to
 * `<prefix>.crx.<host>.exec.<session>.out`, then asks `<prefix>.crx.<host>.exec.start` (request/reply, JSON
 * `ExecStartRequest`, answered `{}` once the process runs and the runtime listens on `.in`). Both stream subjects
 * carry binary payloads whose first byte is a channel (`ExecChannels`), the rest raw bytes.
 */
export function crxExecStartSubject(prefix: string, host: string): string {
  return `${prefix}.crx.${host}.exec.start`;
}

export function crxExecStreamSubject(prefix: string, host: string, sessionId: string, direction: 'in' | 'out'): string {
  return `${prefix}.crx.${host}.exec.${sessionId}.${direction}`;
}

/** Channels of an exec stream, numbered as kube's remotecommand channels (`v5.channel.k8s.io`). */
export const ExecChannels = {
  /** gateway → runtime: bytes for the process's stdin. */
  stdin: 0,
  /** runtime → gateway. */
  stdout: 1,
  stderr: 2,
  /** runtime → gateway, last message: JSON `{ exitCode }` or `{ error }` (could not start / lost). */
  exit: 3,
  /** gateway → runtime: JSON `{ Width, Height }` of the client's terminal. */
  resize: 4,
  /** gateway → runtime: the client went away; kill the process. */
  kill: 9,
  /** gateway → runtime: stdin reached its end (close the pipe). */
  closeStdin: 255,
} as const;

/**
 * `kubectl attach`: the container's own stdio, from the moment of attach until the client leaves or the container
 * exits. Asked on `<prefix>.crx.<host>.attach.start` (answered `{}` once the runtime listens); the streams are those of
 * an exec session (`crxExecStreamSubject`), with `exit` carrying `{}` when the container ended the session (`{ error }`
 * when the runtime lost it) and `kill` meaning only that the client went (the container runs on).
 */
export function crxAttachStartSubject(prefix: string, host: string): string {
  return `${prefix}.crx.${host}.attach.start`;
}

export interface AttachStartRequest {
  sessionId: string;
  containerId: string;
  stdin: boolean;
}

export interface ExecStartRequest {
  sessionId: string;
  containerId: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}
