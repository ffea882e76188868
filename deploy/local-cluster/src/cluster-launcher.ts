import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError, staleServiceBundle } from '@openpacific/contracts';
import type { LauncherConfig } from './launcher-config';
import { LauncherErrorCodes } from './launcher-errors';
import { describeExit, ManagedProcess, ProcessExit } from './managed-process';
import { freePort, reservePorts } from './network';
import { provisionPostgres, PostgresHandle } from './postgres.provisioner';
import { provisionNats, NatsHandle } from './nats.provisioner';
import {
  controlPlaneEnv,
  simFleetEnv,
  simFleetInstance,
  simFleetService,
  controlPlaneInstances,
  controlPlaneServices,
  crxRoot,
  gatewayPortFor,
  hostNames,
  hostServiceEnv,
  hostServices,
  serviceEntry,
  ServiceInstance,
} from './service-plan';
import { HostPlan, hostPlanVariable } from './host-plan';
import { waitForServiceReady } from './wait-ready';
import { waitForGateway, waitForGatewayPort } from './gateway-readiness';
import { ensureLocalUsers } from './local-users';
import type { ReadyInfo } from './ready-line';
import { ClusterState, clusterStateFile, hostPidsFile, postmasterPid, readHostPids } from './cluster-state';
import { writeJsonAtomic } from './json-file';
import { removeClusterNetwork } from './pod-network';

const startTimeoutMs = 90_000;
const stopGraceMs = 10_000;
const managedServerRestartMs = 1000;
/** A service that stayed up this long starts its back-off from the beginning again. */
const stableAfterMs = 10_000;

/** 200 ms, doubling with every restart in a row, at most 5 s. */
export function restartDelayMs(restartsInARow: number): number {
  return Math.min(200 * 2 ** Math.min(restartsInARow, 5), 5000);
}

