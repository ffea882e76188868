import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '@openpacific/contracts';
import type { LauncherConfig } from './launcher-config';
import { LauncherErrorCodes } from './launcher-errors';
import { describeExit, ManagedProcess } from './managed-process';
import { freePort } from './network';
import { provisionPostgres, PostgresHandle } from './postgres.provisioner';
import { provisionNats, NatsHandle } from './nats.provisioner';
import { controlPlaneEnv, controlPlaneServices, hostNames, hostServiceEnv, hostServices, serviceEntry } from './service-plan';
import { HostPlan, hostPlanVariable } from './host-plan';
import { waitForServiceReady } from './wait-ready';
import { waitForGateway } from './gateway-readiness';
import type { ReadyInfo } from './ready-line';

const startTimeoutMs = 90_000;
const stopGraceMs = 10_000;

/** Starts Postgres and NATS if needed, every service and the hosts; stops them all again. */
export class ClusterLauncher {
  readonly processes: ManagedProcess[] = [];
  /** Log files to show when a process dies, per process name (a host has several). */
  readonly logFiles = new Map<string, string[]>();
  private postgres?: PostgresHandle;
  private nats?: NatsHandle;
  private stopping = false;

  constructor(
    private readonly config: LauncherConfig,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<ReadyInfo> {
    const { config } = this;
    mkdirSync(config.logDir, { recursive: true });
    this.checkBuilt();
    this.postgres = await provisionPostgres(config.databaseUrl, join(config.dataDir, 'postgres'), this.log);
    this.nats = await provisionNats(config.natsUrl, config.dataDir, config.logDir, this.log);

    // policy answers admission requests, so it is up before the gateway accepts writes.
    const [first, ...rest] = controlPlaneServices;
    const policyPort = await freePort();
    const policy = this.startService(first, policyPort);
    await waitForServiceReady(policy, policyPort, startTimeoutMs);

    const started: { process: ManagedProcess; port: number }[] = [];
    for (const service of rest) {
      const port = await freePort();
      started.push({ process: this.startService(service, port), port });
    }
    const hosts: { name: string; process: ManagedProcess; ports: number[] }[] = [];
    for (const host of hostNames(config.hostCount)) hosts.push(await this.startHost(host));

    const watched = [...this.processes];
    await Promise.all([
      ...started.map((s) => waitForServiceReady(s.process, s.port, startTimeoutMs)),
      ...hosts.flatMap((h) => h.ports.map((port) => waitForServiceReady(h.process, port, startTimeoutMs))),
    ]);
    const gateway = started[0].process;
    const address = await waitForGateway({ port: config.gatewayPort, dataDir: config.dataDir, gateway, watch: watched, timeoutMs: startTimeoutMs });
    return {
      ...address,
      dataDir: config.dataDir,
      databaseUrl: this.postgres.url,
      natsUrl: this.nats.url,
      natsPrefix: config.natsPrefix,
      hosts: hosts.map((h) => ({ name: h.name, pgid: h.process.pid as number })),
      services: [policy, ...started.map((s) => s.process)].map((p) => ({ name: p.name, pid: p.pid as number })),
    };
  }

  /** SIGTERM to every service and host group at once, SIGKILL after the grace period, then Postgres and NATS. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map((p) => p.stop(stopGraceMs)));
    await this.nats?.server?.stop(5000);
    await this.postgres?.embedded?.stop().catch((err: Error) => this.log(`postgres: stop failed: ${err.message}`));
  }

  private checkBuilt(): void {
    const names = [...controlPlaneServices, ...hostServices];
    const missing = names.map((n) => serviceEntry(this.config, n)).filter((entry) => !existsSync(entry));
    if (missing.length > 0) {
      throw new CodedError(LauncherErrorCodes.notBuilt, `not built: ${missing.join(', ')} (run npm run build)`);
    }
  }

  private startService(service: (typeof controlPlaneServices)[number], healthPort: number): ManagedProcess {
    const logFile = join(this.config.logDir, `${service}.log`);
    return this.track(
      ManagedProcess.start({
        name: service,
        command: process.execPath,
        args: [serviceEntry(this.config, service)],
        env: { ...process.env, ...controlPlaneEnv(this.config, service, healthPort) },
        logFile,
      }),
      [logFile],
    );
  }

  private async startHost(host: string): Promise<{ name: string; process: ManagedProcess; ports: number[] }> {
    const plan: HostPlan = { host, services: [] };
    for (const service of hostServices) {
      plan.services.push({
        name: service,
        entry: serviceEntry(this.config, service),
        env: hostServiceEnv(this.config, host, service),
        logFile: join(this.config.logDir, `${host}.${service}.log`),
        healthPort: await freePort(),
      });
    }
    const logFile = join(this.config.logDir, `${host}.log`);
    const supervisor = ManagedProcess.start({
      name: host,
      command: process.execPath,
      args: [join(__dirname, 'host.js')],
      env: { ...process.env, [hostPlanVariable]: JSON.stringify(plan) },
      logFile,
      detached: true,
      ipc: true,
    });
    this.track(supervisor, [logFile, ...plan.services.map((s) => s.logFile)]);
    return { name: host, process: supervisor, ports: plan.services.map((s) => s.healthPort) };
  }

  private track(process: ManagedProcess, logFiles: string[]): ManagedProcess {
    this.processes.push(process);
    // A stop that arrived while starting has already signalled the others; this one follows at once.
    if (this.stopping) void process.stop(stopGraceMs);
    this.logFiles.set(process.name, logFiles);
    void process.exited.then((exit) => {
      if (!this.stopping) this.log(`${process.name} (pid ${process.pid}) ${describeExit(exit)}`);
    });
    return process;
  }
}
