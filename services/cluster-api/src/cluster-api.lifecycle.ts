import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import type { ClusterApiConfig } from './cluster-api.config';

/** Announces that the service is up; later issues hang their controllers beside it. */
@Injectable()
export class ClusterApiLifecycle implements OnApplicationBootstrap {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<ClusterApiConfig>) {}

  onApplicationBootstrap(): void {
    this.ctx.logger.info('ready');
  }
}
