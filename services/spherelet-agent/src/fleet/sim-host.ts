import { NatsNames } from '@openpacific/contracts';
import type { EventStore } from '@openpacific/event-store';
import { parseQuantity } from '@openpacific/kube-api';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { BeatClock, HostLease } from '../host/host-lease';
import { newBootId } from '../host/host-identity';
import { registerHost } from '../host/host-registration';
import { hostDescription } from '../host/host-spec';
import { kubeletConfiguration } from '../kubelet/kubelet-configz';
import { KubeletServer } from '../kubelet/kubelet-server';
import { PodWorker } from '../pods/pod-worker';
import { leaseLength } from '../spherelet-agent.lifecycle';
import type { SphereletAgentConfig } from '../spherelet-agent.config';
import type { UsageSource } from '../metrics/host-metrics-publisher';
import type { HostUsageSnapshot } from '../metrics/usage-rates';
import { MemoryHypervisor } from '../vms/memory-hypervisor';
import { VmConsoleServer } from '../vms/vm-console-server';
import { VmWorker } from '../vms/vm-worker';
import type { FleetFeed } from './fleet-feed';
import { SimRuntime } from './sim-runtime';

/**
 * The pod worker's own resync timer, a day: the fleet resyncs its hosts' pods every POD_RESYNC_MS itself, one
 * host after another (StaggeredResync), where the workers' timers, started together, fired together.
 */
const WORKER_RESYNC_MS = 86_400_000;

export interface SimHostDeps {
  store: EventStore;
  pool: Pool;
  nats: NatsConnection;
  names: NatsNames;
  logger: Logger;
  feed: FleetFeed;
  /** The fleet's one heartbeat timer. */
  beats: BeatClock;
  /** A host's latest usage reading, taken by the fleet's one metrics timer. */
  latestUsage: (host: string) => HostUsageSnapshot | undefined;
}

/**
 * One simulated host of the fleet: its own Host object and epoch, heartbeat lease, capacity and pod worker,
 * over an in-process sim runtime. Where a real agent exits on a lost lease (its runtime has fenced the epoch),
 * a sim host drops its runtime's state, as the fence would, and registers a new epoch in place.
 */
export class SimHost {
  private lease?: HostLease;
  private pods?: PodWorker;
  private vms?: VmWorker;
  private runtime?: SimRuntime;
  private kubelet?: KubeletServer;
  private consoles?: VmConsoleServer;
  private stopped = false;
  /** Drawn once per start of the fleet: a new epoch after a lost lease, registered in place by this process, keeps it. */
  private readonly bootID = newBootId();

  constructor(
    readonly name: string,
    private readonly index: number,
    private readonly config: SphereletAgentConfig,
    private readonly deps: SimHostDeps,
  ) {}

  async start(): Promise<void> {
    const { store, pool, nats, names, logger, feed, beats, latestUsage } = this.deps;
    const config = { ...this.config, HOST_NAME: this.name };
    const runtime = new SimRuntime(this.index);
    this.runtime = runtime;
    const description = hostDescription(config, SimRuntime.version(), this.bootID);
    const { epoch } = await registerHost(store, this.name, description);
    this.lease = new HostLease(nats, names, runtime, this.name, epoch, {
      intervalMs: config.HEARTBEAT_INTERVAL_MS,
      leaseMs: leaseLength(config.HOST_GRACE_MS),
      logger,
      clock: beats,
      onLost: (reason) => {
        logger.error('sim host lease lost: dropping its pods and registering a new epoch', { host: this.name, epoch, reason });
        void this.restart();
      },
    });
    await this.lease.start();
    this.pods = new PodWorker(
      { store, pool, nats, names, logger, prefix: config.NATS_PREFIX, runtime, feed: feed.pods },
      { host: this.name, epoch, backoffBaseMs: config.RESTART_BACKOFF_MS, resyncMs: WORKER_RESYNC_MS, podNetwork: 'loopback', allocatable: description.allocatable, contentVolumes: false, createEvents: false },
    );
    await this.pods.start();
    // Its VMs are records in this process with no guest anywhere, as its pods are, and they go with the epoch
    // (a new epoch starts with an empty hypervisor).
    const hypervisor = new MemoryHypervisor();
    this.vms = new VmWorker({ store, pool, nats, names, logger, feed: feed.vms }, { host: this.name, epoch, hypervisor, resyncMs: config.POD_RESYNC_MS });
    await this.vms.start();
    // Its VMs' consoles, on its own subject as a real host serves them, so the gateway reaches them by the VM's nodeName.
    this.consoles = new VmConsoleServer(nats, config.NATS_PREFIX, this.name, hypervisor);
    this.consoles.start();
    this.kubelet = new KubeletServer(nats, names, {
      name: this.name,
      pods: () => this.pods?.boundPods() ?? [],
      usage: () => latestUsage(this.name),
      configuration: kubeletConfiguration(config, { taints: description.taints }),
      memoryCapacityBytes: parseQuantity(description.capacity.memory),
      machine: description,
      probes: () => this.pods?.probeMetrics.snapshot(),
      // Its sandboxes and containers, and no exec or logs: nothing runs anywhere.
      runtime: { listPodSandboxes: () => runtime.listPodSandboxes(), listContainers: () => runtime.listContainers() },
    });
    this.kubelet.start();
  }

  /**
   * Its usage as metrics.k8s.io shows it: its running pods, each using nothing, and nothing for the host either (the
   * fleet's one process carries every host; no share of it is any one host's).
   */
  get usage(): UsageSource {
    return { host: this.name, read: async () => ({ timestamp: Date.now(), items: this.runtime?.containerStats() ?? [] }) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.kubelet?.stop();
    this.consoles?.stop();
    this.lease?.stop();
    await this.pods?.stop();
    await this.vms?.stop();
  }

  private async restart(): Promise<void> {
    this.kubelet?.stop();
    // A lost epoch's VMs are gone with its hypervisor: nothing answers for them until the host is back.
    this.consoles?.stop();
    this.lease?.stop();
    await this.pods?.stop();
    await this.vms?.stop();
    if (this.stopped) return;
    // Registering can fail when the machine is saturated (the pool's connect timeout); a host that gave up there
    // would stay down for the rest of the run, so it tries again until it is back or the fleet stops.
    await this.start().catch((err: Error) => {
      this.deps.logger.error('sim host failed to start again; retrying in 1 s', { host: this.name, error: err.message });
      setTimeout(() => void this.restart(), 1000).unref();
    });
  }
}
