import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { HostLifecycleController } from './hosts/host-lifecycle.controller';
import type { SchedulerConfig } from './scheduler.config';

/** Runs the scheduler's controllers: for now the host lifecycle (heartbeats -> Ready). */
@Injectable()
export class SchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private hosts?: HostLifecycleController;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SchedulerConfig>) {}

  onApplicationBootstrap(): void {
    const { store, nats, names, logger, config } = this.ctx;
    this.hosts = new HostLifecycleController(store, nats, names, logger, { graceMs: config.HOST_GRACE_MS, intervalMs: config.HOST_CHECK_INTERVAL_MS });
    this.hosts.start();
    logger.info('ready');
  }

  beforeApplicationShutdown(): void {
    this.hosts?.stop();
  }
}
