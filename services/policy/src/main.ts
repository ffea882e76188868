import { runService } from '@openpacific/service-kit';
import { configSchema, PolicyConfig } from './policy.config';
import { PolicyModule } from './policy.module';

void runService<PolicyConfig>({
  name: 'policy',
  configSchema,
  module: () => PolicyModule,
});
