import {
  CodedError, ContainerConfig, ContainerStatsRequest, ContainerStatsResponse, ContainerStatus, crxSubject, CrxOperation, ExecSyncRequest, ExecSyncResponse, PodSandbox, PodSandboxConfig, PodSandboxFilter, ReadLogsRequest, ReadLogsResponse, RenewLeaseRequest, HostFenceRecord, VolumeFile,
  WriteVolumeResponse, natsNames,
} from '@openpacific/contracts';
import type { NatsConnection } from 'nats';
import { requestJson } from './request-reply';

/** Talks to one host's crx-runtime over NATS request/reply. Runtime errors come back as CodedErrors. */
export class CrxClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly host: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.payloads = natsNames(prefix).payloads;
  }

  /** Where a request or answer larger than one NATS message goes (large-payloads.ts): a volume's files can be 1 MiB. */
  private readonly payloads: string;

  private async call<T>(op: CrxOperation, body: object, timeoutMs = this.timeoutMs): Promise<T> {
    const reply = await requestJson<object, T & { error?: { code: string; message: string } }>(this.nc, crxSubject(this.prefix, this.host, op), body, timeoutMs, { payloads: this.payloads });
    if (reply && typeof reply === 'object' && 'error' in reply && reply.error) throw new CodedError(reply.error.code, reply.error.message);
    return reply;
  }

  version() {
    return this.call<Record<string, unknown>>('version', {});
  }
  runPodSandbox(config: PodSandboxConfig) {
    return this.call<PodSandbox>('runPodSandbox', { config });
  }
  stopPodSandbox(sandboxId: string, graceSeconds: number) {
    return this.call<object>('stopPodSandbox', { sandboxId, graceSeconds }, (graceSeconds + 10) * 1000);
  }
  removePodSandbox(sandboxId: string) {
    return this.call<object>('removePodSandbox', { sandboxId }, 30_000);
  }
  /** Every sandbox of the host, or those of the pods the filter names. */
  listPodSandboxes(filter: PodSandboxFilter = {}) {
    return this.call<{ items: PodSandbox[] }>('listPodSandboxes', filter).then((r) => r.items);
  }
  createContainer(sandboxId: string, config: ContainerConfig, attempt: number) {
    return this.call<ContainerStatus>('createContainer', { sandboxId, config, attempt });
  }
  startContainer(containerId: string) {
    return this.call<ContainerStatus>('startContainer', { containerId });
  }
  stopContainer(containerId: string, graceSeconds: number) {
    return this.call<ContainerStatus>('stopContainer', { containerId, graceSeconds }, (graceSeconds + 10) * 1000);
  }
  removeContainer(containerId: string) {
    return this.call<object>('removeContainer', { containerId });
  }
  /** Every container of the host, or those of one sandbox, or of several (in one request, however many). */
  listContainers(sandbox?: string | string[]) {
    return this.call<{ items: ContainerStatus[] }>('listContainers', Array.isArray(sandbox) ? { sandboxIds: sandbox } : { sandboxId: sandbox }).then((r) => r.items);
  }
  /** Replaces the content of the sandbox's volume `name` with `files`, atomically for the containers that read it (see `WriteVolumeRequest`). */
  writeVolume(sandboxId: string, name: string, files: VolumeFile[], fsGroup?: number) {
    return this.call<WriteVolumeResponse>('writeVolume', { sandboxId, name, files, ...(fsGroup !== undefined ? { fsGroup } : {}) }, 30_000);
  }
  readLogs(req: ReadLogsRequest) {
    return this.call<ReadLogsResponse>('readLogs', req);
  }
  renewLease(req: RenewLeaseRequest) {
    return this.call<object>('renewLease', req, 1000);
  }
  fences() {
    return this.call<{ items: HostFenceRecord[] }>('fences', {}).then((r) => r.items);
  }
  /** What the host's running containers (or these) have used so far, and the runtime itself: one request for them all. */
  containerStats(req: ContainerStatsRequest = {}) {
    return this.call<ContainerStatsResponse>('containerStats', req);
  }
  execSync(req: ExecSyncRequest) {
    return this.call<ExecSyncResponse>('execSync', req, ((req.timeoutSeconds ?? 1) + 5) * 1000);
  }
}