/** `10 s` for whole seconds, `250 ms` otherwise. */
export function formatDelay(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function exitReason(exit: ProcessExit): string {
  return exit.signal ?? `code ${exit.code}`;
}

interface ServiceSlot {
  instance: ServiceInstance;
  healthPort: number;
  gatewayPort?: number;
  process: ManagedProcess;
  restarts: number;
  startedAt: number;
}

interface HostSlot {
  name: string;
  plan: HostPlan;
  process: ManagedProcess;
}

/**
 * Starts Postgres and NATS if needed, every service and the hosts; once the cluster
 * is ready, starts again whatever dies (services, host groups, its own NATS and Postgres).
 */
export class ClusterLauncher {
  /** Every process ever started, restarts included. */
  readonly processes: ManagedProcess[] = [];
  /** Log files to show when a process dies, per process name (a host has several). */
  readonly logFiles = new Map<string, string[]>();
  private readonly services: ServiceSlot[] = [];
  private readonly hosts: HostSlot[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private postgres?: PostgresHandle;
  private nats?: NatsHandle;
  private ready?: ReadyInfo;
  private stopping = false;

  constructor(
    private readonly config: LauncherConfig,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<ReadyInfo> {
    const { config } = this;
    mkdirSync(config.logDir, { recursive: true });
    this.checkBuilt();
    config.secretsKey ??= process.env.SECRETS_ENCRYPTION_KEY || ensureSecretsKey(config.dataDir);
    // developer and viewer (users.json, hashed), whose contexts the gateway adds to its kubeconfig.
    ensureLocalUsers(config.dataDir);
    const { podCIDR, serviceCIDR, loadBalancerCIDR } = config.network;
    this.log(`network: ${config.networkNote}; pods ${podCIDR || '127.x.y.z per host'}, services ${serviceCIDR}, load balancers ${loadBalancerCIDR}`);
    this.postgres = await provisionPostgres(config.databaseUrl, join(config.dataDir, 'postgres'), this.log);
    this.watchPostgres();
    this.nats = await provisionNats(config.natsUrl, config.dataDir, config.logDir, this.log);
    this.watchNats();

    const instances = controlPlaneInstances(config.replicas);
    // The gateways bind their fixed ports only at the end of their boot: no health port may take one first.
    reservePorts(instances.map((i) => (i.service === 'api-gateway' ? gatewayPortFor(config, i.index) : undefined)).filter((p): p is number => p !== undefined));
    const isExtraGateway = (i: ServiceInstance) => i.service === 'api-gateway' && i.index > 0;
    // policy answers admission requests, so it is up before the gateway accepts writes.
    const policies = await this.startServices(instances.filter((i) => i.service === 'policy'));
    await Promise.all(policies.map((s) => waitForServiceReady(s.process, s.healthPort, startTimeoutMs)));

    const started = await this.startServices(instances.filter((i) => i.service !== 'policy' && !isExtraGateway(i)));
    for (const host of hostNames(config.hostCount)) await this.startHost(host);
    if (config.simFleetHosts > 0) started.push(...(await this.startServices([simFleetInstance])));
    const watched = [...this.processes];
    await Promise.all([
      ...started.map((s) => waitForServiceReady(s.process, s.healthPort, startTimeoutMs)),
      ...this.hosts.flatMap((h) => h.plan.services.map((s) => waitForServiceReady(h.process, s.healthPort, startTimeoutMs))),
    ]);
    const gateway = started.find((s) => s.instance.service === 'api-gateway') as ServiceSlot;
    const address = await waitForGateway({
      port: gateway.gatewayPort as number,
      dataDir: config.dataDir,
      gateway: gateway.process,
      watch: watched,
      timeoutMs: startTimeoutMs,
    });
    // The first gateway has written the PKI and token by now: the others reuse them instead of racing it.
    const extras = await this.startServices(instances.filter(isExtraGateway));
    await Promise.all(extras.map((s) => this.waitForExtraGateway(s, [...watched, ...extras.map((e) => e.process)])));

    const gateways = [
      { name: gateway.instance.name, server: address.server },
      ...extras.map((s) => ({ name: s.instance.name, server: `https://127.0.0.1:${s.gatewayPort}` })),
    ];
    this.ready = {
      ...address,
      gateways,
      dataDir: config.dataDir,
      databaseUrl: this.postgres.url,
      natsUrl: this.nats.url,
      natsPrefix: config.natsPrefix,
      hosts: this.hosts.map((h) => ({ name: h.name, pgid: h.process.pid as number })),
      services: this.services.map((s) => ({ name: s.instance.name, pid: s.process.pid as number })),
    };
    this.writeState();
    this.restartWhatDiedDuringStart();
    return this.ready;
  }

  /** SIGTERM to every service and host group at once, SIGKILL after the grace period, then Postgres and NATS. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.processes.filter((p) => p.running).map((p) => p.stop(stopGraceMs)));
    await this.nats?.server?.stop(5000);
    await this.postgres?.embedded?.stop().catch((err: Error) => this.log(`postgres: stop failed: ${err.message}`));
    rmSync(clusterStateFile(this.config.dataDir), { force: true });
    removeClusterNetwork(this.config.network);
  }

  private checkBuilt(): void {
    const names = [...controlPlaneServices, ...hostServices];
    const problems = this.config.serviceMain
      ? existsSync(this.config.serviceMain) ? [] : [`${this.config.serviceMain} is missing`]
      : names.map((n) => staleServiceBundle(this.config.repoRoot, n)).filter((why): why is string => why !== undefined);
    if (problems.length > 0) {
      throw new CodedError(LauncherErrorCodes.notBuilt, `not built: ${problems.join('; ')} (run npm run build)`);
    }
  }

  private async startServices(instances: ServiceInstance[]): Promise<ServiceSlot[]> {
    const slots: ServiceSlot[] = [];
    for (const instance of instances) {
      const healthPort = await freePort();
      // A fixed gateway port even when GATEWAY_PORT is 0: a restarted gateway must answer where clients point.
      const gatewayPort = instance.service === 'api-gateway' ? (gatewayPortFor(this.config, instance.index) ?? (await freePort())) : undefined;
      const slot = { instance, healthPort, gatewayPort, restarts: 0 } as ServiceSlot;
      this.spawnService(slot);
      this.services.push(slot);
      slots.push(slot);
    }
    return slots;
  }

  private spawnService(slot: ServiceSlot): void {
    const { instance, healthPort, gatewayPort } = slot;
    const logFile = join(this.config.logDir, `${instance.name}.log`);
    const env = instance.service === simFleetService
      ? simFleetEnv(this.config, healthPort)
      : controlPlaneEnv(this.config, instance.service, healthPort, { ...instance, gatewayPort });
    const child = ManagedProcess.start({
      name: instance.name,
      command: process.execPath,
      args: [serviceEntry(this.config, instance.service)],
      env: { ...process.env, ...env },
      logFile,
    });
    slot.process = child;
    slot.startedAt = Date.now();
    this.track(child, [logFile]);
    void child.exited.then((exit) => this.onServiceExit(slot, child, exit));
  }

  private onServiceExit(slot: ServiceSlot, process: ManagedProcess, exit: ProcessExit): void {
    if (this.stopping || !this.ready || slot.process !== process) return;
    if (Date.now() - slot.startedAt >= stableAfterMs) slot.restarts = 0;
    const delay = restartDelayMs(slot.restarts++);
    this.log(`${slot.instance.name} (pid ${process.pid}) exited (${exitReason(exit)}); restarting it in ${formatDelay(delay)}`);
    this.later(delay, () => {
      this.spawnService(slot);
      this.log(`${slot.instance.name} restarted (pid ${slot.process.pid})`);
      this.writeState();
    });
  }

  private waitForExtraGateway(slot: ServiceSlot, watch: ManagedProcess[]): Promise<void> {
    return waitForGatewayPort({
      name: slot.instance.name,
      port: slot.gatewayPort as number,
      dataDir: this.config.dataDir,
      watch,
      timeoutMs: startTimeoutMs,
    });
  }

  private async startHost(host: string): Promise<void> {
    const plan: HostPlan = { host, services: [], pidsFile: hostPidsFile(this.config.dataDir, host) };
    for (const service of hostServices) {
      plan.services.push({
        name: service,
        entry: serviceEntry(this.config, service),
        env: hostServiceEnv(this.config, host, service),
        logFile: join(this.config.logDir, `${host}.${service}.log`),
        healthPort: await freePort(),
      });
    }
    const slot = { name: host, plan } as HostSlot;
    this.spawnHost(slot);
    this.hosts.push(slot);
  }

  private spawnHost(slot: HostSlot): void {
    const logFile = join(this.config.logDir, `${slot.name}.log`);
    const supervisor = ManagedProcess.start({
      name: slot.name,
      command: process.execPath,
      args: [join(__dirname, 'host.js')],
      env: { ...process.env, [hostPlanVariable]: JSON.stringify(slot.plan) },
      logFile,
      detached: true,
      ipc: true,
    });
    slot.process = supervisor;
    this.track(supervisor, [logFile, ...slot.plan.services.map((s) => s.logFile)]);
    void supervisor.exited.then((exit) => this.onHostExit(slot, supervisor, exit));
  }

  private onHostExit(slot: HostSlot, supervisor: ManagedProcess, exit: ProcessExit): void {
    if (this.stopping || !this.ready || slot.process !== supervisor) return;
    // Whatever survived the supervisor (a service, a shim) would hold the host's ports: power it all off.
    killGroup(supervisor.pid as number);
    const delay = this.config.hostRebootDelayMs;
    const why = `supervisor pid ${supervisor.pid} ${describeExit(exit)}`;
    this.writeState();
    if (delay === 0) {
      this.log(`${slot.name} is down (${why}); HOST_REBOOT_DELAY_MS=0 leaves it off`);
      return;
    }
    this.log(`${slot.name} is down (${why}); powering it on again in ${formatDelay(delay)}`);
    this.later(delay, () => {
      this.spawnHost(slot);
      this.log(`${slot.name} powered on (process group ${slot.process.pid})`);
      this.writeState();
    });
  }

  private watchNats(): void {
    const server = this.nats?.server;
    if (!server) return;
    void server.exited.then((exit) => {
      if (this.stopping || this.nats?.server !== server) return;
      this.log(`nats: nats-server (pid ${server.pid}) exited (${exitReason(exit)}); starting it again in 1 s`);
      this.later(managedServerRestartMs, () => {
        const next = ManagedProcess.start(server.spec);
        (this.nats as NatsHandle).server = next;
        this.log(`nats: nats-server started again (pid ${next.pid})`);
        this.watchNats();
        this.writeState();
      });
    });
  }

  private watchPostgres(): void {
    const embedded = this.postgres?.embedded;
    if (!embedded) return;
    const pid = embedded.pid;
    embedded.onExit(() => {
      if (this.stopping) return;
      this.log(`postgres: the postmaster (pid ${pid}) exited; starting it again in 1 s`);
      this.later(managedServerRestartMs, () => void this.restartPostgres());
    });
  }

  private async restartPostgres(): Promise<void> {
    const embedded = this.postgres?.embedded;
    if (!embedded || this.stopping) return;
    try {
      await embedded.start();
    } catch (err) {
      // Backends of a killed postmaster can hold its shared memory for a moment: try again.
      this.log(`postgres: start failed (${(err as Error).message.split('\n')[0]}); trying again in 1 s`);
      this.later(managedServerRestartMs, () => void this.restartPostgres());
      return;
    }
    if (this.stopping) return void (await embedded.stop());
    this.log(`postgres: started again (pid ${embedded.pid})`);
    this.watchPostgres();
    this.writeState();
  }

  private restartWhatDiedDuringStart(): void {
    for (const slot of this.services) {
      if (!slot.process.running) this.onServiceExit(slot, slot.process, slot.process.exitInfo as ProcessExit);
    }
    for (const slot of this.hosts) {
      if (!slot.process.running) this.onHostExit(slot, slot.process, slot.process.exitInfo as ProcessExit);
    }
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) action();
    }, ms);
    this.timers.add(timer);
  }

  /** cluster.json, rewritten after every (re)start so the chaos tool and tests find current pids. */
  private writeState(): void {
    if (!this.ready || this.stopping) return;
    try {
      writeJsonAtomic(clusterStateFile(this.config.dataDir), this.state(this.ready));
    } catch (err) {
      this.log(`cannot write ${clusterStateFile(this.config.dataDir)}: ${(err as Error).message}`);
    }
  }

  private state(ready: ReadyInfo): ClusterState {
    const { config } = this;
    const nats = this.nats?.server;
    const embedded = this.postgres?.embedded;
    return {
      launcherPid: process.pid,
      dataDir: config.dataDir,
      server: ready.server,
      gateways: ready.gateways,
      kubeconfig: ready.kubeconfig,
      databaseUrl: ready.databaseUrl,
      natsUrl: ready.natsUrl,
      natsPrefix: ready.natsPrefix,
      nats: { managed: nats !== undefined, pid: nats?.running ? nats.pid : undefined, url: ready.natsUrl },
      postgres: {
        managed: embedded !== undefined,
        pid: embedded && (embedded.pid ?? postmasterPid(embedded.dataDir)),
        url: ready.databaseUrl,
      },
      hosts: this.hosts.map((h) => this.hostState(h)),
      services: this.services.map((s) => ({
        name: s.instance.name,
        service: s.instance.service,
        pid: s.process.pid as number,
        healthPort: s.healthPort,
      })),
    };
  }

  private hostState(slot: HostSlot): ClusterState['hosts'][number] {
    const pgid = slot.process.pid as number;
    // pids.json may still be the previous supervisor's right after a reboot.
    const pids = readHostPids(this.config.dataDir, slot.name);
    const current = pids?.supervisor === pgid ? pids.services : {};
    return {
      name: slot.name,
      pgid,
      up: slot.process.running,
      crxRoot: crxRoot(this.config, slot.name),
      agentPid: current['spherelet-agent'],
      runtimePid: current['crx-runtime'],
    };
  }

  private track(process: ManagedProcess, logFiles: string[]): ManagedProcess {
    this.processes.push(process);
    // A stop that arrived while starting has already signalled the others; this one follows at once.
    if (this.stopping) void process.stop(stopGraceMs);
    this.logFiles.set(process.name, logFiles);
    void process.exited.then((exit) => {
      // After start-up the restart logic says what happened and what it does about it.
      if (!this.stopping && !this.ready) this.log(`${process.name} (pid ${process.pid}) ${describeExit(exit)}`);
    });
    return process;
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Nothing left in the group.
  }
}

/** The cluster's Secrets key, made once (32 random bytes) and kept in the data folder, readable by its owner only. */
function ensureSecretsKey(dataDir: string): string {
  const file = join(dataDir, 'secrets.key');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
