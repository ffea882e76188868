import type { PodNetworkStatus } from './pod-network';
import type { TerminalSize } from './terminal-size';
import { ContainerConfig, ContainerStats, ContainerStatus, ExecSyncRequest, ExecSyncResponse, PodSandbox, PodSandboxConfig, PodSandboxFilter, ReadLogsRequest, ReadLogsResponse, sandboxPodKey, WriteVolumeRequest, WriteVolumeResponse } from '@openpacific/contracts';

/** What crx-runtime needs from a driver: the CRI-like operations, on sandboxes and containers. */
export interface RuntimeDriver {
  /** Runtime name and version, its isolation and cgroups, and how its pods are networked (the agent annotates its Node). */
  version(): Record<string, unknown> & { podNetwork: PodNetworkStatus };
  runPodSandbox(config: PodSandboxConfig): PodSandbox;
  stopPodSandbox(id: string, graceSeconds?: number): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): PodSandbox;
  /** Every sandbox, or those of the pods the filter names. */
  listPodSandboxes(filter?: PodSandboxFilter): PodSandbox[];
  createContainer(sandboxId: string, config: ContainerConfig, attempt: number): ContainerStatus;
  startContainer(id: string): Promise<ContainerStatus>;
  stopContainer(id: string, graceSeconds: number): Promise<ContainerStatus>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): ContainerStatus;
  /** Every container, or those of one sandbox, or of several. */
  listContainers(sandbox?: string | string[]): ContainerStatus[];
  /**
   * What these running containers (every running one without `ids`) have used so far: cumulative CPU time and the
   * working set now (crx-stats.ts). Unknown and stopped containers are left out.
   */
  containerStats(ids?: string[]): ContainerStats[];
  readLogs(req: ReadLogsRequest): ReadLogsResponse;
  execSync(req: ExecSyncRequest): Promise<ExecSyncResponse>;
  /** Replaces the content of a sandbox's volume, atomically for its containers (see `WriteVolumeRequest`). */
  writeVolume(req: WriteVolumeRequest): WriteVolumeResponse;
  /** Lets go of what it holds for future starts (a clean stop; sandboxes and containers stay). */
  close?(): void;
  /** Resolves once the changes made so far are durable, for a driver that writes them after the call (answer only then). */
  persisted?(): Promise<void>;
  /** How to start a command inside a running container (exec sessions); drivers without real processes lack it. */
  execTarget?(containerId: string, command: string[]): { file: string; args: string[]; cwd: string; env: Record<string, string> };
  /** `execTarget`, waiting up to `withinMs` for a container that has just started to be in its image. */
  execTargetInImage?(containerId: string, command: string[], withinMs: number): Promise<{ file: string; args: string[]; cwd: string; env: Record<string, string> }>;
  /** The stdio of a running container for attach sessions; drivers without real processes lack it. */
  attachTarget?(containerId: string): AttachTarget;
}

/** A running container's stdio as an attach session reaches it. */
export interface AttachTarget {
  /** Its output: the CRI-format log its monitor writes, a line at a time. */
  logPath: string;
  /** Its stdin FIFO, while it is open (`stdin: true`, and not yet closed by `stdinOnce`). */
  stdinPath?: string;
  stdinOnce: boolean;
  running(): boolean;
  /** Ends its stdin for good (`stdinOnce`): the runtime's writer must be closed too for the container to read the end. */
  closeStdin(): Promise<void>;
  /** Sets the window of its terminal (`tty: true`); a container without one has none to set. */
  resize?(size: TerminalSize): void;
}

/** Whether a driver's `listPodSandboxes` keeps a sandbox: a linear filter, as a real host has few pods. */
export function sandboxWanted(filter?: PodSandboxFilter): (sandbox: PodSandbox) => boolean {
  const pods = filter?.pods && new Set(filter.pods);
  return pods ? (s) => pods.has(sandboxPodKey(s.config)) : () => true;
}

/** Whether a driver's `listContainers` keeps a container of the sandbox `sandboxId`. */
export function containerWanted(sandbox?: string | string[]): (sandboxId: string) => boolean {
  if (sandbox === undefined) return () => true;
  if (!Array.isArray(sandbox)) return (id) => id === sandbox;
  const ids = new Set(sandbox);
  return (id) => ids.has(id);
}
