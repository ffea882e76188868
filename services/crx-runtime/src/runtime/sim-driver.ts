import { randomBytes } from 'node:crypto';
import {
  CodedError, ContainerConfig, ContainerStats, containerStatsOf, ContainerStatus, CrxErrorCodes, NO_USAGE, ExecSyncRequest, ExecSyncResponse, PodSandbox, PodSandboxConfig, PodSandboxFilter, ReadLogsRequest, ReadLogsResponse,
  sameVolumeFiles, VolumeFile, WriteVolumeRequest, WriteVolumeResponse, writeVolumeProblem,
} from '@openpacific/contracts';
import { podAddress, PodAddressing } from '../crx-runtime.config';
import { containerWanted, RuntimeDriver, sandboxWanted } from './runtime-driver';

interface SimContainer {
  status: ContainerStatus;
  runningAt: number;
  failsAt?: number;
}

/**
 * No processes: containers "run" after a start delay and fail at a given
 * rate, so scale tests can place thousands of pods on one machine. State is
 * in memory only (a restarted sim runtime starts empty).
 */
export class SimDriver implements RuntimeDriver {
  private readonly sandboxes = new Map<string, PodSandbox>();
  private readonly containers = new Map<string, SimContainer>();
  /** What each sandbox's volumes were last given by `writeVolume`, by sandbox and volume name (no files anywhere). */
  private readonly volumes = new Map<string, Map<string, VolumeFile[]>>();
  private nextIp = 0;

  constructor(
    /** How its pods are addressed (a bare number: the host's index). */
    private readonly addressing: number | PodAddressing,
    private readonly opts: { startDelayMs: number; failureRate: number; random?: () => number },
  ) {}

  version() {
    return { runtimeName: 'crx', runtimeVersion: '0.1.0', driver: 'sim', isolation: 'none', cgroups: false, podNetwork: { mode: 'loopback' as const, reason: 'CRX_DRIVER=sim' } };
  }

  runPodSandbox(config: PodSandboxConfig): PodSandbox {
    const existing = [...this.sandboxes.values()].find((s) => s.config.podUid === config.podUid && s.state === 'SANDBOX_READY');
    if (existing) return existing;
    const n = this.nextIp++;
    const sandbox: PodSandbox = {
      id: randomBytes(6).toString('hex'), config, state: 'SANDBOX_READY',
      ip: podAddress(this.addressing, n), directory: '', createdAt: new Date().toISOString(),
    };
    this.sandboxes.set(sandbox.id, sandbox);
    return sandbox;
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.sandbox(id).state = 'SANDBOX_NOTREADY';
    for (const c of this.listContainers(id)) await this.stopContainer(c.id);
  }

  async removePodSandbox(id: string): Promise<void> {
    for (const c of this.listContainers(id)) this.containers.delete(c.id);
    this.sandboxes.delete(id);
    this.volumes.delete(id);
  }

  podSandboxStatus(id: string): PodSandbox {
    return this.sandbox(id);
  }

  listPodSandboxes(filter?: PodSandboxFilter): PodSandbox[] {
    return [...this.sandboxes.values()].filter(sandboxWanted(filter));
  }

  createContainer(sandboxId: string, config: ContainerConfig, attempt: number): ContainerStatus {
    this.sandbox(sandboxId);
    const id = randomBytes(8).toString('hex');
    // No `imageRef`: a sim host has no image store and takes any image name as it comes, so there is no image whose
    // id it could report; a made-up digest would read as a real one in `kubectl describe pod`.
    const status: ContainerStatus = { id, sandboxId, name: config.name, attempt, image: config.image, state: 'CONTAINER_CREATED', createdAt: new Date().toISOString(), logPath: '' };
    this.containers.set(id, { status, runningAt: 0 });
    return status;
  }

