import { BeforeApplicationShutdown, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import type { GatewayConfig } from './api-gateway.config';
import { ApiGateway } from './gateway/api-gateway';

/** Ties the HTTP API's start and stop to the Nest lifecycle. */
@Injectable()
export class ApiGatewayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private gateway?: ApiGateway;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  async onApplicationBootstrap(): Promise<void> {
    this.gateway = new ApiGateway(this.ctx as ServiceContext<GatewayConfig>);
    await this.gateway.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.gateway?.stop();
  }
}

@Module({ providers: [ApiGatewayLifecycle] })
export class ApiGatewayModule {}
