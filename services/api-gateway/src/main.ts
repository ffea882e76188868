import { runService } from '@openpacific/service-kit';
import { gatewayConfigSchema, GatewayConfig, prepareGatewayConfig } from './api-gateway.config';
import { ApiGatewayModule } from './api-gateway.module';

void runService<GatewayConfig>({
  name: 'api-gateway',
  configSchema: gatewayConfigSchema,
  prepareConfig: (config) => prepareGatewayConfig(config),
  module: () => ApiGatewayModule,
});
