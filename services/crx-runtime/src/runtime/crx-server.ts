import { ContainerStatsResponse, CrxOperation, crxSubject, natsNames } from '@openpacific/contracts';
import { serveJson } from '@openpacific/messaging';
import { processUsage } from '@openpacific/service-kit';
import type { NatsConnection, Subscription } from 'nats';
import { AttachSessions } from './attach-session';
import { ExecSessions } from './exec-session';
import { LeaseWatchdog } from './lease-watchdog';
import { RuntimeDriver } from './runtime-driver';

/** The CRI-like API of one host's runtime, answered over NATS on `<prefix>.crx.<host>.<op>`. */
export class CrxServer {
  private subs: Subscription[] = [];
  private exec?: ExecSessions;
  private attach?: AttachSessions;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly host: string,
    private readonly driver: RuntimeDriver,
    private readonly watchdog: LeaseWatchdog,
    /** Told how long each start step took (sandbox, create, start): the runtime's own share of a pod's start, for benchmarks. */
    private readonly timed?: (op: string, ms: number, fields: Record<string, unknown>) => void,
  ) {}

  start(): void {
    const d = this.driver;
    const handlers: Record<CrxOperation, (req: any) => unknown> = {
      version: () => d.version(),
      runPodSandbox: (r) => this.time('runPodSandbox', { pod: `${r.config?.podNamespace}/${r.config?.podName}` }, () => d.runPodSandbox(r.config)),
      stopPodSandbox: async (r) => (await d.stopPodSandbox(r.sandboxId, r.graceSeconds ?? 30), {}),
      removePodSandbox: async (r) => (await d.removePodSandbox(r.sandboxId), {}),
      podSandboxStatus: (r) => d.podSandboxStatus(r.sandboxId),
      // A request without a filter (an older agent's `{}`) is for everything, as it always was.
      listPodSandboxes: (r) => ({ items: d.listPodSandboxes({ pods: r.pods }) }),
      createContainer: (r) => this.time('createContainer', { sandboxId: r.sandboxId }, () => d.createContainer(r.sandboxId, r.config, r.attempt ?? 0)),
      startContainer: (r) => this.time('startContainer', { containerId: r.containerId }, () => d.startContainer(r.containerId)),
      stopContainer: (r) => d.stopContainer(r.containerId, r.graceSeconds ?? 30),
      removeContainer: async (r) => (await d.removeContainer(r.containerId), {}),
      containerStatus: (r) => d.containerStatus(r.containerId),
      listContainers: (r) => ({ items: d.listContainers(r.sandboxIds ?? r.sandboxId) }),
      readLogs: (r) => d.readLogs(r),
      execSync: (r) => d.execSync(r),
      writeVolume: (r) => d.writeVolume({ sandboxId: r.sandboxId, name: r.name, files: r.files, ...(r.fsGroup !== undefined ? { fsGroup: r.fsGroup } : {}) }),
      renewLease: (r) => this.watchdog.renew(r),
      fences: () => this.watchdog.fences(),
      containerStats: (r): ContainerStatsResponse => ({ items: d.containerStats(Array.isArray(r.containerIds) ? r.containerIds : undefined), runtime: processUsage() }),
    };
    // An answer promises what it says is kept: it goes once the driver has written the request's changes.
    const durable = (handler: (req: any) => unknown) => async (req: any) => {
      const answer = await handler(req);
      await d.persisted?.();
      return answer;
    };
    // A request (the files of a large volume) or an answer (the containers of a busy host) over one NATS message's
    // size goes through the cluster's object store bucket.
    const payloads = natsNames(this.prefix).payloads;
    for (const [op, handler] of Object.entries(handlers)) {
      this.subs.push(serveJson(this.nc, crxSubject(this.prefix, this.host, op as CrxOperation), `crx-${this.host}`, durable(handler), { payloads }));
    }
    this.exec = new ExecSessions(this.nc, this.prefix, this.host, d);
    this.exec.start();
    this.attach = new AttachSessions(this.nc, this.prefix, this.host, d);
    this.attach.start();
  }

  private async time<T>(op: string, fields: Record<string, unknown>, step: () => T | Promise<T>): Promise<T> {
    if (!this.timed) return step();
    const started = process.hrtime.bigint();
    const result = await step();
    // Its state written too: the answer waits for that.
    await this.driver.persisted?.();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const id = (result as { id?: string } | undefined)?.id;
    this.timed(op, Math.round(ms * 1000) / 1000, { ...fields, ...(op === 'startContainer' ? {} : { id }) });
    return result;
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.exec?.stop();
    this.attach?.stop();
  }
}
