import { randomBytes } from 'node:crypto';
import {
  CodedError, ContainerConfig, ContainerStats, containerStatsOf, ContainerStatus, CrxErrorCodes, NO_USAGE, ExecSyncRequest, ExecSyncResponse, PodSandbox, PodSandboxConfig, PodSandboxFilter, sandboxPodKey, sameVolumeFiles, VolumeFile,
  WriteVolumeResponse, writeVolumeProblem,
} from '@openpacific/contracts';
import type { LeaseRuntime, PodRuntime } from '../pods/pod-runtime';

/**
 * Sandbox and container ids: hex digits of a random prefix drawn once per process, then a count. Unique in the
 * fleet's process (and unlike a restarted fleet's) without a draw from the system's random source for each,
 * which was a measurable share of the fleet's CPU in a burst.
 */
const ID_PREFIX = randomBytes(4).toString('hex');
let idCount = 0;

/** An id of at least `digits` hex digits (more once the count outgrows them). */
function nextId(digits: number): string {
  return ID_PREFIX + (idCount++).toString(16).padStart(digits - ID_PREFIX.length, '0');
}

/**
 * One simulated host's container runtime, in the agent's process: crx-runtime's sim driver with zero start
 * delay and no failures. Containers run the moment they start; nothing runs anywhere. Sandboxes and
 * containers are indexed by pod and by sandbox so that a question about a few pods of a host with many is
 * answered in time proportional to the few.
 * The lease is taken as given: there are no processes to fence.
 */
export class SimRuntime implements PodRuntime, LeaseRuntime {
  private readonly sandboxes = new Map<string, PodSandbox>();
  private readonly containers = new Map<string, ContainerStatus>();
  private readonly bySandbox = new Map<string, Set<string>>();
  /** Each pod's latest sandbox (by pod uid): a scan of every sandbox for each new one grew as the square of the host's pods. */
  private readonly byPod = new Map<string, string>();
  /** Every sandbox of each pod (`namespace/name`), whatever its uid or state, in the order they were made: what a filtered list answers. */
  private readonly byPodKey = new Map<string, Set<string>>();
  /** The files each sandbox's volumes were last given (the request's own list: nothing is copied or written). */
  private readonly volumes = new Map<string, Map<string, VolumeFile[]>>();
  private nextIp = 0;

  /** `hostIndex` (1-based) picks the host's 127.x.0.0/16 (addresses nobody binds: sim pods run nowhere). */
  constructor(private readonly hostIndex: number) {}

  static version() {
    return { driver: 'sim', isolation: 'none', cgroups: 'none', podNetwork: { mode: 'loopback', reason: 'simulated host (SIM_FLEET_HOSTS)' } };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    const existing = this.sandboxes.get(this.byPod.get(config.podUid) ?? '');
    if (existing?.state === 'SANDBOX_READY') return existing;
    const k = 2 + this.nextIp++;
    const sandbox: PodSandbox = {
      id: nextId(12), config, state: 'SANDBOX_READY',
      ip: `127.${64 + (this.hostIndex % 190)}.${(k >> 8) & 255}.${k & 255}`, directory: '', createdAt: new Date().toISOString(),
    };
    this.sandboxes.set(sandbox.id, sandbox);
    this.bySandbox.set(sandbox.id, new Set());
    this.byPod.set(config.podUid, sandbox.id);
    const key = sandboxPodKey(config);
    const ofKey = this.byPodKey.get(key);
    if (ofKey) ofKey.add(sandbox.id);
    else this.byPodKey.set(key, new Set([sandbox.id]));
    return sandbox;
  }

  async stopPodSandbox(id: string): Promise<object> {
    this.sandbox(id).state = 'SANDBOX_NOTREADY';
    for (const c of this.of(id)) await this.stopContainer(c.id);
    return {};
  }

