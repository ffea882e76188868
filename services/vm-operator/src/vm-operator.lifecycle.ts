import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import type { VmOperatorConfig } from './vm-operator.config';

/** Announces that the service is up; later issues hang their controllers beside it. */
@Injectable()
export class VmOperatorLifecycle implements OnApplicationBootstrap {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<VmOperatorConfig>) {}

  onApplicationBootstrap(): void {
    this.ctx.logger.info('ready');
  }
}
