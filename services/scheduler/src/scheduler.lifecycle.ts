import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { HostLifecycleController } from './hosts/host-lifecycle.controller';
import { PodScheduler } from './pods/pod-scheduler';
import type { SchedulerConfig } from './scheduler.config';

/** Runs the scheduler's controllers: host lifecycle (heartbeats -> Ready) and pod placement. */
@Injectable()
export class SchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private hosts?: HostLifecycleController;
  private pods?: PodScheduler;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SchedulerConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { store, nats, names, logger, config, pool } = this.ctx;
    this.hosts = new HostLifecycleController(store, nats, names, logger, { graceMs: config.HOST_GRACE_MS, intervalMs: config.HOST_CHECK_INTERVAL_MS });
    this.hosts.start();
    this.pods = new PodScheduler({ store, pool, nats, names, logger });
    await this.pods.start();
    logger.info('ready');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.hosts?.stop();
    await this.pods?.stop();
  }
}
