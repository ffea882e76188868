import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import type { SchedulerConfig } from './scheduler.config';

/** Announces that the service is up; later issues hang their controllers beside it. */
@Injectable()
export class SchedulerLifecycle implements OnApplicationBootstrap {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SchedulerConfig>) {}

  onApplicationBootstrap(): void {
    this.ctx.logger.info('ready');
  }
}
