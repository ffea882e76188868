import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CrxClient } from '@openpacific/messaging';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { HeartbeatSender } from './host/heartbeat';
import { registerHost } from './host/host-registration';
import { hostDescription } from './host/host-spec';
import { PodWorker } from './pods/pod-worker';
import type { SphereletAgentConfig } from './spherelet-agent.config';

/** Registers the host (a new epoch each start), heartbeats, and runs the pods bound to it. */
@Injectable()
export class SphereletAgentLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private heartbeat?: HeartbeatSender;
  private pods?: PodWorker;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SphereletAgentConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, store, nats, names, logger, pool } = this.ctx;
    const runtime = await runtimeVersion(new CrxClient(nats, config.NATS_PREFIX, config.HOST_NAME));
    const { epoch } = await registerHost(store, config.HOST_NAME, hostDescription(config, runtime));
    this.heartbeat = new HeartbeatSender(nats, names, config.HOST_NAME, config.HEARTBEAT_INTERVAL_MS);
    this.heartbeat.start(epoch);
    logger.info('host registered', { host: config.HOST_NAME, epoch });
    this.pods = new PodWorker(
      { store, pool, nats, names, prefix: config.NATS_PREFIX, logger },
      { host: config.HOST_NAME, epoch, backoffBaseMs: config.RESTART_BACKOFF_MS, resyncMs: config.POD_RESYNC_MS },
    );
    await this.pods.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.heartbeat?.stop();
    await this.pods?.stop();
  }
}

/** What the host's runtime says of itself (driver, isolation, cgroups), for the Host's status; it may still be starting. */
async function runtimeVersion(crx: CrxClient): Promise<{ driver: string; isolation: string; cgroups: string } | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const v: any = await crx.version();
      return { driver: String(v.driver), isolation: String(v.isolation), cgroups: String(v.cgroups) };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return undefined;
}
