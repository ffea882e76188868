import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { HeartbeatSender } from './host/heartbeat';
import { registerHost } from './host/host-registration';
import { hostDescription } from './host/host-spec';
import type { SphereletAgentConfig } from './spherelet-agent.config';

/** Registers the host (a new epoch each start) and heartbeats until shutdown. */
@Injectable()
export class SphereletAgentLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private heartbeat?: HeartbeatSender;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SphereletAgentConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, store, nats, names, logger } = this.ctx;
    const { epoch } = await registerHost(store, config.HOST_NAME, hostDescription(config, 'crx://process'));
    this.heartbeat = new HeartbeatSender(nats, names, config.HOST_NAME, config.HEARTBEAT_INTERVAL_MS);
    this.heartbeat.start(epoch);
    logger.info('host registered', { host: config.HOST_NAME, epoch });
  }

  beforeApplicationShutdown(): void {
    this.heartbeat?.stop();
  }
}
