import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import type { SphereletAgentConfig } from './spherelet-agent.config';

/** Announces that the service is up; later issues hang their controllers beside it. */
@Injectable()
export class SphereletAgentLifecycle implements OnApplicationBootstrap {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SphereletAgentConfig>) {}

  onApplicationBootstrap(): void {
    this.ctx.logger.info('ready', { host: this.ctx.config.HOST_NAME });
  }
}