  /** Takes the start delay, as a real start does, and then the container runs (or fails right after). */
  async startContainer(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    if (c.runningAt) throw new CodedError(CrxErrorCodes.conflict, `container ${id} was already started`);
    c.runningAt = Date.now() + this.opts.startDelayMs;
    if (this.opts.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.opts.startDelayMs));
    if (!this.containers.has(id)) throw new CodedError(CrxErrorCodes.notFound, `container ${id} was removed while it started`);
    if ((this.opts.random ?? Math.random)() < this.opts.failureRate) c.failsAt = Date.now() + 10;
    c.status = { ...c.status, state: 'CONTAINER_RUNNING', startedAt: new Date().toISOString() };
    return this.containerStatus(id);
  }

  async stopContainer(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    if (c.status.state !== 'CONTAINER_EXITED') c.status = { ...c.status, state: 'CONTAINER_EXITED', exitCode: 143, reason: 'Error', finishedAt: new Date().toISOString() };
    return c.status;
  }

  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
  }

  containerStatus(id: string): ContainerStatus {
    const c = this.container(id);
    const now = Date.now();
    if (c.status.state === 'CONTAINER_RUNNING' && c.failsAt !== undefined && now >= c.failsAt) {
      c.status = { ...c.status, state: 'CONTAINER_EXITED', exitCode: 1, reason: 'Error', finishedAt: new Date(c.failsAt).toISOString() };
    }
    return c.status;
  }

  listContainers(sandbox?: string | string[]): ContainerStatus[] {
    const wanted = containerWanted(sandbox);
    return [...this.containers.values()].filter((c) => wanted(c.status.sandboxId)).map((c) => this.containerStatus(c.status.id));
  }

  /** Its running containers have no processes: they use nothing. */
  containerStats(ids?: string[]): ContainerStats[] {
    const statuses = ids ? ids.filter((id) => this.containers.has(id)).map((id) => this.containerStatus(id)) : this.listContainers();
    const now = Date.now();
    return statuses.flatMap((c) => {
      const sandbox = this.sandboxes.get(c.sandboxId);
      return c.state === 'CONTAINER_RUNNING' && sandbox ? [containerStatsOf(c, sandbox.config, NO_USAGE, now)] : [];
    });
  }

  readLogs(req: ReadLogsRequest): ReadLogsResponse {
    const c = this.containerStatus(req.containerId);
    const line = `sim container ${c.name} (attempt ${c.attempt}) on a simulated runtime\n`;
    return { content: (req.fromByte ?? 0) > 0 ? '' : line, nextByte: line.length, finished: c.state === 'CONTAINER_EXITED' };
  }

  async execSync(_req: ExecSyncRequest): Promise<ExecSyncResponse> {
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  /** Checks the request as the process driver does and records the files; the same files again write nothing. */
  writeVolume(req: WriteVolumeRequest): WriteVolumeResponse {
    this.sandbox(req.sandboxId);
    const problem = writeVolumeProblem(req);
    if (problem) throw new CodedError(CrxErrorCodes.invalid, problem);
    let ofSandbox = this.volumes.get(req.sandboxId);
    if (!ofSandbox) this.volumes.set(req.sandboxId, (ofSandbox = new Map()));
    if (sameVolumeFiles(ofSandbox.get(req.name), req.files)) return { written: 0 };
    ofSandbox.set(req.name, req.files);
    return { written: req.files.length };
  }

  /** The files a sandbox's volume was last given, if any. */
  volume(sandboxId: string, name: string): VolumeFile[] | undefined {
    return this.volumes.get(sandboxId)?.get(name);
  }

  private sandbox(id: string): PodSandbox {
    const s = this.sandboxes.get(id);
    if (!s) throw new CodedError(CrxErrorCodes.notFound, `pod sandbox ${id} not found`);
    return s;
  }

  private container(id: string): SimContainer {
    const c = this.containers.get(id);
    if (!c) throw new CodedError(CrxErrorCodes.notFound, `container ${id} not found`);
    return c;
  }
}
