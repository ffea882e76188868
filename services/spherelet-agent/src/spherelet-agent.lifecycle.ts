import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { clusterDnsAddress, clusterNetworkFromEnv } from '@openpacific/contracts';
import { parseQuantity } from '@openpacific/kube-api';
import { CrxClient } from '@openpacific/messaging';
import { secretKeyFrom } from '@openpacific/objects';
import { processUsage, SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { HostLease } from './host/host-lease';
import { newBootId } from './host/host-identity';
import { registerHost } from './host/host-registration';
import { hostDescription } from './host/host-spec';
import { join, resolve } from 'node:path';
import { SimFleet } from './fleet/sim-fleet';
import { kubeletConfiguration } from './kubelet/kubelet-configz';
import { KubeletServer } from './kubelet/kubelet-server';
import { HostMetricsPublisher } from './metrics/host-metrics-publisher';
import { PodWorker } from './pods/pod-worker';
import { SimHypervisor } from './vms/sim-hypervisor';
import { VmConsoleServer } from './vms/vm-console-server';
import { VmWorker } from './vms/vm-worker';
import type { RuntimeDescription } from './host/host-spec';
import type { SphereletAgentConfig } from './spherelet-agent.config';

/**
 * Registers the host (a new epoch each start, reporting the fence of the epoch before if its lease ran
 * out), keeps the host lease, runs the pods bound to it and answers its kubelet API (`nodes/<host>/proxy`).
 * A lost lease ends the process: the runtime has stopped the epoch's containers, and the restarted agent
 * registers a new epoch.
 */
@Injectable()
export class SphereletAgentLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private lease?: HostLease;
  private pods?: PodWorker;
  private vms?: VmWorker;
  private fleet?: SimFleet;
  private metrics?: HostMetricsPublisher;
  private kubelet?: KubeletServer;
  private consoles?: VmConsoleServer;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SphereletAgentConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, store, nats, names, logger, pool } = this.ctx;
    if (config.SIM_FLEET_HOSTS > 0) {
      this.fleet = new SimFleet(this.ctx);
      return this.fleet.start();
    }
    const crx = new CrxClient(nats, config.NATS_PREFIX, config.HOST_NAME);
    const hypervisor = new SimHypervisor(resolve(config.HYPERVISOR_ROOT), { guestScript: join(__dirname, 'vms', 'sim-guest.js'), bootMs: config.SIM_VM_BOOT_MS });
    const runtime = await runtimeVersion(crx);
    const fences = runtime ? await crx.fences().catch(() => []) : [];
    // Each start of the agent is a boot of its host: a new boot id, and a Rebooted Event if the Node had another.
    const description = hostDescription(config, runtime, newBootId());
    const { epoch, fence, rebooted } = await registerHost(store, config.HOST_NAME, description, fences);
    logger.info('host registered', { host: config.HOST_NAME, epoch, bootID: description.nodeInfo.bootID, rebooted, ...(fence ? { fence } : {}) });
    this.lease = new HostLease(nats, names, crx, config.HOST_NAME, epoch, {
      intervalMs: config.HEARTBEAT_INTERVAL_MS,
      leaseMs: leaseLength(config.HOST_GRACE_MS),
      logger,
      onLost: (reason) => {
        // The runtime stops the containers by itself; the VMs' guests are this agent's to stop, now.
        const vms = hypervisor.killAllNow();
        logger.error('host lease lost: the runtime stops this epoch\'s containers; restarting to register a new epoch', { epoch, reason, vmsPoweredOff: vms });
        process.exit(75);
      },
    });
    await this.lease.start();
    const secretKey = config.SECRETS_ENCRYPTION_KEY ? secretKeyFrom(config.SECRETS_ENCRYPTION_KEY) : undefined;
    const clusterDns = clusterDnsAddress(clusterNetworkFromEnv(process.env));
    this.pods = new PodWorker(
      { store, pool, nats, names, prefix: config.NATS_PREFIX, logger, secretKey },
      {
        host: config.HOST_NAME, epoch, backoffBaseMs: config.RESTART_BACKOFF_MS, resyncMs: config.POD_RESYNC_MS,
        allocatable: description.allocatable,
        podNetwork: runtime?.podNetwork.mode === 'netns' ? 'netns' : 'loopback',
        clusterDns,
      },
    );
    await this.pods.start();
    this.vms = new VmWorker({ store, pool, nats, names, logger, secretKey }, { host: config.HOST_NAME, epoch, hypervisor, resyncMs: config.POD_RESYNC_MS });
    await this.vms.start();
    // One request to the runtime per interval for every container of the host, and the agent's own use beside it.
    const usage = { host: config.HOST_NAME, read: async () => ({ ...(await crx.containerStats()), agent: processUsage(), timestamp: Date.now() }) };
    this.metrics = new HostMetricsPublisher(nats, names, config.METRICS_INTERVAL_MS, () => [usage], logger);
    this.metrics.start();
    this.kubelet = new KubeletServer(nats, names, {
      name: config.HOST_NAME,
      pods: () => this.pods?.boundPods() ?? [],
      usage: () => this.metrics?.latest(config.HOST_NAME),
      configuration: kubeletConfiguration(config, { clusterDns, taints: description.taints }),
      memoryCapacityBytes: parseQuantity(description.capacity.memory),
      machine: description,
      probes: () => this.pods?.probeMetrics.snapshot(),
      runtime: crx,
    });
    this.kubelet.start();
    this.consoles = new VmConsoleServer(nats, config.NATS_PREFIX, config.HOST_NAME, hypervisor);
    this.consoles.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.kubelet?.stop();
    this.consoles?.stop();
    await this.fleet?.stop();
    this.metrics?.stop();
    this.lease?.stop();
    await this.pods?.stop();
    await this.vms?.stop();
  }
}

/** What the host's runtime says of itself (driver, isolation, cgroups, pod network), for the Host's status; it may still be starting. */
async function runtimeVersion(crx: CrxClient): Promise<RuntimeDescription | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const v: any = await crx.version();
      const podNetwork = v.podNetwork && typeof v.podNetwork.mode === 'string' ? v.podNetwork : { mode: 'loopback', reason: 'the runtime does not report its pod network' };
      return { driver: String(v.driver), isolation: String(v.isolation), cgroups: String(v.cgroups), podNetwork };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return undefined;
}

/** The lease ends a little before the scheduler's grace period does, so the host stops first. */
export function leaseLength(graceMs: number): number {
  return graceMs - Math.min(500, Math.floor(graceMs / 4));
}
