import { runService } from '@openpacific/service-kit';
import { configSchema, SphereletAgentConfig } from './spherelet-agent.config';
import { SphereletAgentModule } from './spherelet-agent.module';

void runService<SphereletAgentConfig>({
  name: 'spherelet-agent',
  configSchema,
  module: () => SphereletAgentModule,
});
