import type { PodNetworkStatus } from './pod-network';
import type { ContainerConfig, ContainerStatus, ExecSyncRequest, ExecSyncResponse, PodSandbox, PodSandboxConfig, ReadLogsRequest, ReadLogsResponse } from '@openpacific/contracts';

/** What crx-runtime needs from a driver: the CRI-like operations, on sandboxes and containers. */
export interface RuntimeDriver {
  /** Runtime name and version, its isolation and cgroups, and how its pods are networked (the agent annotates its Node). */
  version(): Record<string, unknown> & { podNetwork: PodNetworkStatus };
  runPodSandbox(config: PodSandboxConfig): PodSandbox;
  stopPodSandbox(id: string, graceSeconds?: number): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): PodSandbox;
  listPodSandboxes(): PodSandbox[];
  createContainer(sandboxId: string, config: ContainerConfig, attempt: number): ContainerStatus;
  startContainer(id: string): Promise<ContainerStatus>;
  stopContainer(id: string, graceSeconds: number): Promise<ContainerStatus>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): ContainerStatus;
  listContainers(sandboxId?: string): ContainerStatus[];
  readLogs(req: ReadLogsRequest): ReadLogsResponse;
  execSync(req: ExecSyncRequest): Promise<ExecSyncResponse>;
  /** How to start a command inside a running container (exec sessions); drivers without real processes lack it. */
  /** Lets go of what it holds for future starts (a clean stop; sandboxes and containers stay). */
  close?(): void;
  execTarget?(containerId: string, command: string[]): { file: string; args: string[]; cwd: string; env: Record<string, string> };
}