  async removePodSandbox(id: string): Promise<object> {
    for (const c of this.bySandbox.get(id) ?? []) this.containers.delete(c);
    const config = this.sandboxes.get(id)?.config;
    if (config) {
      if (this.byPod.get(config.podUid) === id) this.byPod.delete(config.podUid);
      const key = sandboxPodKey(config);
      const ofKey = this.byPodKey.get(key);
      ofKey?.delete(id);
      if (ofKey?.size === 0) this.byPodKey.delete(key);
    }
    this.bySandbox.delete(id);
    this.sandboxes.delete(id);
    this.volumes.delete(id);
    return {};
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    if (!filter?.pods) return [...this.sandboxes.values()];
    return [...new Set(filter.pods)].flatMap((key) => [...(this.byPodKey.get(key) ?? [])].map((id) => this.sandbox(id)));
  }

  async createContainer(sandboxId: string, config: ContainerConfig, attempt: number): Promise<ContainerStatus> {
    this.sandbox(sandboxId);
    const id = nextId(16);
    const status: ContainerStatus = { id, sandboxId, name: config.name, attempt, image: config.image, state: 'CONTAINER_CREATED', createdAt: new Date().toISOString(), logPath: '' };
    this.containers.set(id, status);
    this.bySandbox.get(sandboxId)?.add(id);
    return status;
  }

  async startContainer(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    if (c.state !== 'CONTAINER_CREATED') throw new CodedError(CrxErrorCodes.conflict, `container ${id} was already started`);
    return this.update({ ...c, state: 'CONTAINER_RUNNING', startedAt: new Date().toISOString() });
  }

  async stopContainer(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    if (c.state === 'CONTAINER_EXITED') return c;
    return this.update({ ...c, state: 'CONTAINER_EXITED', exitCode: 143, reason: 'Error', finishedAt: new Date().toISOString() });
  }

  async listContainers(sandbox?: string | string[]): Promise<ContainerStatus[]> {
    if (sandbox === undefined) return [...this.containers.values()];
    return Array.isArray(sandbox) ? [...new Set(sandbox)].flatMap((id) => this.of(id)) : this.of(sandbox);
  }

  /** Its running containers, which use nothing: no process runs anywhere (what a sim host reports to metrics.k8s.io). */
  containerStats(): ContainerStats[] {
    const now = Date.now();
    const out: ContainerStats[] = [];
    for (const c of this.containers.values()) {
      const sandbox = this.sandboxes.get(c.sandboxId);
      if (c.state === 'CONTAINER_RUNNING' && sandbox) out.push(containerStatsOf(c, sandbox.config, NO_USAGE, now));
    }
    return out;
  }

  async execSync(_req: ExecSyncRequest): Promise<ExecSyncResponse> {
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  /** Checks the request as crx-runtime does and records it; the same files again write nothing. */
  async writeVolume(sandboxId: string, name: string, files: VolumeFile[], _fsGroup?: number): Promise<WriteVolumeResponse> {
    this.sandbox(sandboxId);
    const problem = writeVolumeProblem({ name, files });
    if (problem) throw new CodedError(CrxErrorCodes.invalid, problem);
    let ofSandbox = this.volumes.get(sandboxId);
    if (!ofSandbox) this.volumes.set(sandboxId, (ofSandbox = new Map()));
    if (sameVolumeFiles(ofSandbox.get(name), files)) return { written: 0 };
    ofSandbox.set(name, files);
    return { written: files.length };
  }

  /** The files a sandbox's volume was last given, if any. */
  volume(sandboxId: string, name: string): VolumeFile[] | undefined {
    return this.volumes.get(sandboxId)?.get(name);
  }

  async renewLease(): Promise<object> {
    return {};
  }

  private of(sandboxId: string): ContainerStatus[] {
    return [...(this.bySandbox.get(sandboxId) ?? [])].map((id) => this.container(id));
  }

  private update(status: ContainerStatus): ContainerStatus {
    this.containers.set(status.id, status);
    return status;
  }

  private sandbox(id: string): PodSandbox {
    const s = this.sandboxes.get(id);
    if (!s) throw new CodedError(CrxErrorCodes.notFound, `pod sandbox ${id} not found`);
    return s;
  }

  private container(id: string): ContainerStatus {
    const c = this.containers.get(id);
    if (!c) throw new CodedError(CrxErrorCodes.notFound, `container ${id} not found`);
    return c;
  }
}
